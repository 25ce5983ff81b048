//! Transfer history: one entry per hop a note makes, signed by the payer
//! wallet and sealed (HPKE, RFC 9180) to the issuance center, so wallets
//! further down the path carry it without reading it.
//!
//! Entries chain: each names the digest of the previous *sealed* entry (the
//! first names the note's digest), which every carrier of the note can
//! compute without reading it. A wallet that spends a note twice therefore
//! signs two different entries with the same `previous`: the evidence of a
//! double spend, checkable with that wallet's public key alone.

use crate::{CashError, WalletNumber};
use bytes::BufMut;
use commonware_codec::{
    Buf, DecodeExt, Encode, EncodeSize, Error, FixedSize, RangeCfg, Read, ReadExt, Write,
};
use commonware_cryptography::{ed25519, Verifier};
use eiraku_core::{hash, Digest, PublicKey};
use hpke::{
    aead::ChaCha20Poly1305, kdf::HkdfSha256, kem::X25519HkdfSha256, Deserializable, Kem, OpModeR,
    OpModeS, Serializable,
};

/// Signing namespace of history entries.
pub const HISTORY_NAMESPACE: &[u8] = b"eiraku-cash/history-entry";

/// HPKE `info` of sealed entries: binds them to this protocol.
const SEAL_INFO: &[u8] = b"eiraku-cash/history-seal/v1";

/// Longest sealed entry accepted (an entry is ~170 bytes sealed).
const MAX_SEALED_ENTRY: usize = 256;

/// One hop of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The note's serial.
    pub serial: u64,
    /// Position: 1 for the first transfer after issuance.
    pub hop: u16,
    /// The paying wallet (the signer).
    pub from: WalletNumber,
    /// The receiving wallet.
    pub to: WalletNumber,
    /// The payer's transfer counter (strictly increasing per wallet).
    pub counter: u64,
    /// Digest of the previous sealed entry ([`EncryptedEntry::digest`]), or
    /// of the sealed note for hop 1.
    pub previous: Digest,
}

impl Write for HistoryEntry {
    fn write(&self, buf: &mut impl BufMut) {
        self.serial.write(buf);
        self.hop.write(buf);
        self.from.write(buf);
        self.to.write(buf);
        self.counter.write(buf);
        self.previous.write(buf);
    }
}

impl FixedSize for HistoryEntry {
    const SIZE: usize = 8 + 2 + 8 + 8 + 8 + 32;
}

impl Read for HistoryEntry {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            serial: u64::read(buf)?,
            hop: u16::read(buf)?,
            from: WalletNumber::read(buf)?,
            to: WalletNumber::read(buf)?,
            counter: u64::read(buf)?,
            previous: Digest::read(buf)?,
        })
    }
}

/// An entry with the payer wallet's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedEntry {
    /// The hop.
    pub entry: HistoryEntry,
    /// The `from` wallet's signature over the entry's encoding.
    pub signature: ed25519::Signature,
}

impl SignedEntry {
    /// Whether `wallet_key` signed this entry.
    pub fn verify(&self, wallet_key: &PublicKey) -> bool {
        wallet_key.verify(HISTORY_NAMESPACE, &self.entry.encode(), &self.signature)
    }

    /// Seals the entry to the issuance center's history key.
    pub fn seal(&self, center_history_key: &[u8; 32]) -> EncryptedEntry {
        let key = <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(center_history_key)
            .expect("every 32-byte string is an X25519 public key");
        let (encapsulated, ciphertext) =
            hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
                &OpModeS::Base,
                &key,
                SEAL_INFO,
                &self.encode(),
                &sealed_entry_aad(self.entry.serial, self.entry.hop),
            )
            .expect("sealing to a valid X25519 key cannot fail");
        let mut encapsulated_key = [0u8; 32];
        encapsulated_key.copy_from_slice(&encapsulated.to_bytes());
        EncryptedEntry {
            serial: self.entry.serial,
            hop: self.entry.hop,
            encapsulated_key,
            ciphertext,
        }
    }
}

/// The associated data of a sealed entry: the note position it claims, so
/// an entry moved to another note or hop fails to open.
fn sealed_entry_aad(serial: u64, hop: u16) -> [u8; 10] {
    let mut aad = [0u8; 10];
    aad[..8].copy_from_slice(&serial.to_be_bytes());
    aad[8..].copy_from_slice(&hop.to_be_bytes());
    aad
}

impl Write for SignedEntry {
    fn write(&self, buf: &mut impl BufMut) {
        self.entry.write(buf);
        self.signature.write(buf);
    }
}

impl FixedSize for SignedEntry {
    const SIZE: usize = HistoryEntry::SIZE + ed25519::Signature::SIZE;
}

impl Read for SignedEntry {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            entry: HistoryEntry::read(buf)?,
            signature: ed25519::Signature::read(buf)?,
        })
    }
}

/// A signed entry sealed to the issuance center. Carries, in the clear,
/// only the note position it claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedEntry {
    /// The note's serial.
    pub serial: u64,
    /// Position in the history.
    pub hop: u16,
    /// HPKE encapsulated key.
    pub encapsulated_key: [u8; 32],
    /// HPKE ciphertext of the signed entry.
    pub ciphertext: Vec<u8>,
}

impl EncryptedEntry {
    /// What the next entry names as `previous`.
    pub fn digest(&self) -> Digest {
        hash(&[SEAL_INFO, &self.encode()])
    }

    /// Opens the entry with the issuance center's history secret and checks
    /// that it is the entry its clear position claims.
    pub fn open(
        &self,
        center_history_secret: &<X25519HkdfSha256 as Kem>::PrivateKey,
    ) -> Result<SignedEntry, CashError> {
        let unreadable = || CashError::HistoryUnreadable {
            serial: self.serial,
            hop: self.hop,
        };
        let encapsulated =
            <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(&self.encapsulated_key)
                .map_err(|_| unreadable())?;
        let plaintext = hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
            &OpModeR::Base,
            center_history_secret,
            &encapsulated,
            SEAL_INFO,
            &self.ciphertext,
            &sealed_entry_aad(self.serial, self.hop),
        )
        .map_err(|_| unreadable())?;
        let signed = SignedEntry::decode(commonware_codec::Copying(plaintext.as_slice()))
            .map_err(|_| unreadable())?;
        if signed.entry.serial != self.serial || signed.entry.hop != self.hop {
            return Err(unreadable());
        }
        Ok(signed)
    }
}

impl Write for EncryptedEntry {
    fn write(&self, buf: &mut impl BufMut) {
        self.serial.write(buf);
        self.hop.write(buf);
        self.encapsulated_key.write(buf);
        self.ciphertext.write(buf);
    }
}

impl EncodeSize for EncryptedEntry {
    fn encode_size(&self) -> usize {
        8 + 2 + 32 + self.ciphertext.encode_size()
    }
}

impl Read for EncryptedEntry {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            serial: u64::read(buf)?,
            hop: u16::read(buf)?,
            encapsulated_key: <[u8; 32]>::read(buf)?,
            ciphertext: Vec::<u8>::read_cfg(buf, &(RangeCfg::new(1..=MAX_SEALED_ENTRY), ()))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issuance::IssuanceCenterKeys;
    use eiraku_core::Keypair;

    pub(crate) fn entry(hop: u16, to: u64) -> HistoryEntry {
        HistoryEntry {
            serial: 42,
            hop,
            from: WalletNumber(1),
            to: WalletNumber(to),
            counter: 3,
            previous: hash(&[b"note"]),
        }
    }

    fn sign(entry: HistoryEntry, key: &Keypair) -> SignedEntry {
        let signature = key.sign(HISTORY_NAMESPACE, &entry.encode());
        SignedEntry { entry, signature }
    }

    #[test]
    fn sealed_entries_open_only_for_the_center_and_only_where_they_claim() {
        let center = IssuanceCenterKeys::from_seed(1);
        let other = IssuanceCenterKeys::from_seed(2);
        let wallet = Keypair::from_seed(10);
        let signed = sign(entry(1, 2), &wallet);
        let sealed = signed.seal(&center.public().history);
        let bytes = sealed.encode();
        let back = EncryptedEntry::decode(bytes).unwrap();
        let opened = back.open(center.history_secret()).unwrap();
        assert_eq!(opened, signed);
        assert!(opened.verify(&wallet.public_key()));
        assert!(!opened.verify(&Keypair::from_seed(11).public_key()));

        let refused = CashError::HistoryUnreadable { serial: 42, hop: 1 };
        assert_eq!(sealed.open(other.history_secret()), Err(refused.clone()));
        let mut moved = sealed.clone();
        moved.hop = 2;
        assert_eq!(
            moved.open(center.history_secret()),
            Err(CashError::HistoryUnreadable { serial: 42, hop: 2 })
        );
        let mut flipped = sealed;
        flipped.ciphertext[5] ^= 1;
        assert_eq!(flipped.open(center.history_secret()), Err(refused));
    }

    #[test]
    fn digests_name_one_sealed_entry() {
        let center = IssuanceCenterKeys::from_seed(1);
        let wallet = Keypair::from_seed(10);
        let a = sign(entry(1, 2), &wallet).seal(&center.public().history);
        let b = sign(entry(1, 3), &wallet).seal(&center.public().history);
        assert_ne!(a.digest(), b.digest());
        assert_eq!(a.digest(), a.clone().digest());
    }
}
