//! Accounts and transfers of the ledger's one unit.

use crate::ExecutionError;
pub use eiraku_core::Account;
use eiraku_core::{AccountId, Amount};

/// Every account by id: a persistent map, so a copy of the state (one per
/// block proposed but not yet final) costs nothing until it is changed.
pub type Accounts = imbl::OrdMap<AccountId, Account>;

/// The accounts as one transaction's call writes them. Each write keeps the
/// account's value from before the call, so the call can be undone and its
/// changes checked without a copy of the map: a copy would make every write
/// copy its path through a map of millions of accounts again.
pub struct AccountWrites<'a> {
    accounts: &'a mut Accounts,
    /// Each written account's value before the call, in first-write order.
    before: Vec<(AccountId, Option<Account>)>,
}

impl<'a> AccountWrites<'a> {
    /// Starts a call's writes on `accounts`.
    pub fn new(accounts: &'a mut Accounts) -> Self {
        Self {
            accounts,
            before: Vec::new(),
        }
    }

    /// One account, if it exists.
    pub fn get(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.get(id)
    }

    /// Whether the account exists.
    pub fn contains(&self, id: &AccountId) -> bool {
        self.accounts.contains_key(id)
    }

    /// An account's balance (zero when it does not exist).
    pub fn balance(&self, id: &AccountId) -> Amount {
        self.get(id).map(|a| a.balance).unwrap_or_default()
    }

    /// Sets an account's balance, creating the account if needed.
    pub fn set_balance(&mut self, id: &AccountId, balance: Amount) {
        self.remember(id);
        self.accounts.entry(*id).or_default().balance = balance;
    }

    /// Creates an empty account if it does not exist.
    pub fn open(&mut self, id: &AccountId) {
        self.remember(id);
        self.accounts.entry(*id).or_default();
    }

    fn remember(&mut self, id: &AccountId) {
        // A call writes two or three accounts: a scan beats a set.
        if !self.before.iter().any(|(seen, _)| seen == id) {
            self.before.push((*id, self.accounts.get(id).cloned()));
        }
    }

    /// Every account written: its id, value before and value now.
    pub fn changes(
        &self,
    ) -> impl Iterator<Item = (&AccountId, Option<&Account>, Option<&Account>)> {
        self.before
            .iter()
            .map(|(id, before)| (id, before.as_ref(), self.accounts.get(id)))
    }

    /// Puts every written account back as it was before the call.
    pub fn undo(self) {
        for (id, before) in self.before {
            match before {
                Some(account) => self.accounts.insert(id, account),
                None => self.accounts.remove(&id),
            };
        }
    }
}

/// Moves `amount` from `from` to `to`. All or nothing: on error `accounts`
/// is untouched.
pub(crate) fn transfer(
    accounts: &mut AccountWrites<'_>,
    from: &AccountId,
    to: &AccountId,
    amount: Amount,
) -> Result<(), ExecutionError> {
    if amount == Amount::ZERO {
        return Err(ExecutionError::ZeroAmount);
    }
    if from == to {
        return Err(ExecutionError::SelfTransfer);
    }
    let balance = accounts.balance(from);
    let debited = balance
        .checked_sub(amount)
        .ok_or(ExecutionError::InsufficientFunds {
            balance,
            needed: amount,
        })?;
    let credited = accounts
        .balance(to)
        .checked_add(amount)
        .ok_or(ExecutionError::BalanceOverflow)?;
    accounts.set_balance(from, debited);
    accounts.set_balance(to, credited);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::Keypair;

    #[test]
    fn account_bytes_round_trip() {
        let account = Account {
            balance: Amount(u128::MAX - 3),
            nonce: 9,
        };
        assert_eq!(Account::from_bytes(&account.to_bytes()), Some(account));
        assert_eq!(Account::from_bytes(&[0u8; 3]), None);
    }

    #[test]
    fn failed_transfer_changes_nothing() {
        let a = Keypair::from_seed(1).account_id();
        let b = Keypair::from_seed(2).account_id();
        let mut accounts = Accounts::new();
        accounts.insert(
            a,
            Account {
                balance: Amount(5),
                nonce: 0,
            },
        );
        let before = accounts.clone();
        let mut writes = AccountWrites::new(&mut accounts);
        assert_eq!(
            transfer(&mut writes, &a, &b, Amount(6)),
            Err(ExecutionError::InsufficientFunds {
                balance: Amount(5),
                needed: Amount(6)
            })
        );
        assert_eq!(
            transfer(&mut writes, &a, &a, Amount(1)),
            Err(ExecutionError::SelfTransfer)
        );
        assert_eq!(
            transfer(&mut writes, &a, &b, Amount(0)),
            Err(ExecutionError::ZeroAmount)
        );
        assert_eq!(writes.changes().count(), 0);
        transfer(&mut writes, &a, &b, Amount(5)).unwrap();
        assert_eq!(writes.balance(&a), Amount(0));
        assert_eq!(writes.balance(&b), Amount(5));
        let changed: Vec<_> = writes
            .changes()
            .map(|(id, was, is)| (*id, was.map(|a| a.balance), is.map(|a| a.balance)))
            .collect();
        assert_eq!(
            changed,
            vec![
                (a, Some(Amount(5)), Some(Amount(0))),
                (b, None, Some(Amount(5)))
            ]
        );
        writes.undo();
        assert_eq!(accounts, before, "undo removes created accounts too");
    }
}
