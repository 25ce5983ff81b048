//! Notes: single pieces of value sealed by the issuance center, in a 1-2-5
//! denomination series so any amount is paid with few notes.

use crate::{certificate::MAX_RESERVED, CashError, EncryptedEntry};
use bytes::BufMut;
use commonware_codec::{
    Buf, DecodeExt, Encode, EncodeSize, Error, FixedSize, RangeCfg, Read, ReadExt, Write,
};
use commonware_cryptography::{ed25519, Verifier};
use eiraku_core::{hash, Digest, PublicKey};
use std::fmt;

/// Signing namespace of note seals.
pub const NOTE_NAMESPACE: &[u8] = b"eiraku-cash/note";

/// Denominations in minor units: 1, 2, 5, 10, 20, 50, … up to 500,000,000
/// (5,000,000 units at two decimals). A 1-2-5 series is a canonical coin
/// system: taking the largest fitting note first gives the fewest notes.
pub const DENOMINATIONS: [u64; 27] = [
    1,
    2,
    5,
    10,
    20,
    50,
    100,
    200,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    20_000,
    50_000,
    100_000,
    200_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    20_000_000,
    50_000_000,
    100_000_000,
    200_000_000,
    500_000_000,
];

/// The unit a note counts in: an ASCII code such as `ACU` or `USD`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unit(pub [u8; 3]);

impl Unit {
    /// The basket unit.
    pub const ACU: Unit = Unit(*b"ACU");
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl fmt::Debug for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A note's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Serial number, unique per issuer.
    pub serial: u64,
    /// The unit.
    pub unit: Unit,
    /// Value in minor units (one of [`DENOMINATIONS`]).
    pub denomination: u64,
    /// The issuing center.
    pub issuer: u32,
    /// Data reserved for the issuer.
    pub reserved: Vec<u8>,
    /// End of the note's life (ms since the epoch): wallets refuse it from
    /// then on, and the center settles in-doubt claims on it after it.
    pub valid_until_ms: u64,
}

impl Write for Note {
    fn write(&self, buf: &mut impl BufMut) {
        self.serial.write(buf);
        self.unit.0.write(buf);
        self.denomination.write(buf);
        self.issuer.write(buf);
        self.reserved.write(buf);
        self.valid_until_ms.write(buf);
    }
}

impl EncodeSize for Note {
    fn encode_size(&self) -> usize {
        8 + 3 + 8 + 4 + self.reserved.encode_size() + 8
    }
}

impl Read for Note {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            serial: u64::read(buf)?,
            unit: Unit(<[u8; 3]>::read(buf)?),
            denomination: u64::read(buf)?,
            issuer: u32::read(buf)?,
            reserved: Vec::<u8>::read_cfg(buf, &(RangeCfg::new(0..=MAX_RESERVED), ()))?,
            valid_until_ms: u64::read(buf)?,
        })
    }
}

/// A note with the issuance center's seal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedNote {
    /// The content.
    pub note: Note,
    /// The center's signature over the content's encoding.
    pub seal: ed25519::Signature,
}

impl SealedNote {
    /// Checks the seal against the center's signing key.
    pub fn verify(&self, center: &PublicKey) -> Result<(), CashError> {
        if center.verify(NOTE_NAMESPACE, &self.note.encode(), &self.seal) {
            Ok(())
        } else {
            Err(CashError::BadSeal {
                serial: self.note.serial,
            })
        }
    }

    /// What the first history entry names as `previous`.
    pub fn digest(&self) -> Digest {
        hash(&[NOTE_NAMESPACE, &self.encode()])
    }
}

impl Write for SealedNote {
    fn write(&self, buf: &mut impl BufMut) {
        self.note.write(buf);
        self.seal.write(buf);
    }
}

impl EncodeSize for SealedNote {
    fn encode_size(&self) -> usize {
        self.note.encode_size() + ed25519::Signature::SIZE
    }
}

impl Read for SealedNote {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            note: Note::read(buf)?,
            seal: ed25519::Signature::read(buf)?,
        })
    }
}

/// Most hops a note's history may hold; risk limits set lower ones.
pub const MAX_HISTORY: usize = 1024;

/// Most notes in one transfer message (or promise).
pub const MAX_NOTES_PER_MESSAGE: usize = 256;

/// A note as a wallet holds it: the sealed note and its sealed history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteInHand {
    /// The note.
    pub note: SealedNote,
    /// One sealed entry per hop since issuance, oldest first.
    pub history: Vec<EncryptedEntry>,
    /// The statement of its last hop, signed by the wallet that made it
    /// (none for a note as issued): what the holder seals into its entry
    /// when it hands the note on.
    pub received: Option<crate::SignedStatement>,
}

/// The Merkle root of sealed notes' digests, in the order given (serial
/// order, as issued): what the ledger records for the notes issued against
/// a load. Anyone holding one of the notes proves it was among them with
/// an inclusion proof under this root.
pub fn notes_root<'a>(notes: impl ExactSizeIterator<Item = &'a SealedNote>) -> Digest {
    let mut builder =
        commonware_storage::bmt::Builder::<commonware_cryptography::Sha256>::new(notes.len());
    for note in notes {
        builder.add(&note.digest());
    }
    builder.build().root()
}

impl NoteInHand {
    /// Reads a note received from another wallet or a depositor.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CashError> {
        Self::decode(commonware_codec::Copying(bytes)).map_err(|e| CashError::Malformed {
            what: "note",
            reason: e.to_string(),
        })
    }
}

impl Write for NoteInHand {
    fn write(&self, buf: &mut impl BufMut) {
        self.note.write(buf);
        self.history.write(buf);
        self.received.write(buf);
    }
}

impl EncodeSize for NoteInHand {
    fn encode_size(&self) -> usize {
        self.note.encode_size() + self.history.encode_size() + self.received.encode_size()
    }
}

impl Read for NoteInHand {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            note: SealedNote::read(buf)?,
            history: Vec::<EncryptedEntry>::read_cfg(buf, &(RangeCfg::new(0..=MAX_HISTORY), ()))?,
            received: Option::<crate::SignedStatement>::read(buf)?,
        })
    }
}

/// The fewest notes of [`DENOMINATIONS`] that make `amount` exactly.
pub fn split_amount(mut amount: u64) -> Vec<u64> {
    let mut notes = Vec::new();
    for &denomination in DENOMINATIONS.iter().rev() {
        while amount >= denomination {
            notes.push(denomination);
            amount -= denomination;
        }
    }
    notes
}

/// Splits `amount` for a wallet that must pay offline: two notes of each
/// denomination from the smallest up, as far as the amount allows, then
/// the rest in as few notes as possible. The small notes let the wallet
/// pay exact amounts and give change; the large ones keep the count low.
pub fn spread_amount(amount: u64) -> Vec<u64> {
    refresh_denominations(&[], amount)
}

/// Small notes a wallet keeps of each denomination (from the smallest up)
/// so it can pay exact amounts and give change.
pub const SMALL_NOTES_KEPT: usize = 2;

/// Notes of one denomination beyond which a wallet hands the surplus in at
/// its next refresh: payments pile up notes of some denominations and
/// drain others, and a wallet short of small notes cannot give change.
pub const MOST_OF_ONE_DENOMINATION: usize = 6;

/// The denominations to issue for `credited` to a wallet that keeps
/// `kept`: first its small notes topped up to [`SMALL_NOTES_KEPT`] of
/// each denomination from the smallest up (as far as the amount allows,
/// keeping as much again for the larger ones), then the rest in as few
/// notes as possible. Sums to `credited` exactly.
pub fn refresh_denominations(kept: &[u64], credited: u64) -> Vec<u64> {
    let mut notes = Vec::new();
    let mut left = credited;
    'top_up: for &denomination in DENOMINATIONS.iter() {
        let held = kept.iter().filter(|&&d| d == denomination).count();
        for _ in held..SMALL_NOTES_KEPT {
            if left < denomination * 2 {
                break 'top_up;
            }
            notes.push(denomination);
            left -= denomination;
        }
    }
    notes.extend(split_amount(left));
    notes.sort_unstable();
    notes
}

/// Which of `held` (denominations) to hand over for a payment of `amount`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Positions in `held`.
    pub indices: Vec<usize>,
    /// How much the selected notes exceed the amount: the change the payee
    /// returns in the same session (0 when the amount is paid exactly).
    pub change: u64,
}

/// Chooses notes for a payment: an exact subset when one exists (searched
/// largest notes first, within a bounded effort), otherwise the smallest
/// overpayment found. `None` when everything held is not enough.
pub fn select_notes(held: &[u64], amount: u64) -> Option<Selection> {
    let total: u64 = held.iter().sum();
    if total < amount {
        return None;
    }
    let mut order: Vec<usize> = (0..held.len()).collect();
    order.sort_by(|a, b| held[*b].cmp(&held[*a]).then(a.cmp(b)));
    let values: Vec<u64> = order.iter().map(|&i| held[i]).collect();
    // suffix[i] = sum of values[i..]: prunes branches that cannot reach the amount.
    let mut suffix = vec![0u64; values.len() + 1];
    for i in (0..values.len()).rev() {
        suffix[i] = suffix[i + 1] + values[i];
    }
    let mut search = ExactSearch {
        values: &values,
        suffix: &suffix,
        budget: 100_000,
        picked: Vec::new(),
    };
    if search.find(0, amount) {
        let indices = search.picked.iter().map(|&k| order[k]).collect();
        return Some(Selection { indices, change: 0 });
    }
    // Overpay: largest notes first while they fit, then the smallest note
    // that covers the rest.
    let mut indices = Vec::new();
    let mut remaining = amount;
    let mut unused = Vec::new();
    for (k, &value) in values.iter().enumerate() {
        if value <= remaining {
            remaining -= value;
            indices.push(order[k]);
        } else {
            unused.push(k);
        }
    }
    if remaining > 0 {
        let cover = unused
            .iter()
            .rev()
            .find(|&&k| values[k] >= remaining)
            .copied();
        match cover {
            Some(k) => {
                indices.push(order[k]);
                return Some(Selection {
                    indices,
                    change: values[k] - remaining,
                });
            }
            // Several smaller unused notes together: take all (total ≥ amount).
            None => {
                let extra: u64 = unused.iter().map(|&k| values[k]).sum();
                indices.extend(unused.iter().map(|&k| order[k]));
                return Some(Selection {
                    indices,
                    change: extra - remaining,
                });
            }
        }
    }
    Some(Selection { indices, change: 0 })
}

/// Depth-first search for a subset of `values` (sorted descending) summing
/// exactly to a target, with a bound on the nodes visited.
struct ExactSearch<'a> {
    values: &'a [u64],
    suffix: &'a [u64],
    budget: u32,
    picked: Vec<usize>,
}

impl ExactSearch<'_> {
    fn find(&mut self, from: usize, target: u64) -> bool {
        if target == 0 {
            return true;
        }
        if from == self.values.len() || self.suffix[from] < target || self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        let mut previous = None;
        for k in from..self.values.len() {
            let value = self.values[k];
            // Equal values at one depth are interchangeable: try one.
            if value > target || previous == Some(value) {
                continue;
            }
            previous = Some(value);
            if self.suffix[k] < target {
                return false;
            }
            self.picked.push(k);
            if self.find(k + 1, target - value) {
                return true;
            }
            self.picked.pop();
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The root binds each note and its place: another note, or the same
    /// notes in another order, give another root; and a holder proves one
    /// note's inclusion with the tree's proof.
    #[test]
    fn the_notes_root_binds_every_note_and_its_place() {
        let keys = crate::IssuanceCenterKeys::from_seed(1);
        let notes: Vec<SealedNote> = (1..=3).map(|s| keys.test_note(s, 5).note).collect();
        let root = notes_root(notes.iter());
        assert_eq!(root, notes_root(notes.iter()));
        assert_ne!(root, notes_root(notes.iter().rev()));
        assert_ne!(root, notes_root(notes[..2].iter()));
        let mut builder =
            commonware_storage::bmt::Builder::<commonware_cryptography::Sha256>::new(3);
        for note in &notes {
            builder.add(&note.digest());
        }
        let proof = builder.build().proof(1).unwrap();
        let verified = proof.verify_element_inclusion::<commonware_cryptography::Sha256>(
            &notes[1].digest(),
            1,
            &root,
        );
        assert!(verified.is_ok());
    }

    #[test]
    fn a_refresh_tops_up_the_small_notes_and_sums_to_the_credit() {
        // A wallet with no 1s and one 2 gets two 1s and one 2 back first.
        let kept = [2, 5, 5, 10, 1_000];
        let fresh = refresh_denominations(&kept, 1_234);
        assert_eq!(fresh.iter().sum::<u64>(), 1_234);
        assert_eq!(fresh.iter().filter(|&&d| d == 1).count(), 2);
        assert_eq!(fresh.iter().filter(|&&d| d == 2).count(), 1);
        assert!(!fresh.contains(&5), "it holds two fives already");
        // A wallet holding enough small notes gets the fewest notes.
        let full: Vec<u64> = DENOMINATIONS.iter().flat_map(|&d| [d, d]).collect();
        let mut fewest = split_amount(1_500);
        fewest.sort_unstable();
        assert_eq!(refresh_denominations(&full, 1_500), fewest);
        // Too little to top up: the fewest notes, never more than credited.
        assert_eq!(refresh_denominations(&[], 1), vec![1]);
        assert_eq!(refresh_denominations(&[], 0), Vec::<u64>::new());
        assert_eq!(spread_amount(7), refresh_denominations(&[], 7));
    }
    use crate::issuance::IssuanceCenterKeys;
    use proptest::prelude::*;

    fn note(serial: u64) -> Note {
        Note {
            serial,
            unit: Unit::ACU,
            denomination: 500,
            issuer: 1,
            reserved: vec![],
            valid_until_ms: u64::MAX,
        }
    }

    #[test]
    fn seals_verify_and_counterfeits_are_refused() {
        let center = IssuanceCenterKeys::from_seed(1);
        let sealed = center.seal(note(7)).unwrap();
        assert_eq!(sealed.verify(&center.public().signing), Ok(()));
        let rogue = IssuanceCenterKeys::from_seed(2).seal(note(7)).unwrap();
        assert_eq!(
            rogue.verify(&center.public().signing),
            Err(CashError::BadSeal { serial: 7 })
        );
        let mut inflated = sealed.clone();
        inflated.note.denomination = 50_000;
        assert_eq!(
            inflated.verify(&center.public().signing),
            Err(CashError::BadSeal { serial: 7 })
        );
        let in_hand = NoteInHand {
            note: sealed,
            history: vec![],
            received: None,
        };
        assert_eq!(
            NoteInHand::from_bytes(&in_hand.encode()),
            Ok(in_hand.clone())
        );
        assert!(matches!(
            NoteInHand::from_bytes(&in_hand.encode()[..20]),
            Err(CashError::Malformed { what: "note", .. })
        ));
    }

    #[test]
    fn amounts_split_into_the_fewest_notes() {
        assert_eq!(split_amount(0), Vec::<u64>::new());
        assert_eq!(spread_amount(0), Vec::<u64>::new());
        assert_eq!(spread_amount(8), vec![1, 1, 2, 2, 2]);
        // 100.00 loaded: every small denomination twice, so most amounts
        // can be paid exactly or changed.
        let load = spread_amount(10_000);
        assert!(load.len() < 30, "{load:?}");
        for small in [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000] {
            assert!(load.iter().filter(|&&d| d == small).count() >= 2, "{small}");
        }
        assert_eq!(split_amount(8), vec![5, 2, 1]);
        assert_eq!(
            split_amount(1_999),
            vec![1_000, 500, 200, 200, 50, 20, 20, 5, 2, 2]
        );
    }

    #[test]
    fn selection_finds_exact_subsets_greedy_would_miss() {
        // Largest-first would take 5 and then need 1.
        let held = [5, 2, 2, 2];
        let selection = select_notes(&held, 6).unwrap();
        assert_eq!(selection.change, 0);
        assert_eq!(selection.indices.iter().map(|&i| held[i]).sum::<u64>(), 6);
        // No exact subset: the smallest overpayment.
        assert_eq!(
            select_notes(&[10, 10], 3),
            Some(Selection {
                indices: vec![1],
                change: 7
            })
        );
        assert_eq!(select_notes(&[1, 2], 4), None);
    }

    proptest! {
        #[test]
        fn split_amount_is_exact(amount in 0u64..2_000_000_000) {
            prop_assert_eq!(split_amount(amount).iter().sum::<u64>(), amount);
            prop_assert_eq!(spread_amount(amount).iter().sum::<u64>(), amount);
        }

        #[test]
        fn selection_pays_at_least_the_amount_and_is_exact_when_possible(
            held in prop::collection::vec(prop::sample::select(&DENOMINATIONS[..10]), 0..10),
            amount in 0u64..5_000,
        ) {
            let total: u64 = held.iter().sum();
            let exact_exists = (0u32..1 << held.len()).any(|mask| {
                held.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, v)| v).sum::<u64>() == amount
            });
            match select_notes(&held, amount) {
                None => prop_assert!(total < amount),
                Some(selection) => {
                    let mut seen = selection.indices.clone();
                    seen.sort();
                    seen.dedup();
                    prop_assert_eq!(seen.len(), selection.indices.len(), "no note twice");
                    let paid: u64 = selection.indices.iter().map(|&i| held[i]).sum();
                    prop_assert_eq!(paid, amount + selection.change);
                    prop_assert_eq!(selection.change == 0, exact_exists);
                }
            }
        }
    }
}
