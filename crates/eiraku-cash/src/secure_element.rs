//! The secure element: the tamper-resistant part of a wallet. It holds the
//! wallet's secret keys, its transfer counter and its notes, and signs
//! inside; no method hands a secret out.

use crate::{
    history::{HistoryKey, HISTORY_NAMESPACE},
    statement::STATEMENT_NAMESPACE,
    CashError, EncryptedEntry, HistoryEntry, NoteInHand, SignedCertificate, SignedEntry,
    SignedStatement, TransferStatement, WalletCertificate, WalletNumber,
};
use commonware_codec::Encode;
use commonware_cryptography::ed25519;
use eiraku_core::{hash, Keypair};
use std::collections::BTreeMap;
use x25519_dalek::StaticSecret;

/// What a wallet's secure element does.
pub trait SecureElement {
    /// The wallet's certificate.
    fn certificate(&self) -> &SignedCertificate;

    /// The wallet's number.
    fn wallet(&self) -> WalletNumber {
        self.certificate().wallet()
    }

    /// Hands the notes with these serials on to `to`: for each, signs the
    /// entry of its next hop (carrying the statement the note was received
    /// with), seals it to the issuance center whose history key is
    /// `center_history`, signs the statement of the hop for the payee, and
    /// lets the note go. All or nothing: a serial it does not hold refuses
    /// the whole call, so it never signs a hop of a note it does not hold
    /// nor two hops of one it held once. The counter comes from inside and
    /// never repeats.
    fn pass_notes(
        &mut self,
        serials: &[u64],
        to: WalletNumber,
        center_history: &[u8; 32],
    ) -> Result<Vec<NoteInHand>, CashError>;

    /// Signs, as the payee of `agreement`, its promise of the change or its
    /// receipt of the payment.
    fn sign_agreement(
        &self,
        kind: crate::PayeeSignature,
        agreement: &crate::Agreement,
    ) -> ed25519::Signature;

    /// Signs a claim on the wallet's in-doubt value
    /// ([`crate::claim::SignedClaim::message`]), under the claims'
    /// namespace only.
    fn sign_claim(&self, message: &[u8]) -> ed25519::Signature;

    /// Signs the wallet's consent to be bound to `account` on `chain` (the
    /// ledger's `load` checks it): only that message, under its namespace.
    fn sign_binding(
        &self,
        chain: &eiraku_core::ChainId,
        account: &eiraku_core::AccountId,
    ) -> ed25519::Signature;

    /// Starts a session handshake ([`crate::session::NOISE_PATTERN`]) as
    /// initiator or responder, keyed with the certified agreement key
    /// without handing it out.
    fn start_handshake(&self, initiator: bool) -> snow::HandshakeState;

    /// Notes held, by serial.
    fn notes(&self) -> &BTreeMap<u64, NoteInHand>;

    /// Stores received notes.
    fn put_notes(&mut self, notes: Vec<NoteInHand>);

    /// Value held, in minor units.
    fn balance(&self) -> u64 {
        self.notes()
            .values()
            .map(|n| n.note.note.denomination)
            .sum()
    }
}

/// A secure element in software: for tests, simulations and wallets on
/// devices without a hardware element. It is not `Clone`: a copy of its
/// secrets, counter and notes is a cloned card, whose every use after the
/// original's is caught (its counters repeat). Only
/// [`SoftwareSecureElement::copied_by_an_attacker`] makes one, for the
/// simulator and attack tests; a wallet restored from a backup is a new
/// wallet, and the old one's notes are refunded by the center.
pub struct SoftwareSecureElement {
    signing: Keypair,
    agreement: StaticSecret,
    sealing: StaticSecret,
    certificate: SignedCertificate,
    counter: u64,
    notes: BTreeMap<u64, NoteInHand>,
    /// The history key agreed with the last center sealed to, and its key.
    history_key: Option<([u8; 32], HistoryKey)>,
}

/// Keys generated inside an element, waiting for their certificate.
pub struct UncertifiedElement {
    signing: Keypair,
    agreement: StaticSecret,
    sealing: StaticSecret,
}

impl UncertifiedElement {
    /// Fresh keys from the operating system's randomness.
    pub fn generate() -> Self {
        Self {
            signing: Keypair::generate(),
            agreement: StaticSecret::random(),
            sealing: StaticSecret::random(),
        }
    }

    /// Keys derived from a seed: for tests and simulations only.
    pub fn from_seed(seed: u64) -> Self {
        let secret = |purpose: &[u8]| {
            let digest = hash(&[b"eiraku-cash/wallet-seed", purpose, &seed.to_le_bytes()]);
            let mut secret = [0u8; 32];
            secret.copy_from_slice(digest.as_ref());
            StaticSecret::from(secret)
        };
        Self {
            signing: Keypair::from_seed(seed),
            agreement: secret(b"session"),
            sealing: secret(b"sealing"),
        }
    }

    /// The certificate content the device center is asked to sign.
    pub fn certificate_request(
        &self,
        number: WalletNumber,
        valid_from_ms: u64,
        valid_until_ms: u64,
    ) -> WalletCertificate {
        let agreement_key = x25519_dalek::PublicKey::from(&self.agreement).to_bytes();
        WalletCertificate {
            number,
            signing_key: self.signing.public_key(),
            agreement_key,
            sealing_key: x25519_dalek::PublicKey::from(&self.sealing).to_bytes(),
            reserved: Vec::new(),
            valid_from_ms,
            valid_until_ms,
        }
    }

    /// Installs the signed certificate; `None` if it certifies other keys.
    pub fn install(self, certificate: SignedCertificate) -> Option<SoftwareSecureElement> {
        let expected = self.certificate_request(
            certificate.certificate.number,
            certificate.certificate.valid_from_ms,
            certificate.certificate.valid_until_ms,
        );
        if certificate.certificate.signing_key != expected.signing_key
            || certificate.certificate.agreement_key != expected.agreement_key
            || certificate.certificate.sealing_key != expected.sealing_key
        {
            return None;
        }
        Some(SoftwareSecureElement {
            signing: self.signing,
            agreement: self.agreement,
            sealing: self.sealing,
            certificate,
            counter: 0,
            notes: BTreeMap::new(),
            history_key: None,
        })
    }
}

impl SoftwareSecureElement {
    /// Wallet `number` with keys derived from its number, certified by
    /// `device_center` from time 0 until `valid_until_ms`: for tests,
    /// simulations and benchmarks only.
    pub fn from_seed_certified(
        number: u64,
        device_center: &crate::DeviceCenter,
        valid_until_ms: u64,
    ) -> Self {
        let keys = UncertifiedElement::from_seed(number);
        let request = keys.certificate_request(WalletNumber(number), 0, valid_until_ms);
        keys.install(device_center.certify(request))
            .expect("a certificate requested for these keys installs")
    }

    /// A copy of everything inside (keys, counter, notes): what an attacker
    /// who extracts a card's secrets, or restores a backup, holds. For the
    /// simulator and attack tests; the copy is caught as a clone.
    pub fn copied_by_an_attacker(&self) -> Self {
        Self {
            signing: self.signing.clone(),
            agreement: self.agreement.clone(),
            sealing: self.sealing.clone(),
            certificate: self.certificate.clone(),
            counter: self.counter,
            notes: self.notes.clone(),
            history_key: self.history_key.clone(),
        }
    }

    /// The history key agreed with the center whose key is `center`,
    /// agreed once and kept.
    fn history_key(&mut self, center: &[u8; 32]) -> Result<HistoryKey, CashError> {
        if let Some((agreed_with, key)) = &self.history_key {
            if agreed_with == center {
                return Ok(key.clone());
            }
        }
        let own = self.certificate.certificate.sealing_key;
        let key = HistoryKey::agree(&self.sealing, center, self.wallet(), &own, center)?;
        self.history_key = Some((*center, key.clone()));
        Ok(key)
    }

    /// Appends the note's next hop, to `to`, and states it.
    fn pass(&mut self, mut note: NoteInHand, to: WalletNumber, key: &HistoryKey) -> NoteInHand {
        let serial = note.note.note.serial;
        let hop = u16::try_from(note.history.len() + 1).unwrap_or(u16::MAX);
        let previous = note
            .history
            .last()
            .map(EncryptedEntry::digest)
            .unwrap_or_else(|| note.note.digest());
        self.counter += 1;
        let entry = HistoryEntry {
            serial,
            hop,
            from: self.wallet(),
            to,
            counter: self.counter,
            previous,
            received: note.received.take(),
        };
        let signature = self.signing.sign(HISTORY_NAMESPACE, &entry.encode());
        let sealed = key.seal(&SignedEntry { entry, signature });
        let statement = TransferStatement {
            serial,
            hop,
            from: self.wallet(),
            to,
            previous,
            sealed: sealed.digest(),
        };
        let signature = self.signing.sign(STATEMENT_NAMESPACE, &statement.encode());
        note.history.push(sealed);
        note.received = Some(SignedStatement {
            statement,
            signature,
        });
        note
    }
}

/// Most notes a stored element holds.
pub const MAX_NOTES_HELD: usize = 100_000;

impl SoftwareSecureElement {
    /// Writes everything inside (secrets, certificate, counter, notes):
    /// the element's file on a device without a hardware element. Whoever
    /// copies that file holds a clone, which the center catches at its
    /// first spend after the original's.
    pub(crate) fn write_inside(&self, buf: &mut impl bytes::BufMut) {
        use commonware_codec::Write;
        self.signing.private_key().write(buf);
        buf.put_slice(&self.agreement.to_bytes());
        buf.put_slice(&self.sealing.to_bytes());
        self.certificate.write(buf);
        self.counter.write(buf);
        let notes: Vec<NoteInHand> = self.notes.values().cloned().collect();
        notes.write(buf);
    }

    /// Reads [`SoftwareSecureElement::write_inside`]; `None` when the keys
    /// are not the ones the certificate certifies.
    pub(crate) fn read_inside(
        buf: &mut impl commonware_codec::Buf,
    ) -> Result<Self, commonware_codec::Error> {
        use commonware_codec::{RangeCfg, Read, ReadExt};
        let signing = Keypair::from_private_key(ed25519::PrivateKey::read(buf)?);
        let agreement = StaticSecret::from(<[u8; 32]>::read(buf)?);
        let sealing = StaticSecret::from(<[u8; 32]>::read(buf)?);
        let certificate = SignedCertificate::read(buf)?;
        let counter = u64::read(buf)?;
        let notes = Vec::<NoteInHand>::read_cfg(buf, &(RangeCfg::new(0..=MAX_NOTES_HELD), ()))?;
        let keys = UncertifiedElement {
            signing,
            agreement,
            sealing,
        };
        let mut element = keys
            .install(certificate)
            .ok_or(commonware_codec::Error::Invalid(
                "wallet file",
                "its keys are not the certified ones",
            ))?;
        element.counter = counter;
        element.put_notes(notes);
        Ok(element)
    }
}

#[cfg(test)]
impl SoftwareSecureElement {
    /// Shows another wallet's certificate: what an impostor would try.
    pub(crate) fn replace_certificate_for_test(&mut self, certificate: SignedCertificate) {
        self.certificate = certificate;
    }
}

impl SecureElement for SoftwareSecureElement {
    fn certificate(&self) -> &SignedCertificate {
        &self.certificate
    }

    fn pass_notes(
        &mut self,
        serials: &[u64],
        to: WalletNumber,
        center_history: &[u8; 32],
    ) -> Result<Vec<NoteInHand>, CashError> {
        let key = self.history_key(center_history)?;
        let mut seen = std::collections::BTreeSet::new();
        for &serial in serials {
            if !self.notes.contains_key(&serial) || !seen.insert(serial) {
                return Err(CashError::NoteNotHeld { serial });
            }
        }
        Ok(serials
            .iter()
            .map(|serial| {
                let note = self.notes.remove(serial).expect("checked above");
                self.pass(note, to, &key)
            })
            .collect())
    }

    fn sign_agreement(
        &self,
        kind: crate::PayeeSignature,
        agreement: &crate::Agreement,
    ) -> ed25519::Signature {
        self.signing.sign(kind.namespace(), &agreement.encode())
    }

    fn sign_binding(
        &self,
        chain: &eiraku_core::ChainId,
        account: &eiraku_core::AccountId,
    ) -> ed25519::Signature {
        let message = eiraku_core::cash::binding_message(chain, account, self.wallet().0);
        self.signing
            .sign(eiraku_core::cash::WALLET_BINDING_NAMESPACE, &message)
    }

    fn sign_claim(&self, message: &[u8]) -> ed25519::Signature {
        self.signing.sign(crate::claim::CLAIM_NAMESPACE, message)
    }

    fn start_handshake(&self, initiator: bool) -> snow::HandshakeState {
        let secret = self.agreement.to_bytes();
        let builder = snow::Builder::new(
            crate::session::NOISE_PATTERN
                .parse()
                .expect("the Noise pattern name is valid"),
        )
        .local_private_key(&secret)
        .expect("a 32-byte X25519 secret is accepted");
        if initiator {
            builder.build_initiator()
        } else {
            builder.build_responder()
        }
        .expect("a complete Noise configuration builds")
    }

    fn notes(&self) -> &BTreeMap<u64, NoteInHand> {
        &self.notes
    }

    fn put_notes(&mut self, notes: Vec<NoteInHand>) {
        for note in notes {
            self.notes.insert(note.note.note.serial, note);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{issuance::IssuanceCenterKeys, DeviceCenter};

    fn element(seed: u64, center: &DeviceCenter) -> SoftwareSecureElement {
        SoftwareSecureElement::from_seed_certified(seed, center, 1_000)
    }

    #[test]
    fn an_element_signs_transfers_with_a_counter_that_never_repeats() {
        let device_center = DeviceCenter::new(Keypair::from_seed(100));
        let mut wallet = element(1, &device_center);
        assert_eq!(
            wallet.certificate().verify(&device_center.public_key(), 10),
            Ok(())
        );
        let center = IssuanceCenterKeys::from_seed(1);
        let history = center.public().history;
        wallet.put_notes(vec![center.test_note(9, 5), center.test_note(10, 5)]);
        let passed = wallet
            .pass_notes(&[9, 10], WalletNumber(2), &history)
            .unwrap();
        let key = center
            .history_key(
                WalletNumber(1),
                &wallet.certificate().certificate.sealing_key,
            )
            .unwrap();
        let (first, second) = (
            key.open(&passed[0].history[0]).unwrap(),
            key.open(&passed[1].history[0]).unwrap(),
        );
        let signing_key = &wallet.certificate().certificate.signing_key;
        assert!(first.verify(signing_key));
        // The session key does not open the history: sealing has its own.
        let session = center
            .history_key(
                WalletNumber(1),
                &wallet.certificate().certificate.agreement_key,
            )
            .unwrap();
        assert!(session.open(&passed[0].history[0]).is_err());
        assert_eq!((first.entry.counter, second.entry.counter), (1, 2));
        assert_eq!(first.entry.from, WalletNumber(1));
        // The payee gets the signed statement of each hop.
        let statement = passed[0].received.as_ref().unwrap();
        assert!(statement.verify(signing_key));
        assert!(statement.states(
            &passed[0].history[0],
            passed[0].note.digest(),
            WalletNumber(1),
            WalletNumber(2)
        ));
        // The notes left the element.
        assert_eq!(wallet.balance(), 0);
    }

    /// A modified app asks the element to sign hops of notes it does not
    /// hold (one it already passed on, one it never had, one twice): it
    /// signs nothing, and keeps what it holds.
    #[test]
    fn an_element_refuses_to_pass_a_note_it_does_not_hold() {
        let device_center = DeviceCenter::new(Keypair::from_seed(100));
        let mut wallet = element(1, &device_center);
        let center = IssuanceCenterKeys::from_seed(1);
        let history = center.public().history;
        wallet.put_notes(vec![center.test_note(9, 5), center.test_note(10, 5)]);
        wallet.pass_notes(&[9], WalletNumber(2), &history).unwrap();
        for serials in [&[9][..], &[10, 11], &[10, 10]] {
            assert!(matches!(
                wallet.pass_notes(serials, WalletNumber(3), &history),
                Err(CashError::NoteNotHeld { .. })
            ));
        }
        assert_eq!(wallet.balance(), 5);
        assert_eq!(wallet.counter, 1, "nothing was signed");
        // A center key of small order is refused, not sealed to.
        assert_eq!(
            wallet.pass_notes(&[10], WalletNumber(2), &[0u8; 32]).err(),
            Some(CashError::WeakAgreementKey(WalletNumber(1)))
        );
        assert_eq!(wallet.balance(), 5);
    }

    #[test]
    fn a_certificate_for_other_keys_is_not_installed() {
        let device_center = DeviceCenter::new(Keypair::from_seed(100));
        let other = UncertifiedElement::from_seed(2).certificate_request(WalletNumber(1), 0, 1);
        assert!(UncertifiedElement::from_seed(1)
            .install(device_center.certify(other))
            .is_none());
    }

    #[test]
    fn notes_are_held_by_serial_and_counted() {
        let device_center = DeviceCenter::new(Keypair::from_seed(100));
        let center = IssuanceCenterKeys::from_seed(1);
        let mut wallet = element(1, &device_center);
        let notes = [(1, 500), (2, 200), (3, 5)]
            .map(|(serial, denomination)| center.test_note(serial, denomination));
        wallet.put_notes(notes.to_vec());
        assert_eq!(wallet.balance(), 705);
        assert_eq!(wallet.notes().len(), 3);
    }
}
