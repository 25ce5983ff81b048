//! Who made up a history: when a deposited note's path does not open, the
//! center walks it back from the depositor, following the statements of
//! receipt each holder sealed into its entry, to the first wallet that
//! built an entry on a hop nobody stated to it.

use super::*;
use crate::{history::IssuedNote, EncryptedEntry, UnfoundedEntry};

/// The outcome of the walk.
pub(crate) enum Blame {
    /// A wallet signed an entry for a hop it never received.
    Proven(Box<UnfoundedEntry>),
    /// A wallet's element signed a statement of a hop that is not its
    /// sealed entry, or an entry it did not sign validly: only an element
    /// whose keys were extracted does that; an operator decides.
    Unprovable(WalletNumber),
}

/// One step of the walk back.
enum Step {
    /// The entry is founded on the previous hop, made by this wallet.
    Back(WalletNumber),
    /// The entry is founded on the note's issuance: the path is sound as
    /// far as it can be read.
    Issued,
    /// The walk ends with this finding.
    Found(Blame),
    /// The carrier changed bytes no wallet signed: nobody can be named.
    Nobody,
}

impl IssuanceCenter {
    /// Walks a deposited note's path back from the wallet its last
    /// statement names, and names the wallet that first made up a hop, if
    /// one did. `None` when nobody can be named (a counterfeit, bytes
    /// changed in carrying, a depositor's own unreadable entry).
    pub(crate) fn blame(&self, note: &NoteInHand) -> Result<Option<Blame>, CenterError> {
        let serial = note.note.note.serial;
        let issued = match self.issued(serial) {
            Ok(issued) if issued.digest == note.note.digest() => issued,
            Ok(_) | Err(CenterError::Refused(_)) => return Ok(None),
            Err(failure) => return Err(failure),
        };
        let Some(last) = &note.received else {
            return Ok(None);
        };
        let mut holder = last.statement.from;
        // The depositor's own entry must open under its key, or the
        // deposit is just refused.
        let mut position = note.history.len();
        let mut first = true;
        while position > 0 {
            let sealed = &note.history[position - 1];
            let Some(signed) = self.open_as(sealed, holder)? else {
                return Ok((!first).then_some(Blame::Unprovable(holder)));
            };
            first = false;
            match self.step(note, &issued, position, holder, signed)? {
                Step::Back(payer) => holder = payer,
                Step::Issued | Step::Nobody => return Ok(None),
                Step::Found(blame) => return Ok(Some(blame)),
            }
            position -= 1;
        }
        Ok(None)
    }

    /// Opens `sealed` under `holder`'s history key: `None` when it does not
    /// open (or `holder` is unknown).
    fn open_as(
        &self,
        sealed: &EncryptedEntry,
        holder: WalletNumber,
    ) -> Result<Option<SignedEntry>, CenterError> {
        match self.history_key(holder) {
            Ok(key) => Ok(key.open(sealed).ok()),
            Err(CenterError::Refused(_)) => Ok(None),
            Err(failure) => Err(failure),
        }
    }

    /// Judges the entry at `position` (1-based), which `holder` sealed.
    fn step(
        &self,
        note: &NoteInHand,
        issued: &IssuedNote,
        position: usize,
        holder: WalletNumber,
        signed: SignedEntry,
    ) -> Result<Step, CenterError> {
        let entry = &signed.entry;
        if usize::from(entry.hop) != position {
            // Entries moved to other positions by whoever carried them.
            return Ok(Step::Nobody);
        }
        if entry.from != holder {
            return Ok(Step::Found(Blame::Unprovable(holder)));
        }
        let stated_payer = entry.received.as_ref().map(|r| r.statement.from);
        let payer_key = match stated_payer {
            Some(payer) => self.wallet_key(payer)?,
            None => None,
        };
        let evidence = UnfoundedEntry {
            entry: signed.clone(),
        };
        let holder_key = self
            .wallet_key(holder)?
            .ok_or(CashError::UnknownWallet(holder))?;
        match evidence.verify(&holder_key, issued, payer_key.as_ref()) {
            Ok(_) => return Ok(Step::Found(Blame::Proven(Box::new(evidence)))),
            Err(crate::EvidenceError::Founded) => {}
            Err(_) => return Ok(Step::Found(Blame::Unprovable(holder))),
        }
        if position == 1 {
            return Ok(Step::Issued);
        }
        // Founded on a statement of the hop before: that hop's sealed entry
        // must be the one stated, or a carrier swapped it.
        let before = &note.history[position - 2];
        if before.digest() != entry.previous {
            return Ok(Step::Nobody);
        }
        Ok(Step::Back(
            stated_payer.expect("a founded entry past hop 1 states its payer"),
        ))
    }
}
