//! What a call must pass against the state of modules other than its own
//! before it runs: a proposal checked against the validator set, the money
//! books and the roles; an account a waiting proposal reserves; a bank
//! that may no longer act for its customers.

use crate::{
    accession::check_accession,
    authority::Authority,
    governance::{AmendmentError, Governance, GovernanceError},
    modules::Modules,
    money::check_kyc,
    registry_roles::{check_grant, check_revoke},
    succession::check_succession,
    ExecutionError, MoneyError,
};
use eiraku_core::{
    governance::Amendment, AccountId, Call, ChainId, GovernanceCall, KeyCall, MoneyCall, Role,
};

/// Every guard, in order.
pub(crate) fn check_call(
    authority: &Authority,
    modules: &Modules,
    chain_id: &ChainId,
    sender: &AccountId,
    call: &Call,
    now_ms: u64,
) -> Result<(), ExecutionError> {
    check_proposal(authority, modules, chain_id, sender, call)
        .map_err(|reason| GovernanceError::InvalidAmendment { reason })
        .map_err(ExecutionError::Governance)?;
    check_not_reserved(modules, call)?;
    check_custody(modules, sender, call)?;
    check_tier_upgrade(authority, modules, now_ms, call)
}

/// Checks a proposal against the state outside governance before
/// governance records it. Only a voting seat's proposal is checked (a
/// validator change's consents cost signatures); governance refuses the
/// others.
fn check_proposal(
    authority: &Authority,
    modules: &Modules,
    chain_id: &ChainId,
    sender: &AccountId,
    call: &Call,
) -> Result<(), AmendmentError> {
    let Call::Governance(GovernanceCall::Propose { amendment, .. }) = call else {
        return Ok(());
    };
    let governance = match &modules.governance {
        Some(governance) if governance.rules().voting.contains(sender) => governance,
        _ => return Ok(()),
    };
    check_not_taken(governance, amendment)?;
    let money = modules.money.as_ref();
    match amendment {
        Amendment::ChangeValidators(change) => modules.validators.check(change, chain_id),
        Amendment::AddEconomy(economy) => {
            check_accession(authority, money, Some(governance), chain_id, economy)
        }
        Amendment::Succeed {
            official,
            successor,
            consent,
        } => check_succession(
            authority,
            Some(governance),
            chain_id,
            official,
            successor,
            consent,
        ),
        Amendment::LiftSuspension { bank } => money
            .ok_or(AmendmentError::NoModule)
            .and_then(|money| money.check_lift(bank)),
        Amendment::GrantRole {
            account,
            role,
            consent,
        } => check_grant(
            authority,
            money,
            Some(governance),
            chain_id,
            account,
            role,
            consent,
        ),
        Amendment::RevokeRole { account } => check_revoke(authority, account),
        _ => Ok(()),
    }
}

/// Refuses a proposal that gives a role to an account another waiting
/// proposal gives one to (the sooner class would defeat the other at its
/// enactment), and a second lift of one bank's suspension: a lift is
/// voted on the suspension in force, and no other can come while it waits.
fn check_not_taken(governance: &Governance, amendment: &Amendment) -> Result<(), AmendmentError> {
    let reserved = (Governance::new_holders(amendment).iter())
        .any(|account| governance.reserving(account).is_some());
    if reserved {
        return Err(AmendmentError::AccountReserved);
    }
    if let Amendment::LiftSuspension { .. } = amendment {
        let same = |waiting: &Amendment| waiting == amendment;
        if governance.waiting(same).is_some() {
            return Err(AmendmentError::LiftWaiting);
        }
    }
    Ok(())
}

/// Refuses to open an account a waiting proposal reserves
/// ([`Governance::reserving`]).
fn check_not_reserved(modules: &Modules, call: &Call) -> Result<(), ExecutionError> {
    let Call::Money(MoneyCall::OpenAccount { account, .. }) = call else {
        return Ok(());
    };
    let reserving = (modules.governance.as_ref()).and_then(|g| g.reserving(account));
    match reserving {
        Some(proposal) => Err(MoneyError::AccountReserved {
            account: *account,
            proposal,
        }
        .into()),
        None => Ok(()),
    }
}

/// A bank its central bank suspended, or its regulator froze, may no
/// longer take over its customers' keys: the customers' coins would
/// follow it out of the suspension.
fn check_custody(modules: &Modules, sender: &AccountId, call: &Call) -> Result<(), ExecutionError> {
    let takes_over = matches!(
        call,
        Call::Keys(KeyCall::RequestReplacement { .. } | KeyCall::CompleteReplacement { .. })
    );
    match &modules.money {
        Some(money) if takes_over => money.check_not_frozen(sender).map_err(Into::into),
        _ => Ok(()),
    }
}

/// Whether moving from tier `from` to tier `to` raises either cap: an
/// upgrade is told by what the account may then do, not by the tiers'
/// numbers (a central bank sets each tier's caps freely). An unknown tier
/// is the money module's to refuse.
fn raises_caps(modules: &Modules, economy: eiraku_core::EconomyCode, from: u8, to: u8) -> bool {
    let Some(tiers) = (modules.money.as_ref()).and_then(|m| m.economies.get(&economy)) else {
        return false;
    };
    match (tiers.tiers.get(&from), tiers.tiers.get(&to)) {
        (Some(from), Some(to)) => {
            to.balance_cap > from.balance_cap || to.transfer_cap > from.transfer_cap
        }
        (None, Some(_)) => true,
        _ => false,
    }
}

/// A retail account moves up a KYC tier only on a KYC attestation (in the
/// registry) about it, valid now, from an attester of its economy. Moving
/// down needs none; the money module checks the bank and the caps.
fn check_tier_upgrade(
    authority: &Authority,
    modules: &Modules,
    now_ms: u64,
    call: &Call,
) -> Result<(), ExecutionError> {
    let Call::Money(MoneyCall::ChangeTier {
        account,
        tier,
        attestation,
    }) = call
    else {
        return Ok(());
    };
    let Some(Role::Retail {
        economy,
        tier: current,
        ..
    }) = authority.role(account)
    else {
        return Ok(());
    };
    if !raises_caps(modules, economy, current, *tier) {
        return Ok(());
    }
    let found = attestation.and_then(|id| modules.registry.attestation(&id).copied());
    check_kyc(
        authority,
        account,
        economy,
        attestation.as_ref(),
        found.as_ref(),
        now_ms,
    )
    .map_err(|reason| MoneyError::KycRequired {
        account: *account,
        reason,
    })
    .map_err(ExecutionError::from)
}
