//! Registry roles (class B): governance grants a registry authority or an
//! attester of a member economy to a fresh account, and revokes it. The
//! registries that use them (issue 16) read them from the authority like
//! every other role. One account holds one role, so a bank that attests
//! KYC results does so from an attester account of its own.

use crate::{
    authority::Authority,
    governance::{AmendmentError, Governance},
    money::Money,
};
use eiraku_core::{governance::RoleConsent, AccountId, ChainId, Role};

/// Whether `role` can be granted to `account`: checked when proposed and
/// again when enacted.
pub(crate) fn check_grant(
    authority: &Authority,
    money: Option<&Money>,
    governance: Option<&Governance>,
    chain_id: &ChainId,
    account: &AccountId,
    role: &Role,
    consent: &RoleConsent,
) -> Result<(), AmendmentError> {
    if !role.is_registry_role() {
        return Err(AmendmentError::NotARegistryRole);
    }
    let economy = role.economy().expect("registry roles belong to an economy");
    if money.is_some_and(|money| !money.economies.contains_key(&economy)) {
        return Err(AmendmentError::UnknownEconomy);
    }
    account
        .public_key()
        .map_err(|_| AmendmentError::InvalidKey)?;
    if authority.record(account).is_some() {
        return Err(AmendmentError::HoldsRole);
    }
    // A seat is never frozen by an emergency: a registry role must not
    // give one that standing by the back door.
    if governance.is_some_and(|g| g.is_seated(account)) {
        return Err(AmendmentError::AlreadySeated);
    }
    if !consent.verifies(account, chain_id, role) {
        return Err(AmendmentError::RoleConsentInvalid);
    }
    Ok(())
}

/// Whether `account`'s role can be revoked by a class-B proposal: it
/// holds a registry role.
pub(crate) fn check_revoke(
    authority: &Authority,
    account: &AccountId,
) -> Result<(), AmendmentError> {
    match authority.role(account) {
        Some(role) if role.is_registry_role() => Ok(()),
        _ => Err(AmendmentError::NotARegistryRole),
    }
}
