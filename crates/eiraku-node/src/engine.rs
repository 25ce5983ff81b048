//! Wiring of one validator: simplex consensus, marshal (block dissemination,
//! backfill, finalized blocks and certificates kept in the node's store),
//! buffered broadcast and the executor that applies finalized blocks.
//! Generic over runtime and network so the same code runs on tokio and in
//! the deterministic simulator.

use crate::{
    application::{Delivery, EirakuApplication, FinalizedBlocks, Scheme},
    batching::next_batch,
    chain::Chain,
    store::finalized::{MarshalBlocks, MarshalCertificates},
};
use commonware_broadcast::buffered;
use commonware_consensus::{
    marshal::{
        self,
        core::Actor,
        standard::{Deferred, Standard},
        Start,
    },
    simplex::{self, elector::RoundRobin, ForwardPolicy, SkipBudget, SkipPolicy},
    types::{Epoch, FixedEpocher, ViewDelta},
    Heightable,
};
use commonware_cryptography::{certificate::ConstantProvider, ed25519, Digested, Sha256};
use commonware_p2p::{Blocker, Provider, Receiver, Sender};
use commonware_parallel::{Rayon, Sequential};
use commonware_runtime::{
    buffer::paged::{page_size, CacheRef},
    Clock, Handle, Metrics, Spawner, Storage,
};
use commonware_utils::{
    acknowledgement::Acknowledgement as _, ordered::Set, NZDuration, NZUsize, NZU64,
};
use eiraku_core::{Block, Digest, PublicKey};
use futures::channel::mpsc;
use rand::CryptoRng;
use std::{
    sync::{atomic::AtomicU64, Arc},
    time::Duration,
};

/// Namespace of consensus signatures (shared with the light client).
pub use eiraku_core::proof::CONSENSUS_NAMESPACE;
/// Namespace of the p2p handshake.
pub const P2P_NAMESPACE: &[u8] = b"EIRAKU_P2P";
/// Finalized blocks marshal may deliver before the first is acknowledged;
/// also the most blocks one store commit takes.
const MAX_PENDING_ACKS: usize = 16;
/// One epoch for the whole chain: the validator set is static for now.
const EPOCH_LENGTH: u64 = u64::MAX;

/// The (sender, receiver) pair of every p2p channel a validator uses.
pub struct Channels<S, R> {
    /// simplex votes.
    pub votes: (S, R),
    /// simplex certificates.
    pub certificates: (S, R),
    /// simplex certificate fetches.
    pub resolver: (S, R),
    /// full blocks from proposers.
    pub broadcast: (S, R),
    /// marshal backfill of missing blocks.
    pub backfill: (S, R),
}

/// Consensus timing. Defaults suit a LAN or loopback.
#[derive(Clone, Debug)]
pub struct Timeouts {
    /// Wait for a leader's proposal.
    pub leader: Duration,
    /// Wait for certification progress.
    pub certification: Duration,
    /// Rebroadcast of nullify votes.
    pub retry: Duration,
    /// After this long without progress from a leader, its views are skipped.
    pub skip: Duration,
    /// A leader waits this long after its parent's timestamp before it
    /// proposes, unless a full block is already waiting. Paces the chain to
    /// about 1 / interval blocks per second when idle and fills blocks under
    /// load: every block costs a dozen fsyncs and a round of votes whatever
    /// it holds. Must stay well below `leader`.
    pub block_interval: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            leader: Duration::from_secs(1),
            certification: Duration::from_secs(2),
            retry: Duration::from_secs(3),
            skip: Duration::from_secs(4),
            block_interval: Duration::from_millis(100),
        }
    }
}

/// A running validator.
pub struct Validator {
    /// Marshal's mailbox (finalized blocks and certificates).
    pub marshal: marshal::core::Mailbox<Scheme, Standard<Block>>,
    /// Highest finalized height announced by consensus.
    pub tip: Arc<AtomicU64>,
    /// Tasks to await or abort.
    pub handles: Vec<Handle<()>>,
}

/// Starts consensus, marshal, broadcast, backfill and the executor for one
/// validator. `prefix` names its consensus storage partitions (unique per
/// validator when several share one runtime, as in simulation); finalized
/// blocks and certificates go to the chain's store.
#[allow(clippy::too_many_arguments)]
pub async fn start_validator<E, S, R, B, P>(
    context: E,
    prefix: &str,
    signer: ed25519::PrivateKey,
    participants: Set<PublicKey>,
    blocker: B,
    peer_provider: P,
    channels: Channels<S, R>,
    chain: Arc<Chain>,
    strategy: Rayon,
    timeouts: Timeouts,
) -> Validator
where
    E: Spawner + Clock + Metrics + Storage + CryptoRng,
    S: Sender<PublicKey = PublicKey>,
    R: Receiver<PublicKey = PublicKey>,
    B: Blocker<PublicKey = PublicKey>,
    P: Provider<PublicKey = PublicKey>,
{
    use commonware_cryptography::Signer as _;
    let me = signer.public_key();
    let page_cache = CacheRef::new(page_size(4096), NZUsize!(8192));
    let scheme = Scheme::signer(CONSENSUS_NAMESPACE, participants, signer)
        .expect("this node's key is one of the validators");

    // Marshal's start and simplex's floor must name the same genesis.
    let genesis = chain.genesis_block().clone();
    let genesis_digest: Digest = genesis.hash();
    let genesis = Digested::precomputed(genesis, genesis_digest);

    // One copy of each finalized block and certificate: in the node's store.
    let finalizations =
        MarshalCertificates::open(context.child("finalizations"), chain.shared_store())
            .expect("the store's certificates read");
    let blocks = MarshalBlocks::open(context.child("blocks"), chain.shared_store())
        .expect("the store's blocks read");

    let (actor, marshal_mailbox, _floor) = Actor::<_, Standard<Block>, _, _, _, _, _>::init(
        context.child("marshal"),
        finalizations,
        blocks,
        marshal::Config {
            provider: ConstantProvider::<Scheme, Epoch>::new(scheme.clone()),
            epocher: FixedEpocher::new(NZU64!(EPOCH_LENGTH)),
            start: Start::Genesis(genesis),
            partition_prefix: format!("{prefix}-marshal"),
            mailbox_size: NZUsize!(1024),
            view_retention: ViewDelta::new(100),
            // Marshal's cache keeps the blocks of open views and prunes
            // whole sections only: sections of 4,096 views kept up to
            // 4,096 finalized blocks there (520 MB after a million-account
            // run) besides the node store's copy; 256 bound it to a few
            // hundred.
            prunable_items_per_section: NZU64!(256),
            page_cache: page_cache.clone(),
            replay_buffer: NZUsize!(1 << 20),
            key_write_buffer: NZUsize!(1 << 20),
            value_write_buffer: NZUsize!(1 << 20),
            block_codec_config: (),
            max_repair: NZUsize!(20),
            max_pending_acks: NZUsize!(MAX_PENDING_ACKS),
            strategy: Sequential,
        },
    )
    .await;

    let backfill = marshal::resolver::p2p::init(
        context.child("backfill"),
        marshal::resolver::p2p::Config {
            public_key: me.clone(),
            peer_provider: peer_provider.clone(),
            blocker: blocker.clone(),
            mailbox_size: NZUsize!(1024),
            fetch_timeout: NZDuration!(Duration::from_secs(2)),
            fetch_retry_delay: Duration::from_millis(100),
            priority_requests: false,
            priority_responses: false,
        },
        channels.backfill,
    );

    let (broadcast_engine, buffer) = buffered::Engine::new(
        context.child("broadcast"),
        buffered::Config {
            public_key: me,
            mailbox_size: NZUsize!(1024),
            deque_size: 10,
            priority: false,
            codec_config: (),
            peer_provider,
            strategy: Sequential,
        },
    );

    let tip = Arc::new(AtomicU64::new(chain.finalized_height()));
    let (reporter, deliveries) = FinalizedBlocks::new(tip.clone());
    let mut handles = vec![broadcast_engine.start(channels.broadcast)];
    handles.push(actor.start(reporter, buffer, backfill));

    let application = EirakuApplication::new(chain.clone(), strategy, timeouts.block_interval);
    let deferred = Deferred::new(
        context.child("deferred"),
        application,
        marshal_mailbox.clone(),
        FixedEpocher::new(NZU64!(EPOCH_LENGTH)),
    );
    let engine = simplex::Engine::new(
        context.child("simplex"),
        simplex::Config {
            scheme,
            elector: RoundRobin::<Sha256>::default(),
            blocker,
            automaton: deferred.clone(),
            relay: deferred.clone(),
            reporter: deferred,
            strategy: Sequential,
            partition: format!("{prefix}-simplex"),
            mailbox_size: NZUsize!(1024),
            epoch: Epoch::zero(),
            floor: simplex::Floor::Genesis(genesis_digest),
            replay_buffer: NZUsize!(1 << 20),
            write_buffer: NZUsize!(1 << 20),
            page_cache,
            leader_timeout: timeouts.leader,
            certification_timeout: timeouts.certification,
            timeout_retry: timeouts.retry,
            view_retention: ViewDelta::new(10),
            skip: SkipPolicy::Enabled {
                timeout: timeouts.skip,
                budget: SkipBudget::Participants,
            },
            fetch_timeout: NZDuration!(Duration::from_secs(1)),
            fetch_retry_delay: Duration::from_millis(100),
            forward: ForwardPolicy::Disabled,
            track_historical_votes: false,
        },
    );
    handles.push(engine.start(channels.votes, channels.certificates, channels.resolver));

    handles.push(
        // Its own thread: applying a block ends in an fsync, which must not
        // stall the consensus tasks sharing the async workers.
        context
            .child("executor")
            .dedicated()
            .spawn(move |_| execute(chain, deliveries)),
    );

    Validator {
        marshal: marshal_mailbox,
        tip,
        handles,
    }
}

/// Applies finalized blocks in height order and acknowledges each to marshal
/// only once it is durable in the store. Blocks that are already waiting
/// (marshal runs up to `max_pending_acks` ahead) share one store commit.
/// Marshal stored each block and its certificate before delivering it.
async fn execute(chain: Arc<Chain>, mut deliveries: mpsc::UnboundedReceiver<Delivery>) {
    while let Some(batch) = next_batch(&mut deliveries, MAX_PENDING_ACKS).await {
        let blocks: Vec<&Block> = batch.iter().map(|(block, _)| block.inner()).collect();
        if let Err(error) = chain.apply_finalized(&blocks).await {
            // A node that cannot persist or reproduce finalized state must
            // stop rather than diverge.
            panic!(
                "cannot apply finalized blocks from {}: {error}",
                batch[0].0.height()
            );
        }
        for (_, ack) in batch {
            ack.acknowledge();
        }
    }
}

/// The largest p2p message any channel carries.
pub fn max_message_size(validators: u32, tx_batch_bytes: usize) -> u32 {
    let consensus = simplex::max_payload_size::<Scheme, Digest>(validators);
    let blocks = marshal::max_payload_size::<Standard<Block>, Scheme>(validators, &());
    commonware_p2p::max_message_size(&[consensus, blocks, tx_batch_bytes])
}
