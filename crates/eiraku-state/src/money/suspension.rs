//! Bank suspension: a central bank suspends one of its own banks (for a
//! failing capital ratio, a resolution, a breach of licence), with a
//! reason on the record. A suspended bank may not receive issuance, pay,
//! be paid, redeem or open accounts; its customers keep their coins and
//! pay anyone else. The bank returns to the network only when the member
//! economies agree: a class-B governance proposal lifts the suspension
//! (`Amendment::LiftSuspension`), so no central bank can quietly
//! readmit a bank the others rely on being safe.

use super::{CallContext, Freeze, Money};
use crate::{authority::Authority, governance::AmendmentError, MoneyError};
use eiraku_core::AccountId;

impl Money {
    /// The sender, a central bank, suspends `bank`, one of its economy's
    /// banks, with a reason.
    pub(super) fn suspend_bank(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        bank: &AccountId,
        reason: &str,
    ) -> Result<(), MoneyError> {
        self.central_bank_of(roles, ctx.sender, bank)?;
        if reason.trim().is_empty() {
            return Err(MoneyError::ReasonRequired);
        }
        if self.suspended.contains_key(bank) {
            return Err(MoneyError::AlreadySuspended { bank: *bank });
        }
        let suspension = Freeze {
            reason: reason.to_owned(),
            since_ms: ctx.now_ms,
        };
        self.suspended.insert(*bank, suspension);
        Ok(())
    }

    /// Whether `account` is not a suspended bank.
    pub(super) fn check_not_suspended(&self, account: &AccountId) -> Result<(), MoneyError> {
        match self.suspended.get(account) {
            Some(suspension) => Err(MoneyError::BankSuspended {
                bank: *account,
                reason: suspension.reason.clone(),
            }),
            None => Ok(()),
        }
    }

    /// The suspension of `bank`, if it is suspended.
    pub fn suspension_of(&self, bank: &AccountId) -> Option<&Freeze> {
        self.suspended.get(bank)
    }

    /// Whether governance can lift `bank`'s suspension: checked when
    /// proposed and again when enacted.
    pub(crate) fn check_lift(&self, bank: &AccountId) -> Result<(), AmendmentError> {
        if self.suspended.contains_key(bank) {
            Ok(())
        } else {
            Err(AmendmentError::NotSuspended)
        }
    }

    /// Lifts `bank`'s suspension (governance enacting it).
    pub(super) fn lift_suspension(&mut self, bank: &AccountId) -> Result<(), AmendmentError> {
        self.check_lift(bank)?;
        self.suspended.remove(bank);
        Ok(())
    }
}
