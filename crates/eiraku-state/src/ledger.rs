//! Accounts and transfers of the ledger's one unit.

use crate::{
    module::{CallContext, Module},
    Change, EntryError, ExecutionError,
};
pub use eiraku_core::Account;
use eiraku_core::{AccountId, Amount, Call, StateKey};

/// Every account by id: a layered map, so a copy of the state (one per
/// block proposed but not yet final, one per mempool check) shares it.
pub type Accounts = crate::layered::LayeredMap<AccountId, Account>;

/// The accounts as one transaction's call writes them: reads go through
/// to the map, writes stay here until [`AccountWrites::finish`]. The map is
/// never touched by a call that fails or by a dry run, and a call's changes
/// are checked before they land: a write to a persistent map shared with
/// other states copies the write's path through millions of accounts, so
/// only writes that stay are made.
pub struct AccountWrites<'a> {
    accounts: &'a Accounts,
    /// Each written account: its value before the call and now, in
    /// first-write order.
    written: Vec<(AccountId, Option<Account>, Account)>,
}

impl<'a> AccountWrites<'a> {
    /// Starts a call's writes over `accounts`.
    pub fn new(accounts: &'a Accounts) -> Self {
        Self {
            accounts,
            written: Vec::new(),
        }
    }

    /// One account, if it exists.
    pub fn get(&self, id: &AccountId) -> Option<&Account> {
        match self.written.iter().find(|(seen, ..)| seen == id) {
            Some((_, _, now)) => Some(now),
            None => self.accounts.get(id),
        }
    }

    /// Whether the account exists.
    pub fn contains(&self, id: &AccountId) -> bool {
        self.get(id).is_some()
    }

    /// An account's balance (zero when it does not exist).
    pub fn balance(&self, id: &AccountId) -> Amount {
        self.get(id).map(|a| a.balance).unwrap_or_default()
    }

    /// Sets an account's balance, creating the account if needed.
    pub fn set_balance(&mut self, id: &AccountId, balance: Amount) {
        self.written_mut(id).balance = balance;
    }

    /// Creates an empty account if it does not exist.
    pub fn open(&mut self, id: &AccountId) {
        self.written_mut(id);
    }

    fn written_mut(&mut self, id: &AccountId) -> &mut Account {
        // A call writes two or three accounts: a scan beats a set.
        let index = match self.written.iter().position(|(seen, ..)| seen == id) {
            Some(index) => index,
            None => {
                let before = self.accounts.get(id).copied();
                let now = before.unwrap_or_default();
                self.written.push((*id, before, now));
                self.written.len() - 1
            }
        };
        &mut self.written[index].2
    }

    /// Every account written: its id, value before and value now.
    pub fn changes(
        &self,
    ) -> impl Iterator<Item = (&AccountId, Option<&Account>, Option<&Account>)> {
        self.written
            .iter()
            .map(|(id, before, now)| (id, before.as_ref(), Some(now)))
    }

    /// The accounts to write into the map the call read, each once.
    pub fn finish(self) -> Vec<(AccountId, Account)> {
        self.written
            .into_iter()
            .map(|(id, _, now)| (id, now))
            .collect()
    }
}

/// Plain transfers of the ledger's one unit: the module that takes a
/// transfer when no other did (a chain without the money module). Its state
/// is the accounts, which every module shares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger;

impl Module for Ledger {
    fn apply(
        &mut self,
        call: &Call,
        cx: &mut CallContext<'_, '_>,
    ) -> Option<Result<(), ExecutionError>> {
        let Call::Transfer { to, amount } = call else {
            return None;
        };
        let sender = cx.tx.transaction.sender;
        Some(transfer(cx.accounts, &sender, to, *amount))
    }

    fn accounts_touched(call: &Call) -> Option<Vec<&AccountId>> {
        match call {
            Call::Transfer { to, .. } => Some(vec![to]),
            _ => None,
        }
    }

    fn from_entries(_entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError> {
        Ok(Ledger)
    }

    fn entries(&self, _out: &mut Vec<Change>) {}

    fn changes(&self, _before: &Self, _out: &mut Vec<Change>) {}
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
        let mut writes = AccountWrites::new(&accounts);
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
        let finished = writes.finish();
        assert_eq!(accounts, before, "nothing lands before it is finished");
        for (id, account) in finished {
            accounts.insert(id, account);
        }
        assert_eq!(accounts.get(&a).map(|a| a.balance), Some(Amount(0)));
        assert_eq!(accounts.get(&b).map(|a| a.balance), Some(Amount(5)));
    }
}
