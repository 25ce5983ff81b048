//! The opening books: the money state a genesis file describes (seed 004's
//! starting point: each economy's genesis contribution accepted, its
//! accounts' opening balances issued against it).

use super::{Acceptance, Contribution, Economy, Money};
use crate::{authority::Authority, MoneyError};
use eiraku_core::{AccountId, Amount, EconomyCode, Genesis, MoneyGenesis, Role};
use imbl::{OrdMap, Vector};

impl Money {
    /// The money state a genesis file describes (`None` without a money
    /// section).
    pub fn from_genesis(genesis: &Genesis) -> Option<Self> {
        let config: &MoneyGenesis = genesis.money.as_ref()?;
        let mut travel_keys = OrdMap::new();
        let economies = config
            .economies
            .iter()
            .map(|e| {
                if let Some(key) = e.regulator_travel_key {
                    travel_keys.insert(e.regulator, key);
                }
                let economy = Economy {
                    currency: e.currency,
                    central_bank: e.central_bank,
                    regulator: e.regulator,
                    rate: e.rate,
                    rate_posted_ms: genesis.genesis_time_ms,
                    own_bonds: Amount::ZERO,
                    issued_bonds: Amount::ZERO,
                    contributed: Amount::ZERO,
                    tiers: e.tiers.iter().map(|t| (t.tier, *t)).collect(),
                    seigniorage: Amount::ZERO,
                    offline_float: Amount::ZERO,
                };
                (e.code, economy)
            })
            .collect();
        for account in &genesis.accounts {
            if let Some(key) = account.travel_key {
                travel_keys.insert(account.id, key);
            }
        }
        let mut money = Self {
            unit: config.unit.clone(),
            numeraire: config.numeraire,
            max_rate_age_ms: config.max_rate_age_ms,
            travel_rule_threshold: config.travel_rule_threshold,
            issuer: config.issuer,
            economies,
            travel_keys,
            frozen: OrdMap::new(),
            contributions: Vector::new(),
            claims: OrdMap::new(),
            settlements: Vector::new(),
            seigniorage_closed_ms: genesis.genesis_time_ms,
            seigniorage_periods: Vector::new(),
            suspended: OrdMap::new(),
            cash: Default::default(),
            purses: Default::default(),
        };
        money.accept_genesis_contributions(genesis, config);
        Some(money)
    }

    /// Genesis contributions are accepted at the genesis rates; the opening
    /// balances of each economy's accounts are coins issued against them.
    /// A genesis whose balances exceed their backing yields books that fail
    /// [`Money::check_invariants`] (see [`crate::validate_genesis`]).
    fn accept_genesis_contributions(&mut self, genesis: &Genesis, config: &MoneyGenesis) {
        let now_ms = genesis.genesis_time_ms;
        for economy in &config.economies {
            let Some(terms) = &economy.contribution else {
                continue;
            };
            let value = self
                .coin_value(&economy.currency, terms.face, now_ms)
                .unwrap_or_default();
            self.contributions.push_back(Contribution {
                id: self.contributions.len() as u64,
                economy: economy.code,
                instrument: terms.instrument.clone(),
                currency: economy.currency,
                face: terms.face,
                yield_bps: terms.yield_bps,
                maturity_ms: terms.maturity_ms,
                offered_ms: now_ms,
                accepted: Some(Acceptance {
                    acu_value: value,
                    accepted_ms: now_ms,
                }),
                withdrawn_ms: None,
            });
            self.economy_mut(&economy.code).contributed = value;
        }
        for account in &genesis.accounts {
            if let Some(economy) = account.role.and_then(|r| r.economy()) {
                if let Some(books) = self.economies.get_mut(&economy) {
                    books.issued_bonds =
                        Amount(books.issued_bonds.0.saturating_add(account.balance.0));
                }
            }
        }
        let codes: Vec<EconomyCode> = self.economies.keys().copied().collect();
        for code in codes {
            let books = self.economy_mut(&code);
            books.own_bonds = Amount(books.contributed.0.saturating_sub(books.issued_bonds.0));
        }
    }

    /// Opening balances above their retail tier's balance cap.
    pub fn genesis_cap_breaches<'a>(
        &self,
        roles: &Authority,
        accounts: impl IntoIterator<Item = (&'a AccountId, Amount)>,
    ) -> Option<MoneyError> {
        accounts.into_iter().find_map(|(id, balance)| {
            let Some(Role::Retail { economy, tier, .. }) = roles.role(id) else {
                return None;
            };
            let cap = self.economy(&economy).tiers.get(&tier)?.balance_cap;
            (balance > cap).then_some(MoneyError::BalanceCapExceeded {
                account: *id,
                cap,
                would_be: balance,
            })
        })
    }
}
