//! Double-spend evidence: two different entries signed by one wallet for
//! the same hop of the same note, or under the same transfer counter (an
//! honest element counts every entry it signs, so only a clone of it, a
//! copied element or a restored backup, signs two under one count).
//! Anyone holding that wallet's certificate can check it; no secret of the
//! center is needed.

use crate::{history::IssuedNote, SignedEntry, WalletNumber};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, Read, ReadExt, Write};
use eiraku_core::PublicKey;

/// Proof that `culprit` handed one note on twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoubleSpendEvidence {
    /// One successor of the hop.
    pub first: SignedEntry,
    /// The other successor.
    pub second: SignedEntry,
}

/// Why evidence does not prove a double spend.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// The two entries are not for the same note, hop and predecessor, nor
    /// under the same counter, or not from the same wallet.
    #[error(
        "the two entries are neither two successors of one hop nor two entries under one counter, by one wallet"
    )]
    NotTheSameHop,
    /// The two entries are the same: no divergence.
    #[error("the two entries are identical")]
    Identical,
    /// A signature does not verify under the wallet's key.
    #[error("an entry is not signed by wallet {0}")]
    BadSignature(WalletNumber),
    /// The entry follows a hop stated to its signer (or, at hop 1, the
    /// note's issuance to it): it is founded.
    #[error("the entry follows a hop its signer received")]
    Founded,
}

/// Proof that `culprit` handed on a note it never received: an entry it
/// signed whose statement of receipt is missing, is for another hop or
/// wallet, or is not signed by the wallet it names; or, at hop 1, for a
/// note issued to another wallet. An honest element never signs one, so a
/// note with a made-up history always names the wallet that first built on
/// it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnfoundedEntry {
    /// The entry.
    pub entry: SignedEntry,
}

impl UnfoundedEntry {
    /// The accused wallet.
    pub fn culprit(&self) -> WalletNumber {
        self.entry.entry.from
    }

    /// The wallet the entry's statement of receipt names as payer, whose
    /// key [`UnfoundedEntry::verify`] needs.
    pub fn stated_payer(&self) -> Option<WalletNumber> {
        self.entry.entry.received.as_ref().map(|s| s.statement.from)
    }

    /// Checks the evidence against the accused wallet's key, the note's
    /// issuance record, and the key of the stated payer (`None` when the
    /// entry names none, or one that is not a registered wallet).
    pub fn verify(
        &self,
        culprit_key: &PublicKey,
        issued: &IssuedNote,
        payer_key: Option<&PublicKey>,
    ) -> Result<WalletNumber, EvidenceError> {
        let entry = &self.entry.entry;
        if !self.entry.verify(culprit_key) {
            return Err(EvidenceError::BadSignature(entry.from));
        }
        let founded = match (&entry.received, entry.hop) {
            (None, 1) => entry.from == issued.to && entry.previous == issued.digest,
            (Some(received), hop) if hop >= 2 => {
                let stated = &received.statement;
                stated.serial == entry.serial
                    && stated.hop == hop - 1
                    && stated.to == entry.from
                    && stated.sealed == entry.previous
                    && payer_key.is_some_and(|key| received.verify(key))
            }
            _ => false,
        };
        if founded {
            return Err(EvidenceError::Founded);
        }
        Ok(entry.from)
    }
}

/// What a wallet is blacklisted on.
// Evidence is made once per culprit, never on a hot path: kept unboxed.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// Two entries by one wallet for one hop, or under one counter.
    DoubleSpend(DoubleSpendEvidence),
    /// An entry for a hop its signer never received.
    Unfounded(UnfoundedEntry),
}

impl Evidence {
    /// The accused wallet.
    pub fn culprit(&self) -> WalletNumber {
        match self {
            Self::DoubleSpend(evidence) => evidence.culprit(),
            Self::Unfounded(evidence) => evidence.culprit(),
        }
    }
}

impl Write for Evidence {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            Self::DoubleSpend(evidence) => {
                0u8.write(buf);
                evidence.first.write(buf);
                evidence.second.write(buf);
            }
            Self::Unfounded(evidence) => {
                1u8.write(buf);
                evidence.entry.write(buf);
            }
        }
    }
}

impl EncodeSize for Evidence {
    fn encode_size(&self) -> usize {
        1 + match self {
            Self::DoubleSpend(evidence) => {
                evidence.first.encode_size() + evidence.second.encode_size()
            }
            Self::Unfounded(evidence) => evidence.entry.encode_size(),
        }
    }
}

impl Read for Evidence {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(match u8::read(buf)? {
            0 => Self::DoubleSpend(DoubleSpendEvidence {
                first: SignedEntry::read(buf)?,
                second: SignedEntry::read(buf)?,
            }),
            1 => Self::Unfounded(UnfoundedEntry {
                entry: SignedEntry::read(buf)?,
            }),
            tag => return Err(Error::InvalidEnum(tag)),
        })
    }
}

impl DoubleSpendEvidence {
    /// The accused wallet.
    pub fn culprit(&self) -> WalletNumber {
        self.first.entry.from
    }

    /// Checks the evidence against the accused wallet's signing key (from
    /// its certificate).
    pub fn verify(&self, culprit_key: &PublicKey) -> Result<WalletNumber, EvidenceError> {
        let (a, b) = (&self.first.entry, &self.second.entry);
        let same_hop = a.serial == b.serial && a.hop == b.hop && a.previous == b.previous;
        if a.from != b.from || !(same_hop || a.counter == b.counter) {
            return Err(EvidenceError::NotTheSameHop);
        }
        if self.first == self.second || a == b {
            return Err(EvidenceError::Identical);
        }
        if !self.first.verify(culprit_key) || !self.second.verify(culprit_key) {
            return Err(EvidenceError::BadSignature(a.from));
        }
        Ok(a.from)
    }

    /// Compares two opened paths of one note (as returned by
    /// [`crate::history::open_path`]) and, if they diverge,
    /// returns the evidence at the first hop where they do. `None` when one
    /// path is a prefix of the other (the same note deposited again along
    /// the same path: a replayed deposit, not a double spend).
    pub fn find(path_a: &[SignedEntry], path_b: &[SignedEntry]) -> Option<Self> {
        path_a
            .iter()
            .zip(path_b)
            .find(|(a, b)| a.entry != b.entry)
            .map(|(a, b)| Self {
                first: a.clone(),
                second: b.clone(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{history::HISTORY_NAMESPACE, HistoryEntry};
    use commonware_codec::Encode;
    use eiraku_core::{hash, Digest, Keypair};

    fn signed(from: u64, to: u64, hop: u16, previous: Digest, counter: u64) -> SignedEntry {
        let entry = HistoryEntry {
            serial: 1,
            hop,
            from: WalletNumber(from),
            to: WalletNumber(to),
            counter,
            previous,
            received: None,
        };
        let signature = Keypair::from_seed(from).sign(HISTORY_NAMESPACE, &entry.encode());
        SignedEntry { entry, signature }
    }

    #[test]
    fn the_first_divergence_names_the_wallet_that_signed_both() {
        let note = hash(&[b"note"]);
        // 1 → 2 on both paths; then wallet 2 (cloned) pays 3 on one and 4 on the other.
        let hop1 = signed(1, 2, 1, note, 1);
        let after_hop1 = hash(&[b"sealed hop 1"]);
        let path_a = vec![hop1.clone(), signed(2, 3, 2, after_hop1, 1)];
        let path_b = vec![hop1.clone(), signed(2, 4, 2, after_hop1, 1)];
        let evidence = DoubleSpendEvidence::find(&path_a, &path_b).unwrap();
        assert_eq!(evidence.culprit(), WalletNumber(2));
        assert_eq!(
            evidence.verify(&Keypair::from_seed(2).public_key()),
            Ok(WalletNumber(2))
        );
        // Nobody else can be framed with it.
        assert_eq!(
            evidence.verify(&Keypair::from_seed(1).public_key()),
            Err(EvidenceError::BadSignature(WalletNumber(2)))
        );
        assert_eq!(DoubleSpendEvidence::find(&path_a, &path_a[..1]), None);
    }

    #[test]
    fn two_entries_under_one_counter_name_a_clone() {
        let key = Keypair::from_seed(2).public_key();
        let mut other_note = signed(2, 4, 1, hash(&[b"other note"]), 7);
        other_note.entry.serial = 2;
        other_note.signature =
            Keypair::from_seed(2).sign(HISTORY_NAMESPACE, &other_note.entry.encode());
        let clone = DoubleSpendEvidence {
            first: signed(2, 3, 1, hash(&[b"note"]), 7),
            second: other_note,
        };
        assert_eq!(clone.verify(&key), Ok(WalletNumber(2)));
        // Consecutive counters are an honest wallet paying twice.
        let honest = DoubleSpendEvidence {
            first: signed(2, 3, 1, hash(&[b"note"]), 7),
            second: signed(2, 4, 1, hash(&[b"other"]), 8),
        };
        assert_eq!(honest.verify(&key), Err(EvidenceError::NotTheSameHop));
    }

    #[test]
    fn entries_of_different_hops_or_identical_entries_prove_nothing() {
        let note = hash(&[b"note"]);
        let key = Keypair::from_seed(2).public_key();
        let a = signed(2, 3, 2, note, 1);
        let other_hop = DoubleSpendEvidence {
            first: a.clone(),
            second: signed(2, 4, 3, note, 2),
        };
        assert_eq!(other_hop.verify(&key), Err(EvidenceError::NotTheSameHop));
        let other_previous = DoubleSpendEvidence {
            first: a.clone(),
            second: signed(2, 4, 2, hash(&[b"elsewhere"]), 2),
        };
        assert_eq!(
            other_previous.verify(&key),
            Err(EvidenceError::NotTheSameHop)
        );
        let same = DoubleSpendEvidence {
            first: a.clone(),
            second: a,
        };
        assert_eq!(same.verify(&key), Err(EvidenceError::Identical));
    }
}
