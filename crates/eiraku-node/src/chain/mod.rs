//! The node's view of the chain: the finalized state, the speculative states
//! of proposed blocks, the mempool and the store. Consensus calls it to build
//! and check blocks; the API calls it to submit and query.

use crate::{
    commitment::{self, Commitment},
    mempool::{Mempool, MempoolError},
    state_db::{
        sync::{SyncRequest, SyncTarget},
        Pending, StateDbError,
    },
    store::{FinalizedBlock, Store, StoreError},
};
use commonware_parallel::Strategy;
use eiraku_core::{
    verify_batch, AccountId, Block, ConsensusContext, Digest, Genesis, KeyCache, SignedTransaction,
    StateKey, TxHash, MAX_BLOCK_TRANSACTIONS,
};
use eiraku_state::{Account, BlockEnv, BlockError, Change, ExecutionProbe, Receipt, State};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};
use tokio::sync::broadcast;

mod blocks;

use blocks::genesis_root;

/// Why a submitted transaction was refused.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The bytes are not a transaction (malformed or oversized).
    #[error(transparent)]
    Decode(#[from] eiraku_core::DecodeError),
    /// The signature does not verify.
    #[error("bad signature: the transaction is not signed by its sender's key")]
    BadSignature,
    /// The mempool refused it.
    #[error(transparent)]
    Mempool(#[from] MempoolError),
    /// Its travel-rule data was not deposited here, or describes another payment.
    #[error(transparent)]
    TravelRule(#[from] crate::travel_gateway::GatewayError),
}

/// Where a transaction stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxStatus {
    /// Waiting in this node's mempool.
    Pending,
    /// In a finalized block.
    Finalized(Receipt),
    /// Not known to this node.
    Unknown,
}

/// Announced on every finalized block.
#[derive(Clone, Debug)]
pub struct FinalizedEvent {
    /// The block.
    pub block: Arc<Block>,
    /// Its receipts.
    pub receipts: Arc<Vec<Receipt>>,
}

/// Counts of signatures checked, by where.
#[derive(Default, Debug)]
pub struct SignatureCounters {
    /// On admission (API and gossip).
    pub admission: AtomicU64,
    /// While checking proposed blocks.
    pub block: AtomicU64,
}

/// Store commits of finalized blocks: how many, how many blocks they
/// carried, and the time spent (wall clock, for operators only).
#[derive(Default, Debug)]
pub struct CommitCounters {
    /// Commits.
    pub commits: AtomicU64,
    /// Blocks written.
    pub blocks: AtomicU64,
    /// Transactions in them.
    pub transactions: AtomicU64,
    /// Transactions in them undone because their effects would have broken
    /// an invariant (receipts `invariant_broken`): a fault in the rules.
    pub invariants_broken: AtomicU64,
    /// Microseconds spent committing, fsync included.
    pub micros: AtomicU64,
}

impl CommitCounters {
    fn record(&self, blocks: usize, transactions: usize, elapsed: std::time::Duration) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.blocks.fetch_add(blocks as u64, Ordering::Relaxed);
        (self.transactions).fetch_add(transactions as u64, Ordering::Relaxed);
        self.micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }
}

/// Blocks executed (built, checked or backfilled) and where their time
/// went: the state machine (rules and invariant checks) and the state root
/// (finding the changes and merkleizing them). Wall clock, for operators.
#[derive(Default, Debug)]
pub struct ExecutionCounters {
    /// Blocks executed.
    pub blocks: AtomicU64,
    /// Microseconds in the state machine.
    pub execution_micros: AtomicU64,
    /// Microseconds computing state roots.
    pub state_root_micros: AtomicU64,
    /// Invariant checks run (one per transaction that changed a money
    /// chain's state).
    pub invariant_checks: AtomicU64,
    /// Nanoseconds in them (a check can take less than a microsecond):
    /// part of the time in the state machine.
    pub invariant_nanos: AtomicU64,
}

impl ExecutionCounters {
    fn record(&self, execution: Duration, state_root: Duration) {
        self.blocks.fetch_add(1, Ordering::Relaxed);
        self.execution_micros
            .fetch_add(execution.as_micros() as u64, Ordering::Relaxed);
        self.state_root_micros
            .fetch_add(state_root.as_micros() as u64, Ordering::Relaxed);
    }

    fn record_invariants(&self, timer: &InvariantTimer) {
        self.invariant_checks
            .fetch_add(timer.checks, Ordering::Relaxed);
        self.invariant_nanos
            .fetch_add(timer.spent.as_nanos() as u64, Ordering::Relaxed);
    }
}

/// Times the invariant checks of one block's execution from outside the
/// state machine, which reads no clock.
#[derive(Default)]
struct InvariantTimer {
    started: Option<Instant>,
    checks: u64,
    spent: Duration,
}

impl ExecutionProbe for InvariantTimer {
    fn invariant_check_started(&mut self) {
        self.started = Some(Instant::now());
    }

    fn invariant_check_finished(&mut self) {
        if let Some(started) = self.started.take() {
            self.checks += 1;
            self.spent += started.elapsed();
        }
    }
}

/// How admission treats a transaction before any signature check.
enum Screened {
    /// Refused on grounds that need no signature (duplicate, nonce used, …).
    Refused(MempoolError),
    /// This exact transaction's signature was checked in a proposed block.
    Verified,
    /// Its signature must be checked.
    Unverified,
}

/// Most transactions remembered as verified in blocks but not yet admitted
/// (a few blocks' worth).
const MAX_VERIFIED_IN_BLOCKS: usize = 8 * MAX_BLOCK_TRANSACTIONS;

/// A block executed ahead of finality, kept so finalizing it needs no
/// second execution.
#[derive(Clone)]
struct Executed {
    height: u64,
    state: Arc<State>,
    receipts: Arc<Vec<Receipt>>,
    /// Its authenticated state, not yet committed.
    pending: Pending,
    /// The state entries it changed (the node store writes them).
    changes: Arc<Vec<Change>>,
}

impl From<StateDbError> for StoreError {
    fn from(error: StateDbError) -> Self {
        StoreError::State(error.to_string())
    }
}

struct Finalized {
    state: Arc<State>,
    digest: Digest,
}

/// Shared chain state of one node.
pub struct Chain {
    genesis: Genesis,
    genesis_block: Block,
    /// Shared with marshal, which writes the finalized blocks into it.
    store: Arc<Store>,
    /// The authenticated state: its root is each block's state root.
    commitment: Arc<dyn Commitment>,
    /// Height the authenticated state had reached when the node started:
    /// finalized blocks up to it are in it already (a crash between its
    /// commit and the store's), and are not applied twice.
    committed_at_start: u64,
    finalized: Mutex<Finalized>,
    /// Post-states of blocks proposed or verified but not yet finalized.
    speculative: Mutex<HashMap<Digest, Executed>>,
    mempool: Mutex<Mempool>,
    /// Transactions whose signatures were checked in a proposed block before
    /// this node admitted them (gossip can trail the block): their gossip
    /// copy then needs no second check. Emptied as blocks finalize.
    verified_in_blocks: Mutex<HashMap<TxHash, SignedTransaction>>,
    /// Decoded sender keys, shared by admission and block checks.
    keys: KeyCache,
    /// Signatures checked: on admission, and in blocks (transactions this
    /// node had not admitted itself).
    pub signatures_checked: SignatureCounters,
    /// Store commits of finalized blocks.
    pub commits: CommitCounters,
    /// Block executions and state roots.
    pub executions: ExecutionCounters,
    events: broadcast::Sender<FinalizedEvent>,
}

impl Chain {
    /// Opens the chain on `store` and the authenticated state `commitment`,
    /// starting from genesis or from what they hold.
    pub async fn open(
        genesis: Genesis,
        store: Store,
        commitment: Arc<dyn Commitment>,
        mempool_capacity: usize,
    ) -> Result<Self, StoreError> {
        let genesis_state = State::from_genesis(&genesis);
        let genesis_root = genesis_root(&genesis_state, &store, commitment.as_ref()).await?;
        let genesis_block = genesis_block(&genesis, genesis_root);
        let (state, digest) = match store.load_state(genesis.chain_id.clone())? {
            Some(state) => {
                if state.money().is_some() != genesis.money.is_some() {
                    return Err(StoreError::Corrupt(
                        "the stored state and the genesis file disagree on whether the chain runs the money module".into(),
                    ));
                }
                let height = state.height();
                let block = store.block(height)?.ok_or_else(|| {
                    StoreError::Corrupt(format!("applied block {height} missing"))
                })?;
                (state, block.hash())
            }
            None => {
                // Marshal stores every later block; genesis is the node's own.
                store.put_block(&genesis_block.hash(), &genesis_block)?;
                store.commit(&[FinalizedBlock {
                    block: &genesis_block,
                    receipts: &[],
                    changes: &genesis_state.all_entries(),
                }])?;
                (genesis_state, genesis_block.hash())
            }
        };
        let committed = commitment.height().await.unwrap_or_default();
        if committed < state.height() {
            return Err(StoreError::State(format!(
                "the authenticated state is at height {committed}, behind the block store at {}: its files were lost or replaced",
                state.height()
            )));
        }
        let (events, _) = broadcast::channel(1024);
        Ok(Self {
            genesis,
            genesis_block,
            store: Arc::new(store),
            commitment,
            committed_at_start: committed,
            finalized: Mutex::new(Finalized {
                state: Arc::new(state),
                digest,
            }),
            speculative: Mutex::new(HashMap::new()),
            mempool: Mutex::new(Mempool::new(mempool_capacity)),
            verified_in_blocks: Mutex::new(HashMap::new()),
            keys: KeyCache::default(),
            signatures_checked: SignatureCounters::default(),
            commits: CommitCounters::default(),
            executions: ExecutionCounters::default(),
            events,
        })
    }

    /// The genesis file.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// The genesis block (height 0).
    pub fn genesis_block(&self) -> &Block {
        &self.genesis_block
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, shared (marshal keeps the finalized blocks in it).
    pub fn shared_store(&self) -> Arc<Store> {
        self.store.clone()
    }

    /// The latest finalized state.
    pub fn finalized_state(&self) -> Arc<State> {
        self.finalized.lock().unwrap().state.clone()
    }

    /// Height of the latest finalized (and applied) block.
    pub fn finalized_height(&self) -> u64 {
        self.finalized.lock().unwrap().state.height()
    }

    /// Number of transactions waiting.
    pub fn mempool_len(&self) -> usize {
        self.mempool.lock().unwrap().len()
    }

    /// Subscribes to finalized blocks.
    pub fn subscribe(&self) -> broadcast::Receiver<FinalizedEvent> {
        self.events.subscribe()
    }

    /// Decodes, verifies and admits transactions from a client. Returns one
    /// result per input, in order.
    pub fn submit(
        &self,
        raw: &[Vec<u8>],
        strategy: &impl Strategy,
    ) -> Vec<Result<SignedTransaction, SubmitError>> {
        let mut results: Vec<Result<SignedTransaction, SubmitError>> = raw
            .iter()
            .map(|bytes| SignedTransaction::from_bytes(bytes).map_err(SubmitError::from))
            .collect();
        let decoded: Vec<SignedTransaction> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().cloned())
            .collect();
        let mut admitted = self.admit_from_client(decoded, strategy).into_iter();
        for result in results.iter_mut().filter(|r| r.is_ok()) {
            let outcome = admitted
                .next()
                .expect("one outcome per decoded transaction");
            *result = outcome;
        }
        results
    }

    /// Admits transactions a client sent: as [`Chain::admit`], after
    /// checking that each payment naming travel-rule data names an envelope
    /// deposited at this node for it ([`crate::travel_gateway`]). Gossip
    /// skips this: the node that took the payment checked it.
    pub fn admit_from_client(
        &self,
        transactions: Vec<SignedTransaction>,
        strategy: &impl Strategy,
    ) -> Vec<Result<SignedTransaction, SubmitError>> {
        let checks: Vec<Result<(), SubmitError>> = transactions
            .iter()
            .map(|tx| crate::travel_gateway::check_payment(self, tx).map_err(SubmitError::from))
            .collect();
        let passed: Vec<SignedTransaction> = transactions
            .into_iter()
            .zip(&checks)
            .filter(|(_, check)| check.is_ok())
            .map(|(tx, _)| tx)
            .collect();
        let mut admitted = self.admit(passed, strategy).into_iter();
        checks
            .into_iter()
            .map(|check| match check {
                Ok(()) => admitted.next().expect("one outcome per passed transaction"),
                Err(refusal) => Err(refusal),
            })
            .collect()
    }

    /// Verifies signatures (one batch, split across `strategy`) and admits
    /// decoded transactions into the mempool.
    pub fn admit(
        &self,
        transactions: Vec<SignedTransaction>,
        strategy: &impl Strategy,
    ) -> Vec<Result<SignedTransaction, SubmitError>> {
        let state = self.finalized_state();
        // What can be refused or trusted without a signature check is settled
        // first: gossip often brings transactions already in a block.
        let screened: Vec<Screened> = {
            let mempool = self.mempool.lock().unwrap();
            let verified = self.verified_in_blocks.lock().unwrap();
            transactions
                .iter()
                .map(|tx| match mempool.check_new(tx, &state) {
                    Err(refusal) => Screened::Refused(refusal),
                    Ok(()) if verified.get(&tx.hash()) == Some(tx) => Screened::Verified,
                    Ok(()) => Screened::Unverified,
                })
                .collect()
        };
        let unverified: Vec<&SignedTransaction> = transactions
            .iter()
            .zip(&screened)
            .filter(|(_, screened)| matches!(screened, Screened::Unverified))
            .map(|(tx, _)| tx)
            .collect();
        // One batch for the common case; one by one only to find which
        // signature is bad.
        let all_valid = verify_batch(&unverified, strategy, &self.keys);
        self.signatures_checked
            .admission
            .fetch_add(unverified.len() as u64, Ordering::Relaxed);
        let mut mempool = self.mempool.lock().unwrap();
        transactions
            .into_iter()
            .zip(screened)
            .map(|(tx, screened)| match screened {
                Screened::Refused(refusal) => Err(refusal.into()),
                Screened::Unverified if !all_valid && !tx.verify_signature() => {
                    Err(SubmitError::BadSignature)
                }
                Screened::Unverified | Screened::Verified => {
                    mempool.insert_screened(tx.clone(), &state)?;
                    Ok(tx)
                }
            })
            .collect()
    }

    /// Where a transaction stands.
    pub fn tx_status(&self, hash: &TxHash) -> Result<TxStatus, StoreError> {
        if let Some(receipt) = self.store.receipt(hash)? {
            return Ok(TxStatus::Finalized(receipt));
        }
        if self.mempool.lock().unwrap().contains(hash) {
            return Ok(TxStatus::Pending);
        }
        Ok(TxStatus::Unknown)
    }

    /// An account in the finalized state.
    pub fn account(&self, id: &AccountId) -> Option<Account> {
        self.finalized_state().account(id).copied()
    }

    /// Proves `key`'s value, or its absence, in the committed authenticated
    /// state (the latest finalized block's).
    pub async fn prove(&self, key: &StateKey) -> Result<commitment::Proof, StoreError> {
        Ok(self.commitment.prove(&key.hashed()).await?)
    }

    /// A target a joining validator can sync the state to now (its
    /// operations kept from pruning for a while).
    pub async fn sync_target(&self) -> Result<SyncTarget, StateDbError> {
        self.commitment.sync_target().await
    }

    /// Answers a joining validator's request for state operations.
    pub async fn serve_sync(&self, request: SyncRequest) -> Result<Vec<u8>, StateDbError> {
        self.commitment.serve(request).await
    }

    /// The state after block `digest`, if this node knows it.
    pub fn state_after(&self, digest: &Digest) -> Option<Arc<State>> {
        {
            let finalized = self.finalized.lock().unwrap();
            if finalized.digest == *digest {
                return Some(finalized.state.clone());
            }
        }
        self.speculative
            .lock()
            .unwrap()
            .get(digest)
            .map(|executed| executed.state.clone())
    }
}

/// The genesis block every node of a network derives from the genesis file.
pub fn genesis_block(genesis: &Genesis, state_root: Digest) -> Block {
    let leader = genesis
        .validators
        .iter()
        .map(|v| v.public_key)
        .min()
        .expect("genesis has validators")
        .public_key()
        .expect("validated genesis has valid validator keys");
    Block::genesis(leader, genesis.genesis_time_ms, state_root)
}

/// A chain for tests: its store in `dir`, its authenticated state in
/// `context`'s storage under `name`.
#[cfg(test)]
pub(crate) async fn open_for_test<E>(
    context: &E,
    name: &'static str,
    dir: &std::path::Path,
    genesis: &Genesis,
) -> Chain
where
    E: commonware_runtime::Storage
        + commonware_runtime::Clock
        + commonware_runtime::Metrics
        + commonware_runtime::Spawner
        + commonware_runtime::Supervisor,
{
    let commitment = commitment::open(context.child(name), name).await.unwrap();
    Chain::open(genesis.clone(), Store::open(dir).unwrap(), commitment, 100)
        .await
        .unwrap()
}

/// A genesis of one validator (its key from seed 7) and `accounts`, for tests.
#[cfg(test)]
pub(crate) fn test_genesis(chain_id: &str, accounts: Vec<eiraku_core::GenesisAccount>) -> Genesis {
    Genesis {
        chain_id: eiraku_core::ChainId::new(chain_id).unwrap(),
        genesis_time_ms: 0,
        validators: vec![eiraku_core::GenesisValidator {
            name: "v".into(),
            public_key: eiraku_core::Keypair::from_seed(7).account_id(),
            p2p_address: "127.0.0.1:1".parse().unwrap(),
            api_address: "127.0.0.1:2".parse().unwrap(),
        }],
        accounts,
        money: None,
        governance: None,
        key_replacement_delay_ms: None,
        epoch_length: None,
        reviewers: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_parallel::Sequential;
    use commonware_runtime::{deterministic, Runner as _, Supervisor as _};
    use eiraku_core::{Amount, Call, GenesisAccount, Keypair, Transaction};

    #[test]
    fn gossip_of_a_transaction_checked_in_a_block_costs_no_second_signature_check() {
        deterministic::Runner::default()
            .start(|context| async move { gossip_checked_in_a_block(context).await });
    }

    #[test]
    fn a_block_store_without_its_authenticated_state_is_refused() {
        deterministic::Runner::default().start(|context| async move {
            let dir = tempfile::tempdir().unwrap();
            let genesis = test_genesis("lost-state", vec![]);
            drop(open_for_test(&context, "first", dir.path(), &genesis).await);
            // The same block store, with an empty authenticated state.
            let empty = commitment::open(context.child("second"), "second")
                .await
                .unwrap();
            let reopened = Chain::open(genesis, Store::open(dir.path()).unwrap(), empty, 10).await;
            let Err(StoreError::State(reason)) = reopened else {
                panic!("a chain without its authenticated state must not open");
            };
            assert!(reason.contains("authenticated state is empty"), "{reason}");
        });
    }

    async fn gossip_checked_in_a_block(context: deterministic::Context) {
        let alice = Keypair::from_seed(1);
        let validator = Keypair::from_seed(7);
        let genesis = test_genesis(
            "chain-test",
            vec![GenesisAccount {
                id: alice.account_id(),
                balance: Amount(100),
                label: String::new(),
                role: None,
                bank: None,
                travel_key: None,
            }],
        );
        let transfer = |nonce| {
            SignedTransaction::sign(
                Transaction {
                    chain_id: genesis.chain_id.clone(),
                    sender: alice.account_id(),
                    nonce,
                    call: Call::Transfer {
                        to: validator.account_id(),
                        amount: Amount(1),
                    },
                },
                &alice,
            )
        };
        let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let leader = open_for_test(&context, "leader", dirs[0].path(), &genesis).await;
        let follower = open_for_test(&context, "follower", dirs[1].path(), &genesis).await;
        let admitted = leader.admit(vec![transfer(0)], &Sequential);
        assert!(admitted[0].is_ok());
        let parent = leader.genesis_block().clone();
        let parent_state = leader.finalized_state();
        let block = leader
            .build(parent.header.context.clone(), &parent, &parent_state, 5)
            .await
            .unwrap();
        assert_eq!(block.transactions.len(), 1);

        // The follower sees the block before the gossip.
        assert!(
            follower
                .check(&block, &parent, &parent_state, &Sequential)
                .await
        );
        assert_eq!(follower.signatures_checked.block.load(Ordering::Relaxed), 1);
        // A copy with another signature (same hash) is still checked and refused.
        let mut forged = transfer(0);
        forged.signature = transfer(1).signature;
        assert!(matches!(
            follower.admit(vec![forged], &Sequential)[0],
            Err(SubmitError::BadSignature)
        ));
        assert_eq!(
            follower
                .signatures_checked
                .admission
                .load(Ordering::Relaxed),
            1
        );
        // The exact transaction is admitted without a second check.
        assert!(follower.admit(vec![transfer(0)], &Sequential)[0].is_ok());
        assert_eq!(
            follower
                .signatures_checked
                .admission
                .load(Ordering::Relaxed),
            1
        );
        assert_eq!(follower.mempool_len(), 1);

        // Once the block is final, its gossip is refused by nonce, unchecked.
        follower.apply_finalized(&[&block]).await.unwrap();
        assert_eq!(
            follower.mempool_len(),
            0,
            "finalized transactions leave the pool"
        );
        assert!(matches!(
            follower.admit(vec![transfer(0)], &Sequential)[0],
            Err(SubmitError::Mempool(MempoolError::Admission(_)))
        ));
        assert_eq!(
            follower
                .signatures_checked
                .admission
                .load(Ordering::Relaxed),
            1
        );
        assert!(follower.verified_in_blocks.lock().unwrap().is_empty());
    }
}
