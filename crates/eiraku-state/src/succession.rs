//! Succession (class A): governance revokes an official's role (the
//! issuer, a central bank, a regulator) and grants it to a successor, so
//! nothing that names the official is orphaned. The successor takes the
//! role, the books that name it (the issuer of the money module, an
//! economy's central bank or regulator: its bonds, contributions, claims
//! and settlements are the economy's and stay), its governance seats, the
//! proposals it made and its balance. Its travel-rule key is dropped, not
//! passed: a thief may have registered one it holds, so the successor
//! registers its own (until then, payments that need it are refused). The banks a central bank opened stay
//! opened: they answer to whoever holds the economy's central-bank role.
//!
//! It is how a compromised official is cut off: the old key keeps its
//! account but no role, no seat and no vote that counts.

use crate::{
    authority::Authority,
    governance::{AmendmentError, Governance},
    money::Money,
    Accounts,
};
use eiraku_core::{governance::RoleConsent, AccountId, Amount, ChainId, Role};

/// Whether `official`'s role can pass to `successor`: checked when the
/// succession is proposed and again when it is enacted.
pub(crate) fn check_succession(
    authority: &Authority,
    governance: Option<&Governance>,
    chain_id: &ChainId,
    official: &AccountId,
    successor: &AccountId,
    consent: &RoleConsent,
) -> Result<(), AmendmentError> {
    let role = match authority.role(official) {
        Some(role) if role.is_official() => role,
        _ => return Err(AmendmentError::NotAnOfficial),
    };
    successor
        .public_key()
        .map_err(|_| AmendmentError::InvalidKey)?;
    if !consent.verifies(successor, chain_id, &role) {
        return Err(AmendmentError::RoleConsentInvalid);
    }
    // A former official's record stays; a fresh key keeps offices apart.
    if authority.record(successor).is_some() {
        return Err(AmendmentError::SuccessorHoldsRole);
    }
    if governance.is_some_and(|governance| governance.is_seated(successor)) {
        return Err(AmendmentError::AlreadySeated);
    }
    Ok(())
}

/// Moves `predecessor`'s balance to `successor`, opening the successor's
/// account (officials hold no coins on a money chain, so this is zero
/// there; a chain without money keeps whatever it held).
pub(crate) fn pass_balance(accounts: &mut Accounts, predecessor: &AccountId, successor: AccountId) {
    let mut heir = accounts.get(&successor).copied().unwrap_or_default();
    if let Some(mut account) = accounts.get(predecessor).copied() {
        heir.balance = Amount(heir.balance.0.saturating_add(account.balance.0));
        account.balance = Amount(0);
        accounts.insert(*predecessor, account);
    }
    accounts.insert(successor, heir);
}

impl Money {
    /// Points the books that name `predecessor` in `role` at `successor`,
    /// and drops the predecessor's travel-rule key.
    pub(crate) fn pass_office(
        &mut self,
        role: Role,
        predecessor: &AccountId,
        successor: AccountId,
    ) {
        match role {
            Role::Issuer => self.issuer = successor,
            Role::CentralBank { economy } => {
                if let Some(books) = self.economies.get_mut(&economy) {
                    books.central_bank = successor;
                }
            }
            Role::Regulator { economy } => {
                if let Some(books) = self.economies.get_mut(&economy) {
                    books.regulator = successor;
                }
            }
            Role::Bank { .. }
            | Role::Retail { .. }
            | Role::RegistryAuthority { .. }
            | Role::Attester { .. }
            | Role::CashCenter { .. }
            | Role::DeviceCenter { .. }
            | Role::Agency { .. } => unreachable!("checked: an official"),
        }
        self.travel_keys.remove(predecessor);
    }
}
