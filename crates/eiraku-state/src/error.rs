//! Typed errors, each with a message a person understands.

use crate::MoneyError;
use eiraku_core::coins::Coins;
use eiraku_core::{AccountId, Amount, ChainId};

/// Why a transaction may not be included in a block.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdmissionError {
    /// The transaction is for another network.
    #[error(
        "wrong chain id: the transaction is for chain \"{got}\", this network is \"{expected}\""
    )]
    WrongChainId {
        /// This network.
        expected: ChainId,
        /// What the transaction names.
        got: ChainId,
    },
    /// The sender has no account.
    #[error("unknown account {0}: it has never received funds")]
    UnknownAccount(AccountId),
    /// The nonce was used already (a replay, or a resubmission).
    #[error("nonce {got} already used by {sender}; next nonce is {expected}")]
    NonceUsed {
        /// The sender.
        sender: AccountId,
        /// The next unused nonce.
        expected: u64,
        /// The transaction's nonce.
        got: u64,
    },
    /// The signature is by a key that does not sign for the sender (an old
    /// key after a rotation, or a key the sender never had).
    #[error("transaction of {sender} is signed by {signer}, but the key that signs for it is {expected}")]
    WrongKey {
        /// The sender.
        sender: AccountId,
        /// The key that signed.
        signer: AccountId,
        /// The key the state holds for the sender.
        expected: AccountId,
    },
    /// The nonce skips ahead of the sender's next nonce.
    #[error("nonce {got} is ahead of {sender}'s next nonce {expected}")]
    NonceGap {
        /// The sender.
        sender: AccountId,
        /// The next unused nonce.
        expected: u64,
        /// The transaction's nonce.
        got: u64,
    },
}

/// Why an admitted transaction failed. Recorded in its receipt; the state is
/// unchanged except for the sender's nonce.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ExecutionError {
    /// The sender's balance is below the amount.
    #[error("insufficient funds: balance {}, needed {}", Coins(*.balance), Coins(*.needed))]
    InsufficientFunds {
        /// Balance before the transaction.
        balance: Amount,
        /// The amount asked for.
        needed: Amount,
    },
    /// A transfer of nothing.
    #[error("transfer amount must be greater than zero")]
    ZeroAmount,
    /// A transfer to oneself.
    #[error("sender and recipient are the same account")]
    SelfTransfer,
    /// The recipient's balance would exceed what a u128 holds.
    #[error("recipient balance would overflow")]
    BalanceOverflow,
    /// No module of this chain takes the call.
    #[error("no module of this chain handles this call")]
    NoModuleForCall,
    /// A rule of the money module (the AMRO coin).
    #[error(transparent)]
    #[serde(untagged)]
    Money(#[from] MoneyError),
    /// A rule of the registry module.
    #[error(transparent)]
    #[serde(untagged)]
    Registry(#[from] crate::registry::RegistryError),
    /// A rule of multistakeholder governance.
    #[error(transparent)]
    #[serde(untagged)]
    Governance(#[from] crate::governance::GovernanceError),
    /// A rule of the `keys` module (rotation, replacement of lost keys).
    #[error(transparent)]
    #[serde(untagged)]
    Keys(#[from] crate::keys::KeysError),
}

/// Why a block cannot be executed: it contains a transaction that should
/// never have been admitted. A validator that sees this votes against it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("transaction {index} of block {height} is not admissible: {error}")]
pub struct BlockError {
    /// Block height.
    pub height: u64,
    /// Position of the offending transaction.
    pub index: usize,
    /// The admission rule it breaks.
    pub error: AdmissionError,
}

/// A stored state entry that cannot be read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("state entry {key}: {reason}")]
pub struct EntryError {
    /// The entry's key.
    pub key: eiraku_core::StateKey,
    /// What is wrong with it.
    pub reason: String,
}

impl EntryError {
    /// An error about the entry under `key`.
    pub fn new(key: eiraku_core::StateKey, reason: impl Into<String>) -> Self {
        Self {
            key,
            reason: reason.into(),
        }
    }
}
