//! Why a call of the `keys` module was refused.

use eiraku_core::AccountId;

/// Why a key call failed. Each names the rule broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum KeysError {
    /// The new key's bytes are not an Ed25519 public key: nobody could ever
    /// sign for the account again.
    #[error("{key} is not a valid Ed25519 public key; the account would be locked for ever")]
    InvalidKey {
        /// The refused key.
        key: AccountId,
    },
    /// The new key is the one that signs already.
    #[error("{key} already signs for this account")]
    SameKey {
        /// The key.
        key: AccountId,
    },
    /// The account has no authority that could replace its key (no role,
    /// or no recorded opener).
    #[error("account {account} was not opened by a bank or central bank, so no one can replace its key; its holder can only rotate it")]
    NoAuthority {
        /// The account.
        account: AccountId,
    },
    /// The sender is not the authority that opened the account.
    #[error("only {authority} may replace the key of {account}: the authority that opened it")]
    NotAuthorityOf {
        /// The account.
        account: AccountId,
        /// The authority that may.
        authority: String,
    },
    /// Official roles' keys are replaced by governance, not by a call.
    #[error("the key of {account} (an issuer, central bank or regulator) is replaced only by a governance proposal")]
    GovernanceReplaces {
        /// The account.
        account: AccountId,
    },
    /// A replacement of the account's key is already waiting.
    #[error("a replacement of the key of {account} is already pending (effective at {effective_ms} ms); it must be completed or cancelled first")]
    ReplacementPending {
        /// The account.
        account: AccountId,
        /// When the pending one may be completed.
        effective_ms: u64,
    },
    /// No replacement of the account's key is pending.
    #[error("no replacement of the key of {account} is pending")]
    NoReplacement {
        /// The account.
        account: AccountId,
    },
    /// The time lock has not ended yet.
    #[error("the replacement of the key of {account} is time-locked until {effective_ms} ms (block time now {now_ms} ms)")]
    TimeLocked {
        /// The account.
        account: AccountId,
        /// When it ends.
        effective_ms: u64,
        /// The block's time.
        now_ms: u64,
    },
    /// The time lock has ended: the replacement can no longer be cancelled.
    #[error("the time lock of the replacement of the key of {account} ended at {effective_ms} ms; it can no longer be cancelled")]
    TooLateToCancel {
        /// The account.
        account: AccountId,
        /// When the lock ended.
        effective_ms: u64,
    },
    /// Only the authority that asked for a replacement completes it.
    #[error("only {requested_by}, which asked for it, may complete the replacement of the key of {account}")]
    NotRequester {
        /// The account.
        account: AccountId,
        /// Who asked.
        requested_by: AccountId,
    },
}

impl KeysError {
    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            KeysError::InvalidKey { .. } => "invalid_key",
            KeysError::SameKey { .. } => "same_key",
            KeysError::NoAuthority { .. } => "no_authority",
            KeysError::NotAuthorityOf { .. } => "not_authority_of",
            KeysError::GovernanceReplaces { .. } => "governance_replaces",
            KeysError::ReplacementPending { .. } => "replacement_pending",
            KeysError::NoReplacement { .. } => "no_replacement",
            KeysError::TimeLocked { .. } => "time_locked",
            KeysError::TooLateToCancel { .. } => "too_late_to_cancel",
            KeysError::NotRequester { .. } => "not_requester",
        }
    }
}
