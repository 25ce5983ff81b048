//! Claims on promised change: a payer whose change never came files its
//! payment record with the payee's signed promise; once the change notes'
//! life is over, the center refunds the payer each promised note that
//! never reached it, and charges the payee for one it kept and spent.

use super::*;
use crate::{ChangePromise, InDoubt, PayeeSignature, SealedNote};

/// Where a filing stages its promise claims.
pub(super) struct Filing<'a> {
    pub batch: &'a mut fjall::Batch,
    pub filed: &'a mut BTreeMap<[u8; 16], Vec<u8>>,
    pub outcomes: &'a mut Vec<ClaimOutcome>,
}

fn promise_key(serial: u64, payer: WalletNumber) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&serial.to_be_bytes());
    key[8..].copy_from_slice(&payer.0.to_be_bytes());
    key
}

fn refused(reason: &str) -> CenterError {
    CashError::Protocol(format!("promise of change: {reason}")).into()
}

impl IssuanceCenter {
    /// Checks a payment record's promise (signed by the payee for exactly
    /// this payment, its change notes sealed by this center and issued as
    /// shown, the sums adding up) and stages a claim on each change note.
    pub(super) fn file_promise(
        &self,
        claimant: WalletNumber,
        record: &InDoubt,
        promise: &ChangePromise,
        mut filing: Filing<'_>,
    ) -> Result<(), CenterError> {
        let agreement = &promise.signed.agreement;
        let paid: Vec<u64> = record.notes.iter().map(|n| n.note.note.serial).collect();
        let change: Vec<u64> = promise.change.iter().map(|n| n.note.serial).collect();
        if agreement.payer != claimant
            || agreement.payee != record.to
            || agreement.paid != paid
            || agreement.change != change
        {
            return Err(refused("it is not for this payment"));
        }
        let payee_key = self
            .wallet_key(record.to)?
            .ok_or(CashError::UnknownWallet(record.to))?;
        if !promise.signed.verify(&payee_key, PayeeSignature::Promise) {
            return Err(CashError::BadPayeeSignature {
                what: "promise of change",
            }
            .into());
        }
        for note in &promise.change {
            let serial = note.note.serial;
            if note.verify(&self.keys.public().signing).is_err()
                || self.issued(serial)?.digest != note.digest()
            {
                return Err(CashError::BadSeal { serial }.into());
            }
        }
        let offered: u64 = record.notes.iter().map(|n| n.note.note.denomination).sum();
        let returned: u64 = promise.change.iter().map(|n| n.note.denomination).sum();
        if offered.checked_sub(agreement.amount) != Some(returned) {
            return Err(refused("the change does not add up"));
        }
        for note in &promise.change {
            self.stage_promise(claimant, record.to, note, &mut filing)?;
            filing.outcomes.push(ClaimOutcome::Pending {
                serial: note.note.serial,
                decided_after_ms: note.note.valid_until_ms,
            });
        }
        Ok(())
    }

    /// Stages the claim on one promised note; never overwrites a different
    /// claim of the same payer on it.
    fn stage_promise(
        &self,
        payer: WalletNumber,
        payee: WalletNumber,
        note: &SealedNote,
        filing: &mut Filing<'_>,
    ) -> Result<(), CenterError> {
        let serial = note.note.serial;
        let key = promise_key(serial, payer);
        let mut value = Vec::with_capacity(24);
        value.extend_from_slice(&payee.0.to_be_bytes());
        value.extend_from_slice(&note.note.denomination.to_be_bytes());
        value.extend_from_slice(&note.note.valid_until_ms.to_be_bytes());
        let earlier = match filing.filed.get(&key) {
            Some(earlier) => Some(earlier.clone()),
            None => self.promises.get(key).map_err(storage)?.map(|v| v.to_vec()),
        };
        match earlier {
            Some(earlier) if earlier != value => {
                Err(CashError::ClaimTaken { serial, hop: 0 }.into())
            }
            Some(_) => Ok(()),
            None => {
                filing.batch.insert(&self.promises, key, value.clone());
                filing.filed.insert(key, value);
                Ok(())
            }
        }
    }

    /// Decides every promise claim whose note's life ended before
    /// `now_ms`. A promised note whose path shows the hop from payee to
    /// payer arrived (or was refunded by the payee's own claim). Otherwise
    /// the payer is refunded; a payee that kept the note and spent it on
    /// (it was deposited along another path) is charged; a note never
    /// deposited is recorded as settled, so a late deposit is not credited.
    pub(super) fn settle_promises(
        &self,
        now_ms: u64,
        batch: &mut fjall::Batch,
        settled: &mut BTreeMap<u64, Vec<SignedEntry>>,
        refunds: &mut Vec<Refund>,
    ) -> Result<(), CenterError> {
        for item in self.promises.iter() {
            let (key, value) = item.map_err(storage)?;
            let word = |bytes: &[u8], at: usize| stored_u64(bytes, at, "promise claim");
            let (serial, payer) = (word(&key, 0)?, WalletNumber(word(&key, 8)?));
            let (payee, amount) = (WalletNumber(word(&value, 0)?), word(&value, 8)?);
            if word(&value, 16)? >= now_ms {
                continue;
            }
            batch.remove(&self.promises, key.to_vec());
            let path = match settled.get(&serial) {
                Some(path) => Some(path.clone()),
                None => self.deposited_path(serial)?,
            };
            let arrived = path.as_ref().is_some_and(|path| {
                path.iter()
                    .any(|hop| hop.entry.from == payee && hop.entry.to == payer)
            });
            if arrived {
                continue;
            }
            if path.is_none() {
                batch.insert(
                    &self.deposited,
                    serial_key(serial),
                    StoredPath(vec![]).encode().to_vec(),
                );
                settled.insert(serial, vec![]);
            }
            refunds.push(Refund {
                wallet: payer,
                serial,
                value: amount,
                charged: path.is_some().then_some(payee),
            });
        }
        Ok(())
    }
}
