//! Payments and the AML rules (seed 004: coins flow to shops and people and
//! across borders under AML/CFT rules): paying, KYC tier caps, freezes, the
//! travel rule and its recipients, travel-key registration.

use super::{add, holder_economy_of, sub, CallContext, Freeze, Money};
use crate::{authority::Authority, ledger::AccountWrites, MoneyError};
use eiraku_core::{travel_rule::TravelKey, AccountId, Amount, Digest, Role};

impl Money {
    /// The reason an account is frozen, if it is.
    pub fn freeze_of(&self, id: &AccountId) -> Option<&Freeze> {
        self.frozen.get(id)
    }

    /// Who is entitled to a payment's travel-rule data, each with the key
    /// it receives under: the payer's and the payee's banks (a bank is its
    /// own) and the regulators of both economies, each once, in this order.
    pub fn travel_rule_recipients(
        &self,
        roles: &Authority,
        payer: &AccountId,
        payee: &AccountId,
    ) -> Result<Vec<(AccountId, TravelKey)>, MoneyError> {
        let mut parties = Vec::with_capacity(4);
        for holder in [payer, payee] {
            let bank = match roles.role(holder) {
                // A bank, and an agency (an account at the central bank),
                // receive their own.
                Some(Role::Bank { .. } | Role::Agency { .. }) => *holder,
                Some(Role::Retail { .. }) => roles
                    .grant(holder)
                    .and_then(|grant| grant.granted_by)
                    .ok_or(MoneyError::NotCoinHolder { account: *holder })?,
                _ => return Err(MoneyError::NotCoinHolder { account: *holder }),
            };
            parties.push(bank);
        }
        for holder in [payer, payee] {
            let economy = self.holder_economy(roles, holder)?;
            parties.push(self.economy(&economy).regulator);
        }
        let mut recipients: Vec<(AccountId, TravelKey)> = Vec::with_capacity(4);
        for party in parties {
            if recipients.iter().any(|(id, _)| *id == party) {
                continue;
            }
            let key = self
                .travel_keys
                .get(&party)
                .ok_or(MoneyError::NoTravelKey { account: party })?;
            recipients.push((party, *key));
        }
        Ok(recipients)
    }

    /// A payment between coin holders, within AML rules. Each role and
    /// balance is read once: with millions of accounts each read is a walk
    /// down a large tree.
    pub(crate) fn pay(
        &self,
        accounts: &mut AccountWrites<'_>,
        roles: &Authority,
        from: &AccountId,
        to: &AccountId,
        amount: Amount,
        travel_rule: Option<&Digest>,
    ) -> Result<(), MoneyError> {
        let from_role = roles.role(from);
        let to_role = roles.role(to);
        let from_economy = holder_economy_of(from, from_role)?;
        let to_economy = holder_economy_of(to, to_role)?;
        if from == to {
            return Err(MoneyError::SelfPayment);
        }
        if amount == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        self.check_not_frozen(from)?;
        self.check_not_frozen(to)?;
        self.check_transfer_cap(from_role, amount)?;
        let debited = debited(accounts, from, amount)?;
        let credited = add(accounts.balance(to), amount)?;
        self.check_holdings_cap(to, to_role, credited, self.offline_held(to))?;
        if from_economy != to_economy
            && amount >= self.travel_rule_threshold
            && travel_rule.is_none()
        {
            return Err(MoneyError::TravelRuleRequired {
                threshold: self.travel_rule_threshold,
            });
        }
        accounts.set_balance(from, debited);
        accounts.set_balance(to, credited);
        Ok(())
    }

    /// A retail account sends at most its KYC tier's transfer cap at once.
    pub(super) fn check_transfer_cap(
        &self,
        role: Option<Role>,
        amount: Amount,
    ) -> Result<(), MoneyError> {
        if let Some(Role::Retail { economy, tier, .. }) = role {
            let caps = self.economy(&economy).tiers.get(&tier);
            let cap = caps.map(|c| c.transfer_cap).unwrap_or_default();
            if amount > cap {
                return Err(MoneyError::TransferCapExceeded { cap, amount });
            }
        }
        Ok(())
    }

    /// A retail account holds at most its KYC tier's balance cap.
    /// A retail account's tier caps what it holds: its balance and the
    /// coins it loaded into wallets that are not credited back yet.
    pub(super) fn check_holdings_cap(
        &self,
        account: &AccountId,
        role: Option<Role>,
        balance: Amount,
        offline: Amount,
    ) -> Result<(), MoneyError> {
        if let Some(Role::Retail { economy, tier, .. }) = role {
            let caps = self.economy(&economy).tiers.get(&tier);
            let cap = caps.map(|c| c.balance_cap).unwrap_or_default();
            let credited = add(balance, offline)?;
            if credited > cap {
                return Err(MoneyError::BalanceCapExceeded {
                    account: *account,
                    cap,
                    would_be: credited,
                });
            }
        }
        Ok(())
    }

    /// Whether `account` may move coins: neither frozen by its regulator
    /// nor, for a bank, suspended by its central bank.
    pub(crate) fn check_not_frozen(&self, account: &AccountId) -> Result<(), MoneyError> {
        if let Some(freeze) = self.frozen.get(account) {
            return Err(MoneyError::AccountFrozen {
                account: *account,
                reason: freeze.reason.clone(),
            });
        }
        self.check_not_suspended(account)
    }

    fn check_regulator_of(
        &self,
        roles: &Authority,
        sender: &AccountId,
        account: &AccountId,
    ) -> Result<(), MoneyError> {
        let Some(Role::Regulator { economy }) = roles.role(sender) else {
            return Err(MoneyError::NotRegulator);
        };
        match roles.role(account).and_then(|r| r.economy()) {
            Some(of) if of == economy => Ok(()),
            _ => Err(MoneyError::NotRegulatorOf {
                account: *account,
                economy,
            }),
        }
    }

    /// The sender regulates `account`'s economy and gives a reason.
    fn check_reasoned_regulator_of(
        &self,
        roles: &Authority,
        sender: &AccountId,
        account: &AccountId,
        reason: &str,
    ) -> Result<(), MoneyError> {
        self.check_regulator_of(roles, sender, account)?;
        if reason.trim().is_empty() {
            return Err(MoneyError::ReasonRequired);
        }
        Ok(())
    }

    /// A regulator freezes an account of its economy, with a reason.
    pub(super) fn freeze(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        account: &AccountId,
        reason: &str,
    ) -> Result<(), MoneyError> {
        self.check_reasoned_regulator_of(roles, ctx.sender, account, reason)?;
        if self.frozen.contains_key(account) {
            return Err(MoneyError::AlreadyFrozen { account: *account });
        }
        self.frozen.insert(
            *account,
            Freeze {
                reason: reason.to_owned(),
                since_ms: ctx.now_ms,
            },
        );
        Ok(())
    }

    /// A regulator lifts a freeze on an account of its economy, with a
    /// reason.
    pub(super) fn unfreeze(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        account: &AccountId,
        reason: &str,
    ) -> Result<(), MoneyError> {
        self.check_reasoned_regulator_of(roles, ctx.sender, account, reason)?;
        self.frozen
            .remove(account)
            .map(|_| ())
            .ok_or(MoneyError::NotFrozen { account: *account })
    }

    /// A bank or regulator registers the key its travel-rule copies are
    /// sealed to.
    pub(super) fn register_travel_key(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        key: &TravelKey,
    ) -> Result<(), MoneyError> {
        match roles.role(ctx.sender) {
            Some(Role::Bank { .. } | Role::Regulator { .. }) => {
                self.travel_keys.insert(*ctx.sender, *key);
                Ok(())
            }
            _ => Err(MoneyError::NotBankOrRegulator),
        }
    }
}

/// `account`'s balance less `amount`, or why it cannot pay it.
pub(super) fn debited(
    accounts: &AccountWrites<'_>,
    account: &AccountId,
    amount: Amount,
) -> Result<Amount, MoneyError> {
    let balance = accounts.balance(account);
    sub(
        balance,
        amount,
        MoneyError::InsufficientFunds {
            balance,
            needed: amount,
        },
    )
}
