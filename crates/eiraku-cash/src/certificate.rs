//! Wallet certificates: the device supply center binds a wallet number to the
//! wallet's signing key (history entries) and key-agreement key (sessions).

use crate::CashError;
use bytes::BufMut;
use commonware_codec::{
    Buf, DecodeExt, Encode, EncodeSize, Error, FixedSize, RangeCfg, Read, ReadExt, Write,
};
use commonware_cryptography::{ed25519, Verifier};
use eiraku_core::{Keypair, PublicKey};
use std::fmt;

/// Signing namespace of wallet certificates.
pub const CERTIFICATE_NAMESPACE: &[u8] = b"eiraku-cash/wallet-certificate";

/// Longest reserved-data field of a certificate or note, in bytes.
pub const MAX_RESERVED: usize = 64;

/// A wallet's number, unique within the device supply center.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WalletNumber(pub u64);

/// The wallet number that stands for the issuance center as a payee.
pub const CENTER: WalletNumber = WalletNumber(0);

impl fmt::Display for WalletNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl Write for WalletNumber {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl FixedSize for WalletNumber {
    const SIZE: usize = 8;
}

impl Read for WalletNumber {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        u64::read(buf).map(WalletNumber)
    }
}

/// What the device supply center certifies about one wallet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalletCertificate {
    /// The wallet's number.
    pub number: WalletNumber,
    /// Key the wallet signs history entries with (Ed25519).
    pub signing_key: PublicKey,
    /// Static key the wallet authenticates sessions with (X25519).
    pub agreement_key: [u8; 32],
    /// Key the wallet agrees its history-sealing key with the center under
    /// (X25519): apart from the session key, so what a session exposes
    /// never opens a history.
    pub sealing_key: [u8; 32],
    /// Data reserved for the device center (model, batch, …).
    pub reserved: Vec<u8>,
    /// Start of validity, ms since the Unix epoch.
    pub valid_from_ms: u64,
    /// End of validity (exclusive), ms since the Unix epoch.
    pub valid_until_ms: u64,
}

impl Write for WalletCertificate {
    fn write(&self, buf: &mut impl BufMut) {
        self.number.write(buf);
        self.signing_key.write(buf);
        self.agreement_key.write(buf);
        self.sealing_key.write(buf);
        self.reserved.write(buf);
        self.valid_from_ms.write(buf);
        self.valid_until_ms.write(buf);
    }
}

impl EncodeSize for WalletCertificate {
    fn encode_size(&self) -> usize {
        WalletNumber::SIZE + self.signing_key.encode_size() + 64 + self.reserved.encode_size() + 16
    }
}

impl Read for WalletCertificate {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            number: WalletNumber::read(buf)?,
            signing_key: PublicKey::read(buf)?,
            agreement_key: <[u8; 32]>::read(buf)?,
            sealing_key: <[u8; 32]>::read(buf)?,
            reserved: Vec::<u8>::read_cfg(buf, &(RangeCfg::new(0..=MAX_RESERVED), ()))?,
            valid_from_ms: u64::read(buf)?,
            valid_until_ms: u64::read(buf)?,
        })
    }
}

/// A wallet certificate with the device supply center's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCertificate {
    /// The certified content.
    pub certificate: WalletCertificate,
    /// The device supply center's signature over its encoding.
    pub signature: ed25519::Signature,
}

impl SignedCertificate {
    /// The certified wallet.
    pub fn wallet(&self) -> WalletNumber {
        self.certificate.number
    }

    /// Checks the device center's signature, that `now_ms` lies in the
    /// validity window, and that the number is not the center's own.
    pub fn verify(&self, device_center: &PublicKey, now_ms: u64) -> Result<(), CashError> {
        let certificate = &self.certificate;
        if certificate.number == CENTER {
            return Err(CashError::ReservedWalletNumber);
        }
        if !device_center.verify(
            CERTIFICATE_NAMESPACE,
            &certificate.encode(),
            &self.signature,
        ) {
            return Err(CashError::BadCertificateSignature(certificate.number));
        }
        if now_ms < certificate.valid_from_ms || now_ms >= certificate.valid_until_ms {
            return Err(CashError::CertificateNotValidNow {
                wallet: certificate.number,
                valid_from_ms: certificate.valid_from_ms,
                valid_until_ms: certificate.valid_until_ms,
                now_ms,
            });
        }
        Ok(())
    }

    /// Reads a certificate received from another wallet.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CashError> {
        Self::decode(commonware_codec::Copying(bytes)).map_err(|e| CashError::Malformed {
            what: "wallet certificate",
            reason: e.to_string(),
        })
    }
}

impl Write for SignedCertificate {
    fn write(&self, buf: &mut impl BufMut) {
        self.certificate.write(buf);
        self.signature.write(buf);
    }
}

impl EncodeSize for SignedCertificate {
    fn encode_size(&self) -> usize {
        self.certificate.encode_size() + self.signature.encode_size()
    }
}

impl Read for SignedCertificate {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            certificate: WalletCertificate::read(buf)?,
            signature: ed25519::Signature::read(buf)?,
        })
    }
}

/// The device supply center: certifies wallets.
pub struct DeviceCenter {
    key: Keypair,
}

impl DeviceCenter {
    /// A center signing with `key`.
    pub fn new(key: Keypair) -> Self {
        Self { key }
    }

    /// The key wallets and the issuance center check certificates against.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// Signs a wallet certificate.
    pub fn certify(&self, certificate: WalletCertificate) -> SignedCertificate {
        let signature = self.key.sign(CERTIFICATE_NAMESPACE, &certificate.encode());
        SignedCertificate {
            certificate,
            signature,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(number: u64) -> WalletCertificate {
        WalletCertificate {
            number: WalletNumber(number),
            signing_key: Keypair::from_seed(number).public_key(),
            agreement_key: [7; 32],
            sealing_key: [6; 32],
            reserved: b"card v1".to_vec(),
            valid_from_ms: 1_000,
            valid_until_ms: 2_000,
        }
    }

    #[test]
    fn certificates_round_trip_and_verify_within_their_validity() {
        let center = DeviceCenter::new(Keypair::from_seed(100));
        let signed = center.certify(certificate(1));
        let back = SignedCertificate::from_bytes(&signed.encode()).unwrap();
        assert_eq!(back, signed);
        assert_eq!(back.verify(&center.public_key(), 1_000), Ok(()));
        assert_eq!(back.verify(&center.public_key(), 1_999), Ok(()));
        for now in [999, 2_000] {
            assert!(matches!(
                back.verify(&center.public_key(), now),
                Err(CashError::CertificateNotValidNow { .. })
            ));
        }
    }

    #[test]
    fn a_certificate_from_another_center_or_altered_is_refused() {
        let center = DeviceCenter::new(Keypair::from_seed(100));
        let rogue = DeviceCenter::new(Keypair::from_seed(101));
        let forged = rogue.certify(certificate(1));
        assert_eq!(
            forged.verify(&center.public_key(), 1_500),
            Err(CashError::BadCertificateSignature(WalletNumber(1)))
        );
        let mut altered = center.certify(certificate(1));
        altered.certificate.valid_until_ms = u64::MAX;
        assert_eq!(
            altered.verify(&center.public_key(), 1_500),
            Err(CashError::BadCertificateSignature(WalletNumber(1)))
        );
    }

    #[test]
    fn malformed_certificates_are_typed_errors() {
        let center = DeviceCenter::new(Keypair::from_seed(100));
        let bytes = center.certify(certificate(1)).encode();
        for cut in [0, 8, bytes.len() - 1] {
            assert!(matches!(
                SignedCertificate::from_bytes(&bytes[..cut]),
                Err(CashError::Malformed { .. })
            ));
        }
    }
}
