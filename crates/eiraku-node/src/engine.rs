//! Wiring of one validator: simplex consensus, marshal (block dissemination,
//! backfill, finalized blocks and certificates kept in the node's store),
//! buffered broadcast and the executor that applies finalized blocks.
//! Generic over runtime and network so the same code runs on tokio and in
//! the deterministic simulator.

use crate::state_db::Proven;
use crate::{
    application::{Delivery, EirakuApplication, FinalizedBlocks, Scheme},
    batching::next_batch,
    chain::Chain,
    epochs::{self, EpochSchemes, TrackPeers},
    store::finalized::{FinalizationCertificate, MarshalBlocks, MarshalCertificates},
};
use commonware_broadcast::buffered;
use commonware_codec::{Copying, Read as _};
use commonware_consensus::{
    marshal::{
        self,
        core::Actor,
        standard::{Deferred, Standard},
        Start,
    },
    simplex::{self, elector::RoundRobin, ForwardPolicy, SkipBudget, SkipPolicy},
    types::{Epoch, Epocher as _, FixedEpocher, ViewDelta},
    Heightable,
};
use commonware_cryptography::certificate::Verifier as _;
use commonware_cryptography::{ed25519, Digested, Sha256};
use commonware_p2p::{
    utils::mux::{Builder as _, MuxHandle, Muxer},
    Blocker, Provider, Receiver, Sender,
};
use commonware_parallel::{Rayon, Sequential};
use commonware_runtime::{
    buffer::paged::{page_size, CacheRef},
    Clock, Handle, Metrics, Spawner, Storage,
};
use commonware_utils::{
    acknowledgement::Acknowledgement as _, vec::NonEmptyVec, NZDuration, NZUsize, NZU64,
};
use eiraku_core::{Block, Digest, PublicKey, StateKey, ValidatorSet, ValidatorsKey};
use futures::{channel::mpsc, FutureExt as _, StreamExt as _};
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
/// blocks and certificates go to the chain's store. Consensus runs one
/// engine per epoch, with the set the state hands over (see [`epochs`]);
/// `track_peers` tells the p2p layer each epoch's peers.
#[allow(clippy::too_many_arguments)]
pub async fn start_validator<E, S, R, B, P>(
    context: E,
    prefix: &str,
    signer: ed25519::PrivateKey,
    blocker: B,
    peer_provider: P,
    channels: Channels<S, R>,
    chain: Arc<Chain>,
    strategy: Rayon,
    timeouts: Timeouts,
    mut track_peers: TrackPeers,
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
    let epocher = epochs::epocher(chain.genesis().epoch_length);
    let schemes = EpochSchemes::new(signer);
    let state = chain.finalized_state();
    let epoch = epochs::epoch_after(&epocher, chain.finalized_height());
    let active = state.validators().active().clone();
    schemes.register(epoch, &active);
    // Joiners of a change already enacted are dialled early.
    track_peers(epoch, &active, state.validators().set());

    // Marshal's start and simplex's first floor name the same genesis.
    let genesis = chain.genesis_block().clone();
    let genesis_digest: Digest = genesis.hash();
    let genesis = Digested::precomputed(genesis, genesis_digest);

    // One copy of each finalized block and certificate: in the node's store.
    let finalizations =
        MarshalCertificates::open(context.child("finalizations"), chain.shared_store())
            .expect("the store's certificates read");
    let blocks = MarshalBlocks::open(context.child("blocks"), chain.shared_store())
        .expect("the store's blocks read");

    // A store started by state sync holds no block between genesis and the
    // one it synced at: marshal and that epoch's engine start from its
    // finalization instead.
    let synced = synced_floor(&chain);
    // Marshal checks the floor's certificate with its epoch's set, which
    // a node that has moved on since no longer registers by itself.
    if let Some(floor) = &synced {
        let floor_epoch = floor.proposal.round.epoch();
        if floor_epoch != epoch {
            schemes.register(
                floor_epoch,
                &set_of_epoch_at(&chain, floor.proposal.payload),
            );
        }
    }
    let start = match &synced {
        Some(finalization) => Start::Floor(finalization.clone()),
        None => Start::Genesis(genesis),
    };
    let (actor, marshal_mailbox, _floor) = Actor::<_, Standard<Block>, _, _, _, _, _>::init(
        context.child("marshal"),
        finalizations,
        blocks,
        marshal::Config {
            provider: schemes.clone(),
            epocher: epocher.clone(),
            start,
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
        epocher.clone(),
    );

    // Each epoch's engine talks on its own subchannel of the three
    // consensus channels; votes from an epoch this node has not reached
    // land on the backup channel and tell it to catch up.
    let (votes_mux, votes, behind) = Muxer::builder(
        context.child("votes_mux"),
        channels.votes.0,
        channels.votes.1,
    )
    .with_backup()
    .build();
    let (certificates_mux, certificates) = Muxer::new(
        context.child("certificates_mux"),
        channels.certificates.0,
        channels.certificates.1,
    );
    let (resolver_mux, resolver) = Muxer::new(
        context.child("resolver_mux"),
        channels.resolver.0,
        channels.resolver.1,
    );
    handles.push(context.child("votes_mux").spawn(|_| async move {
        let _ = votes_mux.run().await;
    }));
    handles.push(context.child("certificates_mux").spawn(|_| async move {
        let _ = certificates_mux.run().await;
    }));
    handles.push(context.child("resolver_mux").spawn(|_| async move {
        let _ = resolver_mux.run().await;
    }));

    let (entered, next_epochs) = mpsc::unbounded();
    let engines = Engines {
        prefix: prefix.to_string(),
        schemes: schemes.clone(),
        epocher: epocher.clone(),
        chain: chain.clone(),
        genesis: genesis_digest,
        synced,
        blocker,
        marshal: marshal_mailbox.clone(),
        channels: [votes, certificates, resolver],
        page_cache,
        timeouts,
    };
    handles.push(
        context.child("orchestrator").spawn(move |context| {
            orchestrate(context, engines, deferred, epoch, next_epochs, behind)
        }),
    );

    let handover = Handover {
        schemes,
        epocher,
        track_peers,
        active,
        entered,
    };
    handles.push(
        // Its own thread: applying a block ends in an fsync, which must not
        // stall the consensus tasks sharing the async workers.
        context
            .child("executor")
            .dedicated()
            .spawn(move |_| execute(chain, deliveries, handover)),
    );

    Validator {
        marshal: marshal_mailbox,
        tip,
        handles,
    }
}

/// What starts an epoch's engine.
struct Engines<B, S: Sender> {
    prefix: String,
    schemes: EpochSchemes,
    epocher: FixedEpocher,
    chain: Arc<Chain>,
    genesis: Digest,
    /// The finalization a state-synced store started from.
    synced: Option<FinalizationCertificate>,
    blocker: B,
    marshal: marshal::core::Mailbox<Scheme, Standard<Block>>,
    /// Votes, certificates and resolver.
    channels: [MuxHandle<S>; 3],
    page_cache: CacheRef,
    timeouts: Timeouts,
}

/// Runs one engine at a time: the current epoch's, when this node is one
/// of its set. Moves on when the executor hands the next epoch over, and
/// asks marshal for the current epoch's last block when votes of a later
/// epoch arrive (this node is behind).
async fn orchestrate<E, B, S>(
    context: E,
    mut engines: Engines<B, S>,
    deferred: Wrapper<E>,
    mut epoch: Epoch,
    mut next_epochs: mpsc::UnboundedReceiver<Epoch>,
    mut behind: BackupReceiver,
) where
    E: Spawner + Clock + Metrics + Storage + CryptoRng,
    B: Blocker<PublicKey = PublicKey>,
    S: Sender<PublicKey = PublicKey>,
{
    // A finished epoch's storage, removed one epoch later: an aborted
    // engine's tasks stop at their next await, and one still finishing a
    // journal prune when its partition vanished panicked the node (found by
    // the API fuzz test on two busy cores).
    // A node stopped before it removed the epoch before this one's.
    let mut finished: Option<String> = epoch.previous().map(|previous| engines.partition(previous));
    loop {
        let engine = engines.start(&context, epoch, deferred.clone()).await;
        let next = loop {
            futures::select! {
                next = next_epochs.next() => match next {
                    Some(next) if next > epoch => break next,
                    Some(_) => continue,
                    None => return,
                },
                message = behind.recv().fuse() => {
                    let Some((channel, (from, _))) = message else { return };
                    if channel > epoch.get() {
                        if let Some(last) = engines.epocher.last(epoch) {
                            engines.marshal.hint_finalized(last, NonEmptyVec::new(from));
                        }
                    }
                }
            }
        };
        let ended = engine.map(|(engine, partition)| {
            engine.abort();
            partition
        });
        // The epoch before the finished one: its votes are never needed again.
        if let Some(stale) = std::mem::replace(&mut finished, ended) {
            // Absent when it was removed before a restart: nothing to say.
            if let Err(error) = context.remove(&stale, None).await {
                tracing::debug!(%error, partition = stale, "no finished epoch's consensus storage removed");
            }
        }
        tracing::info!(epoch = next.get(), "entering epoch");
        epoch = next;
    }
}

/// Where votes of epochs without an engine arrive.
type BackupReceiver =
    commonware_utils::channel::mpsc::Receiver<(u64, commonware_p2p::Message<PublicKey>)>;

/// The marshal wrapper every epoch's engine shares.
type Wrapper<E> = Deferred<E, Scheme, EirakuApplication, Block, FixedEpocher>;

impl<B, S> Engines<B, S>
where
    B: Blocker<PublicKey = PublicKey>,
    S: Sender<PublicKey = PublicKey>,
{
    /// The storage partition of `epoch`'s engine. Epoch 0 keeps the name
    /// of a chain that has one epoch.
    fn partition(&self, epoch: Epoch) -> String {
        match epoch.get() {
            0 => format!("{}-simplex", self.prefix),
            e => format!("{}-simplex-{e}", self.prefix),
        }
    }

    /// Starts `epoch`'s engine, or nothing when this node is not one of its
    /// set (it follows the chain through marshal). Returns it with the name
    /// of its storage partition.
    async fn start<E>(
        &mut self,
        context: &E,
        epoch: Epoch,
        deferred: Wrapper<E>,
    ) -> Option<(Handle<()>, String)>
    where
        E: Spawner + Clock + Metrics + Storage + CryptoRng,
    {
        let Some(scheme) = self.schemes.signer(epoch) else {
            tracing::info!(
                epoch = epoch.get(),
                "not a validator of this epoch: following"
            );
            return None;
        };
        let floor = match (epoch.previous(), &self.synced) {
            // The synced store lacks the block that ended the epoch before.
            (_, Some(synced)) if synced.proposal.round.epoch() == epoch => {
                simplex::Floor::Finalized(synced.clone())
            }
            (None, _) => simplex::Floor::Genesis(self.genesis),
            (Some(previous), _) => {
                let last = self.epocher.last(previous).expect("epochs end").get();
                let block = self.chain.store().block(last);
                let block = block
                    .ok()
                    .flatten()
                    .expect("the last block of an epoch before is applied");
                simplex::Floor::Genesis(block.hash())
            }
        };
        let mut subchannels = Vec::new();
        for channel in &mut self.channels {
            subchannels.push(
                channel
                    .register(epoch.get())
                    .await
                    .expect("a new epoch's subchannel"),
            );
        }
        let [votes, certificates, resolver]: [_; 3] = subchannels.try_into().ok().expect("three");
        let partition = self.partition(epoch);
        let timeouts = &self.timeouts;
        let engine = simplex::Engine::new(
            context
                .child("simplex")
                .with_attribute("epoch", epoch.get()),
            simplex::Config {
                scheme,
                elector: RoundRobin::<Sha256>::default(),
                blocker: self.blocker.clone(),
                automaton: deferred.clone(),
                relay: deferred.clone(),
                reporter: deferred,
                strategy: Sequential,
                partition: partition.clone(),
                mailbox_size: NZUsize!(1024),
                epoch,
                floor,
                replay_buffer: NZUsize!(1 << 20),
                write_buffer: NZUsize!(1 << 20),
                page_cache: self.page_cache.clone(),
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
        Some((engine.start(votes, certificates, resolver), partition))
    }
}

/// The finalization of the block a state-synced store started from, as
/// the store keeps it (`None` for a store started from genesis).
fn synced_floor(chain: &Chain) -> Option<FinalizationCertificate> {
    let store = chain.store();
    let height = store.synced_from().expect("the store reads")?;
    let certificate = store
        .certificate(height)
        .expect("the store reads")
        .expect("a synced store keeps the certificate of its block");
    let finalization = FinalizationCertificate::read_cfg(
        &mut Copying(certificate.as_slice()),
        &Scheme::certificate_codec_config_unbounded(),
    )
    .expect("the kept certificate decodes");
    Some(finalization)
}

/// The set of the epoch holding block `digest` of a synced store: the
/// last handoff kept before it, or the genesis set.
fn set_of_epoch_at(chain: &Chain, digest: Digest) -> ValidatorSet {
    let store = chain.store();
    let height = store
        .synced_from()
        .expect("the store reads")
        .filter(|height| {
            store
                .block(*height)
                .ok()
                .flatten()
                .is_some_and(|b| b.hash() == digest)
        })
        .expect("the floor is the synced block");
    match store.last_handoff_before(height).expect("the store reads") {
        Some((_, set, _)) => ValidatorSet::from_bytes(&set).expect("a kept set decodes"),
        None => eiraku_state::validators::Validators::from_genesis(chain.genesis())
            .active()
            .clone(),
    }
}

/// What the executor does after the last block of an epoch is durable:
/// registers the next epoch's set, tells the p2p layer, and (after the
/// acknowledgement) tells the orchestrator.
struct Handover {
    schemes: EpochSchemes,
    epocher: FixedEpocher,
    track_peers: TrackPeers,
    /// The set of the epoch being finished.
    active: eiraku_core::ValidatorSet,
    entered: mpsc::UnboundedSender<Epoch>,
}

impl Handover {
    /// Registers the epoch after the block just applied, which ended one,
    /// with the set the state holds now; when the set changed, keeps the
    /// proof light clients follow the change with.
    async fn register(&mut self, chain: &Chain) -> Epoch {
        let height = chain.finalized_height();
        let next = epochs::epoch_after(&self.epocher, height);
        let set = chain.finalized_state().validators().active().clone();
        // Decided from the kept handoffs, not from the set this executor
        // saw last: a node that crashed before keeping the proof comes back
        // with the new set already active, and must still keep it.
        if let Err(error) = keep_handoff(chain, height, &set).await {
            // Its proofs would fail for ever after: stop before
            // acknowledging, so that a restart keeps it from the block
            // marshal delivers again.
            panic!(
                "cannot keep the proof of the validator-set change after block {height}: {error}"
            );
        }
        self.schemes.register(next, &set);
        (self.track_peers)(next, &set, &self.active);
        self.active = set;
        next
    }
}

/// When `set`, active after block `height` (the state is still at it),
/// differs from the last set kept before it (or the genesis set), proves
/// it under the block's state root and keeps the proof.
async fn keep_handoff(chain: &Chain, height: u64, set: &ValidatorSet) -> anyhow::Result<()> {
    let store = chain.store();
    let previous = match store.last_handoff_before(height + 1)? {
        Some((at, _, _)) if at == height => return Ok(()),
        Some((_, previous, _)) => previous,
        None => eiraku_state::validators::Validators::from_genesis(chain.genesis())
            .active()
            .to_bytes(),
    };
    if previous == set.to_bytes() {
        return Ok(());
    }
    let key = StateKey::Validators(ValidatorsKey::Active);
    let proof = chain.prove(&key).await?;
    anyhow::ensure!(
        proof.height == height,
        "the state moved on to {}",
        proof.height
    );
    let Proven::Present { value, proof } = proof.proven else {
        anyhow::bail!("the state holds no active set");
    };
    anyhow::ensure!(
        value == set.to_bytes(),
        "the proven set is not the active set"
    );
    chain.store().put_handoff(height, &value, &proof)?;
    Ok(())
}

/// Applies finalized blocks in height order and acknowledges each to marshal
/// only once it is durable in the store. Blocks that are already waiting
/// (marshal runs up to `max_pending_acks` ahead) share one store commit,
/// except that the last block of an epoch ends its commit: the next epoch's
/// set is read from the state right after it.
/// Marshal stored each block and its certificate before delivering it.
async fn execute(
    chain: Arc<Chain>,
    mut deliveries: mpsc::UnboundedReceiver<Delivery>,
    mut handover: Handover,
) {
    while let Some(batch) = next_batch(&mut deliveries, MAX_PENDING_ACKS).await {
        for segment in split_at_epoch_ends(batch, &handover.epocher) {
            let blocks: Vec<&Block> = segment.iter().map(|(block, _)| block.inner()).collect();
            if let Err(error) = chain.apply_finalized(&blocks).await {
                // A node that cannot persist or reproduce finalized state must
                // stop rather than diverge.
                panic!(
                    "cannot apply finalized blocks from {}: {error}",
                    segment[0].0.height()
                );
            }
            let last = segment
                .last()
                .expect("segments are not empty")
                .0
                .height()
                .get();
            // A block delivered again after the state moved on hands nothing over.
            let ends_epoch =
                epochs::ends_epoch(&handover.epocher, last) && chain.finalized_height() == last;
            let next = match ends_epoch {
                true => Some(handover.register(&chain).await),
                false => None,
            };
            for (_, ack) in segment {
                ack.acknowledge();
            }
            if let Some(next) = next {
                let _ = handover.entered.unbounded_send(next);
            }
        }
    }
}

/// Splits a batch after each block that ends an epoch.
fn split_at_epoch_ends(batch: Vec<Delivery>, epocher: &FixedEpocher) -> Vec<Vec<Delivery>> {
    let mut segments = vec![Vec::new()];
    for delivery in batch {
        let ends = epochs::ends_epoch(epocher, delivery.0.height().get());
        segments.last_mut().expect("one at least").push(delivery);
        if ends {
            segments.push(Vec::new());
        }
    }
    segments.retain(|segment| !segment.is_empty());
    segments
}

/// The largest p2p message any channel carries.
pub fn max_message_size(validators: u32, tx_batch_bytes: usize) -> u32 {
    let consensus = simplex::max_payload_size::<Scheme, Digest>(validators);
    let blocks = marshal::max_payload_size::<Standard<Block>, Scheme>(validators, &());
    commonware_p2p::max_message_size(&[consensus, blocks, tx_batch_bytes])
}
