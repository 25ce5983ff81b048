//! KYC tiers of retail accounts after opening: the account's bank moves it
//! to another tier. An upgrade needs a KYC attestation about the account,
//! valid at the block's time, from a current attester of its economy
//! (seed 001: a KYC result shared as a non-transferable credential). The
//! attestation lives in the registry module, so it is checked before the
//! call runs ([`crate::guards`], with [`check_kyc`]); the bank, the tier
//! and the caps are checked here.

use super::{CallContext, Money};
use crate::{
    authority::{Authority, GrantRule, RoleGrant},
    ledger::AccountWrites,
    MoneyError,
};
use eiraku_core::{
    attestation::{kyc_schema, Attestation},
    AccountId, Digest, EconomyCode, Role,
};
use serde::{Deserialize, Serialize};

/// Why an attestation does not carry a tier upgrade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum KycRefusal {
    /// None was named.
    #[error("no attestation was named")]
    NoneNamed,
    /// The registry has none by that name.
    #[error("no such attestation is on record")]
    Unknown,
    /// It is about another account.
    #[error("the attestation is about another account")]
    AboutAnother,
    /// Its schema is not the KYC schema.
    #[error("the attestation is not a KYC result (another schema)")]
    NotKyc,
    /// Its attester revoked it.
    #[error("the attestation is revoked")]
    Revoked,
    /// The block's time is outside its window.
    #[error("the attestation is not valid at this block's time")]
    OutsideValidity,
    /// Its attester is not (or no longer) an attester of the economy.
    #[error("its attester is not an attester of the account's economy")]
    ForeignAttester,
}

/// Checks that attestation `named` (`found` in the registry) lets
/// `account` of `economy` move up a tier at `now_ms`.
pub(crate) fn check_kyc(
    roles: &Authority,
    account: &AccountId,
    economy: EconomyCode,
    named: Option<&Digest>,
    found: Option<&Attestation>,
    now_ms: u64,
) -> Result<(), KycRefusal> {
    named.ok_or(KycRefusal::NoneNamed)?;
    let attestation = found.ok_or(KycRefusal::Unknown)?;
    if attestation.subject != *account {
        return Err(KycRefusal::AboutAnother);
    }
    if attestation.schema != kyc_schema() {
        return Err(KycRefusal::NotKyc);
    }
    if attestation.revoked_ms.is_some() {
        return Err(KycRefusal::Revoked);
    }
    if !attestation.valid_at(now_ms) {
        return Err(KycRefusal::OutsideValidity);
    }
    match roles.role(&attestation.attester) {
        Some(Role::Attester { economy: own }) if own == economy => Ok(()),
        _ => Err(KycRefusal::ForeignAttester),
    }
}

impl Money {
    /// The bank that opened retail `account` moves it to `tier`; its
    /// holdings must fit the new tier's balance cap.
    pub(super) fn change_tier(
        &mut self,
        accounts: &AccountWrites<'_>,
        roles: &mut Authority,
        ctx: &CallContext<'_>,
        account: &AccountId,
        tier: u8,
    ) -> Result<(), MoneyError> {
        let not_its_bank = || MoneyError::NotItsBank { account: *account };
        let grant = roles.grant(account).copied().ok_or_else(not_its_bank)?;
        let Role::Retail {
            economy,
            kind,
            tier: current,
        } = grant.role
        else {
            return Err(not_its_bank());
        };
        let sender_banks_here = roles.role(ctx.sender) == Some(Role::Bank { economy });
        if grant.granted_by != Some(*ctx.sender) || !sender_banks_here {
            return Err(not_its_bank());
        }
        self.check_not_suspended(ctx.sender)?;
        if tier == current {
            return Err(MoneyError::SameTier {
                account: *account,
                tier,
            });
        }
        if !self.economy(&economy).tiers.contains_key(&tier) {
            return Err(MoneyError::UnknownTier { economy, tier });
        }
        let role = Role::Retail {
            economy,
            kind,
            tier,
        };
        let held = self.offline_held(account);
        self.check_holdings_cap(account, Some(role), accounts.balance(account), held)?;
        roles.insert(
            *account,
            RoleGrant {
                role,
                granted_by: Some(*ctx.sender),
                granted_ms: ctx.now_ms,
                rule: GrantRule::BankChangesTier,
                revoked: None,
            },
        );
        Ok(())
    }
}
