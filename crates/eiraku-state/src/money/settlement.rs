//! Settlement between central banks (seed 004: a repatriation leaves a
//! claim; the debtor records a settlement, the creditor confirms it and the
//! claim clears): claims, proposing and confirming settlements.

use super::{sub, CallContext, Claim, Money, Settlement};
use crate::{authority::Authority, MoneyError};
use eiraku_core::{Amount, EconomyCode};
use imbl::OrdMap;

impl Money {
    pub(super) fn claim_list(
        claims: &OrdMap<(EconomyCode, EconomyCode), Amount>,
    ) -> impl Iterator<Item = Claim> + '_ {
        claims.iter().map(|((creditor, debtor), amount)| Claim {
            creditor: *creditor,
            debtor: *debtor,
            amount: *amount,
        })
    }

    /// Outstanding claims between central banks.
    pub fn claims(&self) -> Vec<Claim> {
        Self::claim_list(&self.claims).collect()
    }

    /// A claim less the settlements recorded but not yet confirmed against it.
    fn open_claim(&self, creditor: &EconomyCode, debtor: &EconomyCode) -> Amount {
        let claim = self
            .claims
            .get(&(*creditor, *debtor))
            .copied()
            .unwrap_or_default();
        let pending: u128 = self
            .settlements
            .iter()
            .filter(|s| s.creditor == *creditor && s.debtor == *debtor && s.confirmed_ms.is_none())
            .map(|s| s.amount.0)
            .sum();
        Amount(claim.0.saturating_sub(pending))
    }

    /// The debtor's central bank records a settlement of (part of) an open
    /// claim.
    pub(super) fn propose_settlement(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        creditor: &EconomyCode,
        amount: Amount,
    ) -> Result<(), MoneyError> {
        let debtor = self.central_bank_economy(roles, ctx.sender)?;
        if amount == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        let owed = self.open_claim(creditor, &debtor);
        if amount > owed {
            return Err(MoneyError::SettlementExceedsClaim {
                claim: owed,
                amount,
            });
        }
        self.settlements.push_back(Settlement {
            id: self.settlements.len() as u64,
            creditor: *creditor,
            debtor,
            amount,
            proposed_ms: ctx.now_ms,
            confirmed_ms: None,
        });
        Ok(())
    }

    /// The creditor's central bank confirms a settlement: the claim clears
    /// by its amount.
    pub(super) fn confirm_settlement(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        id: u64,
    ) -> Result<(), MoneyError> {
        let economy = self.central_bank_economy(roles, ctx.sender)?;
        let settlement = *self
            .settlements
            .get(id as usize)
            .ok_or(MoneyError::UnknownSettlement { id })?;
        if settlement.creditor != economy {
            return Err(MoneyError::NotCreditor { id });
        }
        if settlement.confirmed_ms.is_some() {
            return Err(MoneyError::AlreadyConfirmed { id });
        }
        let key = (settlement.creditor, settlement.debtor);
        let claim = self.claims.get(&key).copied().unwrap_or_default();
        let left = sub(
            claim,
            settlement.amount,
            MoneyError::SettlementExceedsClaim {
                claim,
                amount: settlement.amount,
            },
        )?;
        if left == Amount::ZERO {
            self.claims.remove(&key);
        } else {
            self.claims.insert(key, left);
        }
        self.settlements[id as usize].confirmed_ms = Some(ctx.now_ms);
        Ok(())
    }
}
