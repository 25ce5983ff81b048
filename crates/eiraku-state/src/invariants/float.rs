//! `money.float`: each economy's offline float is exactly the value its
//! wallets were loaded with and not yet recorded as notes, plus the value
//! of recorded notes not yet credited back. Loads, issuance records and
//! deposits move the two sides together; nothing else moves either.

use super::{broken, Broken, Invariant};
use crate::money::{IssuedRange, Money, PendingLoad};
use eiraku_core::{cash::wallet_economy, EconomyCode};
use imbl::ordmap::DiffItem;
use std::collections::BTreeMap;

/// Value of a pending load, signed, under its wallet's economy.
fn load_value(load: &PendingLoad) -> (Option<EconomyCode>, i128) {
    (wallet_economy(load.wallet), load.amount.0 as i128)
}

/// Value of a range's notes not yet credited.
fn outstanding(range: &IssuedRange) -> i128 {
    range.total.0 as i128 - range.credited.0 as i128
}

/// Checks the float moved with what one transaction changed (the
/// persistent maps' differences: the cost follows the change).
pub(super) fn check_float_change(before: &Money, after: &Money) -> Result<(), Broken> {
    let mut expected: BTreeMap<Option<EconomyCode>, i128> = BTreeMap::new();
    let mut add = |economy: Option<EconomyCode>, value: i128| {
        *expected.entry(economy).or_default() += value;
    };
    for item in before.cash.loads.diff(&after.cash.loads) {
        match item {
            DiffItem::Add(_, load) => {
                let (economy, value) = load_value(load);
                add(economy, value);
            }
            DiffItem::Update { old, new } => {
                let (was, old) = load_value(old.1);
                let (is, new) = load_value(new.1);
                add(was, -old);
                add(is, new);
            }
            DiffItem::Remove(_, load) => {
                let (economy, value) = load_value(load);
                add(economy, -value);
            }
        }
    }
    for item in before.cash.issued.diff(&after.cash.issued) {
        match item {
            DiffItem::Add((economy, _), range) => add(Some(*economy), outstanding(range)),
            DiffItem::Update { old, new } => {
                add(Some(old.0 .0), -outstanding(old.1));
                add(Some(new.0 .0), outstanding(new.1));
            }
            DiffItem::Remove((economy, _), range) => add(Some(*economy), -outstanding(range)),
        }
    }
    let mut moved: BTreeMap<Option<EconomyCode>, i128> = BTreeMap::new();
    for item in before.economies.diff(&after.economies) {
        if let DiffItem::Update { old, new } = item {
            let by = new.1.offline_float.0 as i128 - old.1.offline_float.0 as i128;
            moved.insert(Some(*new.0), by);
        }
    }
    let economies = expected.keys().chain(moved.keys()).copied();
    for economy in economies.collect::<std::collections::BTreeSet<_>>() {
        let (owed, float) = (
            expected.get(&economy).copied().unwrap_or(0),
            moved.get(&economy).copied().unwrap_or(0),
        );
        if owed != float {
            return Err(broken(
                Invariant::MoneyFloat,
                format!(
                    "{}: the float moved by {float} while its pending loads and uncredited notes moved by {owed}",
                    economy.map_or("a wallet of no economy".into(), |e| e.to_string())
                ),
            ));
        }
    }
    Ok(())
}

/// Checks every economy's float against all its pending loads and issued
/// ranges: for `eiraku verify`, never on a block's path.
pub(super) fn check_float_whole(money: &Money) -> Result<(), Broken> {
    let mut held: BTreeMap<Option<EconomyCode>, i128> = BTreeMap::new();
    for load in money.cash.loads.values() {
        let (economy, value) = load_value(load);
        *held.entry(economy).or_default() += value;
    }
    for ((economy, _), range) in &money.cash.issued {
        *held.entry(Some(*economy)).or_default() += outstanding(range);
    }
    for (code, books) in &money.economies {
        let expected = held.remove(&Some(*code)).unwrap_or(0);
        if books.offline_float.0 as i128 != expected {
            return Err(broken(
                Invariant::MoneyFloat,
                format!(
                    "{code}: the float is {} but pending loads and uncredited notes come to {expected}",
                    books.offline_float
                ),
            ));
        }
    }
    match held.into_iter().find(|(_, value)| *value != 0) {
        None => Ok(()),
        Some((economy, value)) => Err(broken(
            Invariant::MoneyFloat,
            format!("{value} loaded or issued for {economy:?}, which has no books"),
        )),
    }
}
