//! The money module's reads (DESIGN.md §3): the backing summary
//! (`GET /v1/money/supply`), the whole money state (`GET /v1/money`) and
//! the travel-rule gateway (`/v1/money/travel-rule…`). Money operations are
//! signed transactions, submitted at `POST /v1/tx`.

use eiraku_core::{
    travel_rule::TravelKey, AccountId, Amount, CoinUnit, CurrencyCode, EconomyCode, Rate, TierCaps,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One economy's books, as the supply summary lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EconomySupply {
    /// Economy code (ISO 3166, e.g. `JP`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: EconomyCode,
    /// Its currency (ISO 4217).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub currency: CurrencyCode,
    /// Its currency's rate against the numeraire (decimal string).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rate: Rate,
    /// Block time the rate was posted.
    pub rate_posted_ms: u64,
    /// Issuance bonds in its own account (自己口), coin minor units.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub own_bonds: Amount,
    /// Issuance bonds in its issued account (顧客口): its coins still out.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub issued_bonds: Amount,
    /// Value of its accepted contributions.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub contributed: Amount,
    /// Seigniorage allocated to it so far.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub seigniorage: Amount,
    /// Its KYC tiers and their caps, by tier.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub tiers: Vec<TierCaps>,
    /// Coins its offline wallets hold (loaded, not yet credited back).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(default)]
    pub offline_float: Amount,
}

/// An outstanding claim between central banks (from repatriation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimView {
    /// The economy owed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub creditor: EconomyCode,
    /// The economy that owes.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub debtor: EconomyCode,
    /// Coin minor units.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Amount,
}

/// One closed seigniorage period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeigniorPeriodView {
    /// Start (block time).
    pub from_ms: u64,
    /// End (block time).
    pub to_ms: u64,
    /// Income of the accepted contributions over the period.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub income: Amount,
    /// Operating cost deducted.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub operating_cost: Amount,
    /// Investment reserve deducted.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub reserve: Amount,
    /// What was allocated, by economy, pro rata to contributed value.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub shares: BTreeMap<EconomyCode, Amount>,
}

/// The backing of the coin at one height.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplyView {
    /// Height of the state this was read from.
    pub height: u64,
    /// Coins in accounts (minor units): Σ issued bonds less the offline
    /// float.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub circulation: Amount,
    /// Coins offline wallets hold: Σ of the economies' floats.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(default)]
    pub offline_float: Amount,
    /// Σ own-account bonds.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub own_bonds: Amount,
    /// Σ accepted contributions.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub contributed: Amount,
    /// Contributions offered and not yet accepted.
    pub pending_contributions: usize,
    /// Per economy.
    pub economies: Vec<EconomySupply>,
    /// Outstanding claims from repatriation.
    pub claims: Vec<ClaimView>,
    /// Closed seigniorage periods, oldest first.
    pub seigniorage_periods: Vec<SeigniorPeriodView>,
}

/// One member economy's books in the whole money state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EconomyBooks {
    /// Its currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub currency: CurrencyCode,
    /// Its central bank.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub central_bank: AccountId,
    /// Its regulator.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub regulator: AccountId,
    /// Its currency's latest rate (numeraire per unit).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rate: Rate,
    /// Block time the rate was posted.
    pub rate_posted_ms: u64,
    /// Issuance bonds in its own account (自己口).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub own_bonds: Amount,
    /// Issuance bonds in its issued account (顧客口).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub issued_bonds: Amount,
    /// ACU value of its accepted contributions.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub contributed: Amount,
    /// KYC tiers and their caps, by tier.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub tiers: BTreeMap<u8, TierCaps>,
    /// Seigniorage allocated to it over all closed periods.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub seigniorage: Amount,
    /// Coins its offline wallets hold (loaded, not yet credited back).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(default)]
    pub offline_float: Amount,
}

/// The issuer's acceptance of a contribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acceptance {
    /// ACU value at the rates of that block: the issuance bonds created.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub acu_value: Amount,
    /// Block time of acceptance.
    pub accepted_ms: u64,
}

/// A contribution offered by a central bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContributionView {
    /// Its number.
    pub id: u64,
    /// The contributing economy.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub economy: EconomyCode,
    /// Instrument identifier (e.g. an ISIN).
    pub instrument: String,
    /// Currency of the face amount.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub currency: CurrencyCode,
    /// Face amount, minor units of `currency`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub face: Amount,
    /// Yield, basis points per year.
    pub yield_bps: u32,
    /// Maturity (ms since the Unix epoch).
    pub maturity_ms: u64,
    /// Block time it was offered.
    pub offered_ms: u64,
    /// Set when the issuer accepted it.
    pub accepted: Option<Acceptance>,
    /// Block time its central bank withdrew it, when it did.
    pub withdrawn_ms: Option<u64>,
}

/// A settlement of a claim between two central banks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementView {
    /// Its number.
    pub id: u64,
    /// The economy owed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub creditor: EconomyCode,
    /// The economy that owes.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub debtor: EconomyCode,
    /// ACU minor units.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Amount,
    /// Block time the debtor recorded it.
    pub proposed_ms: u64,
    /// Block time the creditor confirmed it.
    pub confirmed_ms: Option<u64>,
}

/// An open purpose-bound purse (`GET /v1/purses/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurseView {
    /// Its name: the hash of the transaction that pushed it (hex).
    pub id: String,
    /// The agency that pushed it (hex account).
    pub payer: String,
    /// Who spends it (hex account).
    pub beneficiary: String,
    /// The economy whose merchants it pays.
    pub economy: String,
    /// What it holds.
    pub balance: String,
    /// When what is left returns to the payer (block time, ms).
    pub expiry_ms: u64,
    /// The merchant categories it pays.
    pub categories: Vec<u16>,
    /// Finalized height read.
    pub height: u64,
}

/// A regulator's freeze on an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FreezeView {
    /// The regulator's reason.
    pub reason: String,
    /// Block time of the freeze.
    pub since_ms: u64,
}

/// The whole money state at one height: unit, economies, travel keys,
/// freezes, contributions, claims, settlements and seigniorage periods
/// (roles are the authority module's: `GET /v1/account/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoneyStateView {
    /// What one coin is worth.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub unit: CoinUnit,
    /// The currency rates are quoted in.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub numeraire: CurrencyCode,
    /// Rates older than this are stale.
    pub max_rate_age_ms: u64,
    /// Cross-border payments from this amount on carry travel-rule data.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub travel_rule_threshold: Amount,
    /// The issuer.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub issuer: AccountId,
    /// Member economies, by code.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub economies: BTreeMap<EconomyCode, EconomyBooks>,
    /// Keys banks and regulators receive travel-rule data under (hex), by
    /// account.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub travel_keys: BTreeMap<AccountId, TravelKey>,
    /// Frozen accounts.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub frozen: BTreeMap<AccountId, FreezeView>,
    /// Contributions, numbered from 0.
    pub contributions: Vec<ContributionView>,
    /// Outstanding claims.
    pub claims: Vec<ClaimView>,
    /// Settlements, numbered from 0.
    pub settlements: Vec<SettlementView>,
    /// End of the last closed seigniorage period (genesis time at first).
    pub seigniorage_closed_ms: u64,
    /// Closed seigniorage periods.
    pub seigniorage_periods: Vec<SeigniorPeriodView>,
    /// Height of the state this was read from.
    pub height: u64,
}

/// Where a deposited travel-rule envelope can be found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepositView {
    /// The digest the payment names (hex).
    pub digest: String,
}

/// One party entitled to a payment's travel-rule data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TravelRecipient {
    /// Its account (hex).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub account: AccountId,
    /// The X25519 key to seal its copy to (hex).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub key: TravelKey,
}

#[cfg(test)]
mod tests;
