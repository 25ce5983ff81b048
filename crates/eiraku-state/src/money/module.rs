//! The money module behind the module interface: which calls it takes, the
//! state keys it holds and its invariants.

use super::{CallContext as MoneyCaller, Money};
use crate::{
    authority::Authority,
    changes::{list, map},
    governance::{check_parameter, AmendmentError},
    invariants::{self, Broken},
    module::{CallContext, ChangeContext, Module},
    money_codec::entry,
    Accounts, Change, EntryError, ExecutionError, MoneyError,
};
use eiraku_core::MoneyKey;
use eiraku_core::{
    governance::{Amendment, Parameter},
    AccountId, Call, StateKey,
};

/// The money module is set at genesis: a chain's states all have it or all
/// lack it.
impl Module for Option<Money> {
    fn apply(
        &mut self,
        call: &Call,
        cx: &mut CallContext<'_, '_>,
    ) -> Option<Result<(), ExecutionError>> {
        let sender = &cx.tx.transaction.sender;
        let done = match (call, self) {
            // A plain transfer is a payment under the money rules, without
            // travel-rule data.
            (Call::Transfer { to, amount }, Some(money)) => {
                money.pay(cx.accounts, cx.authority, sender, to, *amount, None)
            }
            (Call::Money(call), Some(money)) => {
                let caller = MoneyCaller {
                    sender,
                    now_ms: cx.env.timestamp_ms,
                    nonce: cx.tx.transaction.nonce,
                    tx_hash: cx.tx.hash(),
                };
                money.apply(cx.accounts, cx.authority, &caller, call)
            }
            (Call::Cash(call), Some(money)) => {
                let caller = MoneyCaller {
                    sender,
                    now_ms: cx.env.timestamp_ms,
                    nonce: cx.tx.transaction.nonce,
                    tx_hash: cx.tx.hash(),
                };
                let chain = &cx.tx.transaction.chain_id;
                money.apply_cash(cx.accounts, cx.authority, &caller, chain, call)
            }
            (Call::Money(_) | Call::Cash(_), None) => Err(MoneyError::NoMoneyModule),
            _ => return None,
        };
        Some(done.map_err(ExecutionError::from))
    }

    fn accounts_touched(call: &Call) -> Option<Vec<&AccountId>> {
        match call {
            Call::Money(call) => Some(Money::other_account(call).into_iter().collect()),
            Call::Cash(call) => Some(call.other_account().into_iter().collect()),
            _ => None,
        }
    }

    fn enact(&mut self, amendment: &Amendment, now_ms: u64) -> Option<Result<(), AmendmentError>> {
        self.as_mut()?.enact(amendment, now_ms)
    }

    fn from_entries(entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError> {
        crate::money_entries::money_from_entries(entries)
    }

    fn entries(&self, out: &mut Vec<Change>) {
        let Some(m) = self else {
            return;
        };
        let mut put = |key: StateKey, value: Vec<u8>| out.push((key, Some(value)));
        put(StateKey::Money(MoneyKey::Config), entry::config(m));
        for (code, books) in &m.economies {
            put(
                StateKey::Money(MoneyKey::Economy(*code)),
                entry::economy(books),
            );
        }
        for (id, key) in &m.travel_keys {
            put(
                StateKey::Money(MoneyKey::TravelKey(*id)),
                entry::travel_key(key),
            );
        }
        for (id, freeze) in &m.frozen {
            put(
                StateKey::Money(MoneyKey::Freeze(*id)),
                entry::freeze(freeze),
            );
        }
        for (id, suspension) in &m.suspended {
            put(
                StateKey::Money(MoneyKey::Suspension(*id)),
                entry::freeze(suspension),
            );
        }
        for ((creditor, debtor), amount) in &m.claims {
            let (creditor, debtor) = (*creditor, *debtor);
            put(
                StateKey::Money(MoneyKey::Claim { creditor, debtor }),
                entry::claim(amount),
            );
        }
        for (n, c) in m.contributions.iter().enumerate() {
            put(
                StateKey::Money(MoneyKey::Contribution(n as u64)),
                entry::contribution(c),
            );
        }
        for (n, s) in m.settlements.iter().enumerate() {
            put(
                StateKey::Money(MoneyKey::Settlement(n as u64)),
                entry::settlement(s),
            );
        }
        for (n, p) in m.seigniorage_periods.iter().enumerate() {
            put(
                StateKey::Money(MoneyKey::SeigniorPeriod(n as u64)),
                entry::period(p),
            );
        }
        super::cash_state::entries(&m.cash, out);
        super::purse_state::entries(&m.purses, out);
    }

    fn changes(&self, before: &Self, out: &mut Vec<Change>) {
        // A genesis's entries are listed by `entries`.
        let (Some(before), Some(after)) = (before, self) else {
            return;
        };
        let config = entry::config(after);
        if entry::config(before) != config {
            out.push((StateKey::Money(MoneyKey::Config), Some(config)));
        }
        let (b, a) = (before, after);
        map(
            &b.economies,
            &a.economies,
            |key| StateKey::Money(MoneyKey::Economy(key)),
            entry::economy,
            out,
        );
        let travel_key = entry::travel_key;
        map(
            &b.travel_keys,
            &a.travel_keys,
            |key| StateKey::Money(MoneyKey::TravelKey(key)),
            travel_key,
            out,
        );
        map(
            &b.frozen,
            &a.frozen,
            |key| StateKey::Money(MoneyKey::Freeze(key)),
            entry::freeze,
            out,
        );
        map(
            &b.suspended,
            &a.suspended,
            |key| StateKey::Money(MoneyKey::Suspension(key)),
            entry::freeze,
            out,
        );
        let claim = |(creditor, debtor)| StateKey::Money(MoneyKey::Claim { creditor, debtor });
        map(&b.claims, &a.claims, claim, entry::claim, out);
        let contribution = entry::contribution;
        list(
            &b.contributions,
            &a.contributions,
            |key| StateKey::Money(MoneyKey::Contribution(key)),
            contribution,
            out,
        );
        list(
            &b.settlements,
            &a.settlements,
            |key| StateKey::Money(MoneyKey::Settlement(key)),
            entry::settlement,
            out,
        );
        let period = |key| StateKey::Money(MoneyKey::SeigniorPeriod(key));
        list(
            &b.seigniorage_periods,
            &a.seigniorage_periods,
            period,
            entry::period,
            out,
        );
        super::cash_state::changes(&b.cash, &a.cash, out);
        super::purse_state::changes(&b.purses, &a.purses, out);
    }

    fn check_change(&self, before: &Self, cx: &ChangeContext<'_>) -> Result<(), Broken> {
        let (Some(was), Some(is)) = (before, self) else {
            return Ok(());
        };
        let balances = cx.balances.iter().map(|(id, was, is)| (id, *was, *is));
        invariants::check_money_change(balances, cx.authority, was, is)
    }

    fn check_whole(&self, accounts: &Accounts, authority: &Authority) -> Result<(), Broken> {
        match self {
            Some(money) => money.check_invariants(accounts, authority),
            None => Ok(()),
        }
    }

    fn has_invariants(&self) -> bool {
        self.is_some()
    }
}

impl Money {
    /// Enacts a parameter or basket change governance passed.
    fn enact(&mut self, amendment: &Amendment, now_ms: u64) -> Option<Result<(), AmendmentError>> {
        let parameter = match amendment {
            Amendment::SetParameter(parameter) => parameter,
            Amendment::SetBasket { basket } => return Some(self.reweigh(basket, now_ms)),
            Amendment::LiftSuspension { bank } => return Some(self.lift_suspension(bank)),
            _ => return None,
        };
        if let Parameter::KeyReplacementDelayMs(_) = parameter {
            return None;
        }
        if let Err(reason) = check_parameter(parameter) {
            return Some(Err(reason));
        }
        match *parameter {
            Parameter::MaxRateAgeMs(ms) => self.max_rate_age_ms = ms,
            Parameter::TravelRuleThreshold(amount) => self.travel_rule_threshold = amount,
            Parameter::KeyReplacementDelayMs(_) => unreachable!("the keys module's"),
        }
        Some(Ok(()))
    }
}
