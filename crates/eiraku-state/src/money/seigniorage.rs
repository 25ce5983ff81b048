//! Seigniorage (seed 004: the yield of the accepted contributions, less
//! operating cost and an investment reserve, shared pro rata to
//! contributions): closing a period. Seigniorage is recorded, never minted.

use super::{add, redemption::pro_rata, CallContext, Money, SeigniorPeriod, YEAR_MS};
use crate::MoneyError;
use eiraku_core::{Amount, EconomyCode};
use std::collections::BTreeMap;

impl Money {
    pub(super) fn close_seigniorage(
        &mut self,
        ctx: &CallContext<'_>,
        operating_cost: Amount,
        reserve: Amount,
    ) -> Result<(), MoneyError> {
        if *ctx.sender != self.issuer {
            return Err(MoneyError::NotIssuer);
        }
        let from_ms = self.seigniorage_closed_ms;
        let to_ms = ctx.now_ms;
        if to_ms <= from_ms {
            return Err(MoneyError::EmptyPeriod);
        }
        let mut income = 0u128;
        for contribution in &self.contributions {
            let Some(acceptance) = contribution.accepted else {
                continue;
            };
            let start = from_ms.max(acceptance.accepted_ms);
            let end = to_ms.min(contribution.maturity_ms);
            if end <= start {
                continue;
            }
            let earned = acceptance
                .acu_value
                .0
                .checked_mul(contribution.yield_bps as u128)
                .and_then(|v| v.checked_mul((end - start) as u128))
                .ok_or(MoneyError::AmountTooLarge)?
                / (10_000 * YEAR_MS);
            income = income
                .checked_add(earned)
                .ok_or(MoneyError::AmountTooLarge)?;
        }
        let net = income
            .saturating_sub(operating_cost.0)
            .saturating_sub(reserve.0);
        let weights: BTreeMap<EconomyCode, u128> = self
            .economies
            .iter()
            .map(|(code, books)| (*code, books.contributed.0))
            .collect();
        let shares = pro_rata(net, &weights)?;
        for (code, share) in &shares {
            let books = self.economy(code);
            add(books.seigniorage, Amount(*share))?;
        }
        for (code, share) in &shares {
            let books = self.economy_mut(code);
            books.seigniorage = Amount(books.seigniorage.0 + share);
        }
        self.seigniorage_periods.push_back(SeigniorPeriod {
            from_ms,
            to_ms,
            income: Amount(income),
            operating_cost,
            reserve,
            shares: shares.into_iter().map(|(c, s)| (c, Amount(s))).collect(),
        });
        self.seigniorage_closed_ms = to_ms;
        Ok(())
    }
}
