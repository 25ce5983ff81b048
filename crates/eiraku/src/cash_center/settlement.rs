//! What the center settles after notes' lives end: in-doubt claims it
//! decides to refund (credited on the ledger with `refund` to the account
//! each claimant wallet is bound to, a revoked one's included), and ranges
//! of notes whose remainder it writes off (`write_off`). Run by a
//! background loop of the service, and safe to run again: every credit
//! goes through the pending store, and the ledger refuses what it has seen.

use super::{
    service::{failed_center, Refusal, Service},
    wire::{ClaimAnswer, ClaimNote},
};
use crate::clock::now_ms;
use eiraku_cash::{ClaimOutcome, SignedClaim};
use eiraku_core::{cash::MAX_DEPOSIT_NOTES, Amount, CashCall, DepositedNote};
use std::collections::BTreeMap;

impl Service {
    /// Files a wallet's signed claim on its in-doubt value.
    pub fn file_claim(&self, claim: &[u8]) -> Result<ClaimAnswer, Refusal> {
        let claim = SignedClaim::from_bytes(claim)
            .map_err(|e| Refusal::BadRequest(format!("the claim: {e}")))?;
        let outcomes = self
            .center()
            .file_claims(&claim)
            .map_err(|e| Refusal::Refused(e.to_string()))?;
        let notes = outcomes
            .iter()
            .map(|outcome| match outcome {
                ClaimOutcome::Arrived { serial } => ClaimNote {
                    serial: *serial,
                    outcome: "arrived".into(),
                    decided_after_ms: None,
                },
                ClaimOutcome::Pending {
                    serial,
                    decided_after_ms,
                } => ClaimNote {
                    serial: *serial,
                    outcome: "pending".into(),
                    decided_after_ms: Some(*decided_after_ms),
                },
            })
            .collect();
        Ok(ClaimAnswer { notes })
    }

    /// Decides the claims due, refunds them on the ledger, and writes off
    /// the ranges due. Failures are reported and retried at the next run.
    pub fn settle_once(&self) {
        // Credits younger than two finality waits may still be in flight.
        self.retry_pending(std::time::Duration::from_secs(120));
        if let Err(e) = self.refund_due_claims() {
            eprintln!("settling claims: {e}");
        }
        if let Err(e) = self.write_off_due_ranges() {
            eprintln!("writing off expired notes: {e}");
        }
    }

    fn refund_due_claims(&self) -> Result<(), Refusal> {
        let refunds = self
            .center()
            .settle_claims(now_ms())
            .map_err(failed_center)?;
        let mut owed: BTreeMap<u64, Vec<DepositedNote>> = BTreeMap::new();
        for refund in refunds {
            if let Some(payee) = refund.charged {
                // Change a payee kept and deposited: the payer is owed it
                // and the payee charged, which the ledger has no call for
                // yet; an operator settles it from this record.
                eprintln!(
                    "note {} ({}) is owed to wallet {} and charged to wallet {payee}: left to an operator",
                    refund.serial, refund.value, refund.wallet
                );
                continue;
            }
            owed.entry(refund.wallet.0)
                .or_default()
                .push(DepositedNote {
                    serial: refund.serial,
                    value: Amount(u128::from(refund.value)),
                });
        }
        for (wallet, notes) in owed {
            let account = match self.ledger().client().cash_wallet(wallet) {
                Ok(view) => view.account,
                Err(e) => {
                    eprintln!("wallet {wallet}'s refund waits for an operator: {e}");
                    continue;
                }
            };
            for chunk in notes.chunks(MAX_DEPOSIT_NOTES) {
                let call = CashCall::Refund {
                    wallet,
                    account,
                    notes: chunk.to_vec(),
                };
                // Kept pending whatever the ledger answers: retried by
                // every settlement run until it is final.
                match self.credit_call(call) {
                    Ok(_) => eprintln!("refunded {} notes to wallet {wallet}", chunk.len()),
                    Err(e) => eprintln!("a refund to wallet {wallet} is pending: {e}"),
                }
            }
        }
        Ok(())
    }

    fn write_off_due_ranges(&self) -> Result<(), Refusal> {
        for (due_ms, first_serial) in self
            .center()
            .due_write_offs(now_ms())
            .map_err(failed_center)?
        {
            match self
                .ledger()
                .send_as_center(CashCall::WriteOff { first_serial })
            {
                Ok(_) => {
                    eprintln!("wrote off what was left of the notes from serial {first_serial}")
                }
                // Everything was credited: nothing to write off.
                Err(e) if format!("{e:#}").contains("zero_amount") => {}
                // The ledger's clock is behind the center's: next run.
                Err(e) if format!("{e:#}").contains("range_not_expired") => break,
                Err(e) => {
                    eprintln!(
                        "writing off from serial {first_serial} failed; retried next run: {e:#}"
                    );
                    continue;
                }
            }
            self.center()
                .write_off_done(due_ms, first_serial)
                .map_err(failed_center)?;
        }
        Ok(())
    }
}
