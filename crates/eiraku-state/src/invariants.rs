//! Named invariants, checked on what each transaction changed, in every
//! build on every validator.
//!
//! A transaction whose effects would break one is undone and fails with
//! `invariant_broken`, naming it: a fault in a module's rules can then never
//! reach a block, and every validator undoes the same transactions. The
//! checks read only what changed (the persistent maps share every untouched
//! node, so their difference is found without visiting the rest), so their
//! cost follows the transaction, not the number of accounts.

use crate::{
    authority::Authority,
    money::{Economy, Money},
    Accounts,
};
use eiraku_core::{AccountId, Amount, EconomyCode, Role};
use imbl::ordmap::DiffItem;
use std::fmt;

mod float;

/// A rule the state keeps after every transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invariant {
    /// Coins in accounts = Σ issued-account bonds.
    MoneyBacking,
    /// Own + issued bonds = accepted contributions, per economy.
    MoneyContributions,
    /// Only banks, merchants and persons hold coins.
    MoneyHolders,
    /// Each economy's offline float = its pending loads + the value of its
    /// recorded notes not yet credited.
    MoneyFloat,
}

impl Invariant {
    /// Its name, as errors, logs and `eiraku verify` print it.
    pub fn name(self) -> &'static str {
        match self {
            Invariant::MoneyBacking => "money.backing",
            Invariant::MoneyContributions => "money.contributions",
            Invariant::MoneyHolders => "money.holders",
            Invariant::MoneyFloat => "money.float",
        }
    }
}

/// An invariant found broken, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// Which.
    pub invariant: Invariant,
    /// What was found.
    pub detail: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.invariant.name(), self.detail)
    }
}

impl std::error::Error for Broken {}

fn broken(invariant: Invariant, detail: String) -> Broken {
    Broken { invariant, detail }
}

/// The parts of a state the money invariants read.
pub struct Books<'a> {
    /// Every account.
    pub accounts: &'a Accounts,
    /// Every role.
    pub authority: &'a Authority,
    /// The money state.
    pub money: &'a Money,
}

/// Checks the money invariants on what one transaction changed: each
/// account it wrote as (id, balance before, balance after), the roles after
/// it, and the money state before and after it.
pub fn check_money_change<'a>(
    balances: impl IntoIterator<Item = (&'a AccountId, Amount, Amount)>,
    authority: &Authority,
    before: &Money,
    after: &Money,
) -> Result<(), Broken> {
    check_backing_and_holders(balances, authority, before, after)?;
    check_contributions(before, after)?;
    float::check_float_change(before, after)
}

/// Σ balance changes must equal the change in issued bonds, and every
/// account whose balance changed to something must be a coin holder.
fn check_backing_and_holders<'a>(
    balances: impl IntoIterator<Item = (&'a AccountId, Amount, Amount)>,
    authority: &Authority,
    before: &Money,
    after: &Money,
) -> Result<(), Broken> {
    let (mut credited, mut debited) = (0u128, 0u128);
    for (id, old, new) in balances {
        if new > Amount::ZERO && new != old {
            check_holder(authority, id)?;
        }
        let overflow = || broken(Invariant::MoneyBacking, "balance total overflows".into());
        if new >= old {
            credited = credited.checked_add(new.0 - old.0).ok_or_else(overflow)?;
        } else {
            debited = debited.checked_add(old.0 - new.0).ok_or_else(overflow)?;
        }
    }
    let (was, is) = (before.circulation(), after.circulation());
    // coins_after − coins_before = credited − debited must equal is − was.
    if was.0.checked_add(credited) != is.0.checked_add(debited) {
        return Err(broken(
            Invariant::MoneyBacking,
            format!(
                "balances changed by +{credited} −{debited} while issued-account bonds went from {was} to {is}"
            ),
        ));
    }
    Ok(())
}

fn check_holder(authority: &Authority, id: &AccountId) -> Result<(), Broken> {
    match authority.role(id) {
        Some(Role::Bank { .. } | Role::Retail { .. } | Role::Agency { .. }) => Ok(()),
        _ => Err(broken(
            Invariant::MoneyHolders,
            format!("{id} holds coins but is not a bank, agency or retail account"),
        )),
    }
}

/// Every economy whose books changed keeps own + issued = contributed, and
/// its contributed value moves only with the contributions accepted.
fn check_contributions(before: &Money, after: &Money) -> Result<(), Broken> {
    let changed: Vec<(&EconomyCode, Option<&Economy>, &Economy)> = before
        .economies
        .diff(&after.economies)
        .filter_map(|item| match item {
            DiffItem::Add(code, books) => Some((code, None, books)),
            DiffItem::Update { old, new } => Some((new.0, Some(old.1), new.1)),
            DiffItem::Remove(..) => None,
        })
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    for (code, old, books) in &changed {
        books_balance(code, books)?;
        let was = old.map(|o| o.contributed).unwrap_or_default();
        if books.contributed != was {
            let accepted = newly_accepted(before, after, code);
            if was.0.checked_add(accepted) != Some(books.contributed.0) {
                return Err(broken(
                    Invariant::MoneyContributions,
                    format!(
                        "{code}: contributed went from {was} to {} but {accepted} was accepted",
                        books.contributed
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn books_balance(code: &EconomyCode, books: &Economy) -> Result<(), Broken> {
    let total = books.own_bonds.0.checked_add(books.issued_bonds.0);
    if total != Some(books.contributed.0) {
        return Err(broken(
            Invariant::MoneyContributions,
            format!(
                "{code}: own ({}) + issued ({}) bonds differ from accepted contributions ({})",
                books.own_bonds, books.issued_bonds, books.contributed
            ),
        ));
    }
    Ok(())
}

/// ACU value of `code`'s contributions accepted between `before` and
/// `after`. Contributions change only when offered, accepted or withdrawn:
/// rare calls, the only ones that pay for this walk.
fn newly_accepted(before: &Money, after: &Money, code: &EconomyCode) -> u128 {
    after
        .contributions
        .iter()
        .enumerate()
        .filter(|(_, c)| c.economy == *code)
        .filter(|(i, c)| {
            let was = before.contributions.get(*i).and_then(|b| b.accepted);
            was.is_none() && c.accepted.is_some()
        })
        .filter_map(|(_, c)| c.accepted.map(|a| a.acu_value.0))
        .fold(0u128, u128::saturating_add)
}

/// Every invariant over the whole state: for a genesis and for
/// `eiraku verify`, never on a block's path.
pub fn check_money_whole(books: &Books<'_>) -> Result<(), Broken> {
    // Read in any order (a sort of millions of accounts per checked block
    // would dominate `eiraku verify`): the total does not depend on it, and
    // of the accounts that are not coin holders the smallest id is named.
    let mut coins = 0u128;
    let mut stray: Option<&AccountId> = None;
    for (id, account) in books.accounts.iter_any_order() {
        if account.balance == Amount::ZERO {
            continue;
        }
        if check_holder(books.authority, id).is_err() {
            stray = Some(stray.map_or(id, |seen| seen.min(id)));
        }
        coins = coins
            .checked_add(account.balance.0)
            .ok_or_else(|| broken(Invariant::MoneyBacking, "coin total overflows".into()))?;
    }
    if let Some(id) = stray {
        check_holder(books.authority, id)?;
    }
    let issued = books.money.circulation();
    if coins != issued.0 {
        return Err(broken(
            Invariant::MoneyBacking,
            format!("coins in accounts ({coins}) differ from issued-account bonds ({issued})"),
        ));
    }
    for (code, economy) in &books.money.economies {
        books_balance(code, economy)?;
        let accepted: u128 = books
            .money
            .contributions
            .iter()
            .filter(|c| c.economy == *code)
            .filter_map(|c| c.accepted.map(|a| a.acu_value.0))
            .sum();
        if economy.contributed.0 != accepted {
            return Err(broken(
                Invariant::MoneyContributions,
                format!(
                    "{code}: contributed ({}) differs from accepted contributions ({accepted})",
                    economy.contributed
                ),
            ));
        }
    }
    books.money.purses.check_whole()?;
    float::check_float_whole(books.money)
}
