//! In-doubt claims: value that left a wallet without confirmation, filed
//! at the wallet's sync and decided once the note's life is over.

use super::*;

impl IssuanceCenter {
    /// Files a wallet's signed claim ([`crate::Wallet::signed_claim`]): the
    /// signature must be the claimant's, and each note's path is checked
    /// like a deposit and must end with the hop the claimant handed it over
    /// in. A note whose hop already shows in a deposit arrived; the others
    /// wait for the note's end of life. A claim on a hop is never
    /// overwritten: the same claim again is answered as before, a different
    /// one refused. A bad record refuses the whole filing, recording
    /// nothing.
    pub fn file_claims(&self, claim: &SignedClaim) -> Result<Vec<ClaimOutcome>, CenterError> {
        let claimant = claim.claimant;
        let key = self
            .wallet_key(claimant)?
            .ok_or(CashError::UnknownWallet(claimant))?;
        if !claim.verify(&key) {
            return Err(CashError::BadClaimSignature(claimant).into());
        }
        let _writing = self.write_lock();
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        let mut filed: BTreeMap<[u8; 10], Vec<u8>> = BTreeMap::new();
        let mut promised = BTreeMap::new();
        let mut outcomes = Vec::new();
        for record in &claim.records {
            if let (crate::InDoubtKind::Payment, Some(promise)) = (record.kind, &record.promise) {
                let filing = super::promises::Filing {
                    batch: &mut batch,
                    filed: &mut promised,
                    outcomes: &mut outcomes,
                };
                self.file_promise(claimant, record, promise, filing)?;
            }
            let beneficiary = match record.kind {
                crate::InDoubtKind::Payment | crate::InDoubtKind::Deposit => claimant,
                crate::InDoubtKind::Change => record.to,
            };
            for note in &record.notes {
                let serial = note.note.note.serial;
                let path = self.checked_path(note)?;
                let hop = path.len();
                let claimed = path
                    .last()
                    .filter(|last| last.entry.from == claimant && last.entry.to == record.to);
                if claimed.is_none() {
                    return Err(CashError::HistoryInvalid {
                        serial,
                        hop: u16::try_from(hop).unwrap_or(u16::MAX),
                        reason: format!(
                            "the claim is not for a hop from wallet {claimant} to wallet {}",
                            record.to
                        ),
                    }
                    .into());
                }
                if self
                    .deposited_path(serial)?
                    .is_some_and(|deposited| deposited.get(hop - 1) == path.last())
                {
                    outcomes.push(ClaimOutcome::Arrived { serial });
                    continue;
                }
                let valid_until_ms = note.note.note.valid_until_ms;
                let mut value = Vec::new();
                value.extend_from_slice(&beneficiary.0.to_be_bytes());
                value.extend_from_slice(&note.note.note.denomination.to_be_bytes());
                value.extend_from_slice(&valid_until_ms.to_be_bytes());
                value.extend_from_slice(&StoredPath(path).encode());
                let key = claim_key(serial, hop);
                let earlier = match filed.get(&key) {
                    Some(earlier) => Some(earlier.clone()),
                    None => self.claims.get(key).map_err(storage)?.map(|v| v.to_vec()),
                };
                match earlier {
                    Some(earlier) if earlier != value => {
                        return Err(CashError::ClaimTaken { serial, hop }.into())
                    }
                    Some(_) => {}
                    None => {
                        batch.insert(&self.claims, key, value.clone());
                        filed.insert(key, value);
                    }
                }
                outcomes.push(ClaimOutcome::Pending {
                    serial,
                    decided_after_ms: valid_until_ms,
                });
            }
        }
        batch.commit().map_err(storage)?;
        Ok(outcomes)
    }

    /// Decides every claim whose note's life ended before `now_ms`: a note
    /// whose claimed hop shows in a deposit arrived (no refund); a note
    /// deposited along another path was spent twice upstream or by the
    /// claimant (no refund: the evidence names who); a note never deposited
    /// is refunded to whom it is owed and recorded as deposited along the
    /// claimed path, so a late deposit of it is not credited again.
    pub fn settle_claims(&self, now_ms: u64) -> Result<Vec<Refund>, CenterError> {
        let _writing = self.write_lock();
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        let mut refunds = Vec::new();
        let mut settled: BTreeMap<u64, Vec<SignedEntry>> = BTreeMap::new();
        for item in self.claims.iter() {
            let (key, value) = item.map_err(storage)?;
            let word = |at: usize| stored_u64(&value, at, "claim");
            let (beneficiary, amount, valid_until_ms) = (word(0)?, word(8)?, word(16)?);
            if valid_until_ms >= now_ms {
                continue;
            }
            let path = StoredPath::decode(Copying(&value[24..]))
                .map_err(|e| storage(format!("stored claim path: {e}")))?
                .0;
            let serial = stored_u64(&key, 0, "claim key")?;
            batch.remove(&self.claims, key.to_vec());
            let deposited = match settled.get(&serial) {
                Some(path) => Some(path.clone()),
                None => self.deposited_path(serial)?,
            };
            if deposited.is_none() {
                batch.insert(
                    &self.deposited,
                    serial_key(serial),
                    StoredPath(path.clone()).encode().to_vec(),
                );
                settled.insert(serial, path);
                refunds.push(Refund {
                    wallet: WalletNumber(beneficiary),
                    serial,
                    value: amount,
                    charged: None,
                });
            }
        }
        // After the hop claims: change a payee handed over and lost is
        // refunded by its claim first, and then counts as arrived.
        self.settle_promises(now_ms, &mut batch, &mut settled, &mut refunds)?;
        batch.commit().map_err(storage)?;
        Ok(refunds)
    }
}
