//! The money module: the AMRO coin (DESIGN.md §3, seed 004 §3–7).
//!
//! Coins are account balances. They come into being only when a central
//! bank issues them to one of its banks against issuance bonds in its own
//! account, which then move to its issued account; they disappear only when
//! a bank redeems them and the bonds move back. Every operation checks all
//! of its rules before it changes anything, so a refused call leaves the
//! state exactly as it was.
//!
//! This file holds the state types, the helpers every step shares and the
//! dispatch of each call (`Money::apply`). The steps of the life cycle live
//! beside it, one file each: `genesis.rs` (the opening books), `rates.rs`
//! (economies and rates), `issuance.rs` (contribute, accept, issue, open
//! accounts), `payment.rs` (pay and the AML rules), `redemption.rs` (redeem
//! and repatriation), `settlement.rs` (claims between central banks) and
//! `seigniorage.rs`; `module.rs` puts it behind the module interface (the
//! calls it takes, its state keys, its invariants, which are in
//! [`crate::invariants`]).

mod basket;
mod cash;
pub(crate) mod cash_state;
mod genesis;
mod issuance;
mod issued;
mod kyc;
mod module;
mod payment;
mod purse;
pub(crate) mod purse_state;
mod rates;
mod redemption;
mod seigniorage;
mod settlement;
mod suspension;
mod wallet_status;

use crate::{
    authority::Authority,
    ledger::{AccountWrites, Accounts},
    MoneyError,
};
pub use cash::{Blacklisting, CashBooks, CenterKeys, Spent, WalletBinding};
use eiraku_core::{
    travel_rule::TravelKey, AccountId, Amount, CoinUnit, CurrencyCode, EconomyCode, MoneyCall,
    Rate, Role, TierCaps,
};
use imbl::{OrdMap, Vector};
pub use issued::{IssuedRange, PendingLoad, MAX_ISSUED_RANGE};
pub(crate) use kyc::check_kyc;
pub use kyc::KycRefusal;
pub use purse::{Purse, Purses, MAX_PURSE_LIFE_MS};
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
    /// Coins its offline wallets hold: loaded from accounts, not yet
    /// credited back by its cash center.
    pub offline_float: Amount,
}

impl Economy {
    /// Its issued coins that are in accounts: issued-account bonds less
    /// what its offline wallets hold.
    pub fn in_accounts(&self) -> Amount {
        Amount(self.issued_bonds.0.saturating_sub(self.offline_float.0))
    }
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
    /// Banks their central bank suspended (the reason and since when):
    /// only governance lifts a suspension.
    pub suspended: OrdMap<AccountId, Freeze>,
    /// The offline cash: center keys, wallet bindings, credited notes (not
    /// listed in the money view: it grows with every note deposited).
    #[serde(skip)]
    pub cash: CashBooks,
    /// Open purpose-bound purses (not listed in the money view).
    #[serde(skip)]
    pub purses: Purses,
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
    /// The transaction's nonce: with the sender, it names a load.
    pub nonce: u64,
    /// The transaction's hash: it names what the call creates (a purse).
    pub tx_hash: eiraku_core::TxHash,
}

fn add(a: Amount, b: Amount) -> Result<Amount, MoneyError> {
    a.checked_add(b).ok_or(MoneyError::AmountTooLarge)
}

fn sub(a: Amount, b: Amount, error: MoneyError) -> Result<Amount, MoneyError> {
    a.checked_sub(b).ok_or(error)
}

impl Money {
    /// Every account a money call may write besides its sender.
    pub fn other_account(call: &MoneyCall) -> Option<&AccountId> {
        match call {
            MoneyCall::OpenAccount { account, .. } | MoneyCall::ChangeTier { account, .. } => {
                Some(account)
            }
            MoneyCall::SpendPurse { to, .. } => Some(to),
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

    /// Checks that `sender` is the central bank of `bank`'s economy, which
    /// it returns.
    fn central_bank_of(
        &self,
        roles: &Authority,
        sender: &AccountId,
        bank: &AccountId,
    ) -> Result<EconomyCode, MoneyError> {
        let economy = self.central_bank_economy(roles, sender)?;
        if roles.role(bank) != Some(Role::Bank { economy }) {
            return Err(MoneyError::NotABankOf {
                account: *bank,
                economy,
            });
        }
        Ok(economy)
    }

    /// The economy of a coin holder (a bank or retail account).
    fn holder_economy(
        &self,
        roles: &Authority,
        account: &AccountId,
    ) -> Result<EconomyCode, MoneyError> {
        holder_economy_of(account, roles.role(account))
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

    /// Applies one money call from `ctx.sender`. On error nothing changed.
    pub(crate) fn apply(
        &mut self,
        accounts: &mut AccountWrites<'_>,
        roles: &mut Authority,
        ctx: &CallContext<'_>,
        call: &MoneyCall,
    ) -> Result<(), MoneyError> {
        match call {
            MoneyCall::PostRate { rate } => self.post_rate(roles, ctx, *rate),
            MoneyCall::SetTierCaps {
                tier,
                balance_cap,
                transfer_cap,
            } => self.set_tier_caps(roles, ctx, *tier, *balance_cap, *transfer_cap),
            MoneyCall::OpenAccount { account, role } => {
                self.open_account(accounts, roles, ctx, account, role)
            }
            MoneyCall::Contribute {
                instrument,
                currency,
                face,
                yield_bps,
                maturity_ms,
            } => self.contribute(
                roles,
                ctx,
                instrument,
                currency,
                *face,
                *yield_bps,
                *maturity_ms,
            ),
            MoneyCall::WithdrawContribution { id } => self.withdraw_contribution(roles, ctx, *id),
            MoneyCall::AcceptContribution { id } => self.accept_contribution(ctx, *id),
            MoneyCall::IssueCoins { bank, amount } => {
                self.issue_coins(accounts, roles, ctx, bank, *amount)
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
            MoneyCall::Freeze { account, reason } => self.freeze(roles, ctx, account, reason),
            MoneyCall::Unfreeze { account, reason } => self.unfreeze(roles, ctx, account, reason),
            MoneyCall::SuspendBank { bank, reason } => self.suspend_bank(roles, ctx, bank, reason),
            MoneyCall::ProposeSettlement { creditor, amount } => {
                self.propose_settlement(roles, ctx, creditor, *amount)
            }
            MoneyCall::ConfirmSettlement { id } => self.confirm_settlement(roles, ctx, *id),
            MoneyCall::CloseSeigniorage {
                operating_cost,
                reserve,
            } => self.close_seigniorage(ctx, *operating_cost, *reserve),
            MoneyCall::RegisterTravelKey { key } => self.register_travel_key(roles, ctx, key),
            MoneyCall::ChangeTier { account, tier, .. } => {
                self.change_tier(accounts, roles, ctx, account, *tier)
            }
            MoneyCall::PushPurse { .. } => self.push_purse(accounts, roles, ctx, call),
            MoneyCall::SpendPurse { purse, to, amount } => {
                self.spend_purse(accounts, roles, ctx, purse, to, *amount)
            }
        }
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

/// The economy of `account`, a coin holder with `role`.
pub(super) fn holder_economy_of(
    account: &AccountId,
    role: Option<Role>,
) -> Result<EconomyCode, MoneyError> {
    match role {
        Some(Role::Bank { economy } | Role::Retail { economy, .. } | Role::Agency { economy }) => {
            Ok(economy)
        }
        _ => Err(MoneyError::NotCoinHolder { account: *account }),
    }
}
