//! Issuance (seed 004: a central bank contributes, the issuer accepts and
//! creates issuance bonds in its own account, the central bank issues coins
//! to its banks): contributions, their acceptance or withdrawal, issuing
//! coins, and opening bank and retail accounts (role grants recorded in
//! [`crate::authority`]).

use super::{add, sub, Acceptance, CallContext, Contribution, Money};
use crate::{
    authority::{Authority, GrantRule, RoleGrant},
    ledger::AccountWrites,
    MoneyError,
};
use eiraku_core::{AccountId, Amount, CurrencyCode, Role};

impl Money {
    /// Coins in accounts: Σ issued-account bonds less the offline float
    /// and the coins in purses (equal to Σ balances).
    pub fn circulation(&self) -> Amount {
        let issued: u128 = self.economies.values().map(|e| e.issued_bonds.0).sum();
        let elsewhere = self.offline_float().0.saturating_add(self.purses.held().0);
        Amount(issued.saturating_sub(elsewhere))
    }

    pub(super) fn open_account(
        &mut self,
        accounts: &mut AccountWrites<'_>,
        roles: &mut Authority,
        ctx: &CallContext<'_>,
        account: &AccountId,
        role: &Role,
    ) -> Result<(), MoneyError> {
        let opener = roles.role(ctx.sender);
        match (role, opener) {
            (Role::Bank { economy }, Some(Role::CentralBank { economy: own }))
                if *economy == own => {}
            (Role::Agency { economy }, Some(Role::CentralBank { economy: own }))
                if *economy == own => {}
            (Role::Bank { .. } | Role::Agency { .. }, _) => {
                return Err(MoneyError::OnlyCentralBankOpensBanks)
            }
            (Role::Retail { economy, tier, .. }, Some(Role::Bank { economy: own }))
                if *economy == own =>
            {
                self.check_not_suspended(ctx.sender)?;
                let tiers = &self.economy(economy).tiers;
                if !tiers.contains_key(tier) {
                    return Err(MoneyError::UnknownTier {
                        economy: *economy,
                        tier: *tier,
                    });
                }
                // Higher tiers are reached by a KYC attestation
                // (`change_tier`), never by opening there.
                let entry = *tiers.keys().next().expect("it holds the tier");
                if *tier != entry {
                    return Err(MoneyError::OpensAtEntryTier {
                        economy: *economy,
                        tier: entry,
                    });
                }
            }
            (Role::Retail { .. }, _) => return Err(MoneyError::OnlyBankOpensRetail),
            _ => return Err(MoneyError::RoleNotGrantable),
        }
        // A revoked grant stays on record: its account is not reopened.
        if roles.record(account).is_some() || accounts.contains(account) {
            return Err(MoneyError::AccountExists { account: *account });
        }
        let rule = match role {
            Role::Bank { .. } => GrantRule::CentralBankOpensBank,
            Role::Agency { .. } => GrantRule::CentralBankOpensAgency,
            _ => GrantRule::BankOpensRetail,
        };
        roles.insert(
            *account,
            RoleGrant {
                role: *role,
                granted_by: Some(*ctx.sender),
                granted_ms: ctx.now_ms,
                rule,
                revoked: None,
            },
        );
        accounts.open(account);
        Ok(())
    }

    /// A central bank offers a contribution; it stays pending until the
    /// issuer accepts it or the central bank withdraws it.
    #[allow(clippy::too_many_arguments)] // the call's five terms, as sent
    pub(super) fn contribute(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        instrument: &str,
        currency: &CurrencyCode,
        face: Amount,
        yield_bps: u32,
        maturity_ms: u64,
    ) -> Result<(), MoneyError> {
        let economy = self.central_bank_economy(roles, ctx.sender)?;
        if instrument.trim().is_empty() {
            return Err(MoneyError::InstrumentRequired);
        }
        if face == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        if *currency != self.numeraire && !self.economies.values().any(|e| e.currency == *currency)
        {
            return Err(MoneyError::UnknownCurrency {
                currency: *currency,
            });
        }
        if maturity_ms <= ctx.now_ms {
            return Err(MoneyError::MaturityPassed { maturity_ms });
        }
        // What no rate in force could value is refused now, not left
        // pending for an acceptance that can never come.
        self.value_at_posted_rates(currency, face)?;
        self.contributions.push_back(Contribution {
            id: self.contributions.len() as u64,
            economy,
            instrument: instrument.to_owned(),
            currency: *currency,
            face,
            yield_bps,
            maturity_ms,
            offered_ms: ctx.now_ms,
            accepted: None,
            withdrawn_ms: None,
        });
        Ok(())
    }

    /// A central bank withdraws its own pending contribution.
    pub(super) fn withdraw_contribution(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        id: u64,
    ) -> Result<(), MoneyError> {
        let economy = self.central_bank_economy(roles, ctx.sender)?;
        let contribution = self.pending_contribution(id)?;
        if contribution.economy != economy {
            return Err(MoneyError::NotYourContribution { id });
        }
        self.contributions[id as usize].withdrawn_ms = Some(ctx.now_ms);
        Ok(())
    }

    /// The issuer accepts a pending contribution at fresh rates: issuance
    /// bonds of that value in its economy's own account.
    pub(super) fn accept_contribution(
        &mut self,
        ctx: &CallContext<'_>,
        id: u64,
    ) -> Result<(), MoneyError> {
        if *ctx.sender != self.issuer {
            return Err(MoneyError::NotIssuer);
        }
        let contribution = self.pending_contribution(id)?;
        if contribution.maturity_ms <= ctx.now_ms {
            return Err(MoneyError::MaturityPassed {
                maturity_ms: contribution.maturity_ms,
            });
        }
        let value = self.coin_value(&contribution.currency, contribution.face, ctx.now_ms)?;
        if value == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        let economy = contribution.economy;
        let books = self.economy(&economy);
        let own = add(books.own_bonds, value)?;
        let contributed = add(books.contributed, value)?;
        let books = self.economy_mut(&economy);
        books.own_bonds = own;
        books.contributed = contributed;
        self.contributions[id as usize].accepted = Some(Acceptance {
            acu_value: value,
            accepted_ms: ctx.now_ms,
        });
        Ok(())
    }

    /// A central bank issues coins to one of its banks: bonds move from its
    /// own account to its issued account, the same amount of coins to the
    /// bank.
    pub(super) fn issue_coins(
        &mut self,
        accounts: &mut AccountWrites<'_>,
        roles: &Authority,
        ctx: &CallContext<'_>,
        bank: &AccountId,
        amount: Amount,
    ) -> Result<(), MoneyError> {
        let economy = self.central_bank_of(roles, ctx.sender, bank)?;
        self.check_not_frozen(bank)?;
        if amount == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        let books = self.economy(&economy);
        let own = sub(
            books.own_bonds,
            amount,
            MoneyError::InsufficientOwnBonds {
                available: books.own_bonds,
                needed: amount,
            },
        )?;
        let issued = add(books.issued_bonds, amount)?;
        let balance = add(accounts.balance(bank), amount)?;
        let books = self.economy_mut(&economy);
        books.own_bonds = own;
        books.issued_bonds = issued;
        accounts.set_balance(bank, balance);
        Ok(())
    }

    /// Contribution `id`, if it is still pending: neither accepted nor
    /// withdrawn.
    fn pending_contribution(&self, id: u64) -> Result<&Contribution, MoneyError> {
        let contribution = self
            .contributions
            .get(id as usize)
            .ok_or(MoneyError::UnknownContribution { id })?;
        if contribution.accepted.is_some() {
            return Err(MoneyError::AlreadyAccepted { id });
        }
        if contribution.withdrawn_ms.is_some() {
            return Err(MoneyError::ContributionWithdrawn { id });
        }
        Ok(contribution)
    }
}
