//! The genesis file: chain id, start time, validator set and opening
//! balances. Every node of a network starts from the same file; the genesis
//! block commits to it through the genesis state root.

use crate::{
    travel_rule::TravelKey, AccountId, Amount, ChainId, CurrencyCode, EconomyCode, Rate, Role,
};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// One validator: its consensus/p2p key and where peers reach it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisValidator {
    /// A short name for logs and the CLI.
    pub name: String,
    /// Ed25519 public key (hex) used for consensus votes and p2p.
    pub public_key: AccountId,
    /// Address other validators dial for p2p.
    pub p2p_address: SocketAddr,
    /// Address of the validator's HTTP API (informational; clients use it).
    pub api_address: SocketAddr,
}

/// An opening balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisAccount {
    /// The account.
    pub id: AccountId,
    /// Opening balance in minor units.
    pub balance: Amount,
    /// A human label (demo accounts: "alice", "faucet", …).
    #[serde(default)]
    pub label: String,
    /// Its role in the money module (a bank or retail account opened at
    /// genesis), when the chain has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// For a merchant or person: the bank that opened it (a genesis bank of
    /// its economy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank: Option<AccountId>,
    /// For a bank: the key travel-rule data is sealed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel_key: Option<TravelKey>,
}

/// What one coin is worth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CoinUnit {
    /// A basket of fixed quantities of member currencies (the ACU).
    Basket {
        /// Quantity of each currency in one unit.
        basket: Vec<BasketPart>,
    },
    /// One unit of a single currency (e.g. USD).
    Single {
        /// The currency.
        currency: CurrencyCode,
    },
}

/// One currency's share of the basket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketPart {
    /// The currency.
    pub currency: CurrencyCode,
    /// Units of it in one ACU.
    pub quantity: Rate,
}

/// A member economy at genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisEconomy {
    /// Its code.
    pub code: EconomyCode,
    /// Its currency.
    pub currency: CurrencyCode,
    /// Its central bank's account.
    pub central_bank: AccountId,
    /// Its regulator's account.
    pub regulator: AccountId,
    /// The key travel-rule data is sealed to for the regulator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regulator_travel_key: Option<TravelKey>,
    /// Its currency's opening rate (numeraire per unit), posted at genesis time.
    pub rate: Rate,
    /// KYC tiers and their caps at genesis (its central bank may change them).
    #[serde(default)]
    pub tiers: Vec<TierCaps>,
    /// A contribution accepted at genesis, at the genesis rates: it backs
    /// the opening balances of the economy's accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution: Option<GenesisContribution>,
}

/// A contribution accepted at genesis (in the economy's own currency).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisContribution {
    /// Instrument identifier.
    pub instrument: String,
    /// Face amount, minor units of the economy's currency.
    pub face: Amount,
    /// Yield, basis points per year.
    pub yield_bps: u32,
    /// Maturity (ms since the Unix epoch).
    pub maturity_ms: u64,
}

/// The caps of one KYC tier in one economy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierCaps {
    /// The tier.
    pub tier: u8,
    /// Largest balance an account of the tier may hold.
    pub balance_cap: Amount,
    /// Largest single transfer it may send.
    pub transfer_cap: Amount,
}

/// The money module at genesis (DESIGN.md §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyGenesis {
    /// What one coin is worth.
    pub unit: CoinUnit,
    /// The currency every rate is quoted in.
    pub numeraire: CurrencyCode,
    /// Rates older than this (block time) are stale.
    pub max_rate_age_ms: u64,
    /// Cross-border payments of at least this many coin minor units carry
    /// travel-rule data.
    pub travel_rule_threshold: Amount,
    /// The issuer's account.
    pub issuer: AccountId,
    /// The member economies.
    pub economies: Vec<GenesisEconomy>,
}

impl MoneyGenesis {
    /// Checks what serde cannot: unique economies and currencies, one role
    /// per account, a basket of member currencies.
    pub fn validate(&self) -> Result<(), String> {
        let mut codes: Vec<EconomyCode> = self.economies.iter().map(|e| e.code).collect();
        codes.sort();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            return Err("money: an economy is listed twice".into());
        }
        let mut currencies: Vec<CurrencyCode> = self.economies.iter().map(|e| e.currency).collect();
        currencies.sort();
        if currencies.windows(2).any(|w| w[0] == w[1]) {
            return Err("money: two economies share a currency".into());
        }
        let mut officials: Vec<&AccountId> = self
            .economies
            .iter()
            .flat_map(|e| [&e.central_bank, &e.regulator])
            .chain([&self.issuer])
            .collect();
        officials.sort();
        if officials.windows(2).any(|w| w[0] == w[1]) {
            return Err("money: one account holds two official roles".into());
        }
        let known = |c: &CurrencyCode| currencies.binary_search(c).is_ok() || *c == self.numeraire;
        match &self.unit {
            CoinUnit::Basket { basket } => {
                if basket.is_empty() {
                    return Err("money: the basket is empty".into());
                }
                if let Some(part) = basket.iter().find(|p| !known(&p.currency)) {
                    return Err(format!(
                        "money: basket currency {} is not a member currency",
                        part.currency
                    ));
                }
                let mut parts: Vec<CurrencyCode> = basket.iter().map(|p| p.currency).collect();
                parts.sort();
                if parts.windows(2).any(|w| w[0] == w[1]) {
                    return Err("money: a basket currency is listed twice".into());
                }
            }
            CoinUnit::Single { currency } if !known(currency) => {
                return Err(format!(
                    "money: unit currency {currency} is neither the numeraire nor a member currency"
                ));
            }
            CoinUnit::Single { .. } => {}
        }
        Ok(())
    }
}

/// The whole genesis file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// Network name, signed into every transaction.
    pub chain_id: ChainId,
    /// Timestamp of the genesis block, milliseconds since the Unix epoch.
    pub genesis_time_ms: u64,
    /// The validator set (static for now).
    pub validators: Vec<GenesisValidator>,
    /// Opening balances.
    pub accounts: Vec<GenesisAccount>,
    /// The money module, when this chain runs the AMRO coin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money: Option<MoneyGenesis>,
    /// Multistakeholder governance (it needs the money section: its seats
    /// are the economies' central banks and regulators).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance: Option<crate::GovernanceGenesis>,
    /// How long a replacement of a lost key waits before its authority may
    /// complete it, in block-time milliseconds (the account's holder can
    /// cancel meanwhile); a week when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_replacement_delay_ms: Option<u64>,
    /// Governance's reviewers: outside auditors who file the reviews of
    /// emergency declarations (they neither vote nor advise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<AccountId>,
    /// Blocks per consensus epoch: the validator set governance changes
    /// takes effect at the next epoch boundary. Absent, the chain is one
    /// epoch and its validators never change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch_length: Option<u64>,
}

/// Fewest blocks in an epoch: each boundary restarts consensus, so an
/// epoch must outlast a restart by far.
pub const MIN_EPOCH_LENGTH: u64 = 10;

impl Genesis {
    /// Checks what serde cannot: a non-empty, duplicate-free validator set and
    /// duplicate-free accounts.
    pub fn validate(&self) -> Result<(), String> {
        let (least, most) = (
            crate::governance::MIN_WINDOW_MS,
            crate::governance::MAX_WINDOW_MS,
        );
        if let Some(delay) = self
            .key_replacement_delay_ms
            .filter(|d| !(least..=most).contains(d))
        {
            return Err(format!(
                "key_replacement_delay_ms is {delay}; it must be from {least} to {most} (a holder needs time to cancel)"
            ));
        }
        if let Some(length) = self.epoch_length.filter(|l| *l < MIN_EPOCH_LENGTH) {
            return Err(format!(
                "epoch_length is {length}; an epoch holds at least {MIN_EPOCH_LENGTH} blocks"
            ));
        }
        if !self.reviewers.is_empty() && self.governance.is_none() {
            return Err("genesis lists reviewers but has no governance section".into());
        }
        let mut reviewers = self.reviewers.clone();
        reviewers.sort();
        if reviewers.windows(2).any(|w| w[0] == w[1]) {
            return Err("genesis lists a reviewer twice".into());
        }
        if self.validators.is_empty() {
            return Err("genesis has no validators".into());
        }
        if let Some(bad) = self
            .validators
            .iter()
            .find(|v| !crate::validators::is_strong_key(&v.public_key))
        {
            return Err(format!(
                "validator {} has a public key that is not a valid Ed25519 key (or is of small order)",
                bad.name
            ));
        }
        let mut keys: Vec<&AccountId> = self.validators.iter().map(|v| &v.public_key).collect();
        keys.sort();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err("genesis lists a validator key twice".into());
        }
        let mut accounts: Vec<&AccountId> = self.accounts.iter().map(|a| &a.id).collect();
        accounts.sort();
        if accounts.windows(2).any(|w| w[0] == w[1]) {
            return Err("genesis lists an account twice".into());
        }
        match &self.money {
            Some(money) => {
                money.validate()?;
                if let Some(governance) = &self.governance {
                    governance.check().map_err(|e| format!("governance: {e}"))?;
                    let least = crate::governance::MIN_VOTING_SEATS;
                    if money.economies.len() < least {
                        return Err(format!(
                            "governance needs at least {least} economies (their central banks vote)"
                        ));
                    }
                }
                // Coins are held by banks and retail accounts only; whether
                // the genesis contributions back them is checked by the state
                // machine, which values them.
                if let Some(funded) = self
                    .accounts
                    .iter()
                    .find(|a| a.balance != Amount::ZERO && a.role.is_none())
                {
                    return Err(format!(
                        "genesis account {} has a balance but no bank or retail role",
                        funded.id
                    ));
                }
                let member = |code: EconomyCode| money.economies.iter().find(|e| e.code == code);
                for account in &self.accounts {
                    match account.role {
                        Some(Role::Bank { economy } | Role::Agency { economy })
                            if member(economy).is_some() => {}
                        // The registries' roles and the offline cash's
                        // centers, named at the founding.
                        Some(role)
                            if role.is_registry_role()
                                && role.economy().and_then(member).is_some() => {}
                        Some(Role::Retail { economy, tier, .. })
                            if member(economy)
                                .is_some_and(|e| e.tiers.iter().any(|t| t.tier == tier)) =>
                        {
                            let bank = self.accounts.iter().find(|b| Some(b.id) == account.bank);
                            if bank.and_then(|b| b.role) != Some(Role::Bank { economy }) {
                                return Err(format!(
                                    "genesis account {}: a merchant or person names the bank of its economy that opened it",
                                    account.id
                                ));
                            }
                        }
                        None => {}
                        Some(role) => {
                            return Err(format!(
                                "genesis account {}: role {role:?} is not a bank or retail account (with a defined tier) of a member economy",
                                account.id
                            ))
                        }
                    }
                }
            }
            None => {
                if self.governance.is_some() {
                    return Err(
                        "genesis has a governance section but no money section (its seats are the economies' central banks and regulators)".into(),
                    );
                }
                if self.accounts.iter().any(|a| a.role.is_some()) {
                    return Err(
                        "genesis gives an account a money role but has no money section".into(),
                    );
                }
            }
        }
        Ok(())
    }

    /// Finds an account by its label.
    pub fn account_by_label(&self, label: &str) -> Option<&GenesisAccount> {
        self.accounts.iter().find(|a| a.label == label)
    }
}
