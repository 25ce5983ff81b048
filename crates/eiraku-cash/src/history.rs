//! Transfer history: one entry per hop a note makes, signed by the payer
//! wallet and sealed to the issuance center, so wallets further down the
//! path carry it without reading it.
//!
//! Sealing uses a key only the payer wallet and the center can compute: an
//! X25519 agreement between the wallet's certified agreement key and the
//! center's history key, expanded with HKDF-SHA256 ([`HistoryKey`]); each
//! entry is encrypted with XChaCha20-Poly1305 under a fresh random nonce
//! (random, so even a cloned element, which shares its counter, never
//! repeats one). The center derives each wallet's key once and caches it:
//! checking a deposit is then symmetric decryption and hashing, and the
//! authenticated encryption already proves to the center which wallet
//! sealed an entry. The Ed25519 signature inside is what convinces anyone
//! else; the center checks it when it needs evidence.
//!
//! Entries chain: each names the digest of the previous *sealed* entry (the
//! first names the note's digest), which every carrier of the note can
//! compute without reading it. A wallet that spends a note twice therefore
//! signs two different entries with the same `previous`: the evidence of a
//! double spend, checkable with that wallet's public key alone.

use crate::{CashError, NoteInHand, SignedStatement, WalletNumber};
use bytes::BufMut;
use chacha20poly1305::{
    aead::{Aead, Generate, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use commonware_codec::{
    Buf, DecodeExt, Encode, EncodeSize, Error, FixedSize, RangeCfg, Read, ReadExt, Write,
};
use commonware_cryptography::{ed25519, Verifier};
use eiraku_core::{hash, Digest, PublicKey};
use hkdf::Hkdf;
use sha2::Sha256;

/// Signing namespace of history entries.
pub const HISTORY_NAMESPACE: &[u8] = b"eiraku-cash/history-entry";

/// Domain of sealed-entry digests and of the history-key derivation.
const SEAL_INFO: &[u8] = b"eiraku-cash/history-seal/v2";

/// A sealed entry's ciphertext: the signed entry and the AEAD tag; the
/// first hop's entry carries no statement, later ones carry one.
const SEALED_ENTRY_MIN: usize = SignedEntry::BARE_SIZE + 16;
const SEALED_ENTRY_MAX: usize = SEALED_ENTRY_MIN + SignedStatement::SIZE;

/// The key one wallet seals its history entries with and the center opens
/// them with.
#[derive(Clone)]
pub struct HistoryKey([u8; 32]);

impl std::fmt::Debug for HistoryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HistoryKey(..)")
    }
}

impl HistoryKey {
    /// Agrees the key of `wallet` (agreement key `wallet_public`) with the
    /// center (history key `center_public`), from one side's secret and the
    /// other side's public key. Refuses a peer key of small order, which
    /// would make the key guessable.
    pub fn agree(
        own_secret: &x25519_dalek::StaticSecret,
        their_public: &[u8; 32],
        wallet: WalletNumber,
        wallet_public: &[u8; 32],
        center_public: &[u8; 32],
    ) -> Result<Self, CashError> {
        let shared = own_secret.diffie_hellman(&x25519_dalek::PublicKey::from(*their_public));
        if !shared.was_contributory() {
            return Err(CashError::WeakAgreementKey(wallet));
        }
        let mut info = Vec::with_capacity(8 + 32 + 32);
        info.extend_from_slice(&wallet.0.to_be_bytes());
        info.extend_from_slice(wallet_public);
        info.extend_from_slice(center_public);
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(SEAL_INFO), shared.as_bytes())
            .expand(&info, &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Ok(Self(key))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new_from_slice(&self.0).expect("the key is 32 bytes")
    }

    /// Seals a signed entry (inside the payer's secure element).
    pub fn seal(&self, signed: &SignedEntry) -> EncryptedEntry {
        let nonce = XNonce::generate();
        let aad = sealed_entry_aad(signed.entry.serial, signed.entry.hop);
        let ciphertext = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: &signed.encode(),
                    aad: &aad,
                },
            )
            .expect("an entry is far below the AEAD's length limit");
        EncryptedEntry {
            serial: signed.entry.serial,
            hop: signed.entry.hop,
            nonce: nonce.into(),
            ciphertext,
        }
    }

    /// Opens a sealed entry (at the center) and checks that it is the entry
    /// its clear position claims. The signature inside is not checked here.
    pub fn open(&self, sealed: &EncryptedEntry) -> Result<SignedEntry, CashError> {
        let unreadable = || CashError::HistoryUnreadable {
            serial: sealed.serial,
            hop: sealed.hop,
        };
        let aad = sealed_entry_aad(sealed.serial, sealed.hop);
        let plaintext = self
            .cipher()
            .decrypt(
                &XNonce::from(sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| unreadable())?;
        let signed = SignedEntry::decode(commonware_codec::Copying(plaintext.as_slice()))
            .map_err(|_| unreadable())?;
        if signed.entry.serial != sealed.serial || signed.entry.hop != sealed.hop {
            return Err(unreadable());
        }
        Ok(signed)
    }
}

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
    /// The statement the payer received the note with (the previous hop's,
    /// signed by that hop's payer); none for hop 1, which follows issuance.
    pub received: Option<SignedStatement>,
}

impl Write for HistoryEntry {
    fn write(&self, buf: &mut impl BufMut) {
        self.serial.write(buf);
        self.hop.write(buf);
        self.from.write(buf);
        self.to.write(buf);
        self.counter.write(buf);
        self.previous.write(buf);
        self.received.write(buf);
    }
}

impl EncodeSize for HistoryEntry {
    fn encode_size(&self) -> usize {
        8 + 2 + 8 + 8 + 8 + 32 + self.received.encode_size()
    }
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
            received: Option::<SignedStatement>::read(buf)?,
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

impl SignedEntry {
    /// Size of a signed entry without a statement.
    const BARE_SIZE: usize = 8 + 2 + 8 + 8 + 8 + 32 + 1 + ed25519::Signature::SIZE;
}

impl EncodeSize for SignedEntry {
    fn encode_size(&self) -> usize {
        self.entry.encode_size() + ed25519::Signature::SIZE
    }
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
    /// The AEAD nonce, random.
    pub nonce: [u8; 24],
    /// The signed entry, encrypted and authenticated.
    pub ciphertext: Vec<u8>,
}

impl EncryptedEntry {
    /// What the next entry names as `previous`.
    pub fn digest(&self) -> Digest {
        hash(&[SEAL_INFO, &self.encode()])
    }
}

impl Write for EncryptedEntry {
    fn write(&self, buf: &mut impl BufMut) {
        self.serial.write(buf);
        self.hop.write(buf);
        self.nonce.write(buf);
        self.ciphertext.write(buf);
    }
}

impl EncodeSize for EncryptedEntry {
    fn encode_size(&self) -> usize {
        8 + 2 + 24 + self.ciphertext.encode_size()
    }
}

impl Read for EncryptedEntry {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            serial: u64::read(buf)?,
            hop: u16::read(buf)?,
            nonce: <[u8; 24]>::read(buf)?,
            ciphertext: Vec::<u8>::read_cfg(
                buf,
                &(RangeCfg::new(SEALED_ENTRY_MIN..=SEALED_ENTRY_MAX), ()),
            )?,
        })
    }
}

/// What the issuance center recorded of a note when it issued it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IssuedNote {
    /// The wallet it was issued to.
    pub to: WalletNumber,
    /// Digest of the sealed note ([`crate::SealedNote::digest`]).
    pub digest: Digest,
}

/// The issuance center's check of a deposited note, opening its path: the
/// note is the one issued (same sealed bytes, so no signature check is
/// needed); every entry opens under the key of the wallet that held the
/// note (`key_of`), sits at its position (1, 2, …), chains to the previous
/// entry (the first to the note) and is paid by the wallet the previous hop
/// ended at (the first by the wallet the note was issued to). Returns the
/// signed entries, oldest first; their signatures are checked only when
/// evidence is needed ([`crate::DoubleSpendEvidence::verify`]).
pub fn open_path(
    note: &NoteInHand,
    issued: &IssuedNote,
    mut key_of: impl FnMut(WalletNumber) -> Result<HistoryKey, CashError>,
) -> Result<Vec<SignedEntry>, CashError> {
    let serial = note.note.note.serial;
    let mut previous = note.note.digest();
    if previous != issued.digest {
        return Err(CashError::BadSeal { serial });
    }
    let mut holder = issued.to;
    let mut path = Vec::with_capacity(note.history.len());
    for (position, sealed) in note.history.iter().enumerate() {
        let hop = u16::try_from(position + 1).unwrap_or(u16::MAX);
        let invalid = |reason: String| CashError::HistoryInvalid {
            serial,
            hop,
            reason,
        };
        if sealed.serial != serial || sealed.hop != hop {
            return Err(invalid(format!(
                "it claims note {} hop {}",
                sealed.serial, sealed.hop
            )));
        }
        // Opening under the holder's key proves the holder sealed it.
        let signed = key_of(holder)?.open(sealed)?;
        let entry = &signed.entry;
        if entry.from != holder {
            return Err(invalid(format!(
                "it is paid by wallet {} but the note was with wallet {holder}",
                entry.from
            )));
        }
        if entry.previous != previous {
            return Err(invalid("it does not follow the previous entry".into()));
        }
        // `previous` is the digest of the hop before, checked above: the
        // statement must name it as the sealed entry it states.
        let received = match path.last() {
            Some(before) => entry.received.as_ref().is_some_and(|received| {
                let before: &SignedEntry = before;
                received.statement
                    == crate::TransferStatement {
                        serial,
                        hop: hop - 1,
                        from: before.entry.from,
                        to: entry.from,
                        previous: before.entry.previous,
                        sealed: previous,
                    }
            }),
            None => entry.received.is_none(),
        };
        if !received {
            return Err(invalid(
                "its statement of receipt does not state the hop before".into(),
            ));
        }
        previous = sealed.digest();
        holder = entry.to;
        path.push(signed);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{history::HISTORY_NAMESPACE, IssuanceCenterKeys, Note, Unit};
    use eiraku_core::Keypair;

    /// Wallet `n`'s agreement secret in these tests.
    fn wallet_secret(n: u64) -> x25519_dalek::StaticSecret {
        x25519_dalek::StaticSecret::from([n as u8 + 1; 32])
    }

    /// Wallet `n`'s history key, as the wallet computes it.
    fn wallet_key(n: u64, center: &IssuanceCenterKeys) -> HistoryKey {
        let secret = wallet_secret(n);
        let public = x25519_dalek::PublicKey::from(&secret).to_bytes();
        let center_public = center.public().history;
        HistoryKey::agree(
            &secret,
            &center_public,
            WalletNumber(n),
            &public,
            &center_public,
        )
        .unwrap()
    }

    /// Wallet `n`'s history key, as the center computes it.
    fn center_key(n: u64, center: &IssuanceCenterKeys) -> Result<HistoryKey, CashError> {
        let public = x25519_dalek::PublicKey::from(&wallet_secret(n)).to_bytes();
        center.history_key(WalletNumber(n), &public)
    }

    fn entry(hop: u16, to: u64) -> HistoryEntry {
        HistoryEntry {
            serial: 42,
            hop,
            from: WalletNumber(1),
            to: WalletNumber(to),
            counter: 3,
            previous: hash(&[b"note"]),
            received: None,
        }
    }

    fn sign(entry: HistoryEntry, key: &Keypair) -> SignedEntry {
        let signature = key.sign(HISTORY_NAMESPACE, &entry.encode());
        SignedEntry { entry, signature }
    }

    #[test]
    fn the_wallet_and_the_center_agree_one_key_per_wallet() {
        let center = IssuanceCenterKeys::from_seed(1);
        let signed = sign(entry(1, 2), &Keypair::from_seed(10));
        let sealed = wallet_key(1, &center).seal(&signed);
        let back = EncryptedEntry::decode(sealed.encode()).unwrap();
        assert_eq!(center_key(1, &center).unwrap().open(&back), Ok(signed));
        // Another wallet's key, or another center's, does not open it.
        let refused = Err(CashError::HistoryUnreadable { serial: 42, hop: 1 });
        assert_eq!(center_key(2, &center).unwrap().open(&sealed), refused);
        let other = IssuanceCenterKeys::from_seed(2);
        assert_eq!(center_key(1, &other).unwrap().open(&sealed), refused);
        // A key of small order is refused.
        assert_eq!(
            center.history_key(WalletNumber(7), &[0u8; 32]).err(),
            Some(CashError::WeakAgreementKey(WalletNumber(7)))
        );
    }

    #[test]
    fn a_sealed_entry_opens_only_where_it_claims_to_be_and_unaltered() {
        let center = IssuanceCenterKeys::from_seed(1);
        let sealed = wallet_key(1, &center).seal(&sign(entry(1, 2), &Keypair::from_seed(10)));
        let key = center_key(1, &center).unwrap();
        let mut moved = sealed.clone();
        moved.hop = 2;
        assert_eq!(
            key.open(&moved),
            Err(CashError::HistoryUnreadable { serial: 42, hop: 2 })
        );
        for byte in [0, 60, sealed.ciphertext.len() - 1] {
            let mut flipped = sealed.clone();
            flipped.ciphertext[byte] ^= 1;
            assert!(key.open(&flipped).is_err(), "byte {byte}");
        }
        let mut renonced = sealed;
        renonced.nonce[0] ^= 1;
        assert!(key.open(&renonced).is_err());
    }

    #[test]
    fn sealing_one_entry_twice_gives_two_ciphertexts_and_two_digests() {
        let center = IssuanceCenterKeys::from_seed(1);
        let signed = sign(entry(1, 2), &Keypair::from_seed(10));
        let key = wallet_key(1, &center);
        let (a, b) = (key.seal(&signed), key.seal(&signed));
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.digest(), b.digest());
        assert_eq!(a.digest(), a.clone().digest());
    }

    /// A note issued to wallet 1 and paid 1 → 2 → 3 (wallet n signs with seed n).
    fn travelled(center: &IssuanceCenterKeys) -> (NoteInHand, IssuedNote) {
        let sealed = center
            .seal(Note {
                serial: 5,
                unit: Unit::ACU,
                denomination: 100,
                issuer: 1,
                reserved: vec![],
                valid_until_ms: u64::MAX,
            })
            .unwrap();
        let issued = IssuedNote {
            to: WalletNumber(1),
            digest: sealed.digest(),
        };
        let mut previous = sealed.digest();
        let mut history: Vec<EncryptedEntry> = Vec::new();
        let mut received = None;
        for hop in 1..=2u16 {
            let from = u64::from(hop);
            let entry = HistoryEntry {
                serial: 5,
                hop,
                from: WalletNumber(from),
                to: WalletNumber(from + 1),
                counter: 1,
                previous,
                received: received.take(),
            };
            let payer = Keypair::from_seed(from);
            let sealed = wallet_key(from, center).seal(&sign(entry, &payer));
            let statement = crate::TransferStatement {
                serial: 5,
                hop,
                from: WalletNumber(from),
                to: WalletNumber(from + 1),
                previous,
                sealed: sealed.digest(),
            };
            received = Some(crate::SignedStatement {
                signature: payer.sign(crate::statement::STATEMENT_NAMESPACE, &statement.encode()),
                statement,
            });
            previous = sealed.digest();
            history.push(sealed);
        }
        let note = NoteInHand {
            note: sealed,
            history,
            received,
        };
        (note, issued)
    }

    #[test]
    fn a_genuine_history_opens_into_its_path() {
        let center = IssuanceCenterKeys::from_seed(1);
        let (note, issued) = travelled(&center);
        let path = open_path(&note, &issued, |w| center_key(w.0, &center)).unwrap();
        let hops: Vec<(u64, u64)> = path
            .iter()
            .map(|s| (s.entry.from.0, s.entry.to.0))
            .collect();
        assert_eq!(hops, vec![(1, 2), (2, 3)]);
        assert!(path[1].verify(&Keypair::from_seed(2).public_key()));
    }

    #[test]
    fn tampered_histories_are_refused_with_the_hop_at_fault() {
        let center = IssuanceCenterKeys::from_seed(1);
        let (note, issued) = travelled(&center);
        let keys = |w: WalletNumber| center_key(w.0, &center);

        // The note was issued to wallet 9: hop 1 was not sealed by its holder.
        let elsewhere = IssuedNote {
            to: WalletNumber(9),
            ..issued
        };
        assert_eq!(
            open_path(&note, &elsewhere, keys),
            Err(CashError::HistoryUnreadable { serial: 5, hop: 1 })
        );

        let mut dropped = note.clone();
        dropped.history.remove(0);
        assert!(matches!(
            open_path(&dropped, &issued, keys),
            Err(CashError::HistoryInvalid { hop: 1, .. })
        ));

        let mut swapped = note.clone();
        swapped.history.swap(0, 1);
        assert!(matches!(
            open_path(&swapped, &issued, keys),
            Err(CashError::HistoryInvalid { hop: 1, .. })
        ));

        let mut flipped = note.clone();
        flipped.history[1].ciphertext[0] ^= 1;
        assert_eq!(
            open_path(&flipped, &issued, keys),
            Err(CashError::HistoryUnreadable { serial: 5, hop: 2 })
        );

        let unknown = open_path(&note, &issued, |w| {
            if w.0 == 1 {
                keys(w)
            } else {
                Err(CashError::UnknownWallet(w))
            }
        });
        assert_eq!(unknown, Err(CashError::UnknownWallet(WalletNumber(2))));

        // Wallet 2 sealed hop 2 with a statement of receipt for another hop.
        let mut unfounded = note.clone();
        let mut entry = center_key(2, &center)
            .unwrap()
            .open(&unfounded.history[1])
            .unwrap()
            .entry;
        entry.received.as_mut().unwrap().statement.hop = 7;
        unfounded.history[1] = wallet_key(2, &center).seal(&sign(entry, &Keypair::from_seed(2)));
        assert!(matches!(
            open_path(&unfounded, &issued, keys),
            Err(CashError::HistoryInvalid { hop: 2, ref reason, .. }) if reason.contains("receipt")
        ));

        let mut counterfeit = note;
        counterfeit.note.note.denomination = 10_000;
        assert_eq!(
            open_path(&counterfeit, &issued, keys),
            Err(CashError::BadSeal { serial: 5 })
        );
    }
}
