//! Accession (class A): governance admits a member economy. Its books open
//! empty, its central bank and regulator are granted their roles and take
//! a voting and an advisory seat (one economy, one vote: seed 004 §6's
//! equal rights for large and small economies). Its central bank then
//! contributes bonds, posts rates and sets KYC tiers like any other, and
//! its currency enters the ACU only through a basket change.

use crate::{
    authority::{Authority, GrantRule, RoleGrant},
    governance::{AmendmentError, Governance},
    money::{Economy, Money},
    Accounts,
};
use eiraku_core::{governance::NewEconomy, AccountId, Amount, ChainId, Role};
use std::collections::BTreeMap;

/// Whether `economy` can be admitted: checked when proposed and again when
/// enacted.
pub(crate) fn check_accession(
    authority: &Authority,
    money: Option<&Money>,
    governance: Option<&Governance>,
    chain_id: &ChainId,
    economy: &NewEconomy,
) -> Result<(), AmendmentError> {
    let money = money.ok_or(AmendmentError::NoModule)?;
    let taken = money.economies.contains_key(&economy.code)
        || (money.economies.values()).any(|books| books.currency == economy.currency);
    if taken {
        return Err(AmendmentError::EconomyExists);
    }
    let officials = [economy.central_bank, economy.regulator];
    for official in &officials {
        official
            .public_key()
            .map_err(|_| AmendmentError::InvalidKey)?;
    }
    let fresh = |account: &AccountId| {
        authority.record(account).is_none() && !governance.is_some_and(|g| g.is_seated(account))
    };
    if officials[0] == officials[1] || !officials.iter().all(fresh) {
        return Err(AmendmentError::NewOfficialsNotFresh);
    }
    let code = economy.code;
    let consents = [
        (
            &economy.central_bank,
            &economy.central_bank_consent,
            Role::CentralBank { economy: code },
        ),
        (
            &economy.regulator,
            &economy.regulator_consent,
            Role::Regulator { economy: code },
        ),
    ];
    for (account, consent, role) in consents {
        if !consent.verifies(account, chain_id, &role) {
            return Err(AmendmentError::RoleConsentInvalid);
        }
    }
    Ok(())
}

/// Grants the new economy's officials their roles at `now_ms`.
pub(crate) fn grant_officials(authority: &mut Authority, economy: &NewEconomy, now_ms: u64) {
    let code = economy.code;
    let grants = [
        (economy.central_bank, Role::CentralBank { economy: code }),
        (economy.regulator, Role::Regulator { economy: code }),
    ];
    for (account, role) in grants {
        let grant = RoleGrant {
            role,
            granted_by: None,
            granted_ms: now_ms,
            rule: GrantRule::Accession,
            revoked: None,
        };
        authority.insert(account, grant);
    }
    authority.settle();
}

/// Opens the new economy's officials' accounts (so they can send).
pub(crate) fn open_official_accounts(accounts: &mut Accounts, economy: &NewEconomy) {
    for official in [economy.central_bank, economy.regulator] {
        if accounts.get(&official).is_none() {
            accounts.insert(official, Default::default());
        }
    }
}

impl Money {
    /// Opens the new economy's books, empty, its rate posted at `now_ms`.
    pub(crate) fn open_books(&mut self, economy: &NewEconomy, now_ms: u64) {
        let books = Economy {
            currency: economy.currency,
            central_bank: economy.central_bank,
            regulator: economy.regulator,
            rate: economy.rate,
            rate_posted_ms: now_ms,
            own_bonds: Amount::ZERO,
            issued_bonds: Amount::ZERO,
            contributed: Amount::ZERO,
            tiers: BTreeMap::new(),
            seigniorage: Amount::ZERO,
            offline_float: Amount::ZERO,
        };
        self.economies.insert(economy.code, books);
    }
}
