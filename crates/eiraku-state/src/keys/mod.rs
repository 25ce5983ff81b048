//! The `keys` module: which key signs for an account whose key changed,
//! and the replacements of lost keys waiting out their time lock (calls in
//! [`eiraku_core::keys`]). An account's id never changes; only the key
//! admission checks a transaction's signer against.

mod error;
mod module;

pub use error::KeysError;

use crate::authority::Authority;
use eiraku_core::{keys::KeyCall, AccountId, Role};
use imbl::OrdMap;
use serde::Serialize;

/// Time lock of a replacement when the genesis sets none: a week, long
/// enough for a customer to notice the bank's notice and cancel.
pub const DEFAULT_REPLACEMENT_DELAY_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// A replacement of a lost key, waiting for its time lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Replacement {
    /// The key that will sign for the account.
    pub new_key: AccountId,
    /// The authority that asked (and alone may complete it).
    pub requested_by: AccountId,
    /// Block time of the request.
    pub requested_ms: u64,
    /// From this block time on it may be completed, and no longer cancelled.
    pub effective_ms: u64,
}

/// The module's state. Both maps hold only accounts whose key changed or
/// is being replaced: most accounts never appear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    keys: OrdMap<AccountId, AccountId>,
    replacements: OrdMap<AccountId, Replacement>,
    delay_ms: u64,
}

impl Default for Keys {
    fn default() -> Self {
        Self {
            keys: OrdMap::new(),
            replacements: OrdMap::new(),
            delay_ms: DEFAULT_REPLACEMENT_DELAY_MS,
        }
    }
}

/// Who is calling and when.
pub(crate) struct KeyCaller<'a> {
    pub sender: AccountId,
    pub now_ms: u64,
    pub authority: &'a Authority,
}

impl Keys {
    /// The module at genesis, with its time lock.
    pub fn with_delay(delay_ms: u64) -> Self {
        Self {
            delay_ms,
            ..Self::default()
        }
    }

    /// The key that signs for `account`: the one it rotated or was given,
    /// or its own id.
    pub fn key_of(&self, account: &AccountId) -> AccountId {
        self.keys.get(account).copied().unwrap_or(*account)
    }

    /// The pending replacement of `account`'s key, if any.
    pub fn replacement(&self, account: &AccountId) -> Option<&Replacement> {
        self.replacements.get(account)
    }

    /// The replacement time lock, in block-time milliseconds.
    pub fn delay_ms(&self) -> u64 {
        self.delay_ms
    }

    /// Runs one key call. On error nothing changed.
    pub(crate) fn run(&mut self, call: &KeyCall, caller: &KeyCaller<'_>) -> Result<(), KeysError> {
        match call {
            KeyCall::Rotate { new_key } => self.set_key(caller.sender, *new_key),
            KeyCall::RequestReplacement { account, new_key } => {
                self.request(*account, *new_key, caller)
            }
            KeyCall::CancelReplacement => self.cancel(caller.sender, caller.now_ms),
            KeyCall::CompleteReplacement { account } => self.complete(*account, caller),
        }
    }

    fn set_key(&mut self, account: AccountId, new_key: AccountId) -> Result<(), KeysError> {
        check_key(&new_key)?;
        if self.key_of(&account) == new_key {
            return Err(KeysError::SameKey { key: new_key });
        }
        // Back to its own key: the entry goes, so the state holds only
        // accounts that differ.
        if new_key == account {
            self.keys.remove(&account);
        } else {
            self.keys.insert(account, new_key);
        }
        Ok(())
    }

    fn request(
        &mut self,
        account: AccountId,
        new_key: AccountId,
        caller: &KeyCaller<'_>,
    ) -> Result<(), KeysError> {
        check_opener(caller.authority, &caller.sender, &account)?;
        check_key(&new_key)?;
        if self.key_of(&account) == new_key {
            return Err(KeysError::SameKey { key: new_key });
        }
        if let Some(pending) = self.replacements.get(&account) {
            return Err(KeysError::ReplacementPending {
                account,
                effective_ms: pending.effective_ms,
            });
        }
        let replacement = Replacement {
            new_key,
            requested_by: caller.sender,
            requested_ms: caller.now_ms,
            effective_ms: caller.now_ms.saturating_add(self.delay_ms),
        };
        self.replacements.insert(account, replacement);
        Ok(())
    }

    fn cancel(&mut self, account: AccountId, now_ms: u64) -> Result<(), KeysError> {
        let pending = self.pending(&account)?;
        if now_ms >= pending.effective_ms {
            return Err(KeysError::TooLateToCancel {
                account,
                effective_ms: pending.effective_ms,
            });
        }
        self.replacements.remove(&account);
        Ok(())
    }

    fn complete(&mut self, account: AccountId, caller: &KeyCaller<'_>) -> Result<(), KeysError> {
        let pending = self.pending(&account)?;
        // The authority that asked completes it; when that authority has
        // since lost its role (a central bank governance succeeded), the
        // one that holds it now does, or the account could never be saved.
        let requester_left =
            check_opener(caller.authority, &pending.requested_by, &account).is_err();
        if caller.sender != pending.requested_by && !requester_left {
            return Err(KeysError::NotRequester {
                account,
                requested_by: pending.requested_by,
            });
        }
        // A bank that lost its role during the lock no longer may.
        check_opener(caller.authority, &caller.sender, &account)?;
        if caller.now_ms < pending.effective_ms {
            return Err(KeysError::TimeLocked {
                account,
                effective_ms: pending.effective_ms,
                now_ms: caller.now_ms,
            });
        }
        self.replacements.remove(&account);
        // A rotation since the request may have made the new key current
        // already; completing then just closes the request.
        match self.set_key(account, pending.new_key) {
            Ok(()) | Err(KeysError::SameKey { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    fn pending(&self, account: &AccountId) -> Result<Replacement, KeysError> {
        self.replacements
            .get(account)
            .copied()
            .ok_or(KeysError::NoReplacement { account: *account })
    }
}

/// A key nobody can sign with would lock the account for ever.
fn check_key(key: &AccountId) -> Result<(), KeysError> {
    key.public_key()
        .map(drop)
        .map_err(|_| KeysError::InvalidKey { key: *key })
}

/// Whether `requester` is the authority that may replace `account`'s key:
/// the bank that opened a customer, the central bank of a bank's economy.
/// Officials' keys are governance's to replace.
fn check_opener(
    authority: &Authority,
    requester: &AccountId,
    account: &AccountId,
) -> Result<(), KeysError> {
    let grant = authority
        .grant(account)
        .ok_or(KeysError::NoAuthority { account: *account })?;
    let requester_role = authority.role(requester);
    let allowed = match grant.role {
        Role::Retail { economy, .. } => {
            let opener = grant
                .granted_by
                .ok_or(KeysError::NoAuthority { account: *account })?;
            if opener == *requester && requester_role == Some(Role::Bank { economy }) {
                return Ok(());
            }
            opener.to_string()
        }
        Role::Bank { economy } | Role::Agency { economy } => {
            if requester_role == Some(Role::CentralBank { economy }) {
                return Ok(());
            }
            format!("the central bank of {economy}")
        }
        Role::Issuer
        | Role::CentralBank { .. }
        | Role::Regulator { .. }
        | Role::RegistryAuthority { .. }
        | Role::Attester { .. }
        | Role::CashCenter { .. }
        | Role::DeviceCenter { .. } => {
            return Err(KeysError::GovernanceReplaces { account: *account })
        }
    };
    Err(KeysError::NotAuthorityOf {
        account: *account,
        authority: allowed,
    })
}
