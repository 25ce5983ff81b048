//! The whole state and block execution.

use crate::{
    ledger::{self, Account},
    AdmissionError, BlockError, ExecutionError, Outcome, Receipt,
};
use eiraku_core::{merkle, AccountId, Amount, Call, ChainId, Digest, Genesis, SignedTransaction};
use std::collections::BTreeMap;

/// What a block tells the state machine about its context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockEnv {
    /// Height of the block being executed.
    pub height: u64,
    /// The block's timestamp: the state machine's only clock.
    pub timestamp_ms: u64,
}

/// The ledger state after some block.
///
/// Cloning copies the maps; the node keeps one clone per block that is
/// proposed but not yet finalized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    chain_id: ChainId,
    height: u64,
    accounts: BTreeMap<AccountId, Account>,
    /// State-root leaf of each account, kept beside it so a block re-hashes
    /// only the accounts it touched.
    leaves: BTreeMap<AccountId, Digest>,
}

impl State {
    /// The state before block 1.
    pub fn from_genesis(genesis: &Genesis) -> Self {
        let accounts = genesis
            .accounts
            .iter()
            .map(|a| {
                (
                    a.id,
                    Account {
                        balance: a.balance,
                        nonce: 0,
                    },
                )
            })
            .collect();
        Self::from_accounts(genesis.chain_id.clone(), 0, accounts)
    }

    /// Rebuilds a state from stored accounts (a node restarting).
    pub fn from_accounts(
        chain_id: ChainId,
        height: u64,
        accounts: BTreeMap<AccountId, Account>,
    ) -> Self {
        let leaves = accounts
            .iter()
            .map(|(id, account)| (*id, leaf(id, account)))
            .collect();
        Self {
            chain_id,
            height,
            accounts,
            leaves,
        }
    }

    /// The network's chain id.
    pub fn chain_id(&self) -> &ChainId {
        &self.chain_id
    }

    /// Height of the last executed block.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// One account, if it exists.
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.get(id)
    }

    /// All accounts in key order.
    pub fn accounts(&self) -> &BTreeMap<AccountId, Account> {
        &self.accounts
    }

    /// Sum of all balances. Transfers never change it.
    pub fn total_supply(&self) -> Amount {
        Amount(self.accounts.values().map(|a| a.balance.0).sum())
    }

    /// The state root: Merkle root over (account id, account) leaves in
    /// account-id order.
    pub fn state_root(&self) -> Digest {
        let leaves: Vec<Digest> = self.leaves.values().copied().collect();
        merkle::root(&leaves)
    }

    /// Whether `tx` may be included in the next block on top of this state.
    /// Signatures are checked separately, in batches (see
    /// [`eiraku_core::verify_batch`]).
    pub fn check_admission(&self, tx: &SignedTransaction) -> Result<(), AdmissionError> {
        let body = &tx.transaction;
        if body.chain_id != self.chain_id {
            return Err(AdmissionError::WrongChainId {
                expected: self.chain_id.clone(),
                got: body.chain_id.clone(),
            });
        }
        let account = self
            .accounts
            .get(&body.sender)
            .ok_or(AdmissionError::UnknownAccount(body.sender))?;
        match body.nonce.cmp(&account.nonce) {
            std::cmp::Ordering::Equal => Ok(()),
            std::cmp::Ordering::Less => Err(AdmissionError::NonceUsed {
                sender: body.sender,
                expected: account.nonce,
                got: body.nonce,
            }),
            std::cmp::Ordering::Greater => Err(AdmissionError::NonceGap {
                sender: body.sender,
                expected: account.nonce,
                got: body.nonce,
            }),
        }
    }

    /// Whether `tx`'s call would succeed on this state, without changing it.
    /// The mempool uses it to refuse what is certain to fail.
    pub fn dry_run(&self, tx: &SignedTransaction) -> Result<(), ExecutionError> {
        let mut scratch = self.clone_touched(tx);
        apply_call(&mut scratch, tx)
    }

    fn clone_touched(&self, tx: &SignedTransaction) -> BTreeMap<AccountId, Account> {
        touched_accounts(tx)
            .into_iter()
            .filter_map(|id| self.accounts.get(id).map(|a| (*id, *a)))
            .collect()
    }

    /// Executes a block's transactions, whose signatures the caller has
    /// verified. All or nothing: if any transaction is inadmissible the
    /// state is left exactly as it was and the block is rejected.
    pub fn execute_block(
        &mut self,
        env: &BlockEnv,
        transactions: &[SignedTransaction],
    ) -> Result<Vec<Receipt>, BlockError> {
        let mut undo: BTreeMap<AccountId, Option<Account>> = BTreeMap::new();
        let mut receipts = Vec::with_capacity(transactions.len());
        for (index, tx) in transactions.iter().enumerate() {
            if let Err(error) = self.check_admission(tx) {
                self.restore(undo);
                return Err(BlockError {
                    height: env.height,
                    index,
                    error,
                });
            }
            for touched in touched_accounts(tx) {
                undo.entry(*touched)
                    .or_insert_with(|| self.accounts.get(touched).copied());
            }
            let outcome = match apply_call(&mut self.accounts, tx) {
                Ok(()) => Outcome::Success,
                Err(error) => Outcome::Failed(error),
            };
            // The nonce advances whatever the outcome, so a failed
            // transaction can never be replayed.
            if let Some(sender) = self.accounts.get_mut(&tx.transaction.sender) {
                sender.nonce += 1;
            }
            receipts.push(Receipt {
                tx_hash: tx.hash(),
                height: env.height,
                index: index as u32,
                outcome,
            });
        }
        for id in undo.keys() {
            match self.accounts.get(id) {
                Some(account) => self.leaves.insert(*id, leaf(id, account)),
                None => self.leaves.remove(id),
            };
        }
        self.height = env.height;
        Ok(receipts)
    }

    fn restore(&mut self, undo: BTreeMap<AccountId, Option<Account>>) {
        for (id, before) in undo {
            match before {
                Some(account) => self.accounts.insert(id, account),
                None => self.accounts.remove(&id),
            };
        }
    }
}

/// Applies one admitted transaction's call: the dispatch point where each
/// domain module handles its own calls.
fn apply_call(
    accounts: &mut BTreeMap<AccountId, Account>,
    tx: &SignedTransaction,
) -> Result<(), ExecutionError> {
    match &tx.transaction.call {
        Call::Transfer { to, amount } => {
            ledger::transfer(accounts, &tx.transaction.sender, to, *amount)
        }
    }
}

/// Every account a block's transactions may write, sorted, each once.
pub fn accounts_touched_by(transactions: &[SignedTransaction]) -> Vec<AccountId> {
    let mut all: Vec<AccountId> = transactions
        .iter()
        .flat_map(touched_accounts)
        .cloned()
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Every account a transaction may write.
fn touched_accounts(tx: &SignedTransaction) -> Vec<&AccountId> {
    match &tx.transaction.call {
        Call::Transfer { to, .. } => vec![&tx.transaction.sender, to],
    }
}

fn leaf(id: &AccountId, account: &Account) -> Digest {
    merkle::state_leaf(id.as_bytes(), &account.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::{GenesisAccount, Keypair, Transaction};

    fn genesis() -> Genesis {
        Genesis {
            chain_id: ChainId::new("unit").unwrap(),
            genesis_time_ms: 0,
            validators: vec![],
            accounts: vec![GenesisAccount {
                id: Keypair::from_seed(1).account_id(),
                balance: Amount(100),
                label: "alice".into(),
            }],
        }
    }

    fn transfer(
        key: &Keypair,
        chain: &str,
        nonce: u64,
        to: u64,
        amount: u128,
    ) -> SignedTransaction {
        SignedTransaction::sign(
            Transaction {
                chain_id: ChainId::new(chain).unwrap(),
                sender: key.account_id(),
                nonce,
                call: Call::Transfer {
                    to: Keypair::from_seed(to).account_id(),
                    amount: Amount(amount),
                },
            },
            key,
        )
    }

    const ENV: BlockEnv = BlockEnv {
        height: 1,
        timestamp_ms: 1,
    };

    #[test]
    fn admission_errors_are_typed() {
        let state = State::from_genesis(&genesis());
        let alice = Keypair::from_seed(1);
        let stranger = Keypair::from_seed(5);
        assert!(matches!(
            state.check_admission(&transfer(&alice, "other", 0, 2, 1)),
            Err(AdmissionError::WrongChainId { .. })
        ));
        assert!(matches!(
            state.check_admission(&transfer(&stranger, "unit", 0, 2, 1)),
            Err(AdmissionError::UnknownAccount(_))
        ));
        assert!(matches!(
            state.check_admission(&transfer(&alice, "unit", 1, 2, 1)),
            Err(AdmissionError::NonceGap {
                expected: 0,
                got: 1,
                ..
            })
        ));
        assert_eq!(
            state.check_admission(&transfer(&alice, "unit", 0, 2, 1)),
            Ok(())
        );
    }

    #[test]
    fn replayed_nonce_rejects_the_block_and_changes_nothing() {
        let mut state = State::from_genesis(&genesis());
        let alice = Keypair::from_seed(1);
        let first = transfer(&alice, "unit", 0, 2, 10);
        state
            .execute_block(&ENV, std::slice::from_ref(&first))
            .unwrap();
        let before = state.clone();
        let root = state.state_root();
        let err = state
            .execute_block(
                &BlockEnv {
                    height: 2,
                    timestamp_ms: 2,
                },
                &[transfer(&alice, "unit", 1, 3, 5), first],
            )
            .unwrap_err();
        assert_eq!(err.index, 1);
        assert!(matches!(
            err.error,
            AdmissionError::NonceUsed {
                expected: 2,
                got: 0,
                ..
            }
        ));
        assert_eq!(state, before);
        assert_eq!(state.state_root(), root);
    }

    #[test]
    fn overspend_fails_in_its_receipt_and_consumes_the_nonce() {
        let mut state = State::from_genesis(&genesis());
        let alice = Keypair::from_seed(1);
        let receipts = state
            .execute_block(&ENV, &[transfer(&alice, "unit", 0, 2, 101)])
            .unwrap();
        assert_eq!(
            receipts[0].outcome,
            Outcome::Failed(ExecutionError::InsufficientFunds {
                balance: Amount(100),
                needed: Amount(101)
            })
        );
        let account = state.account(&alice.account_id()).unwrap();
        assert_eq!((account.balance, account.nonce), (Amount(100), 1));
        assert_eq!(state.account(&Keypair::from_seed(2).account_id()), None);
    }

    #[test]
    fn state_root_tracks_changes_and_matches_a_rebuild() {
        let mut state = State::from_genesis(&genesis());
        let genesis_root = state.state_root();
        let alice = Keypair::from_seed(1);
        state
            .execute_block(&ENV, &[transfer(&alice, "unit", 0, 2, 40)])
            .unwrap();
        assert_ne!(state.state_root(), genesis_root);
        let rebuilt = State::from_accounts(state.chain_id().clone(), 1, state.accounts().clone());
        assert_eq!(rebuilt.state_root(), state.state_root());
        assert_eq!(state.total_supply(), Amount(100));
    }
}
