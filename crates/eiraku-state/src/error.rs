//! Typed errors, each with a message a person understands.

use eiraku_core::{AccountId, Amount, ChainId};

/// Why a transaction may not be included in a block.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdmissionError {
    /// The transaction is for another network.
    #[error("wrong chain id: transaction is for {got:?}, this network is {expected:?}")]
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
    #[error("insufficient funds: balance {balance}, needed {needed}")]
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
