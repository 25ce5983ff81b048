//! Deterministic simulations of a four-validator Eiraku network.
//!
//! Every test runs the real validator wiring (`engine::start_validator`:
//! simplex, marshal, buffered broadcast, backfill and the executor writing to its
//! store) on the commonware deterministic runtime, over the simulated p2p
//! network, with a fixed seed. Simulated time is free, so the tests exercise
//! crashes, partitions and a Byzantine voter over tens of simulated seconds
//! in a few seconds of real time.
//!
//! Each validator's store lives in its own temporary directory on the
//! real filesystem, and holds its finalized blocks and certificates (marshal
//! writes them there); the consensus journals and caches live in the
//! runtime's in-memory storage under a per-validator partition prefix.

use commonware_codec::{Copying, Encode as _, Read as _};
use commonware_consensus::{
    simplex::{mocks::conflicter, types::Finalization},
    types::Height,
    Epochable as _,
};
use commonware_cryptography::{certificate::Verifier as _, ed25519, Sha256, Signer as _};
use commonware_p2p::simulated::{self, Link, Network, Oracle};
use commonware_parallel::Rayon;
use commonware_runtime::{
    deterministic, Clock as _, Handle, Quota, Runner as _, Spawner as _, Supervisor as _,
};
use commonware_utils::{ordered::Set, probability, NZUsize, TryCollect as _, NZU32};
use eiraku_core::{
    governance::{text_digest, Amendment, Choice, GovernanceGenesis, Windows},
    validators::Joiner,
    AccountId, Amount, Call, ChainId, CoinUnit, CurrencyCode, Digest, EconomyCode, Genesis,
    GenesisAccount, GenesisEconomy, GenesisValidator, GovernanceCall, Keypair, MoneyGenesis,
    PublicKey, SignedTransaction, Transaction, TxHash, ValidatorChange,
};
use eiraku_node::{
    application::Scheme,
    commitment,
    engine::{self, Channels, Timeouts, Validator, CONSENSUS_NAMESPACE},
    epochs, gossip,
    store::Store,
    Chain, TxStatus,
};
use eiraku_state::Outcome;
use futures::channel::oneshot;
use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};
use tempfile::TempDir;

/// Validators in every simulation.
const VALIDATORS: usize = 4;
/// Most peers one tracked set holds (two sets of validators at a change).
const PEER_LIMIT: usize = 12;
/// A small LAN: 10 ms one way, a little jitter, no loss.
const LINK: Link = Link {
    latency: Duration::from_millis(10),
    jitter: Duration::from_millis(2),
    success_rate: probability!(1.0),
};
/// Outbound rate limit per peer and channel, as the production node uses.
const QUOTA: Quota = Quota::per_second(NZU32!(10_000));
/// Simulated time after which a run panics (a hang is a failure, not a stall).
const RUN_TIMEOUT: Duration = Duration::from_secs(300);
/// How often the waiting helpers look at the validators (simulated time).
const POLL: Duration = Duration::from_millis(50);
/// Opening balance of the funded account.
const FUNDS: u128 = 1_000_000;

/// p2p channel ids, as in `eiraku_node::run`.
const CH_VOTES: u64 = 0;
const CH_CERTIFICATES: u64 = 1;
const CH_RESOLVER: u64 = 2;
const CH_BROADCAST: u64 = 3;
const CH_BACKFILL: u64 = 4;

type Context = deterministic::Context;

/// The simulated network and everything validators are started from.
struct Sim {
    context: Context,
    oracle: Oracle<PublicKey, Context>,
    /// Validator keys, by validator index (index i is `Keypair::from_seed(i)`).
    keys: Vec<ed25519::PrivateKey>,
    participants: Set<PublicKey>,
    genesis: Genesis,
    strategy: Rayon,
    /// Each validator's store directory (by index); removed when the
    /// simulation ends.
    dirs: Vec<TempDir>,
}

/// A running honest validator.
struct Node {
    chain: Arc<Chain>,
    validator: Validator,
    /// The task every actor of this validator descends from.
    supervisor: Handle<()>,
}

fn alice() -> Keypair {
    Keypair::from_seed(1_000)
}

fn bob() -> Keypair {
    Keypair::from_seed(1_001)
}

fn chain_id() -> ChainId {
    ChainId::new("eiraku-sim").unwrap()
}

/// Four validators (keys from seeds 0..4) and one funded account (alice).
fn genesis(keys: &[ed25519::PrivateKey]) -> Genesis {
    Genesis {
        chain_id: chain_id(),
        genesis_time_ms: 0,
        validators: keys
            .iter()
            .enumerate()
            .map(|(i, key)| GenesisValidator {
                name: format!("validator-{i}"),
                public_key: AccountId::from_public_key(&key.public_key()),
                p2p_address: format!("127.0.0.1:{}", 3000 + i).parse().unwrap(),
                api_address: format!("127.0.0.1:{}", 8000 + i).parse().unwrap(),
            })
            .collect(),
        accounts: vec![GenesisAccount {
            id: alice().account_id(),
            balance: Amount(FUNDS),
            label: "alice".into(),
            role: None,
            bank: None,
            travel_key: None,
        }],
        money: None,
        governance: None,
        key_replacement_delay_ms: None,
        epoch_length: None,
        reviewers: vec![],
    }
}

/// Builds the simulated network with every pair of validators linked.
async fn simulation(context: &Context) -> Sim {
    simulation_of(context, VALIDATORS, genesis).await
}

/// A simulated network of `nodes` validator keys (seeds 0..), every pair
/// linked; `genesis` lists the first [`VALIDATORS`] of them.
async fn simulation_of(
    context: &Context,
    nodes: usize,
    genesis: fn(&[ed25519::PrivateKey]) -> Genesis,
) -> Sim {
    let keys: Vec<ed25519::PrivateKey> = (0..nodes as u64)
        .map(|seed| Keypair::from_seed(seed).private_key().clone())
        .collect();
    let participants: Set<PublicKey> = keys
        .iter()
        .map(|key| key.public_key())
        .try_collect()
        .expect("distinct validator keys");
    let (network, oracle) = Network::new_with_peers(
        context.child("network"),
        simulated::Config {
            max_size: engine::max_message_size(VALIDATORS as u32, gossip::MAX_GOSSIP_BYTES),
            max_peers_per_set: NZUsize!(PEER_LIMIT),
            disconnect_on_block: true,
            tracked_peer_sets: NZUsize!(3),
        },
        participants.clone(),
    )
    .await;
    network.start();
    let sim = Sim {
        context: context.child("harness"),
        oracle,
        genesis: genesis(&keys[..VALIDATORS]),
        keys,
        participants,
        strategy: Rayon::new(NZUsize!(1)).expect("rayon pool"),
        dirs: (0..nodes)
            .map(|_| tempfile::tempdir().expect("temporary directory"))
            .collect(),
    };
    let all: Vec<usize> = (0..nodes).collect();
    sim.link(&all, &all).await;
    sim
}

impl Sim {
    /// Simulated time since the run started.
    fn now(&self) -> Duration {
        self.context
            .current()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
    }

    fn key(&self, index: usize) -> PublicKey {
        self.keys[index].public_key()
    }

    /// Links (both ways) every validator of `a` with every validator of `b`.
    async fn link(&self, a: &[usize], b: &[usize]) {
        let mut pairs = std::collections::BTreeSet::new();
        for &i in a {
            for &j in b {
                if i != j {
                    pairs.insert((i, j));
                    pairs.insert((j, i));
                }
            }
        }
        for (i, j) in pairs {
            self.oracle
                .add_link(self.key(i), self.key(j), LINK)
                .await
                .unwrap();
        }
    }

    /// Removes the links (both ways) between the validators of `a` and `b`.
    async fn unlink(&self, a: &[usize], b: &[usize]) {
        for &i in a {
            for &j in b {
                self.oracle
                    .remove_link(self.key(i), self.key(j))
                    .await
                    .unwrap();
                self.oracle
                    .remove_link(self.key(j), self.key(i))
                    .await
                    .unwrap();
            }
        }
    }

    /// Starts honest validator `index` on its store (fresh on first
    /// start) and its storage partitions (prefix `validator-{index}`). All
    /// its actors are spawned under one supervising task, so aborting that
    /// task (with the returned handles) takes the whole validator down, as a
    /// crash would.
    async fn start(&self, index: usize) -> Node {
        let store = Store::open(&self.dirs[index].path().join("store")).expect("store opens");
        let commitment = commitment::open(
            self.context.child("state").with_attribute("index", index),
            &format!("state-{index}"),
        )
        .await
        .expect("state store opens");
        let chain = Arc::new(
            Chain::open(self.genesis.clone(), store, commitment, 10_000)
                .await
                .expect("chain opens"),
        );

        let (started, validator) = oneshot::channel();
        let oracle = self.oracle.clone();
        let signer = self.keys[index].clone();
        let strategy = self.strategy.clone();
        let node_chain = chain.clone();
        let supervisor = self
            .context
            .child("validator")
            .with_attribute("index", index)
            .spawn(move |context| async move {
                let me = signer.public_key();
                let control = oracle.control(me.clone());
                let channels = Channels {
                    votes: control.register(CH_VOTES, QUOTA).await.unwrap(),
                    certificates: control.register(CH_CERTIFICATES, QUOTA).await.unwrap(),
                    resolver: control.register(CH_RESOLVER, QUOTA).await.unwrap(),
                    broadcast: control.register(CH_BROADCAST, QUOTA).await.unwrap(),
                    backfill: control.register(CH_BACKFILL, QUOTA).await.unwrap(),
                };
                let validator = engine::start_validator(
                    context.child("node"),
                    &format!("validator-{index}"),
                    signer,
                    control,
                    oracle.manager(),
                    channels,
                    node_chain,
                    strategy,
                    Timeouts::default(),
                    epochs::track_peers(oracle.socket_manager(), NZUsize!(PEER_LIMIT)),
                )
                .await;
                let _ = started.send(validator);
                futures::future::pending::<()>().await;
            });
        let validator = validator.await.expect("validator started");
        Node {
            chain,
            validator,
            supervisor,
        }
    }

    /// Starts every validator, honest.
    async fn start_all(&self) -> Vec<Node> {
        let mut nodes = Vec::new();
        for i in 0..VALIDATORS {
            nodes.push(self.start(i).await);
        }
        nodes
    }

    /// Runs the Byzantine `Conflicter` as validator `index`: it signs a
    /// second, conflicting notarize and finalize vote for every vote it sees.
    async fn start_conflicter(&self, index: usize) -> Handle<()> {
        let key = self.keys[index].clone();
        let scheme = Scheme::signer(CONSENSUS_NAMESPACE, self.participants.clone(), key.clone())
            .expect("conflicter is a participant");
        let votes = self
            .oracle
            .control(key.public_key())
            .register(CH_VOTES, QUOTA)
            .await
            .unwrap();
        conflicter::Conflicter::<_, _, Sha256>::new(
            self.context.child("conflicter"),
            conflicter::Config { scheme },
        )
        .start(votes)
    }

    /// Sleeps on the simulated clock until `done(heights)` holds, where
    /// `heights[i]` is the applied finalized height of `chains[i]`. Panics
    /// after `limit` of simulated time. Returns the heights that satisfied it.
    async fn wait_until(
        &self,
        what: &str,
        limit: Duration,
        chains: &[&Arc<Chain>],
        done: impl Fn(&[u64]) -> bool,
    ) -> Vec<u64> {
        let start = self.context.current();
        loop {
            let now = heights(chains);
            if done(&now) {
                return now;
            }
            let waited = self.context.current().duration_since(start).unwrap();
            assert!(
                waited < limit,
                "timed out after {waited:?} waiting for {what}; heights {now:?}"
            );
            self.context.sleep(POLL).await;
        }
    }

    /// Waits until every chain has applied at least `target`.
    async fn wait_for_height(
        &self,
        chains: &[&Arc<Chain>],
        target: u64,
        limit: Duration,
    ) -> Vec<u64> {
        self.wait_until(&format!("height {target}"), limit, chains, |h| {
            h.iter().all(|&height| height >= target)
        })
        .await
    }
}

impl Node {
    /// Crashes the validator: aborts every task it runs and checks they are
    /// really gone.
    async fn crash(self) -> Arc<Chain> {
        for handle in &self.validator.handles {
            handle.abort();
        }
        self.supervisor.abort();
        for handle in self.validator.handles {
            // An aborted task resolves to an error (which one depends on
            // whether its own abort or its supervisor's got there first).
            assert!(
                handle.await.is_err(),
                "an aborted validator task finished on its own"
            );
        }
        assert!(self.supervisor.await.is_err(), "supervisor survived abort");
        self.chain
    }
}

/// Marshal reads the finalized blocks and certificates back from the store
/// the validator reopened, by height and by digest, up to `height`.
async fn assert_marshal_reads_the_store(node: &Node, height: u64) {
    let store = node.chain.store();
    let stored = store.block(height).unwrap().expect("applied block stored");
    let marshal = &node.validator.marshal;
    let by_height = marshal.get_block(Height::new(height)).await;
    assert_eq!(by_height.map(|b| b.inner().hash()), Some(stored.hash()));
    let by_digest = marshal.get_block(&stored.hash()).await;
    assert_eq!(by_digest.map(|b| b.inner().hash()), Some(stored.hash()));
    let certified = (1..=height)
        .rev()
        .find_map(|h| Some((h, store.certificate(h).unwrap()?)))
        .expect("a block up to the crash has its own certificate");
    let finalization = marshal.get_finalization(Height::new(certified.0)).await;
    let encoded = finalization.map(|f| f.encode().to_vec());
    assert_eq!(encoded, Some(certified.1), "the stored certificate");
}

fn heights(chains: &[&Arc<Chain>]) -> Vec<u64> {
    chains
        .iter()
        .map(|chain| chain.finalized_height())
        .collect()
}

/// Asserts the chains never forked: at every height up to the lowest applied
/// height among them, all stores hold the same block (digest and state root),
/// and each store's blocks link up from genesis. Also checks each node
/// applied its last stored block. Returns the common block digests,
/// genesis first.
fn assert_no_fork(chains: &[&Arc<Chain>]) -> Vec<Digest> {
    assert!(chains.len() >= 2);
    for chain in chains {
        let tip = chain.finalized_height();
        let block = chain.store().block(tip).unwrap().expect("tip block stored");
        assert_eq!(
            block.header.timestamp_ms,
            chain.finalized_state().timestamp_ms(),
            "applied state is not the state after block {tip}"
        );
    }
    let common = heights(chains).into_iter().min().unwrap();
    let mut digests = Vec::new();
    let mut parent: Option<Digest> = None;
    for height in 0..=common {
        let blocks: Vec<_> = chains
            .iter()
            .map(|chain| {
                chain
                    .store()
                    .block(height)
                    .unwrap()
                    .unwrap_or_else(|| panic!("block {height} missing from a store"))
            })
            .collect();
        let first = &blocks[0];
        assert_eq!(first.header.height, height);
        if let Some(parent) = parent {
            assert_eq!(first.header.parent, parent, "block {height} does not link");
        }
        for (i, block) in blocks.iter().enumerate().skip(1) {
            assert_eq!(
                block.hash(),
                first.hash(),
                "fork at height {height}: node {i} finalized a different block"
            );
            assert_eq!(
                block.header.state_root, first.header.state_root,
                "state roots differ at height {height}"
            );
        }
        parent = Some(first.hash());
        digests.push(first.hash());
    }
    digests
}

/// Views that produced no finalized block between the blocks at `from` and
/// the chain's tip: each block's view should follow its parent's.
fn skipped_views(chain: &Chain, from: u64) -> u64 {
    let view = |height: u64| {
        let block = chain.store().block(height).unwrap().expect("block stored");
        block.header.context.round.view().get()
    };
    (from + 1..=chain.finalized_height())
        .map(|height| view(height) - view(height - 1) - 1)
        .sum()
}

/// Signed transfers alice -> bob with nonces 0.., amounts 10, 20, 30, ...
fn transfers(count: u64) -> Vec<SignedTransaction> {
    (0..count)
        .map(|nonce| {
            SignedTransaction::sign(
                Transaction {
                    chain_id: chain_id(),
                    sender: alice().account_id(),
                    nonce,
                    call: Call::Transfer {
                        to: bob().account_id(),
                        amount: Amount(10 * (nonce as u128 + 1)),
                    },
                },
                &alice(),
            )
        })
        .collect()
}

/// Submits `txs` to `chain` like the API does; all must be admitted.
fn submit(chain: &Chain, txs: &[SignedTransaction], strategy: &Rayon) -> Vec<TxHash> {
    let raw: Vec<Vec<u8>> = txs.iter().map(|tx| tx.to_bytes()).collect();
    chain
        .submit(&raw, strategy)
        .into_iter()
        .map(|result| result.expect("transfer admitted").hash())
        .collect()
}

fn is_finalized(chain: &Chain, hash: &TxHash) -> bool {
    matches!(chain.tx_status(hash).unwrap(), TxStatus::Finalized(_))
}

/// Every transfer is finalized with success on every chain, at the same
/// height, and the balances reflect exactly those transfers.
fn assert_transfers_applied(chains: &[&Arc<Chain>], hashes: &[TxHash]) {
    let moved: u128 = (1..=hashes.len() as u128).map(|k| 10 * k).sum();
    for hash in hashes {
        let receipts: Vec<_> = chains
            .iter()
            .map(|chain| match chain.tx_status(hash).unwrap() {
                TxStatus::Finalized(receipt) => receipt,
                other => panic!("transfer {hash:?} not finalized: {other:?}"),
            })
            .collect();
        for receipt in &receipts {
            assert_eq!(receipt.outcome, Outcome::Success);
            assert_eq!(receipt, &receipts[0], "nodes disagree on a receipt");
        }
    }
    for chain in chains {
        let alice = chain.account(&alice().account_id()).unwrap();
        let bob = chain.account(&bob().account_id()).expect("bob was paid");
        assert_eq!(alice.balance, Amount(FUNDS - moved));
        assert_eq!(alice.nonce, hashes.len() as u64);
        assert_eq!(bob.balance, Amount(moved));
        assert_eq!(chain.finalized_state().total_supply(), Amount(FUNDS));
    }
}

fn runner(seed: u64) -> deterministic::Runner {
    deterministic::Runner::new(
        deterministic::Config::new()
            .with_seed(seed)
            .with_timeout(Some(RUN_TIMEOUT)),
    )
}

/// What a crash run leaves behind, to compare two runs.
#[derive(Debug, PartialEq, Eq)]
struct CrashRun {
    /// `context.auditor().state()` at the end.
    auditor: String,
    /// Digest of everything in the runtime's (in-memory) storage.
    storage: String,
    /// Height validator 3 had applied when it crashed.
    crashed_at: u64,
    /// Heights of the four validators at the end (validator 3 last).
    heights: Vec<u64>,
    /// Common finalized block digests of all four, genesis first.
    digests: Vec<Digest>,
}

/// Four validators finalize to height 5; validator 3 crashes; the other three
/// finalize `more` further heights, including transfers submitted to
/// validator 0; then validator 3 restarts on its old storage and catches up.
fn crash_run(seed: u64, more: u64) -> CrashRun {
    runner(seed).start(|context| async move {
        let sim = simulation(&context).await;
        let mut nodes = sim.start_all().await;
        let all: Vec<&Arc<Chain>> = nodes.iter().map(|node| &node.chain).collect();
        sim.wait_for_height(&all, 5, Duration::from_secs(30)).await;

        let crashed = nodes.pop().unwrap().crash().await;
        let crashed_height = crashed.finalized_height();
        let survivors: Vec<&Arc<Chain>> = nodes.iter().map(|node| &node.chain).collect();
        let before = heights(&survivors);
        println!(
            "[{:?}] validator 3 crashed at height {crashed_height}; survivors at {before:?}",
            sim.now()
        );

        let txs = transfers(3);
        let hashes = submit(survivors[0], &txs, &sim.strategy);
        for hash in &hashes {
            assert_eq!(survivors[0].tx_status(hash).unwrap(), TxStatus::Pending);
        }

        let target = before.iter().max().unwrap() + more;
        let submitter = survivors[0].clone();
        sim.wait_until(
            "survivors to finalize and include the transfers",
            Duration::from_secs(60),
            &survivors,
            |h| {
                h.iter().all(|&height| height >= target)
                    && hashes.iter().all(|hash| is_finalized(&submitter, hash))
            },
        )
        .await;
        println!(
            "[{:?}] survivors at {:?}; transfers in blocks {:?}",
            sim.now(),
            heights(&survivors),
            hashes
                .iter()
                .map(|hash| survivors[0].store().receipt(hash).unwrap().unwrap().height)
                .collect::<Vec<_>>()
        );

        assert_eq!(
            crashed.finalized_height(),
            crashed_height,
            "a crashed validator kept applying blocks"
        );
        assert_transfers_applied(&survivors, &hashes);
        assert_no_fork(&survivors);
        // The crashed node's store agrees with the survivors up to its height.
        let mut with_crashed = survivors.clone();
        with_crashed.push(&crashed);
        assert_eq!(
            assert_no_fork(&with_crashed).len() as u64,
            crashed_height + 1
        );

        // Restart it on the same store and storage partitions: it
        // reopens at the height it had applied, catches up through backfill
        // and finalizes along with the others.
        drop(with_crashed);
        drop(crashed); // the last handle on its store
        let restarted_from = heights(&survivors).into_iter().max().unwrap();
        let restarted = sim.start(3).await;
        assert_eq!(
            restarted.chain.finalized_height(),
            crashed_height,
            "the restarted validator lost or invented applied blocks"
        );
        assert_marshal_reads_the_store(&restarted, crashed_height).await;
        let mut all = survivors.clone();
        all.push(&restarted.chain);
        let target = heights(&survivors).into_iter().max().unwrap() + 5;
        sim.wait_for_height(&all, target, Duration::from_secs(60))
            .await;
        println!(
            "[{:?}] validator 3 restarted and caught up: {:?}",
            sim.now(),
            heights(&all)
        );
        assert_transfers_applied(&all, &hashes);
        let digests = assert_no_fork(&all);
        // With all four back, no view may go without a block except one:
        // validator 3's first slot can pass while it resyncs and the others
        // still skip it as inactive. (Its node judging a valid parent
        // "conflicting" while catching up used to cost it a second slot.)
        let skipped = skipped_views(&restarted.chain, restarted_from);
        assert!(
            skipped <= 1,
            "{skipped} views without a block after validator 3 restarted"
        );

        CrashRun {
            auditor: context.auditor().state(),
            storage: format!("{:?}", context.storage_audit()),
            crashed_at: crashed_height,
            heights: heights(&all),
            digests,
        }
    })
}

#[test]
fn one_crashed_validator_does_not_stop_finality() {
    // A long enough outage that validator 3 has a real backlog to backfill
    // and re-execute when it comes back.
    let run = crash_run(7, 30);
    assert!(run.crashed_at >= 5, "crashed only after height 5");
    // Survivors went 30 past the crash, and all four 5 further after the
    // restart.
    assert!(run.digests.len() as u64 > run.crashed_at + 35);
}

#[test]
fn partition_halts_finality_then_heals_without_fork() {
    runner(11).start(|context| async move {
        let sim = simulation(&context).await;
        let nodes = sim.start_all().await;
        let chains: Vec<&Arc<Chain>> = nodes.iter().map(|node| &node.chain).collect();
        let tips = || -> Vec<u64> {
            nodes
                .iter()
                .map(|node| node.validator.tip.load(Ordering::Relaxed))
                .collect()
        };
        sim.wait_for_height(&chains, 5, Duration::from_secs(30))
            .await;

        // 2|2: neither half holds the three votes a certificate needs.
        sim.unlink(&[0, 1], &[2, 3]).await;
        let at_cut = *tips().iter().chain(heights(&chains).iter()).max().unwrap();
        // Let messages already on the wire land: at most the one block whose
        // votes were in flight can still finalize.
        context.sleep(Duration::from_secs(1)).await;
        let frozen = heights(&chains);
        let frozen_tips = tips();
        println!(
            "[{:?}] partitioned at height {at_cut}; frozen at {frozen:?} (tips {frozen_tips:?})",
            sim.now()
        );
        assert!(
            frozen
                .iter()
                .chain(frozen_tips.iter())
                .all(|&h| h <= at_cut + 1),
            "finality advanced by more than one block across a 2|2 partition: \
             {frozen:?} {frozen_tips:?}, was {at_cut}"
        );
        for _ in 0..20 {
            context.sleep(Duration::from_millis(500)).await;
            assert_eq!(heights(&chains), frozen, "a partitioned node finalized");
            assert_eq!(
                tips(),
                frozen_tips,
                "consensus finalized during the partition"
            );
        }

        sim.link(&[0, 1], &[2, 3]).await;
        let resumed = frozen.iter().max().unwrap() + 10;
        sim.wait_for_height(&chains, resumed, Duration::from_secs(60))
            .await;
        println!("[{:?}] healed; heights {:?}", sim.now(), heights(&chains));
        let digests = assert_no_fork(&chains);
        assert!(digests.len() as u64 > resumed);
    });
}

#[test]
fn conflicting_voter_never_causes_two_finalized_blocks() {
    runner(23).start(|context| async move {
        let sim = simulation(&context).await;
        let _conflicter = sim.start_conflicter(0).await;
        let mut nodes = Vec::new();
        for i in 1..VALIDATORS {
            nodes.push(sim.start(i).await);
        }
        let honest: Vec<&Arc<Chain>> = nodes.iter().map(|node| &node.chain).collect();
        sim.wait_for_height(&honest, 3, Duration::from_secs(30))
            .await;

        // Transfers change the state root, so the per-height root comparison
        // below compares different roots, not the genesis root over and over.
        let txs = transfers(4);
        let hashes = submit(honest[0], &txs, &sim.strategy);
        let submitter = honest[0].clone();
        sim.wait_until(
            "honest validators to finalize 20 blocks and the transfers",
            Duration::from_secs(90),
            &honest,
            |h| {
                h.iter().all(|&height| height >= 20)
                    && hashes.iter().all(|hash| is_finalized(&submitter, hash))
            },
        )
        .await;

        assert_transfers_applied(&honest, &hashes);
        println!("[{:?}] honest heights {:?}", sim.now(), heights(&honest));
        let digests = assert_no_fork(&honest);
        assert!(digests.len() > 20);
        let roots: std::collections::BTreeSet<_> = (0..digests.len() as u64)
            .map(|h| {
                honest[0]
                    .store()
                    .block(h)
                    .unwrap()
                    .unwrap()
                    .header
                    .state_root
            })
            .collect();
        assert!(roots.len() > 1, "no block changed the state");

        // The conflicter really equivocated: every honest validator caught
        // it signing two different votes for one view and blocked it.
        let byzantine = sim.key(0);
        let blocked = sim.oracle.blocked().await.unwrap();
        for i in 1..VALIDATORS {
            assert!(
                blocked.contains(&(sim.key(i), byzantine.clone())),
                "validator {i} never blocked the conflicter; blocked: {blocked:?}"
            );
        }
    });
}

/// An idle chain is paced by the block interval: every empty block comes at
/// least one interval after its parent (by the proposers' clocks, which the
/// simulation shares), yet the chain keeps finalizing.
#[test]
fn idle_blocks_are_paced_by_the_block_interval() {
    runner(31).start(|context| async move {
        let sim = simulation(&context).await;
        let nodes = sim.start_all().await;
        let chains: Vec<&Arc<Chain>> = nodes.iter().map(|node| &node.chain).collect();
        let start = sim
            .wait_for_height(&chains, 2, Duration::from_secs(30))
            .await;
        context.sleep(Duration::from_secs(5)).await;
        let end = heights(&chains);
        let interval = Timeouts::default().block_interval.as_millis() as u64;
        let store = chains[0].store();
        let mut previous = store.block(start[0]).unwrap().unwrap();
        for height in start[0] + 1..=end[0] {
            let block = store.block(height).unwrap().unwrap();
            assert!(block.transactions.is_empty());
            let gap = block.header.timestamp_ms - previous.header.timestamp_ms;
            assert!(
                gap >= interval,
                "block {height} came {gap} ms after its parent; the interval is {interval} ms"
            );
            previous = block;
        }
        // Five seconds at one block per interval at most, and still live.
        let produced = end[0] - start[0];
        assert!(
            (5..=5_000 / interval + 1).contains(&produced),
            "{produced} blocks in 5 s"
        );
    });
}

/// The whole crash-and-restart scenario is a pure function of the seed.
///
/// The exact auditor fingerprint is reproducible even though the stores
/// live on the real filesystem and signatures are checked on a Rayon pool:
/// both are synchronous calls made from inside a task (no simulated time
/// passes and the runtime does not observe them), their results depend only
/// on their inputs (the batch-verification randomness from `rand::rng()`
/// changes no outcome), and the temporary paths never reach the runtime.
#[test]
fn same_seed_same_run() {
    let first = crash_run(42, 5);
    let second = crash_run(42, 5);
    println!("auditor {} storage {}", first.auditor, first.storage);
    assert!(first.digests.len() > 10);
    assert_eq!(first.heights, second.heights);
    assert_eq!(first.digests, second.digests);
    assert_eq!(first.storage, second.storage);
    assert_eq!(first.auditor, second.auditor);
    // The fingerprint is not a constant: another seed schedules differently.
    assert_ne!(crash_run(43, 5).auditor, first.auditor);
}

/// Epochs of this many blocks in the governed simulation.
const EPOCH: u64 = 20;
/// The validator that joins (index 4, not in genesis) and the one removed.
const JOINER: usize = 4;
const LEAVER: usize = 3;
/// Central banks (voting seats) of the governed simulation's economies.
const CENTRAL_BANKS: [u64; 3] = [10, 11, 12];

/// The four genesis validators, epochs of [`EPOCH`] blocks, and
/// governance of three economies with windows of seconds.
fn governed_genesis(keys: &[ed25519::PrivateKey]) -> Genesis {
    let mut genesis = genesis(keys);
    let usd = CurrencyCode::new("USD").unwrap();
    let economies = ["JP", "KR", "PH"]
        .iter()
        .enumerate()
        .map(|(i, code)| GenesisEconomy {
            code: EconomyCode::new(code).unwrap(),
            currency: CurrencyCode::new(&format!("{code}D")).unwrap(),
            central_bank: Keypair::from_seed(CENTRAL_BANKS[i]).account_id(),
            regulator: Keypair::from_seed(20 + i as u64).account_id(),
            regulator_travel_key: None,
            rate: "1".parse().unwrap(),
            tiers: vec![],
            contribution: None,
        });
    genesis.accounts.clear();
    genesis.money = Some(MoneyGenesis {
        unit: CoinUnit::Single { currency: usd },
        numeraire: usd,
        max_rate_age_ms: 60_000,
        travel_rule_threshold: Amount(1_000),
        issuer: Keypair::from_seed(1).account_id(),
        economies: economies.collect(),
    });
    genesis.governance = Some(GovernanceGenesis {
        class_a: Windows::of(1000, [1, 1, 5, 1, 1]),
        class_b: Windows::of(1000, [1, 1, 1, 0, 1]),
    });
    genesis.epoch_length = Some(EPOCH);
    genesis.validate().expect("a valid genesis");
    genesis
}

/// `seed`'s governance call, at its next nonce on `chain`.
fn governance_tx(chain: &Chain, seed: u64, call: GovernanceCall) -> SignedTransaction {
    let key = Keypair::from_seed(seed);
    let nonce = chain.account(&key.account_id()).map_or(0, |a| a.nonce);
    let transaction = Transaction {
        chain_id: chain_id(),
        sender: key.account_id(),
        nonce,
        call: Call::Governance(call),
    };
    SignedTransaction::sign(transaction, &key)
}

/// Governance enacts a change that adds validator 4 and removes validator
/// 3. At the next epoch boundary the chain keeps finalizing under the new
/// set: validator 4 (which followed the chain from genesis without
/// signing) signs, as shown by the chain going on with validator 2 down; a
/// member that crashes in the new epoch restarts with the new set;
/// validator 3 stops, and its signatures no longer count, as shown by the
/// chain standing still when only it and two others run.
#[test]
fn governance_adds_a_validator_and_removes_one_at_an_epoch_boundary() {
    runner(7).start(|context| async move {
        let sim = simulation_of(&context, VALIDATORS + 1, governed_genesis).await;
        let mut nodes = Vec::new();
        for index in 0..=JOINER {
            nodes.push(sim.start(index).await);
        }
        let chains: Vec<&Arc<Chain>> = nodes.iter().map(|node| &node.chain).collect();
        sim.wait_for_height(&chains[..VALIDATORS], 3, Duration::from_secs(30))
            .await;

        let joiner_key = Keypair::from_seed(JOINER as u64);
        let join = Joiner::sign(&chain_id(), &joiner_key, "127.0.0.1:3004".parse().unwrap());
        let change = ValidatorChange {
            add: vec![join],
            remove: vec![AccountId::from_public_key(&sim.key(LEAVER))],
        };
        let proposer = chains[0];
        let propose = GovernanceCall::Propose {
            amendment: Amendment::ChangeValidators(change),
            text: text_digest("add validator 4, remove validator 3"),
        };
        submit(
            proposer,
            &[governance_tx(proposer, CENTRAL_BANKS[0], propose)],
            &sim.strategy,
        );
        let proposal = |chain: &Chain| {
            let state = chain.finalized_state();
            state.governance().unwrap().proposals().get(&0).cloned()
        };
        sim.wait_until(
            "the proposal",
            Duration::from_secs(30),
            &chains[..1],
            |_| proposal(proposer).is_some(),
        )
        .await;
        let opens = proposal(proposer).unwrap().voting_opens_ms();
        sim.wait_until(
            "voting to open",
            Duration::from_secs(30),
            &chains[..1],
            |_| proposer.finalized_state().timestamp_ms() >= opens,
        )
        .await;
        let votes: Vec<SignedTransaction> = CENTRAL_BANKS[..2]
            .iter()
            .map(|&seat| {
                let vote = GovernanceCall::Vote {
                    proposal: 0,
                    choice: Choice::Yes,
                    reason: text_digest("yes"),
                };
                governance_tx(proposer, seat, vote)
            })
            .collect();
        submit(proposer, &votes, &sim.strategy);

        let joined = |chain: &Chain| {
            let state = chain.finalized_state();
            state
                .validators()
                .active()
                .contains(&joiner_key.account_id())
        };
        sim.wait_until(
            "the new set to take over",
            Duration::from_secs(60),
            &chains[..1],
            |_| joined(proposer),
        )
        .await;
        let handover = proposer.finalized_height();
        assert_eq!(
            (handover + 1) % EPOCH,
            0,
            "the set changes after an epoch's last block"
        );
        let new_set = proposer.finalized_state().validators().active().clone();
        println!(
            "[{:?}] handover after block {handover}; heights {:?}",
            sim.now(),
            heights(&chains)
        );
        assert!(!new_set.contains(&AccountId::from_public_key(&sim.key(LEAVER))));

        // The new set finalizes a whole epoch, the joiner with it.
        let staying = [0, 1, 2, JOINER];
        let members: Vec<&Arc<Chain>> = staying.iter().map(|&i| chains[i]).collect();
        sim.wait_for_height(&members, handover + EPOCH + 5, Duration::from_secs(60))
            .await;
        println!("[{:?}] members at {:?}", sim.now(), heights(&members));
        assert_no_fork(&members);
        // Each member kept the proof light clients follow the change with,
        // the joiner too (it applied that block while following).
        for member in &members {
            let kept = member.store().handoffs_before(u64::MAX).unwrap();
            assert_eq!(kept.len(), 1);
            assert_eq!(kept[0].0, handover);
            assert_eq!(kept[0].1, new_set.to_bytes());
        }
        let verifier = Scheme::verifier(CONSENSUS_NAMESPACE, new_set.participants());
        let after = handover + EPOCH;
        let certificate = proposer.store().certificate(after).unwrap();
        let certified = (after..=proposer.finalized_height())
            .find_map(|h| proposer.store().certificate(h).unwrap())
            .or(certificate)
            .expect("a certified block in the new set's epoch");
        let finalization = Finalization::<Scheme, Digest>::read_cfg(
            &mut Copying(&certified[..]),
            &Scheme::certificate_codec_config_unbounded(),
        )
        .unwrap();
        assert!(finalization.verify(
            &mut rand::rng(),
            &verifier,
            &commonware_parallel::Sequential
        ));
        assert!(
            finalization.epoch().get() >= 2,
            "certified in a later epoch"
        );
        println!(
            "[{:?}] block in epoch {} certified by the new set; heights {:?}",
            sim.now(),
            finalization.epoch(),
            heights(&chains)
        );

        // A member crashes and restarts in the new set's epoch: it resumes
        // from its store with the set the state handed over, and signs.
        let mut nodes = nodes;
        let crashed = nodes.remove(1).crash().await;
        let crashed_at = crashed.finalized_height();
        drop(crashed);
        nodes.insert(1, sim.start(1).await);
        let members: Vec<&Arc<Chain>> =
            [0, 1, 2, JOINER].iter().map(|&i| &nodes[i].chain).collect();
        let from = heights(&members).into_iter().max().unwrap();
        sim.wait_for_height(
            &members,
            from.max(crashed_at) + EPOCH,
            Duration::from_secs(60),
        )
        .await;
        assert_no_fork(&members);
        println!(
            "[{:?}] validator 1 restarted at {crashed_at}; members at {:?}",
            sim.now(),
            heights(&members)
        );

        // Validator 2 down: three of the four remain only with the joiner.
        let removed = nodes.remove(LEAVER);
        let down = nodes.remove(2).crash().await;
        let running: Vec<&Arc<Chain>> = nodes.iter().map(|node| &node.chain).collect();
        let from = heights(&running).into_iter().max().unwrap();
        sim.wait_for_height(&running, from + 10, Duration::from_secs(60))
            .await;

        // The joiner down too: the removed validator and two members are
        // not a quorum of the new set, so the chain stands still.
        let joiner = nodes.pop().unwrap().crash().await;
        let two: Vec<&Arc<Chain>> = nodes.iter().map(|node| &node.chain).collect();
        context.sleep(Duration::from_secs(5)).await;
        let stalled = heights(&two);
        context.sleep(Duration::from_secs(10)).await;
        assert_eq!(
            heights(&two),
            stalled,
            "a removed validator's votes counted"
        );
        println!(
            "[{:?}] two members and the removed validator stand still at {stalled:?}",
            sim.now()
        );
        drop((removed, down, joiner));
    });
}
