//! Deposits: each note's path opened and checked, credited once, and a
//! serial seen along two paths turned into evidence and a blacklisting.

use super::*;

/// A deposit being written: its batch, the paths it records and the
/// culprits it found, so a serial twice in one deposit is judged like a
/// serial deposited twice.
struct Recording {
    batch: fjall::Batch,
    pending: BTreeMap<u64, Vec<SignedEntry>>,
    culprits: BTreeMap<WalletNumber, DoubleSpendEvidence>,
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
            culprits: BTreeMap::new(),
        };
        let mut outcomes = Vec::with_capacity(notes.len());
        for note in notes {
            let serial = note.note.note.serial;
            let outcome = match self.deposited_path_of(note) {
                Ok(path) => {
                    self.record(serial, note.note.note.denomination, path, &mut recording)?
                }
                Err(CenterError::Refused(reason)) => DepositOutcome::Refused { serial, reason },
                Err(failure) => return Err(failure),
            };
            outcomes.push(outcome);
        }
        let Recording {
            mut batch,
            culprits,
            ..
        } = recording;
        let mut listed_new = false;
        for (culprit, evidence) in culprits {
            if !self.is_blacklisted(culprit)? {
                batch.insert(
                    &self.blacklist,
                    culprit.0.to_be_bytes(),
                    (evidence.first.clone(), evidence.second.clone())
                        .encode()
                        .to_vec(),
                );
                listed_new = true;
            }
        }
        if listed_new {
            let version = self.meta_u64(BLACKLIST_VERSION)? + 1;
            batch.insert(&self.meta, BLACKLIST_VERSION, version.to_be_bytes());
        }
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
            .or_insert_with(|| evidence.clone());
        Ok(DepositOutcome::DoubleSpend {
            serial,
            evidence: Box::new(evidence),
        })
    }
}
