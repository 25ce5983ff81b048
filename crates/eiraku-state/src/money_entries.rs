//! The money state read back from its entries, one key each (what the
//! authenticated store and a node's store hold): the inverse of
//! `money_codec::entry`.

use crate::{money::Money, money_codec::read, EntryError};
use commonware_codec::{Copying, Error, ReadExt};
use eiraku_core::MoneyKey;
use eiraku_core::{travel_rule::TravelKey, Amount, StateKey};
use imbl::Vector;
use std::collections::BTreeMap;

/// The money state among `entries` (any order); `None` when they hold no
/// money settings (a chain without the money module).
pub(crate) fn money_from_entries(
    entries: &[(StateKey, Vec<u8>)],
) -> Result<Option<Money>, EntryError> {
    let Some((key, config)) = entries
        .iter()
        .find(|(k, _)| *k == StateKey::Money(MoneyKey::Config))
    else {
        return Ok(None);
    };
    let mut money = decode(key, config, read::config)?;
    let mut numbered = Numbered::default();
    for (key, value) in entries {
        match key {
            StateKey::Money(MoneyKey::Economy(code)) => {
                money
                    .economies
                    .insert(*code, decode(key, value, read::economy)?);
            }
            StateKey::Money(MoneyKey::TravelKey(id)) => {
                let bytes = decode(key, value, <[u8; 32]>::read)?;
                money.travel_keys.insert(*id, TravelKey(bytes));
            }
            StateKey::Money(MoneyKey::Freeze(id)) => {
                money.frozen.insert(*id, decode(key, value, read::freeze)?);
            }
            StateKey::Money(MoneyKey::Suspension(id)) => {
                let suspension = decode(key, value, read::freeze)?;
                money.suspended.insert(*id, suspension);
            }
            StateKey::Money(MoneyKey::Claim { creditor, debtor }) => {
                let amount = decode(key, value, Amount::read)?;
                money.claims.insert((*creditor, *debtor), amount);
            }
            StateKey::Money(MoneyKey::Contribution(n)) => {
                let item = decode(key, value, read::contribution)?;
                numbered.contributions.insert(*n, item);
            }
            StateKey::Money(MoneyKey::Settlement(n)) => {
                numbered
                    .settlements
                    .insert(*n, decode(key, value, read::settlement)?);
            }
            StateKey::Money(MoneyKey::SeigniorPeriod(n)) => {
                numbered
                    .periods
                    .insert(*n, decode(key, value, read::period)?);
            }
            _ => {
                if !crate::money::purse_state::read_entry(&mut money.purses, key, value)? {
                    crate::money::cash_state::read_entry(&mut money.cash, key, value)?;
                }
            }
        }
    }
    money.contributions = in_order(numbered.contributions, |key| {
        StateKey::Money(MoneyKey::Contribution(key))
    })?;
    money.settlements = in_order(numbered.settlements, |key| {
        StateKey::Money(MoneyKey::Settlement(key))
    })?;
    money.seigniorage_periods = in_order(numbered.periods, |key| {
        StateKey::Money(MoneyKey::SeigniorPeriod(key))
    })?;
    Ok(Some(money))
}

/// The numbered lists' entries by number, until they are checked gap-free.
#[derive(Default)]
struct Numbered {
    contributions: BTreeMap<u64, crate::money::Contribution>,
    settlements: BTreeMap<u64, crate::money::Settlement>,
    periods: BTreeMap<u64, crate::money::SeigniorPeriod>,
}

/// A numbered list from its entries, which must be numbered 0, 1, 2, ...
fn in_order<T: Clone>(
    items: BTreeMap<u64, T>,
    key: impl Fn(u64) -> StateKey,
) -> Result<Vector<T>, EntryError> {
    let mut list = Vector::new();
    for (expected, (n, item)) in (0u64..).zip(items) {
        if n != expected {
            return Err(EntryError::new(
                key(expected),
                "missing: the numbered entries have a gap",
            ));
        }
        list.push_back(item);
    }
    Ok(list)
}

/// One entry's value, read whole.
pub(crate) fn decode<'v, T>(
    key: &StateKey,
    value: &'v [u8],
    read: impl FnOnce(&mut Copying<'v>) -> Result<T, Error>,
) -> Result<T, EntryError> {
    let mut buf = Copying(value);
    let item = read(&mut buf).map_err(|e| EntryError::new(*key, e.to_string()))?;
    if bytes::Buf::has_remaining(&buf) {
        return Err(EntryError::new(*key, "trailing bytes"));
    }
    Ok(item)
}
