//! Economies and rates (seed 004: each central bank posts its currency's
//! rate; contributions are valued in coins at fresh rates): posting rates,
//! setting KYC tier caps, and the valuation of a currency amount in coins.

use super::{CallContext, Money};
use crate::{authority::Authority, MoneyError};
use eiraku_core::{Amount, CoinUnit, CurrencyCode, Rate, TierCaps};
use rust_decimal::{prelude::ToPrimitive, Decimal};

impl Money {
    /// A central bank posts its own currency's rate.
    pub(super) fn post_rate(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        rate: Rate,
    ) -> Result<(), MoneyError> {
        let economy = self.central_bank_economy(roles, ctx.sender)?;
        let books = self.economy_mut(&economy);
        books.rate = rate;
        books.rate_posted_ms = ctx.now_ms;
        Ok(())
    }

    /// A central bank sets one KYC tier's caps in its economy.
    pub(super) fn set_tier_caps(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        tier: u8,
        balance_cap: Amount,
        transfer_cap: Amount,
    ) -> Result<(), MoneyError> {
        let economy = self.central_bank_economy(roles, ctx.sender)?;
        self.economy_mut(&economy).tiers.insert(
            tier,
            TierCaps {
                tier,
                balance_cap,
                transfer_cap,
            },
        );
        Ok(())
    }

    /// A currency's rate if it is no older than `max_age_ms` at `now_ms`;
    /// the numeraire is 1.
    pub(super) fn rate(
        &self,
        currency: &CurrencyCode,
        now_ms: u64,
        max_age_ms: u64,
    ) -> Result<Decimal, MoneyError> {
        if *currency == self.numeraire {
            return Ok(Decimal::ONE);
        }
        let economy = self
            .economies
            .values()
            .find(|e| e.currency == *currency)
            .ok_or(MoneyError::UnknownCurrency {
                currency: *currency,
            })?;
        let age = now_ms.saturating_sub(economy.rate_posted_ms);
        if age > max_age_ms {
            return Err(MoneyError::StaleRate {
                currency: *currency,
                posted_ms: economy.rate_posted_ms,
                max_age_ms,
            });
        }
        Ok(economy.rate.value())
    }

    /// One coin unit in numeraire, from rates no older than `max_age_ms`.
    pub(super) fn unit_in_numeraire(
        &self,
        now_ms: u64,
        max_age_ms: u64,
    ) -> Result<Decimal, MoneyError> {
        match &self.unit {
            CoinUnit::Single { currency } => self.rate(currency, now_ms, max_age_ms),
            CoinUnit::Basket { basket } => basket.iter().try_fold(Decimal::ZERO, |sum, part| {
                let value = part
                    .quantity
                    .value()
                    .checked_mul(self.rate(&part.currency, now_ms, max_age_ms)?)
                    .ok_or(MoneyError::AmountTooLarge)?;
                sum.checked_add(value).ok_or(MoneyError::AmountTooLarge)
            }),
        }
    }

    /// Coin value of `face` minor units of `currency` at the rates last
    /// posted, however old: whether a contribution can be valued at all.
    pub(super) fn value_at_posted_rates(
        &self,
        currency: &CurrencyCode,
        face: Amount,
    ) -> Result<Amount, MoneyError> {
        self.value_at(currency, face, 0, u64::MAX)
    }

    /// Coin value of `face` minor units of `currency` at fresh rates,
    /// rounded down (the issuer never issues more than the contribution is
    /// worth).
    pub fn coin_value(
        &self,
        currency: &CurrencyCode,
        face: Amount,
        now_ms: u64,
    ) -> Result<Amount, MoneyError> {
        self.value_at(currency, face, now_ms, self.max_rate_age_ms)
    }

    /// Coin value of `face` minor units of `currency` at rates no older than
    /// `max_age_ms`, rounded down.
    fn value_at(
        &self,
        currency: &CurrencyCode,
        face: Amount,
        now_ms: u64,
        max_age_ms: u64,
    ) -> Result<Amount, MoneyError> {
        let rate = self.rate(currency, now_ms, max_age_ms)?;
        let unit = self.unit_in_numeraire(now_ms, max_age_ms)?;
        let face = Decimal::from_i128_with_scale(
            i128::try_from(face.0).map_err(|_| MoneyError::AmountTooLarge)?,
            0,
        );
        let value = face
            .checked_mul(rate)
            .and_then(|v| v.checked_div(unit))
            .ok_or(MoneyError::AmountTooLarge)?;
        value
            .floor()
            .to_u128()
            .map(Amount)
            .ok_or(MoneyError::AmountTooLarge)
    }
}
