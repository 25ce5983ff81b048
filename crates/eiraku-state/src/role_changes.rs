//! Enacting the amendments that change who holds a role: a succession
//! (`crate::succession`), an accession (`crate::accession`) and the grant
//! or revocation of a registry role (`crate::registry_roles`). Each reaches
//! the roles, the accounts and several modules at once, so the state hands
//! them its parts; each is checked again at its enactment, and one that can
//! no longer apply changes nothing.

use crate::{
    accession::{check_accession, grant_officials, open_official_accounts},
    authority::{Authority, GrantRule, RoleGrant},
    governance::AmendmentError,
    modules::Modules,
    registry_roles::{check_grant, check_revoke},
    succession::{check_succession, pass_balance},
    Account, Accounts,
};
use eiraku_core::{
    governance::{Amendment, NewEconomy, RoleConsent},
    AccountId, ChainId, Role,
};

/// The parts of the state a change of roles writes, at block time `now_ms`.
pub(crate) struct RoleChanges<'a> {
    pub authority: &'a mut Authority,
    pub accounts: &'a mut Accounts,
    pub modules: &'a mut Modules,
    pub chain_id: &'a ChainId,
    pub now_ms: u64,
}

impl RoleChanges<'_> {
    /// Enacts `amendment` when it changes who holds a role; `None` when it
    /// is another module's.
    pub fn enact(&mut self, amendment: &Amendment) -> Option<Result<(), AmendmentError>> {
        Some(match amendment {
            Amendment::Succeed {
                official,
                successor,
                consent,
            } => self.succeed(*official, *successor, consent),
            Amendment::AddEconomy(economy) => self.admit_economy(economy),
            Amendment::GrantRole {
                account,
                role,
                consent,
            } => self.grant_role(*account, *role, consent),
            Amendment::RevokeRole { account } => check_revoke(self.authority, account)
                .map(|()| self.authority.revoke(*account, self.now_ms)),
            _ => return None,
        })
    }

    fn succeed(
        &mut self,
        official: AccountId,
        successor: AccountId,
        consent: &RoleConsent,
    ) -> Result<(), AmendmentError> {
        let governance = self.modules.governance.as_ref();
        check_succession(
            self.authority,
            governance,
            self.chain_id,
            &official,
            &successor,
            consent,
        )?;
        let role = (self.authority.role(&official)).expect("checked: an official");
        if let Some(money) = self.modules.money.as_mut() {
            money.pass_office(role, &official, successor);
        }
        if let Some(governance) = self.modules.governance.as_mut() {
            governance.pass_seats(&official, successor);
        }
        self.authority.succeed(official, successor, self.now_ms);
        pass_balance(self.accounts, &official, successor);
        Ok(())
    }

    fn admit_economy(&mut self, economy: &NewEconomy) -> Result<(), AmendmentError> {
        let money = self.modules.money.as_ref();
        let governance = self.modules.governance.as_ref();
        check_accession(self.authority, money, governance, self.chain_id, economy)?;
        (self.modules.money.as_mut())
            .expect("checked: a money chain")
            .open_books(economy, self.now_ms);
        if let Some(governance) = self.modules.governance.as_mut() {
            governance.seat_economy(economy.central_bank, economy.regulator);
        }
        grant_officials(self.authority, economy, self.now_ms);
        open_official_accounts(self.accounts, economy);
        Ok(())
    }

    fn grant_role(
        &mut self,
        account: AccountId,
        role: Role,
        consent: &RoleConsent,
    ) -> Result<(), AmendmentError> {
        let money = self.modules.money.as_ref();
        let governance = self.modules.governance.as_ref();
        check_grant(
            self.authority,
            money,
            governance,
            self.chain_id,
            &account,
            &role,
            consent,
        )?;
        let grant = RoleGrant {
            role,
            granted_by: None,
            granted_ms: self.now_ms,
            rule: GrantRule::Governance,
            revoked: None,
        };
        self.authority.insert(account, grant);
        self.authority.settle();
        if self.accounts.get(&account).is_none() {
            self.accounts.insert(account, Account::default());
        }
        Ok(())
    }
}
