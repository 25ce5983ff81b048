//! Purpose-bound money (seed 000 §(3)②: benefits and aid whose use is
//! restricted; seed 001: push-type benefits). An agency pushes a purse to
//! a person or merchant of its economy; its beneficiary spends it only at
//! merchants whose category (part of their role) the purse names; at
//! expiry the state machine returns what is left to the agency, with no
//! transaction. Coins in purses are neither in accounts nor out of
//! circulation: `money.backing` counts them ([`Purses::held`]).

use super::{add, payment::debited, sub, CallContext, Money};
use crate::{
    authority::Authority,
    invariants::{Broken, Invariant},
    ledger::AccountWrites,
    MoneyError,
};
use eiraku_core::{AccountId, Amount, Digest, EconomyCode, MoneyCall, RetailKind, Role};
use imbl::OrdMap;

/// Most purses one block closes at expiry (many due at once wait for the
/// next blocks).
pub const MAX_EXPIRIES_PER_BLOCK: usize = 1_000;

/// Longest a purse may run: two years.
pub const MAX_PURSE_LIFE_MS: u64 = 2 * 365 * 24 * 60 * 60 * 1000;

/// One purse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purse {
    /// The agency that pushed it, and gets back what is left.
    pub payer: AccountId,
    /// Who spends it.
    pub beneficiary: AccountId,
    /// The economy whose merchants it pays.
    pub economy: EconomyCode,
    /// What it holds now.
    pub balance: Amount,
    /// When what is left returns to the payer (block time).
    pub expiry_ms: u64,
    /// The merchant categories it pays.
    pub categories: Vec<u16>,
}

/// Every open purse, by name, with an index by expiry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Purses {
    /// Open purses by name (the pushing transaction's hash).
    pub open: OrdMap<Digest, Purse>,
    /// The same, by (expiry, name): expiry reads only what is due.
    by_expiry: OrdMap<(u64, Digest), ()>,
    /// Σ balances of open purses: kept as purses change (never summed on a
    /// block's path), rebuilt from the entries on a restart.
    held: Amount,
}

impl Purses {
    /// Coins held in purses.
    pub fn held(&self) -> Amount {
        self.held
    }

    /// Records `purse` as a new `id` (a transaction's hash, or a stored
    /// entry read back: never one open already).
    pub(crate) fn insert(&mut self, id: Digest, purse: Purse) {
        self.held = Amount(self.held.0.saturating_add(purse.balance.0));
        self.by_expiry.insert((purse.expiry_ms, id), ());
        self.open.insert(id, purse);
    }

    /// Whether the total kept equals the purses' balances, each positive
    /// and indexed by its expiry: for the whole-state check, never on a
    /// block's path. Names what differs.
    pub fn check_whole(&self) -> Result<(), Broken> {
        let broken = |detail| Broken {
            invariant: Invariant::MoneyBacking,
            detail,
        };
        let mut sum = 0u128;
        for (id, purse) in &self.open {
            let indexed = self.by_expiry.contains_key(&(purse.expiry_ms, *id));
            if purse.balance == Amount::ZERO || !indexed {
                return Err(broken(format!(
                    "purse {} is empty or not indexed by its expiry",
                    eiraku_core::digest::to_hex(id)
                )));
            }
            sum = sum.saturating_add(purse.balance.0);
        }
        if sum != self.held.0 || self.by_expiry.len() != self.open.len() {
            return Err(broken(format!(
                "purses hold {sum} in {} purses, the books say {} in {}",
                self.open.len(),
                self.held,
                self.by_expiry.len()
            )));
        }
        Ok(())
    }

    /// Closes purse `id`; what it held.
    fn remove(&mut self, id: &Digest) -> Option<Purse> {
        let purse = self.open.remove(id)?;
        self.by_expiry.remove(&(purse.expiry_ms, *id));
        self.held = Amount(self.held.0 - purse.balance.0);
        Some(purse)
    }
}

impl Money {
    /// An agency pushes a purse: `push` is a [`MoneyCall::PushPurse`].
    pub(super) fn push_purse(
        &mut self,
        accounts: &mut AccountWrites<'_>,
        roles: &Authority,
        ctx: &CallContext<'_>,
        push: &MoneyCall,
    ) -> Result<(), MoneyError> {
        let MoneyCall::PushPurse {
            beneficiary,
            amount,
            categories,
            expiry_ms,
        } = push
        else {
            unreachable!("called on a push");
        };
        let (amount, expiry_ms) = (*amount, *expiry_ms);
        let Some(Role::Agency { economy }) = roles.role(ctx.sender) else {
            return Err(MoneyError::NotAgency);
        };
        match roles.role(beneficiary) {
            Some(Role::Retail { economy: own, .. }) if own == economy => {}
            _ => {
                return Err(MoneyError::NotRetailOf {
                    account: *beneficiary,
                    economy,
                })
            }
        }
        if amount == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        let mut codes = categories.clone();
        codes.sort_unstable();
        codes.dedup();
        if codes.len() != categories.len() || codes.contains(&0) {
            return Err(MoneyError::BadPurseCategories);
        }
        let life = expiry_ms.checked_sub(ctx.now_ms);
        if !life.is_some_and(|life| (1..=MAX_PURSE_LIFE_MS).contains(&life)) {
            return Err(MoneyError::BadPurseExpiry);
        }
        self.check_not_frozen(ctx.sender)?;
        let left = debited(accounts, ctx.sender, amount)?;
        add(self.purses.held, amount)?;
        accounts.set_balance(ctx.sender, left);
        let purse = Purse {
            payer: *ctx.sender,
            beneficiary: *beneficiary,
            economy,
            balance: amount,
            expiry_ms,
            categories: categories.to_vec(),
        };
        self.purses.insert(ctx.tx_hash, purse);
        Ok(())
    }

    /// A purse's beneficiary pays a merchant of an allowed category.
    pub(super) fn spend_purse(
        &mut self,
        accounts: &mut AccountWrites<'_>,
        roles: &Authority,
        ctx: &CallContext<'_>,
        id: &Digest,
        to: &AccountId,
        amount: Amount,
    ) -> Result<(), MoneyError> {
        let named = || eiraku_core::digest::to_hex(id);
        let mut purse = (self.purses.open.get(id).cloned())
            .ok_or_else(|| MoneyError::UnknownPurse { purse: named() })?;
        if purse.beneficiary != *ctx.sender {
            return Err(MoneyError::NotPurseBeneficiary { purse: named() });
        }
        let to_role = roles.role(to);
        let category = match to_role {
            Some(Role::Retail {
                economy,
                kind: RetailKind::Merchant { category },
                ..
            }) if economy == purse.economy => category,
            _ => {
                return Err(MoneyError::NotAMerchantOf {
                    account: *to,
                    economy: purse.economy,
                })
            }
        };
        if !purse.categories.contains(&category) {
            return Err(MoneyError::CategoryNotAllowed {
                category,
                allowed: purse.categories.clone(),
            });
        }
        if amount == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        // A merchant beneficiary paying itself would turn the purse into
        // coins free of its purpose.
        if to == ctx.sender {
            return Err(MoneyError::SelfPayment);
        }
        self.check_transfer_cap(roles.role(ctx.sender), amount)?;
        let short = MoneyError::PurseTooSmall {
            balance: purse.balance,
            needed: amount,
        };
        purse.balance = sub(purse.balance, amount, short)?;
        self.check_not_frozen(ctx.sender)?;
        self.check_not_frozen(to)?;
        let credited = add(accounts.balance(to), amount)?;
        self.check_holdings_cap(to, to_role, credited, self.offline_held(to))?;
        accounts.set_balance(to, credited);
        self.purses.remove(id);
        if purse.balance > Amount::ZERO {
            self.purses.insert(*id, purse);
        }
        Ok(())
    }

    /// Closes the purses due by `now_ms` (block time), at most
    /// [`MAX_EXPIRIES_PER_BLOCK`] (the rest in the next blocks): what each
    /// holds returns to its payer. The cost follows the purses closed.
    pub(crate) fn expire_purses(&mut self, accounts: &mut AccountWrites<'_>, now_ms: u64) {
        for _ in 0..MAX_EXPIRIES_PER_BLOCK {
            let Some(((expiry_ms, id), ())) = self.purses.by_expiry.get_min().cloned() else {
                break;
            };
            if expiry_ms > now_ms {
                break;
            }
            let purse = self.purses.remove(&id).expect("indexed purses are open");
            // Σ coins fits: the payer's balance and the purse were both in it.
            let back = accounts.balance(&purse.payer).0 + purse.balance.0;
            accounts.set_balance(&purse.payer, Amount(back));
        }
    }
}
