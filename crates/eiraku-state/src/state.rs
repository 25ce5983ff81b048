//! The whole state and block execution.

use crate::{
    authority::Authority,
    invariants::{self, Books},
    ledger::{self, Account, Accounts},
    money::{CallContext, Money},
    registry::Registry,
    AdmissionError, BlockError, ExecutionError, MoneyError, Outcome, Receipt,
};
use eiraku_core::{
    merkle, proof::StateWitness, AccountId, Amount, Call, ChainId, Digest, Genesis,
    SignedTransaction,
};
use imbl::OrdMap;
use std::collections::BTreeSet;

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
/// Its maps are persistent: a clone shares them and costs nothing until it
/// is changed (the node keeps one per block proposed but not yet final,
/// and the mempool's dry runs work on one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    chain_id: ChainId,
    height: u64,
    /// Timestamp of the last executed block (genesis time at first): what
    /// the mempool's dry runs take as "now".
    timestamp_ms: u64,
    accounts: Accounts,
    /// Every role, who granted it, when and under which rule.
    authority: Authority,
    /// The money module, when the chain runs it.
    money: Option<Money>,
    /// Anchored roots, each where it was first anchored.
    registry: Registry,
    /// State-root leaf of each account, kept beside it so a block re-hashes
    /// only the accounts it touched.
    leaves: OrdMap<AccountId, Digest>,
}

impl State {
    /// The state before block 1.
    pub fn from_genesis(genesis: &Genesis) -> Self {
        let money = Money::from_genesis(genesis);
        let authority = Authority::from_genesis(genesis);
        // Officials (issuer, central banks, regulators) can send from the
        // first block on.
        let officials = authority.grants().map(|(id, _)| (*id, Account::default()));
        let accounts = officials
            .chain(genesis.accounts.iter().map(|a| {
                (
                    a.id,
                    Account {
                        balance: a.balance,
                        nonce: 0,
                    },
                )
            }))
            .collect();
        Self::restore(
            genesis.chain_id.clone(),
            0,
            genesis.genesis_time_ms,
            accounts,
            authority,
            money,
        )
    }

    /// Rebuilds a state from stored parts (a node restarting).
    pub fn restore(
        chain_id: ChainId,
        height: u64,
        timestamp_ms: u64,
        accounts: Accounts,
        authority: Authority,
        money: Option<Money>,
    ) -> Self {
        let leaves = accounts
            .iter()
            .map(|(id, account)| (*id, leaf(id, account)))
            .collect();
        Self {
            chain_id,
            height,
            timestamp_ms,
            accounts,
            authority,
            money,
            registry: Registry::default(),
            leaves,
        }
    }

    /// Timestamp of the last executed block.
    pub fn timestamp_ms(&self) -> u64 {
        self.timestamp_ms
    }

    /// The same state with the registries' entries (a node restarting).
    pub fn with_registry(mut self, registry: Registry) -> Self {
        self.registry = registry;
        self
    }

    /// The registries' state: anchored roots.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Every role on the chain.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The money module's state, when the chain runs it.
    pub fn money(&self) -> Option<&Money> {
        self.money.as_ref()
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
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// Sum of all balances. Transfers never change it.
    pub fn total_supply(&self) -> Amount {
        Amount(self.accounts.values().map(|a| a.balance.0).sum())
    }

    /// The state root: Merkle root over (account id, account) leaves in
    /// account-id order; with the money module, the root over that root and
    /// the digest of the other modules' states (money and authority).
    pub fn state_root(&self) -> Digest {
        merkle::state_root(self.accounts_root(), self.money_digest())
    }

    fn account_leaves(&self) -> Vec<Digest> {
        self.leaves.values().copied().collect()
    }

    fn accounts_root(&self) -> Digest {
        merkle::root(&self.account_leaves())
    }

    /// What proofs carry as the money digest: the root over the other
    /// modules' states (money, authority, registry anchors), absent on a
    /// chain with neither money nor anchors.
    fn money_digest(&self) -> Option<Digest> {
        let anchors = self.registry.anchors();
        if self.money.is_none() && anchors.is_empty() {
            return None;
        }
        let anchor_leaves: Vec<Digest> = anchors
            .iter()
            .map(|(root, first)| merkle::state_leaf(root.as_ref(), &first.to_bytes()))
            .collect();
        let money = self
            .money
            .as_ref()
            .map(|m| merkle::money_digest(&m.to_bytes()));
        let mut parts: Vec<Digest> = money.into_iter().collect();
        parts.push(self.authority.root());
        parts.push(merkle::root(&anchor_leaves));
        Some(merkle::root(&parts))
    }

    /// What proves `id`'s state, or its absence, under the state root: its
    /// leaf, or the neighbouring leaves that enclose where it would be.
    pub fn witness(&self, id: &AccountId) -> StateWitness {
        let leaves = self.account_leaves();
        let count = leaves.len();
        // Index of the first account not below `id`.
        let next = self.accounts.range(..*id).count();
        let positions = if self.accounts.contains_key(id) {
            next..next + 1
        } else {
            next.saturating_sub(1)..(next + 1).min(count)
        };
        let revealed = self
            .accounts
            .iter()
            .skip(positions.start)
            .take(positions.len())
            .zip(positions.clone())
            .map(|((id, account), position)| (position as u32, *id, *account))
            .collect();
        let tree = merkle::tree(&leaves);
        let path = if count == 0 {
            merkle::Path::default()
        } else {
            tree.range_proof(positions.start as u32, positions.end as u32 - 1)
                .expect("positions lie inside the tree")
        };
        StateWitness {
            leaves: revealed,
            accounts_root: tree.root(),
            path,
            money_digest: self.money_digest(),
        }
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
        let mut scratch = self.clone();
        let env = BlockEnv {
            height: self.height + 1,
            timestamp_ms: self.timestamp_ms,
        };
        scratch.apply_checked(tx, &env)
    }

    /// Executes a block's transactions, whose signatures the caller has
    /// verified. All or nothing: if any transaction is inadmissible the
    /// state is left exactly as it was and the block is rejected.
    pub fn execute_block(
        &mut self,
        env: &BlockEnv,
        transactions: &[SignedTransaction],
    ) -> Result<Vec<Receipt>, BlockError> {
        // Persistent maps: keeping the state before the block costs nothing,
        // and puts it back whole if a transaction makes the block invalid.
        let before = self.clone();
        let mut touched: BTreeSet<AccountId> = BTreeSet::new();
        let mut receipts = Vec::with_capacity(transactions.len());
        for (index, tx) in transactions.iter().enumerate() {
            if let Err(error) = self.check_admission(tx) {
                *self = before;
                return Err(BlockError {
                    height: env.height,
                    index,
                    error,
                });
            }
            touched.extend(touched_accounts(tx));
            let outcome = match self.apply_checked(tx, env) {
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
        for id in &touched {
            match self.accounts.get(id) {
                Some(account) => self.leaves.insert(*id, leaf(id, account)),
                None => self.leaves.remove(id),
            };
        }
        self.height = env.height;
        self.timestamp_ms = env.timestamp_ms;
        Ok(receipts)
    }
}

impl State {
    /// Applies one admitted transaction's call and checks the invariants on
    /// what it changed; a call that would break one is undone and fails,
    /// naming it. On error nothing changed.
    fn apply_checked(
        &mut self,
        tx: &SignedTransaction,
        env: &BlockEnv,
    ) -> Result<(), ExecutionError> {
        let before = self.clone();
        self.apply_call(tx, env)?;
        let (Some(was), Some(is)) = (&before.money, &self.money) else {
            return Ok(());
        };
        let change = invariants::check_money_change(
            &Books {
                accounts: &before.accounts,
                authority: &before.authority,
                money: was,
            },
            &Books {
                accounts: &self.accounts,
                authority: &self.authority,
                money: is,
            },
        );
        if let Err(broken) = change {
            *self = before;
            return Err(MoneyError::InvariantBroken {
                invariant: broken.invariant.name().into(),
                detail: broken.detail,
            }
            .into());
        }
        Ok(())
    }

    /// Applies one admitted transaction's call: the dispatch point where
    /// each domain module handles its own calls. On error nothing changed.
    fn apply_call(&mut self, tx: &SignedTransaction, env: &BlockEnv) -> Result<(), ExecutionError> {
        let sender = &tx.transaction.sender;
        let now_ms = env.timestamp_ms;
        let accounts = &mut self.accounts;
        match (&tx.transaction.call, self.money.as_mut()) {
            // With the money module a plain transfer is a payment under its
            // rules (no travel-rule data); without it, a move of the
            // ledger's one unit.
            (Call::Transfer { to, amount }, Some(money)) => {
                Ok(money.pay(accounts, &self.authority, sender, to, *amount, None)?)
            }
            (Call::Transfer { to, amount }, None) => {
                ledger::transfer(accounts, sender, to, *amount)
            }
            (Call::Money(call), Some(money)) => {
                let ctx = CallContext { sender, now_ms };
                Ok(money.apply(accounts, &mut self.authority, &ctx, call)?)
            }
            (Call::Money(_), None) => Err(MoneyError::NoMoneyModule.into()),
            (Call::Registry(call), _) => Ok(self.registry.apply(call, tx.hash(), env.height)?),
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
        Call::Money(call) => std::iter::once(&tx.transaction.sender)
            .chain(Money::other_account(call))
            .collect(),
        Call::Registry(_) => vec![&tx.transaction.sender],
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
                role: None,
                bank: None,
                travel_key: None,
            }],
            money: None,
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
        let rebuilt = State::restore(
            state.chain_id().clone(),
            1,
            1,
            state.accounts().clone(),
            Authority::default(),
            None,
        );
        assert_eq!(rebuilt.state_root(), state.state_root());
        assert_eq!(state.total_supply(), Amount(100));
    }

    mod witnesses {
        use super::*;
        use eiraku_core::proof::ProofError;
        use proptest::prelude::*;

        fn state_of(ids: &[u8]) -> State {
            let accounts = ids
                .iter()
                .map(|byte| {
                    (
                        AccountId::from_bytes([*byte; 32]),
                        Account {
                            balance: Amount(u128::from(*byte) * 7),
                            nonce: u64::from(*byte),
                        },
                    )
                })
                .collect();
            State::restore(
                ChainId::new("unit").unwrap(),
                0,
                0,
                accounts,
                Authority::default(),
                None,
            )
        }

        proptest! {
            /// Every account's witness proves its state, every other id's
            /// witness proves its absence, both under the state root.
            #[test]
            fn witnesses_prove_presence_and_absence(
                ids in proptest::collection::btree_set(any::<u8>(), 0..40),
                asked in any::<u8>(),
            ) {
                let ids: Vec<u8> = ids.into_iter().collect();
                let state = state_of(&ids);
                let account = AccountId::from_bytes([asked; 32]);
                let witness = state.witness(&account);
                prop_assert_eq!(
                    merkle::state_root(witness.accounts_root, witness.money_digest),
                    state.state_root()
                );
                prop_assert_eq!(witness.answer(&account), Ok(state.account(&account).copied()));
            }

            /// A witness changed in any way stops answering for the account.
            #[test]
            fn altered_witnesses_fail(
                ids in proptest::collection::btree_set(any::<u8>(), 1..40),
                asked in any::<u8>(),
                change in 0u8..4,
            ) {
                let ids: Vec<u8> = ids.into_iter().collect();
                let state = state_of(&ids);
                let account = AccountId::from_bytes([asked; 32]);
                let mut witness = state.witness(&account);
                match change {
                    // Another balance for a revealed account.
                    0 => witness.leaves[0].2.balance.0 += 1,
                    // A revealed leaf dropped (absence needs both neighbours).
                    1 if witness.leaves.len() == 2 => { witness.leaves.pop(); }
                    1 => witness.leaves.clear(),
                    // The leaves claimed one position further on.
                    2 => witness.leaves.iter_mut().for_each(|leaf| leaf.0 += 1),
                    // Another account root.
                    _ => witness.accounts_root = eiraku_core::hash(&[b"other"]),
                }
                let answer = witness.answer(&account);
                prop_assert!(
                    matches!(answer, Err(ProofError::NotInState | ProofError::DoesNotCover(_))),
                    "altered witness answered {:?}", answer
                );
            }
        }

        #[test]
        fn the_empty_state_proves_every_absence_and_nothing_else() {
            let state = state_of(&[]);
            let account = AccountId::from_bytes([9; 32]);
            let witness = state.witness(&account);
            assert_eq!(witness.answer(&account), Ok(None));
            // Claiming an empty tree under a non-empty root fails.
            let full = state_of(&[1, 2, 3]);
            let mut forged = witness.clone();
            forged.accounts_root = full.witness(&account).accounts_root;
            assert!(forged.answer(&account).is_err());
        }
    }
}
