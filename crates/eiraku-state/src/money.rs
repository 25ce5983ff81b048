//! The money module: the AMRO coin (DESIGN.md §3, seed 004 §3–7).
//!
//! Coins are account balances. They come into being only when a central
//! bank issues them to one of its banks against issuance bonds in its own
//! account, which then move to its issued account; they disappear only when
//! a bank redeems them and the bonds move back. Every operation checks all
//! of its rules before it changes anything, so a refused call leaves the
//! state exactly as it was.

use crate::{
    authority::{Authority, GrantRule, RoleGrant},
    ledger::{Account, Accounts},
    MoneyError,
};
use eiraku_core::{
    travel_rule::TravelKey, AccountId, Amount, CoinUnit, CurrencyCode, Digest, EconomyCode,
    Genesis, MoneyCall, MoneyGenesis, Rate, Role, TierCaps,
};
use imbl::{OrdMap, Vector};
use rust_decimal::{prelude::ToPrimitive, Decimal};
use serde::Serialize;
use std::collections::BTreeMap;

/// Milliseconds in a (365-day) year: yields are per year.
pub const YEAR_MS: u128 = 365 * 24 * 60 * 60 * 1000;

/// One member economy's books.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Economy {
    /// Its currency.
    pub currency: CurrencyCode,
    /// Its central bank.
    pub central_bank: AccountId,
    /// Its regulator.
    pub regulator: AccountId,
    /// Its currency's latest rate (numeraire per unit).
    pub rate: Rate,
    /// Block time the rate was posted.
    pub rate_posted_ms: u64,
    /// Issuance bonds in its own account (自己口), ACU minor units.
    pub own_bonds: Amount,
    /// Issuance bonds in its issued account (顧客口): coins it has issued
    /// that are still out.
    pub issued_bonds: Amount,
    /// ACU value of its accepted contributions.
    pub contributed: Amount,
    /// KYC tiers and their caps.
    pub tiers: BTreeMap<u8, TierCaps>,
    /// Seigniorage allocated to it over all closed periods.
    pub seigniorage: Amount,
}

/// A contribution offered by a central bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contribution {
    /// Its number.
    pub id: u64,
    /// The contributing economy.
    pub economy: EconomyCode,
    /// Instrument identifier (e.g. an ISIN).
    pub instrument: String,
    /// Currency of the face amount.
    pub currency: CurrencyCode,
    /// Face amount, minor units of `currency`.
    pub face: Amount,
    /// Yield, basis points per year.
    pub yield_bps: u32,
    /// Maturity (ms since the Unix epoch).
    pub maturity_ms: u64,
    /// Block time it was offered.
    pub offered_ms: u64,
    /// Set when the issuer accepted it.
    pub accepted: Option<Acceptance>,
    /// Block time its central bank withdrew it, when it did (only a
    /// pending contribution can be withdrawn).
    pub withdrawn_ms: Option<u64>,
}

/// The issuer's acceptance of a contribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    /// ACU value at the rates of that block: the issuance bonds created.
    pub acu_value: Amount,
    /// Block time of acceptance.
    pub accepted_ms: u64,
}

/// A settlement of a claim between two central banks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// Its number.
    pub id: u64,
    /// The economy owed.
    pub creditor: EconomyCode,
    /// The economy that owes.
    pub debtor: EconomyCode,
    /// ACU minor units.
    pub amount: Amount,
    /// Block time the debtor recorded it.
    pub proposed_ms: u64,
    /// Block time the creditor confirmed it.
    pub confirmed_ms: Option<u64>,
}

/// A freeze on an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Freeze {
    /// The regulator's reason.
    pub reason: String,
    /// Block time of the freeze.
    pub since_ms: u64,
}

/// One closed seigniorage period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeigniorPeriod {
    /// Start (block time).
    pub from_ms: u64,
    /// End (block time).
    pub to_ms: u64,
    /// Income of the accepted contributions over the period.
    pub income: Amount,
    /// Operating cost deducted.
    pub operating_cost: Amount,
    /// Investment reserve deducted.
    pub reserve: Amount,
    /// What was allocated, by economy, pro rata to contributed value.
    pub shares: BTreeMap<EconomyCode, Amount>,
}

/// The money module's whole state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Money {
    /// What one coin is worth.
    pub unit: CoinUnit,
    /// The currency rates are quoted in.
    pub numeraire: CurrencyCode,
    /// Rates older than this are stale.
    pub max_rate_age_ms: u64,
    /// Cross-border payments from this amount on carry travel-rule data.
    pub travel_rule_threshold: Amount,
    /// The issuer.
    pub issuer: AccountId,
    /// Member economies.
    pub economies: OrdMap<EconomyCode, Economy>,
    /// Keys banks and regulators receive travel-rule data under.
    pub travel_keys: OrdMap<AccountId, TravelKey>,
    /// Frozen accounts.
    pub frozen: OrdMap<AccountId, Freeze>,
    /// Contributions, numbered from 0.
    pub contributions: Vector<Contribution>,
    /// Outstanding claims: (creditor, debtor) → ACU minor units.
    #[serde(serialize_with = "claims_as_list")]
    pub claims: OrdMap<(EconomyCode, EconomyCode), Amount>,
    /// Settlements, numbered from 0.
    pub settlements: Vector<Settlement>,
    /// End of the last closed seigniorage period (genesis time at first).
    pub seigniorage_closed_ms: u64,
    /// Closed seigniorage periods.
    pub seigniorage_periods: Vector<SeigniorPeriod>,
}

/// An outstanding claim, as the API lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// The economy owed.
    pub creditor: EconomyCode,
    /// The economy that owes.
    pub debtor: EconomyCode,
    /// ACU minor units.
    pub amount: Amount,
}

/// JSON has no tuple keys: claims are listed.
fn claims_as_list<S: serde::Serializer>(
    claims: &OrdMap<(EconomyCode, EconomyCode), Amount>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(Money::claim_list(claims))
}

/// What the block tells a money call.
pub(crate) struct CallContext<'a> {
    pub sender: &'a AccountId,
    pub now_ms: u64,
}

fn add(a: Amount, b: Amount) -> Result<Amount, MoneyError> {
    a.checked_add(b).ok_or(MoneyError::AmountTooLarge)
}

fn sub(a: Amount, b: Amount, error: MoneyError) -> Result<Amount, MoneyError> {
    a.checked_sub(b).ok_or(error)
}

fn balance_of(accounts: &Accounts, id: &AccountId) -> Amount {
    accounts.get(id).map(|a| a.balance).unwrap_or_default()
}

/// Splits `total` pro rata to `weights`: floors first, then one unit each to
/// the largest remainders (ties to the lower code), so the shares add up to
/// `total` exactly and no share exceeds its weight when `total` ≤ Σ weights.
fn pro_rata(
    total: u128,
    weights: &BTreeMap<EconomyCode, u128>,
) -> Result<BTreeMap<EconomyCode, u128>, MoneyError> {
    let sum = weights
        .values()
        .try_fold(0u128, |s, w| s.checked_add(*w))
        .ok_or(MoneyError::AmountTooLarge)?;
    if sum == 0 || total == 0 {
        return Ok(BTreeMap::new());
    }
    let mut shares = BTreeMap::new();
    let mut remainders = Vec::new();
    let mut given = 0u128;
    for (code, weight) in weights {
        let product = total
            .checked_mul(*weight)
            .ok_or(MoneyError::AmountTooLarge)?;
        shares.insert(*code, product / sum);
        given += product / sum;
        remainders.push((product % sum, *code));
    }
    // Largest remainder first; equal remainders in code order.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, code) in remainders.into_iter().take((total - given) as usize) {
        *shares.get_mut(&code).expect("every weight has a share") += 1;
    }
    shares.retain(|_, share| *share > 0);
    Ok(shares)
}

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
        };
        money.accept_genesis_contributions(genesis, config);
        Some(money)
    }

    /// The same settings with no entries: what a store holds before
    /// genesis, for listing every entry as a change.
    pub(crate) fn emptied(&self) -> Self {
        Self {
            economies: OrdMap::new(),
            travel_keys: OrdMap::new(),
            frozen: OrdMap::new(),
            contributions: Vector::new(),
            claims: OrdMap::new(),
            settlements: Vector::new(),
            seigniorage_periods: Vector::new(),
            ..self.clone()
        }
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

    fn claim_list(
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

    /// The reason an account is frozen, if it is.
    pub fn freeze_of(&self, id: &AccountId) -> Option<&Freeze> {
        self.frozen.get(id)
    }

    /// Who is entitled to a payment's travel-rule data, each with the key
    /// it receives under: the payer's and the payee's banks (a bank is its
    /// own) and the regulators of both economies, each once, in this order.
    pub fn travel_rule_recipients(
        &self,
        roles: &Authority,
        payer: &AccountId,
        payee: &AccountId,
    ) -> Result<Vec<(AccountId, TravelKey)>, MoneyError> {
        let mut parties = Vec::with_capacity(4);
        for holder in [payer, payee] {
            let bank = match roles.role(holder) {
                Some(Role::Bank { .. }) => *holder,
                Some(Role::Retail { .. }) => roles
                    .grant(holder)
                    .and_then(|grant| grant.granted_by)
                    .ok_or(MoneyError::NotCoinHolder { account: *holder })?,
                _ => return Err(MoneyError::NotCoinHolder { account: *holder }),
            };
            parties.push(bank);
        }
        for holder in [payer, payee] {
            let economy = self.holder_economy(roles, holder)?;
            parties.push(self.economy(&economy).regulator);
        }
        let mut recipients: Vec<(AccountId, TravelKey)> = Vec::with_capacity(4);
        for party in parties {
            if recipients.iter().any(|(id, _)| *id == party) {
                continue;
            }
            let key = self
                .travel_keys
                .get(&party)
                .ok_or(MoneyError::NoTravelKey { account: party })?;
            recipients.push((party, *key));
        }
        Ok(recipients)
    }

    /// Coins in circulation: Σ issued-account bonds (equal to Σ balances).
    pub fn circulation(&self) -> Amount {
        Amount(self.economies.values().map(|e| e.issued_bonds.0).sum())
    }

    /// Every account a money call may write besides its sender.
    pub fn other_account(call: &MoneyCall) -> Option<&AccountId> {
        match call {
            MoneyCall::OpenAccount { account, .. } => Some(account),
            MoneyCall::IssueCoins { bank, .. } => Some(bank),
            MoneyCall::Pay { to, .. } => Some(to),
            _ => None,
        }
    }

    /// The economy whose central bank `id` is.
    fn central_bank_economy(
        &self,
        roles: &Authority,
        id: &AccountId,
    ) -> Result<EconomyCode, MoneyError> {
        match roles.role(id) {
            Some(Role::CentralBank { economy }) => Ok(economy),
            _ => Err(MoneyError::NotCentralBank),
        }
    }

    fn economy(&self, code: &EconomyCode) -> &Economy {
        self.economies
            .get(code)
            .expect("roles name member economies only")
    }

    fn economy_mut(&mut self, code: &EconomyCode) -> &mut Economy {
        self.economies
            .get_mut(code)
            .expect("roles name member economies only")
    }

    /// A currency's rate if it is no older than `max_age_ms` at `now_ms`;
    /// the numeraire is 1.
    fn rate(
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
    fn unit_in_numeraire(&self, now_ms: u64, max_age_ms: u64) -> Result<Decimal, MoneyError> {
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
    fn value_at_posted_rates(
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

    /// Applies one money call from `ctx.sender`. On error nothing changed.
    pub(crate) fn apply(
        &mut self,
        accounts: &mut Accounts,
        roles: &mut Authority,
        ctx: &CallContext<'_>,
        call: &MoneyCall,
    ) -> Result<(), MoneyError> {
        match call {
            MoneyCall::PostRate { rate } => {
                let economy = self.central_bank_economy(roles, ctx.sender)?;
                let books = self.economy_mut(&economy);
                books.rate = *rate;
                books.rate_posted_ms = ctx.now_ms;
                Ok(())
            }
            MoneyCall::SetTierCaps {
                tier,
                balance_cap,
                transfer_cap,
            } => {
                let economy = self.central_bank_economy(roles, ctx.sender)?;
                self.economy_mut(&economy).tiers.insert(
                    *tier,
                    TierCaps {
                        tier: *tier,
                        balance_cap: *balance_cap,
                        transfer_cap: *transfer_cap,
                    },
                );
                Ok(())
            }
            MoneyCall::OpenAccount { account, role } => {
                self.open_account(accounts, roles, ctx, account, role)
            }
            MoneyCall::Contribute {
                instrument,
                currency,
                face,
                yield_bps,
                maturity_ms,
            } => {
                let economy = self.central_bank_economy(roles, ctx.sender)?;
                if instrument.trim().is_empty() {
                    return Err(MoneyError::InstrumentRequired);
                }
                if *face == Amount::ZERO {
                    return Err(MoneyError::ZeroAmount);
                }
                if *currency != self.numeraire
                    && !self.economies.values().any(|e| e.currency == *currency)
                {
                    return Err(MoneyError::UnknownCurrency {
                        currency: *currency,
                    });
                }
                if *maturity_ms <= ctx.now_ms {
                    return Err(MoneyError::MaturityPassed {
                        maturity_ms: *maturity_ms,
                    });
                }
                // What no rate in force could value is refused now, not left
                // pending for an acceptance that can never come.
                self.value_at_posted_rates(currency, *face)?;
                self.contributions.push_back(Contribution {
                    id: self.contributions.len() as u64,
                    economy,
                    instrument: instrument.clone(),
                    currency: *currency,
                    face: *face,
                    yield_bps: *yield_bps,
                    maturity_ms: *maturity_ms,
                    offered_ms: ctx.now_ms,
                    accepted: None,
                    withdrawn_ms: None,
                });
                Ok(())
            }
            MoneyCall::WithdrawContribution { id } => {
                let economy = self.central_bank_economy(roles, ctx.sender)?;
                let contribution = self.pending_contribution(*id)?;
                if contribution.economy != economy {
                    return Err(MoneyError::NotYourContribution { id: *id });
                }
                self.contributions[*id as usize].withdrawn_ms = Some(ctx.now_ms);
                Ok(())
            }
            MoneyCall::AcceptContribution { id } => {
                if *ctx.sender != self.issuer {
                    return Err(MoneyError::NotIssuer);
                }
                let contribution = self.pending_contribution(*id)?;
                if contribution.maturity_ms <= ctx.now_ms {
                    return Err(MoneyError::MaturityPassed {
                        maturity_ms: contribution.maturity_ms,
                    });
                }
                let value =
                    self.coin_value(&contribution.currency, contribution.face, ctx.now_ms)?;
                if value == Amount::ZERO {
                    return Err(MoneyError::ZeroAmount);
                }
                let economy = contribution.economy;
                let books = self.economy(&economy);
                let own = add(books.own_bonds, value)?;
                let contributed = add(books.contributed, value)?;
                let books = self.economy_mut(&economy);
                books.own_bonds = own;
                books.contributed = contributed;
                self.contributions[*id as usize].accepted = Some(Acceptance {
                    acu_value: value,
                    accepted_ms: ctx.now_ms,
                });
                Ok(())
            }
            MoneyCall::IssueCoins { bank, amount } => {
                let economy = self.central_bank_economy(roles, ctx.sender)?;
                if roles.role(bank) != Some(Role::Bank { economy }) {
                    return Err(MoneyError::NotABankOf {
                        account: *bank,
                        economy,
                    });
                }
                self.check_not_frozen(bank)?;
                if *amount == Amount::ZERO {
                    return Err(MoneyError::ZeroAmount);
                }
                let books = self.economy(&economy);
                let own = sub(
                    books.own_bonds,
                    *amount,
                    MoneyError::InsufficientOwnBonds {
                        available: books.own_bonds,
                        needed: *amount,
                    },
                )?;
                let issued = add(books.issued_bonds, *amount)?;
                let balance = add(balance_of(accounts, bank), *amount)?;
                let books = self.economy_mut(&economy);
                books.own_bonds = own;
                books.issued_bonds = issued;
                accounts.entry(*bank).or_default().balance = balance;
                Ok(())
            }
            MoneyCall::Pay {
                to,
                amount,
                travel_rule,
            } => self.pay(
                accounts,
                roles,
                ctx.sender,
                to,
                *amount,
                travel_rule.as_ref(),
            ),
            MoneyCall::Redeem { amount } => self.redeem(accounts, roles, ctx.sender, *amount),
            MoneyCall::Freeze { account, reason } => {
                self.check_regulator_of(roles, ctx.sender, account)?;
                if reason.trim().is_empty() {
                    return Err(MoneyError::ReasonRequired);
                }
                if self.frozen.contains_key(account) {
                    return Err(MoneyError::AlreadyFrozen { account: *account });
                }
                self.frozen.insert(
                    *account,
                    Freeze {
                        reason: reason.clone(),
                        since_ms: ctx.now_ms,
                    },
                );
                Ok(())
            }
            MoneyCall::Unfreeze { account, reason } => {
                self.check_regulator_of(roles, ctx.sender, account)?;
                if reason.trim().is_empty() {
                    return Err(MoneyError::ReasonRequired);
                }
                self.frozen
                    .remove(account)
                    .map(|_| ())
                    .ok_or(MoneyError::NotFrozen { account: *account })
            }
            MoneyCall::ProposeSettlement { creditor, amount } => {
                let debtor = self.central_bank_economy(roles, ctx.sender)?;
                if *amount == Amount::ZERO {
                    return Err(MoneyError::ZeroAmount);
                }
                let owed = self.open_claim(creditor, &debtor);
                if *amount > owed {
                    return Err(MoneyError::SettlementExceedsClaim {
                        claim: owed,
                        amount: *amount,
                    });
                }
                self.settlements.push_back(Settlement {
                    id: self.settlements.len() as u64,
                    creditor: *creditor,
                    debtor,
                    amount: *amount,
                    proposed_ms: ctx.now_ms,
                    confirmed_ms: None,
                });
                Ok(())
            }
            MoneyCall::ConfirmSettlement { id } => {
                let economy = self.central_bank_economy(roles, ctx.sender)?;
                let settlement = *self
                    .settlements
                    .get(*id as usize)
                    .ok_or(MoneyError::UnknownSettlement { id: *id })?;
                if settlement.creditor != economy {
                    return Err(MoneyError::NotCreditor { id: *id });
                }
                if settlement.confirmed_ms.is_some() {
                    return Err(MoneyError::AlreadyConfirmed { id: *id });
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
                self.settlements[*id as usize].confirmed_ms = Some(ctx.now_ms);
                Ok(())
            }
            MoneyCall::CloseSeigniorage {
                operating_cost,
                reserve,
            } => self.close_seigniorage(ctx, *operating_cost, *reserve),
            MoneyCall::RegisterTravelKey { key } => match roles.role(ctx.sender) {
                Some(Role::Bank { .. } | Role::Regulator { .. }) => {
                    self.travel_keys.insert(*ctx.sender, *key);
                    Ok(())
                }
                _ => Err(MoneyError::NotBankOrRegulator),
            },
        }
    }

    /// Contribution `id`, if it is still pending: neither accepted nor
    /// withdrawn.
    fn pending_contribution(&self, id: u64) -> Result<&Contribution, MoneyError> {
        let contribution = self
            .contributions
            .get(id as usize)
            .ok_or(MoneyError::UnknownContribution { id })?;
        if contribution.accepted.is_some() {
            return Err(MoneyError::AlreadyAccepted { id });
        }
        if contribution.withdrawn_ms.is_some() {
            return Err(MoneyError::ContributionWithdrawn { id });
        }
        Ok(contribution)
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

    fn open_account(
        &mut self,
        accounts: &mut Accounts,
        roles: &mut Authority,
        ctx: &CallContext<'_>,
        account: &AccountId,
        role: &Role,
    ) -> Result<(), MoneyError> {
        let opener = roles.role(ctx.sender);
        match (role, opener) {
            (Role::Bank { economy }, Some(Role::CentralBank { economy: own }))
                if *economy == own => {}
            (Role::Bank { .. }, _) => return Err(MoneyError::OnlyCentralBankOpensBanks),
            (Role::Retail { economy, tier, .. }, Some(Role::Bank { economy: own }))
                if *economy == own =>
            {
                if !self.economy(economy).tiers.contains_key(tier) {
                    return Err(MoneyError::UnknownTier {
                        economy: *economy,
                        tier: *tier,
                    });
                }
            }
            (Role::Retail { .. }, _) => return Err(MoneyError::OnlyBankOpensRetail),
            _ => return Err(MoneyError::RoleNotGrantable),
        }
        if roles.role(account).is_some() || accounts.contains_key(account) {
            return Err(MoneyError::AccountExists { account: *account });
        }
        let rule = match role {
            Role::Bank { .. } => GrantRule::CentralBankOpensBank,
            _ => GrantRule::BankOpensRetail,
        };
        roles.insert(
            *account,
            RoleGrant {
                role: *role,
                granted_by: Some(*ctx.sender),
                granted_ms: ctx.now_ms,
                rule,
            },
        );
        accounts.insert(*account, Account::default());
        Ok(())
    }

    fn check_not_frozen(&self, account: &AccountId) -> Result<(), MoneyError> {
        match self.frozen.get(account) {
            Some(freeze) => Err(MoneyError::AccountFrozen {
                account: *account,
                reason: freeze.reason.clone(),
            }),
            None => Ok(()),
        }
    }

    fn check_regulator_of(
        &self,
        roles: &Authority,
        sender: &AccountId,
        account: &AccountId,
    ) -> Result<(), MoneyError> {
        let Some(Role::Regulator { economy }) = roles.role(sender) else {
            return Err(MoneyError::NotRegulator);
        };
        match roles.role(account).and_then(|r| r.economy()) {
            Some(of) if of == economy => Ok(()),
            _ => Err(MoneyError::NotRegulatorOf {
                account: *account,
                economy,
            }),
        }
    }

    /// The economy of a coin holder (a bank or retail account).
    fn holder_economy(
        &self,
        roles: &Authority,
        account: &AccountId,
    ) -> Result<EconomyCode, MoneyError> {
        match roles.role(account) {
            Some(Role::Bank { economy } | Role::Retail { economy, .. }) => Ok(economy),
            _ => Err(MoneyError::NotCoinHolder { account: *account }),
        }
    }

    /// A payment between coin holders, within AML rules.
    pub(crate) fn pay(
        &self,
        accounts: &mut Accounts,
        roles: &Authority,
        from: &AccountId,
        to: &AccountId,
        amount: Amount,
        travel_rule: Option<&Digest>,
    ) -> Result<(), MoneyError> {
        let from_economy = self.holder_economy(roles, from)?;
        let to_economy = self.holder_economy(roles, to)?;
        if from == to {
            return Err(MoneyError::SelfPayment);
        }
        if amount == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        self.check_not_frozen(from)?;
        self.check_not_frozen(to)?;
        if let Some(Role::Retail { economy, tier, .. }) = roles.role(from) {
            let caps = self.economy(&economy).tiers.get(&tier);
            let cap = caps.map(|c| c.transfer_cap).unwrap_or_default();
            if amount > cap {
                return Err(MoneyError::TransferCapExceeded { cap, amount });
            }
        }
        let debited = sub(
            balance_of(accounts, from),
            amount,
            MoneyError::InsufficientFunds {
                balance: balance_of(accounts, from),
                needed: amount,
            },
        )?;
        let credited = add(balance_of(accounts, to), amount)?;
        if let Some(Role::Retail { economy, tier, .. }) = roles.role(to) {
            let caps = self.economy(&economy).tiers.get(&tier);
            let cap = caps.map(|c| c.balance_cap).unwrap_or_default();
            if credited > cap {
                return Err(MoneyError::BalanceCapExceeded {
                    account: *to,
                    cap,
                    would_be: credited,
                });
            }
        }
        if from_economy != to_economy
            && amount >= self.travel_rule_threshold
            && travel_rule.is_none()
        {
            return Err(MoneyError::TravelRuleRequired {
                threshold: self.travel_rule_threshold,
            });
        }
        accounts.entry(*from).or_default().balance = debited;
        accounts.entry(*to).or_default().balance = credited;
        Ok(())
    }

    /// A bank redeems coins at its central bank. Up to its economy's issued
    /// bonds the bonds move back to its own account; beyond that (coins that
    /// flowed in from other economies) the coins return to the issuer: the
    /// other economies' issued bonds move back pro rata to what they have
    /// issued, and the redeeming economy gains a claim on each of them.
    fn redeem(
        &mut self,
        accounts: &mut Accounts,
        roles: &Authority,
        bank: &AccountId,
        amount: Amount,
    ) -> Result<(), MoneyError> {
        let Some(Role::Bank { economy }) = roles.role(bank) else {
            return Err(MoneyError::NotBank);
        };
        self.check_not_frozen(bank)?;
        if amount == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        let balance = balance_of(accounts, bank);
        let left = sub(
            balance,
            amount,
            MoneyError::InsufficientFunds {
                balance,
                needed: amount,
            },
        )?;
        let local = amount.min(self.economy(&economy).issued_bonds);
        let excess = amount.0 - local.0;
        let weights: BTreeMap<EconomyCode, u128> = self
            .economies
            .iter()
            .filter(|(code, _)| **code != economy)
            .map(|(code, books)| (*code, books.issued_bonds.0))
            .collect();
        let shares = pro_rata(excess, &weights)?;
        let mut claims = Vec::with_capacity(shares.len());
        for (debtor, share) in &shares {
            let key = (economy, *debtor);
            let claim = add(
                self.claims.get(&key).copied().unwrap_or_default(),
                Amount(*share),
            )?;
            claims.push((key, claim));
        }
        // Every check passed: change the books.
        accounts.entry(*bank).or_default().balance = left;
        for (code, share) in shares.iter().chain([(&economy, &local.0)]) {
            let books = self.economy_mut(code);
            books.issued_bonds = Amount(books.issued_bonds.0 - share);
            books.own_bonds = Amount(books.own_bonds.0 + share);
        }
        self.claims.extend(claims);
        Ok(())
    }

    fn close_seigniorage(
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

    /// Checks every money invariant over the whole state (a genesis,
    /// `eiraku verify`); blocks check only what they change
    /// ([`crate::invariants`]).
    pub fn check_invariants(
        &self,
        accounts: &Accounts,
        roles: &Authority,
    ) -> Result<(), crate::invariants::Broken> {
        crate::invariants::check_money_whole(&crate::invariants::Books {
            accounts,
            authority: roles,
            money: self,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> EconomyCode {
        EconomyCode::new(text).unwrap()
    }

    #[test]
    fn pro_rata_adds_up_and_favours_largest_remainders() {
        let weights: BTreeMap<EconomyCode, u128> =
            [(code("JP"), 1), (code("KR"), 1), (code("TH"), 1)].into();
        let shares = pro_rata(2, &weights).unwrap();
        assert_eq!(shares.values().sum::<u128>(), 2);
        assert_eq!(
            shares.get(&code("JP")),
            Some(&1),
            "ties go to the lower code"
        );
        assert_eq!(shares.get(&code("KR")), Some(&1));
        assert_eq!(shares.get(&code("TH")), None);
        let weights: BTreeMap<EconomyCode, u128> = [(code("JP"), 70), (code("KR"), 30)].into();
        let shares = pro_rata(10, &weights).unwrap();
        assert_eq!((shares[&code("JP")], shares[&code("KR")]), (7, 3));
        assert!(pro_rata(5, &BTreeMap::new()).unwrap().is_empty());
    }
}
