//! Re-weighing the ACU (a class-A governance amendment): the proposal
//! gives the new composition's proportions; at the switch, with fresh
//! rates, the quantities are scaled so that one ACU is worth what it was
//! worth just before, as the ECU was re-weighted. Amounts of coins and
//! bonds are in ACU and do not change.

use super::Money;
use crate::{governance::AmendmentError, MoneyError};
use eiraku_core::{BasketPart, CoinUnit, Rate};
use rust_decimal::Decimal;

/// Decimal places of a re-weighed quantity: far below a minor unit of any
/// rate, so the value moves by much less than one.
const QUANTITY_PLACES: u32 = 12;

/// What "within one minor unit" allows: a hundredth of the numeraire.
fn one_minor_unit() -> Decimal {
    Decimal::new(1, 2)
}

impl Money {
    /// Switches to `proposed`'s composition at block time `now_ms`, scaled
    /// to keep the ACU's value. Nothing changes on error.
    pub(super) fn reweigh(
        &mut self,
        proposed: &[BasketPart],
        now_ms: u64,
    ) -> Result<(), AmendmentError> {
        if !matches!(self.unit, CoinUnit::Basket { .. }) {
            return Err(AmendmentError::NotABasket);
        }
        let before = self
            .unit_in_numeraire(now_ms, self.max_rate_age_ms)
            .map_err(reason)?;
        let proportions = self.value_of(proposed, now_ms)?;
        let scale = before
            .checked_div(proportions)
            .ok_or(AmendmentError::BadBasket)?;
        let basket = (proposed.iter())
            .map(|part| {
                let quantity = (part.quantity.value().checked_mul(scale))
                    .map(|q| q.round_dp(QUANTITY_PLACES))
                    .ok_or(AmendmentError::BadBasket)?;
                Ok(BasketPart {
                    currency: part.currency,
                    quantity: Rate::new(quantity).map_err(|_| AmendmentError::BadBasket)?,
                })
            })
            .collect::<Result<Vec<_>, AmendmentError>>()?;
        let after = self.value_of(&basket, now_ms)?;
        if (after - before).abs() > one_minor_unit() {
            return Err(AmendmentError::BasketValueMoved);
        }
        self.unit = CoinUnit::Basket { basket };
        Ok(())
    }

    /// A basket's value in the numeraire at fresh rates.
    fn value_of(&self, basket: &[BasketPart], now_ms: u64) -> Result<Decimal, AmendmentError> {
        basket.iter().try_fold(Decimal::ZERO, |sum, part| {
            let rate = (self.rate(&part.currency, now_ms, self.max_rate_age_ms)).map_err(reason)?;
            (part.quantity.value().checked_mul(rate))
                .and_then(|value| sum.checked_add(value))
                .ok_or(AmendmentError::BadBasket)
        })
    }
}

/// Why valuing the basket failed, as the proposal's recorded reason.
fn reason(error: MoneyError) -> AmendmentError {
    match error {
        MoneyError::StaleRate { .. } => AmendmentError::StaleRates,
        MoneyError::UnknownCurrency { .. } => AmendmentError::UnknownCurrency,
        _ => AmendmentError::BadBasket,
    }
}
