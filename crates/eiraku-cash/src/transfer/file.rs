//! A wallet with a software secure element, as one file: what `eiraku
//! wallet` keeps between commands. The file holds the element's secrets;
//! whoever copies it holds a clone, which the issuance center catches at
//! its first spend after the original's (DESIGN.md §4).

use super::{RiskLimits, Wallet, RECEIPTS_KEPT};
use crate::{
    secure_element::MAX_NOTES_HELD, CashError, CenterPublicKeys, InDoubt, SignedAgreement,
    SoftwareSecureElement, WalletNumber,
};
use bytes::BufMut;
use commonware_codec::{Buf, Copying, DecodeExt, Error, RangeCfg, Read, ReadExt, Write};
use eiraku_core::PublicKey;

/// The file format's version.
const VERSION: u8 = 1;

/// Most in-doubt records and blacklisted wallets a stored wallet holds.
const MAX_RECORDS: usize = 100_000;

impl Wallet<SoftwareSecureElement> {
    /// The wallet's file form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        VERSION.write(&mut buf);
        self.element.write_inside(&mut buf);
        self.limits.max_balance.write(&mut buf);
        self.limits.max_hops.write(&mut buf);
        self.limits.max_transfer.write(&mut buf);
        self.center.signing.write(&mut buf);
        buf.put_slice(&self.center.history);
        self.in_doubt.write(&mut buf);
        let received: Vec<(u64, u16)> = self.received.iter().copied().collect();
        received.write(&mut buf);
        self.clock_ms.write(&mut buf);
        self.blacklist_version.write(&mut buf);
        let blacklist: Vec<WalletNumber> = self.blacklist.iter().copied().collect();
        blacklist.write(&mut buf);
        let receipts: Vec<SignedAgreement> = self.receipts.iter().cloned().collect();
        receipts.write(&mut buf);
        buf
    }

    /// Reads [`Wallet::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CashError> {
        StoredWallet::decode(Copying(bytes))
            .map(|stored| stored.0)
            .map_err(|e| CashError::Malformed {
                what: "wallet file",
                reason: e.to_string(),
            })
    }
}

/// The codec's view of a wallet file (reading it whole refuses trailing
/// bytes).
struct StoredWallet(Wallet<SoftwareSecureElement>);

impl Read for StoredWallet {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        read_wallet(buf).map(StoredWallet)
    }
}

fn read_wallet(buf: &mut impl Buf) -> Result<Wallet<SoftwareSecureElement>, Error> {
    let version = u8::read(buf)?;
    if version != VERSION {
        return Err(Error::Invalid("wallet file", "unknown version"));
    }
    let element = SoftwareSecureElement::read_inside(buf)?;
    let limits = RiskLimits {
        max_balance: u64::read(buf)?,
        max_hops: u16::read(buf)?,
        max_transfer: u64::read(buf)?,
    };
    let center = CenterPublicKeys {
        signing: PublicKey::read(buf)?,
        history: <[u8; 32]>::read(buf)?,
    };
    let records = RangeCfg::new(0..=MAX_RECORDS);
    let in_doubt = Vec::<Option<InDoubt>>::read_cfg(buf, &(records, ()))?;
    let received =
        Vec::<(u64, u16)>::read_cfg(buf, &(RangeCfg::new(0..=MAX_NOTES_HELD * 64), ((), ())))?;
    let clock_ms = u64::read(buf)?;
    let blacklist_version = u64::read(buf)?;
    let blacklist = Vec::<WalletNumber>::read_cfg(buf, &(records, ()))?;
    let receipts = Vec::<SignedAgreement>::read_cfg(buf, &(RangeCfg::new(0..=RECEIPTS_KEPT), ()))?;
    let mut wallet = Wallet::new(element, limits, center);
    wallet.in_doubt = in_doubt;
    wallet.received = received.into_iter().collect();
    wallet.clock_ms = clock_ms;
    wallet.blacklist_version = blacklist_version;
    wallet.blacklist = blacklist.into_iter().collect();
    wallet.receipts = receipts.into_iter().collect();
    Ok(wallet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        exchange::{pay_face_to_face, Setting},
        DeviceCenter, IssuanceCenterKeys, SecureElement,
    };
    use eiraku_core::Keypair;

    const LIMITS: RiskLimits = RiskLimits {
        max_balance: 1_000_000,
        max_hops: 16,
        max_transfer: 100_000,
    };

    /// A wallet written to its file and read back is the same wallet: it
    /// pays on with the next counter, keeps its in-doubt records, and the
    /// copy of a file is a clone (same number, same notes).
    #[test]
    fn a_wallet_read_back_from_its_file_carries_on() {
        let devices = DeviceCenter::new(Keypair::from_seed(7));
        let center = IssuanceCenterKeys::from_seed(3);
        let element = |n| SoftwareSecureElement::from_seed_certified(n, &devices, u64::MAX);
        let mut payer = Wallet::new(element(1), LIMITS, center.public());
        let mut payee = Wallet::new(element(2), LIMITS, center.public());
        payer
            .element_mut()
            .put_notes(vec![center.test_note(1, 500), center.test_note(2, 200)]);
        let key = devices.public_key();
        let setting = Setting {
            device_center: &key,
            now_ms: 10,
        };
        pay_face_to_face(&mut payer, &mut payee, 200, setting).unwrap();
        payer.hand_to_center(&[1]).unwrap();
        let bytes = payer.to_bytes();
        let mut read = Wallet::from_bytes(&bytes).unwrap();
        assert_eq!(read.to_bytes(), bytes);
        assert_eq!(read.number(), payer.number());
        assert_eq!(read.in_doubt_records(), payer.in_doubt_records());
        assert_eq!(read.receipts().count(), 1);
        payee
            .element_mut()
            .put_notes(vec![center.test_note(3, 100)]);
        pay_face_to_face(&mut payee, &mut read, 100, setting).unwrap();
        assert_eq!(read.balance(), 100);
        assert!(read.element().notes().contains_key(&3));
    }

    #[test]
    fn a_damaged_wallet_file_is_refused_not_misread() {
        let devices = DeviceCenter::new(Keypair::from_seed(7));
        let center = IssuanceCenterKeys::from_seed(3);
        let element = SoftwareSecureElement::from_seed_certified(1, &devices, u64::MAX);
        let bytes = Wallet::new(element, LIMITS, center.public()).to_bytes();
        for cut in [0, 1, 40, bytes.len() - 1] {
            assert!(Wallet::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Wallet::from_bytes(&longer).is_err());
        // Another wallet's secret under this certificate does not install.
        let mut swapped = bytes;
        swapped[1] ^= 1;
        assert!(Wallet::from_bytes(&swapped).is_err());
    }
}
