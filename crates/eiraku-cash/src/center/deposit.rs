//! Deposits: each note's path opened and checked, credited once, and a
//! serial seen along two paths turned into evidence and a blacklisting.

use super::{blame::Blame, *};

/// A deposit being written: its batch, the paths it records and the
/// culprits it found, so a serial twice in one deposit is judged like a
/// serial deposited twice.
struct Recording {
    batch: fjall::Batch,
    pending: BTreeMap<u64, Vec<SignedEntry>>,
    /// Entries indexed by (wallet, counter) in this deposit: where each is
    /// (serial, hop).
    counters: BTreeMap<[u8; 16], (u64, u16)>,
    culprits: BTreeMap<WalletNumber, Evidence>,
}

fn counter_key(entry: &SignedEntry) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&entry.entry.from.0.to_be_bytes());
    key[8..].copy_from_slice(&entry.entry.counter.to_be_bytes());
    key
}

impl IssuanceCenter {
    /// Checks deposited notes, each handed to [`CENTER`] by its last entry.
    /// Every good note is credited, found double-spent (its culprit
    /// blacklisted) or found replayed; a note that fails its checks gets a
    /// typed refusal and changes nothing. One durable write, under the
    /// center's write lock, so concurrent deposits of one serial credit it
    /// once.
    pub fn deposit(&self, notes: &[NoteInHand]) -> Result<Vec<DepositOutcome>, CenterError> {
        let _writing = self.write_lock();
        let mut recording = Recording {
            batch: self.keyspace.batch().durability(Some(PersistMode::SyncAll)),
            pending: BTreeMap::new(),
            counters: BTreeMap::new(),
            culprits: BTreeMap::new(),
        };
        let mut outcomes = Vec::with_capacity(notes.len());
        for note in notes {
            let serial = note.note.note.serial;
            let outcome = match self.deposited_path_of(note) {
                Ok(path) => {
                    self.record(serial, note.note.note.denomination, path, &mut recording)?
                }
                Err(CenterError::Refused(reason)) => {
                    self.judge_refused(note, reason, &mut recording)?
                }
                Err(failure) => return Err(failure),
            };
            outcomes.push(outcome);
        }
        let Recording {
            mut batch,
            culprits,
            ..
        } = recording;
        self.list_culprits(culprits, &mut batch)?;
        batch.commit().map_err(storage)?;
        Ok(outcomes)
    }

    /// A deposited note's opened path, which must end with a hop to the
    /// center.
    fn deposited_path_of(&self, note: &NoteInHand) -> Result<Vec<SignedEntry>, CenterError> {
        let path = self.checked_path(note)?;
        if path.last().map(|s| s.entry.to) != Some(CENTER) {
            return Err(CashError::HistoryInvalid {
                serial: note.note.note.serial,
                hop: u16::try_from(path.len()).unwrap_or(u16::MAX),
                reason: "the note was not handed to the issuance center".into(),
            }
            .into());
        }
        Ok(path)
    }

    /// Records one good note: credited on its first deposit, otherwise
    /// judged against the path it was first deposited along.
    fn record(
        &self,
        serial: u64,
        value: u64,
        path: Vec<SignedEntry>,
        recording: &mut Recording,
    ) -> Result<DepositOutcome, CenterError> {
        let earlier = match recording.pending.get(&serial) {
            Some(path) => Some(path.clone()),
            None => self.deposited_path(serial)?,
        };
        let Some(earlier) = earlier else {
            self.index_counters(&path, recording, true)?;
            recording.batch.insert(
                &self.deposited,
                serial_key(serial),
                StoredPath(path.clone()).encode().to_vec(),
            );
            recording.pending.insert(serial, path);
            return Ok(DepositOutcome::Credited { serial, value });
        };
        let Some(evidence) = DoubleSpendEvidence::find(&earlier, &path) else {
            return Ok(DepositOutcome::Replayed { serial });
        };
        let suspect = evidence.culprit();
        let key = self
            .wallet_key(suspect)?
            .ok_or(CashError::UnknownWallet(suspect))?;
        if evidence.verify(&key).is_err() {
            return Ok(DepositOutcome::Unprovable { serial, suspect });
        }
        recording
            .culprits
            .entry(suspect)
            .or_insert_with(|| Evidence::DoubleSpend(evidence.clone()));
        // A second path's entries are checked, not indexed: the index
        // points into first deposits' paths.
        self.index_counters(&path, recording, false)?;
        Ok(DepositOutcome::DoubleSpend {
            serial,
            evidence: Box::new(evidence),
        })
    }

    /// Checks a path's entries against the (wallet, counter) index, and
    /// indexes them when `index` (a first deposit's path, which is stored).
    /// An entry that meets a different one signed under the same counter is
    /// a clone's: both signatures are checked and the evidence blacklists
    /// the wallet, even when the clone never spent the same note twice. The
    /// index holds where an entry is (serial and hop), not the entry: the
    /// stored path has it.
    fn index_counters(
        &self,
        path: &[SignedEntry],
        recording: &mut Recording,
        index: bool,
    ) -> Result<(), CenterError> {
        for entry in path {
            let key = counter_key(entry);
            let here = (entry.entry.serial, entry.entry.hop);
            let earlier = match recording.counters.get(&key) {
                Some(&earlier) => Some(earlier),
                None => self.counter_position(&key)?,
            };
            match earlier {
                None if index => {
                    let mut position = here.0.to_be_bytes().to_vec();
                    position.extend_from_slice(&here.1.to_be_bytes());
                    recording.batch.insert(&self.counters, key, position);
                    recording.counters.insert(key, here);
                }
                None => {}
                Some(earlier) if earlier == here => {}
                Some((serial, hop)) => {
                    let first = match recording.pending.get(&serial) {
                        Some(path) => path.get(usize::from(hop) - 1).cloned(),
                        None => self
                            .deposited_path(serial)?
                            .and_then(|path| path.get(usize::from(hop) - 1).cloned()),
                    };
                    if let Some(first) = first {
                        self.clone_found(first, entry.clone(), recording)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Two entries under one counter: evidence when both are validly
    /// signed by the wallet.
    fn clone_found(
        &self,
        first: SignedEntry,
        second: SignedEntry,
        recording: &mut Recording,
    ) -> Result<(), CenterError> {
        let evidence = DoubleSpendEvidence { first, second };
        let suspect = evidence.culprit();
        let proven = self
            .wallet_key(suspect)?
            .is_some_and(|key| evidence.verify(&key).is_ok());
        if proven {
            recording
                .culprits
                .entry(suspect)
                .or_insert(Evidence::DoubleSpend(evidence));
        }
        Ok(())
    }

    fn counter_position(&self, key: &[u8; 16]) -> Result<Option<(u64, u16)>, CenterError> {
        let Some(bytes) = self.counters.get(key).map_err(storage)? else {
            return Ok(None);
        };
        let malformed = || storage("a stored counter position is not 10 bytes");
        let serial = bytes.get(..8).ok_or_else(malformed)?;
        let hop = bytes.get(8..10).ok_or_else(malformed)?;
        Ok(Some((
            u64::from_be_bytes(serial.try_into().map_err(|_| malformed())?),
            u16::from_be_bytes(hop.try_into().map_err(|_| malformed())?),
        )))
    }

    /// A note that failed its checks: a forgery if the walk back names
    /// who made it up (blacklisted on the evidence), otherwise refused.
    fn judge_refused(
        &self,
        note: &NoteInHand,
        reason: CashError,
        recording: &mut Recording,
    ) -> Result<DepositOutcome, CenterError> {
        let serial = note.note.note.serial;
        Ok(match self.blame(note)? {
            Some(Blame::Proven(evidence)) => {
                recording
                    .culprits
                    .entry(evidence.culprit())
                    .or_insert_with(|| Evidence::Unfounded(evidence.as_ref().clone()));
                DepositOutcome::Forged { serial, evidence }
            }
            Some(Blame::Unprovable(suspect)) => DepositOutcome::Unprovable { serial, suspect },
            None => DepositOutcome::Refused { serial, reason },
        })
    }
}
