//! Coin amounts as people write and read them: `1.50 ACU`, not `150`.
//!
//! The ledger counts coins in minor units (an [`Amount`]); a coin has
//! [`COIN_DECIMALS`] decimals. Its symbol is the genesis's (`ACU` for a
//! basket, the currency code for a single currency): a process serves or
//! talks to one chain, and sets it once ([`set_coin_symbol`]) so that every
//! message it writes names the unit. Presentation only: nothing on chain
//! reads it.

use crate::{genesis::CoinUnit, Amount};
use rust_decimal::Decimal;
use std::{fmt, sync::OnceLock};

/// Decimals of one coin: 1 coin = 100 minor units.
pub const COIN_DECIMALS: u32 = 2;

/// The suffix that marks an amount given in minor units (`150minor`).
pub const MINOR_SUFFIX: &str = "minor";

/// The symbol a basket coin goes by when the process knows no other.
pub const DEFAULT_SYMBOL: &str = "ACU";

static SYMBOL: OnceLock<String> = OnceLock::new();

/// Sets this process's coin symbol; the first call wins.
pub fn set_coin_symbol(symbol: &str) {
    let _ = SYMBOL.set(symbol.to_owned());
}

/// This process's coin symbol (`ACU` until set).
pub fn coin_symbol() -> &'static str {
    SYMBOL.get().map_or(DEFAULT_SYMBOL, String::as_str)
}

/// Whether this process knows its chain's coin (a unit written after an
/// amount can then be checked).
pub fn coin_symbol_known() -> bool {
    SYMBOL.get().is_some()
}

/// The symbol of a coin `unit`: `ACU` for a basket, else its currency.
pub fn symbol_of(unit: &CoinUnit) -> String {
    match unit {
        CoinUnit::Basket { .. } => DEFAULT_SYMBOL.to_owned(),
        CoinUnit::Single { currency } => currency.to_string(),
    }
}

/// An amount of coins shown in the unit: `9998.95 ACU`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coins(pub Amount);

impl fmt::Display for Coins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", decimal_text(self.0), coin_symbol())
    }
}

/// `999895` minor units as `9998.95`.
pub fn decimal_text(amount: Amount) -> String {
    let scale = 10u128.pow(COIN_DECIMALS);
    let (whole, fraction) = (amount.0 / scale, amount.0 % scale);
    format!("{whole}.{fraction:0width$}", width = COIN_DECIMALS as usize)
}

/// Why a text is not an amount of coins.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CoinsError {
    /// Not a number.
    #[error("{0:?} is not an amount: write it in {symbol} with at most {COIN_DECIMALS} decimals (1.50 or \"1.50 {symbol}\"), or in minor units with the suffix minor (150minor)", symbol = coin_symbol())]
    NotAnAmount(String),
    /// More decimals than a coin has.
    #[error("{0:?} has more than {COIN_DECIMALS} decimals; the smallest amount is 0.01 {symbol}", symbol = coin_symbol())]
    TooPrecise(String),
    /// Another unit than this chain's coin.
    #[error("{text:?} is in {unit}, but this chain's coin is {symbol}", symbol = coin_symbol())]
    OtherUnit {
        /// What was written.
        text: String,
        /// The unit written.
        unit: String,
    },
    /// A unit written where the chain's coin is not known (no genesis at
    /// hand): it could not be checked.
    #[error("{0:?} names a unit this command cannot check (no genesis file in --network); write the amount without it")]
    UnknownUnit(String),
    /// Below zero or beyond what the ledger counts.
    #[error("{0:?} is out of range")]
    OutOfRange(String),
}

/// Reads an amount of coins: `1.50`, `1.50 ACU` (this process's symbol) or
/// `150minor`.
pub fn parse_coins(text: &str) -> Result<Amount, CoinsError> {
    let trimmed = text.trim();
    if let Some(minor) = trimmed.strip_suffix(MINOR_SUFFIX) {
        return (minor.trim().parse::<u128>())
            .map(Amount)
            .map_err(|_| CoinsError::NotAnAmount(text.to_owned()));
    }
    let split = trimmed
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    if !unit.is_empty() && !coin_symbol_known() {
        return Err(CoinsError::UnknownUnit(text.to_owned()));
    }
    if !unit.is_empty() && unit != coin_symbol() {
        return Err(CoinsError::OtherUnit {
            text: text.to_owned(),
            unit: unit.to_owned(),
        });
    }
    let value = Decimal::from_str_exact(number.trim())
        .map_err(|_| CoinsError::NotAnAmount(text.to_owned()))?;
    if value.is_sign_negative() {
        return Err(CoinsError::OutOfRange(text.to_owned()));
    }
    if value.normalize().scale() > COIN_DECIMALS {
        return Err(CoinsError::TooPrecise(text.to_owned()));
    }
    let minor = value
        .checked_mul(Decimal::from(10u64.pow(COIN_DECIMALS)))
        .ok_or_else(|| CoinsError::OutOfRange(text.to_owned()))?;
    u128::try_from(minor.trunc())
        .map(Amount)
        .map_err(|_| CoinsError::OutOfRange(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_units_symbols_and_minor_units() {
        set_coin_symbol(DEFAULT_SYMBOL);
        assert_eq!(parse_coins("1.50"), Ok(Amount(150)));
        assert_eq!(parse_coins("1.5 ACU"), Ok(Amount(150)));
        assert_eq!(parse_coins("20000"), Ok(Amount(2_000_000)));
        assert_eq!(parse_coins("0"), Ok(Amount(0)));
        assert_eq!(parse_coins("150minor"), Ok(Amount(150)));
        assert_eq!(parse_coins("1.500"), Ok(Amount(150)));
    }

    #[test]
    fn refuses_what_it_cannot_read_exactly() {
        set_coin_symbol(DEFAULT_SYMBOL);
        assert!(matches!(
            parse_coins("1.505"),
            Err(CoinsError::TooPrecise(_))
        ));
        assert!(matches!(
            parse_coins("1.50 USD"),
            Err(CoinsError::OtherUnit { .. })
        ));
        assert!(matches!(parse_coins("-1"), Err(CoinsError::OutOfRange(_))));
        assert!(matches!(
            parse_coins("1,50"),
            Err(CoinsError::NotAnAmount(_))
        ));
        assert!(matches!(
            parse_coins("1.5minor"),
            Err(CoinsError::NotAnAmount(_))
        ));
        assert!(matches!(parse_coins(""), Err(CoinsError::NotAnAmount(_))));
    }

    #[test]
    fn prints_in_the_unit() {
        assert_eq!(decimal_text(Amount(999_895)), "9998.95");
        assert_eq!(decimal_text(Amount(5)), "0.05");
        assert_eq!(Coins(Amount(150)).to_string(), "1.50 ACU");
    }
}
