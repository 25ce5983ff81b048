//! Accounts and transfers of the ledger's one unit.

use crate::ExecutionError;
pub use eiraku_core::Account;
use eiraku_core::{AccountId, Amount};

/// Every account by id: a persistent map, so a copy of the state (one per
/// block proposed but not yet final) costs nothing until it is changed.
pub type Accounts = imbl::OrdMap<AccountId, Account>;

/// Moves `amount` from `from` to `to`. All or nothing: on error `accounts`
/// is untouched.
pub(crate) fn transfer(
    accounts: &mut Accounts,
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
    let balance = accounts.get(from).map(|a| a.balance).unwrap_or_default();
    let debited = balance
        .checked_sub(amount)
        .ok_or(ExecutionError::InsufficientFunds {
            balance,
            needed: amount,
        })?;
    let credited = accounts
        .get(to)
        .map(|a| a.balance)
        .unwrap_or_default()
        .checked_add(amount)
        .ok_or(ExecutionError::BalanceOverflow)?;
    accounts.entry(*from).or_default().balance = debited;
    accounts.entry(*to).or_default().balance = credited;
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
        assert_eq!(
            transfer(&mut accounts, &a, &b, Amount(6)),
            Err(ExecutionError::InsufficientFunds {
                balance: Amount(5),
                needed: Amount(6)
            })
        );
        assert_eq!(
            transfer(&mut accounts, &a, &a, Amount(1)),
            Err(ExecutionError::SelfTransfer)
        );
        assert_eq!(
            transfer(&mut accounts, &a, &b, Amount(0)),
            Err(ExecutionError::ZeroAmount)
        );
        assert_eq!(accounts, before);
        transfer(&mut accounts, &a, &b, Amount(5)).unwrap();
        assert_eq!(accounts[&a].balance, Amount(0));
        assert_eq!(accounts[&b].balance, Amount(5));
    }
}
