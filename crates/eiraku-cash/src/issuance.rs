//! The issuance center's keys: the note-sealing key (Ed25519; in production
//! in an HSM) and the history key (X25519) every history entry is sealed to.

use crate::{
    note::{Note, SealedNote, NOTE_NAMESPACE},
    CashError, NoteInHand, SignedEntry, WalletNumber,
};
use commonware_codec::Encode;
use eiraku_core::{Keypair, PublicKey};
use hpke::{kem::X25519HkdfSha256, Kem, Serializable};

/// What wallets and e-vaults know of the issuance center.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CenterPublicKeys {
    /// Checks note seals.
    pub signing: PublicKey,
    /// History entries are sealed to it.
    pub history: [u8; 32],
}

/// The issuance center's secret keys.
pub struct IssuanceCenterKeys {
    signing: Keypair,
    history_secret: <X25519HkdfSha256 as Kem>::PrivateKey,
    history_public: [u8; 32],
}

impl IssuanceCenterKeys {
    /// Fresh keys from the operating system's randomness.
    pub fn generate() -> Self {
        let (secret, public) = X25519HkdfSha256::gen_keypair();
        Self::from_parts(Keypair::generate(), secret, public)
    }

    /// Keys derived from a seed: for tests and simulations only.
    pub fn from_seed(seed: u64) -> Self {
        let mut ikm = [0u8; 32];
        ikm[..8].copy_from_slice(&seed.to_le_bytes());
        ikm[8..].copy_from_slice(b"eiraku-cash/center-seed/");
        let (secret, public) = X25519HkdfSha256::derive_keypair(&ikm);
        Self::from_parts(Keypair::from_seed(seed), secret, public)
    }

    fn from_parts(
        signing: Keypair,
        history_secret: <X25519HkdfSha256 as Kem>::PrivateKey,
        history_public: <X25519HkdfSha256 as Kem>::PublicKey,
    ) -> Self {
        let mut public = [0u8; 32];
        public.copy_from_slice(&history_public.to_bytes());
        Self {
            signing,
            history_secret,
            history_public: public,
        }
    }

    /// The public half.
    pub fn public(&self) -> CenterPublicKeys {
        CenterPublicKeys {
            signing: self.signing.public_key(),
            history: self.history_public,
        }
    }

    /// Signs a blacklist message (see [`crate::center::SignedBlacklist`]).
    pub(crate) fn sign_blacklist(
        &self,
        message: &[u8],
    ) -> commonware_cryptography::ed25519::Signature {
        self.signing
            .sign(crate::center::BLACKLIST_NAMESPACE, message)
    }

    /// Seals a note.
    pub fn seal(&self, note: Note) -> SealedNote {
        let seal = self.signing.sign(NOTE_NAMESPACE, &note.encode());
        SealedNote { note, seal }
    }

    /// The secret that opens history entries (used only inside the center).
    pub(crate) fn history_secret(&self) -> &<X25519HkdfSha256 as Kem>::PrivateKey {
        &self.history_secret
    }

    /// Checks a deposited note and opens its path: the seal; every entry
    /// opens, sits at its position (1, 2, …), chains to the previous entry
    /// (the first to the note), starts where the previous hop ended (the
    /// first at `issued_to`, the wallet the note was issued to) and is signed
    /// by its `from` wallet, whose key `wallet_key` looks up. Returns the
    /// signed entries, oldest first.
    pub fn open_history(
        &self,
        note: &NoteInHand,
        issued_to: WalletNumber,
        wallet_key: impl Fn(WalletNumber) -> Option<PublicKey>,
    ) -> Result<Vec<SignedEntry>, CashError> {
        note.note.verify(&self.signing.public_key())?;
        let serial = note.note.note.serial;
        let mut previous = note.note.digest();
        let mut holder = issued_to;
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
            let signed = sealed.open(self.history_secret())?;
            let entry = &signed.entry;
            if entry.previous != previous {
                return Err(invalid("it does not follow the previous entry".into()));
            }
            if entry.from != holder {
                return Err(invalid(format!(
                    "it is paid by wallet {} but the note was with wallet {holder}",
                    entry.from
                )));
            }
            let key = wallet_key(entry.from).ok_or(CashError::UnknownWallet(entry.from))?;
            if !signed.verify(&key) {
                return Err(invalid(format!(
                    "it is not signed by wallet {}",
                    entry.from
                )));
            }
            previous = sealed.digest();
            holder = entry.to;
            path.push(signed);
        }
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{history::HISTORY_NAMESPACE, EncryptedEntry, HistoryEntry, Unit};

    /// A note issued to wallet 1 and paid 1 → 2 → 3 (wallet n signs with seed n).
    fn travelled(center: &IssuanceCenterKeys) -> NoteInHand {
        let sealed = center.seal(Note {
            serial: 5,
            unit: Unit::ACU,
            denomination: 100,
            issuer: 1,
            reserved: vec![],
        });
        let mut previous = sealed.digest();
        let mut history: Vec<EncryptedEntry> = Vec::new();
        for hop in 1..=2u16 {
            let from = u64::from(hop);
            let entry = HistoryEntry {
                serial: 5,
                hop,
                from: WalletNumber(from),
                to: WalletNumber(from + 1),
                counter: 1,
                previous,
            };
            let signature = Keypair::from_seed(from).sign(HISTORY_NAMESPACE, &entry.encode());
            let sealed = SignedEntry { entry, signature }.seal(&center.public().history);
            previous = sealed.digest();
            history.push(sealed);
        }
        NoteInHand {
            note: sealed,
            history,
        }
    }

    fn keys(wallet: WalletNumber) -> Option<PublicKey> {
        (wallet.0 <= 3).then(|| Keypair::from_seed(wallet.0).public_key())
    }

    #[test]
    fn a_genuine_history_opens_into_its_path() {
        let center = IssuanceCenterKeys::from_seed(1);
        let path = center
            .open_history(&travelled(&center), WalletNumber(1), keys)
            .unwrap();
        let hops: Vec<(u64, u64)> = path
            .iter()
            .map(|s| (s.entry.from.0, s.entry.to.0))
            .collect();
        assert_eq!(hops, vec![(1, 2), (2, 3)]);
    }

    #[test]
    fn tampered_histories_are_refused_with_the_hop_at_fault() {
        let center = IssuanceCenterKeys::from_seed(1);
        let note = travelled(&center);

        let wrong_start = center.open_history(&note, WalletNumber(9), keys);
        assert!(matches!(
            wrong_start,
            Err(CashError::HistoryInvalid { hop: 1, .. })
        ));

        let mut dropped = note.clone();
        dropped.history.remove(0);
        assert!(matches!(
            center.open_history(&dropped, WalletNumber(1), keys),
            Err(CashError::HistoryInvalid { hop: 1, .. })
        ));

        let mut swapped = note.clone();
        swapped.history.swap(0, 1);
        assert!(matches!(
            center.open_history(&swapped, WalletNumber(1), keys),
            Err(CashError::HistoryInvalid { hop: 1, .. })
        ));

        let mut flipped = note.clone();
        flipped.history[1].ciphertext[0] ^= 1;
        assert_eq!(
            center.open_history(&flipped, WalletNumber(1), keys),
            Err(CashError::HistoryUnreadable { serial: 5, hop: 2 })
        );

        let unknown = center.open_history(&note, WalletNumber(1), |w| {
            (w.0 == 1).then(|| Keypair::from_seed(1).public_key())
        });
        assert_eq!(unknown, Err(CashError::UnknownWallet(WalletNumber(2))));

        let mut counterfeit = note;
        counterfeit.note.note.denomination = 10_000;
        assert_eq!(
            center.open_history(&counterfeit, WalletNumber(1), keys),
            Err(CashError::BadSeal { serial: 5 })
        );
    }

    #[test]
    fn an_entry_signed_by_another_wallet_is_refused() {
        let center = IssuanceCenterKeys::from_seed(1);
        let note = travelled(&center);
        // Wallet 2's key is replaced by another: hop 2 no longer verifies.
        let result = center.open_history(&note, WalletNumber(1), |w| {
            Some(Keypair::from_seed(if w.0 == 2 { 77 } else { w.0 }).public_key())
        });
        assert!(matches!(
            result,
            Err(CashError::HistoryInvalid { hop: 2, .. })
        ));
    }
}
