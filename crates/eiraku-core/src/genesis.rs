//! The genesis file: chain id, start time, validator set and opening
//! balances. Every node of a network starts from the same file; the genesis
//! block commits to it through the genesis state root.

use crate::{AccountId, Amount, ChainId};
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
}

impl Genesis {
    /// Checks what serde cannot: a non-empty, duplicate-free validator set and
    /// duplicate-free accounts.
    pub fn validate(&self) -> Result<(), String> {
        if self.validators.is_empty() {
            return Err("genesis has no validators".into());
        }
        if let Some(bad) = self
            .validators
            .iter()
            .find(|v| v.public_key.public_key().is_err())
        {
            return Err(format!(
                "validator {} has a public key that is not a valid Ed25519 key",
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
        Ok(())
    }

    /// Finds an account by its label.
    pub fn account_by_label(&self, label: &str) -> Option<&GenesisAccount> {
        self.accounts.iter().find(|a| a.label == label)
    }
}
