//! Joining by state sync: a validator with an empty store takes the state
//! of a recent finalized block from its peers instead of replaying the
//! chain from genesis.
//!
//! Nothing a peer sends is trusted:
//! 1. the target block's certificate is checked against the validator sets
//!    (the genesis set, then each handoff certified by the set before it);
//! 2. the witness must tie the operations root to that block's state root;
//! 3. every operation is verified against the operations root (QMDB's sync
//!    engine), and the rebuilt store must have the block's state root;
//! 4. the entries' keys come from a peer (the root commits to their
//!    hashes), and every value is read from the verified store: a key
//!    whose hash the store does not hold is ignored, and a stored entry no
//!    peer named a key for fails the sync.
//!
//! The store then holds that block, its certificate, the genesis block and
//! the state; marshal starts from the block as its floor and the node
//! follows the chain from there. Blocks before it stay with the peers.

pub mod backup;
pub mod restore;
mod source;

pub use source::PeerSource;

use crate::{
    chain, commitment,
    state_db::{
        sync::{Operation, SyncTarget, TargetError},
        StateDb,
    },
    store::{decode_block, Store},
};
use commonware_codec::{Copying, DecodeExt as _};
use commonware_runtime::{tokio::Context, Storage as _, Supervisor as _};
use commonware_storage::{
    merkle::mmr,
    qmdb::sync::{Source, Target},
};
use eiraku_api::{Client, SyncKeysView, SyncTargetView, MAX_SYNC_KEYS};
use eiraku_core::{
    digest,
    proof::{Handoff, LightClient},
    Block, BlockHeader, Digest, Genesis, StateKey,
};
use eiraku_state::State;
use futures::StreamExt as _;
use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

/// A sync target the trusted block's state root commits to.
type CheckedTarget = Target<mmr::Family, Digest>;

/// The store's partitions (see [`crate::run`]).
const STATE_PREFIX: &str = "state";
/// Where the genesis state's root is worked out, then removed.
const GENESIS_PREFIX: &str = "sync-genesis";
/// Targets asked for before giving up (a peer at an epoch's last block is
/// asked again a moment later).
const TARGET_ATTEMPTS: usize = 60;

/// What a state sync did.
pub struct Joined {
    /// The synced state's store.
    pub db: StateDb<Context>,
    /// Height of the block whose state it is.
    pub height: u64,
    /// State entries installed.
    pub entries: usize,
    /// Bytes received: operations and proofs, then keys.
    pub bytes: u64,
    /// Time taken.
    pub took: Duration,
}

/// Why a state sync failed.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// No peer named a target.
    #[error("no peer named a state to sync to: {0}")]
    NoTarget(String),
    /// A peer's target does not hold up.
    #[error("the sync target from {peer} does not hold up: {why}")]
    BadTarget {
        /// The peer.
        peer: String,
        /// What failed.
        why: String,
    },
    /// The operations could not be fetched or verified.
    #[error("{0}")]
    Sync(String),
    /// Entries of the verified state had no key from the peers.
    #[error("{0} entries of the verified state had no key from the peers (their state moved on); start again")]
    MissingKeys(usize),
    /// The local store failed.
    #[error("the local store failed: {0}")]
    Store(String),
}

/// Where a state comes from: the other validators, or a backup file.
pub trait Origin: Send + Sync + 'static {
    /// Its operations with their proofs.
    type Operations: Source<Family = mmr::Family, Digest = Digest, Op = Operation> + Clone + 'static;
    /// A target, asked of the `attempt`-th source in turn (blocking).
    fn target(&self, attempt: usize) -> Result<SyncTargetView, String>;
    /// Keys after `after`, asked of the `attempt`-th source (blocking).
    fn keys(&self, after: Option<&str>, attempt: usize) -> Result<SyncKeysView, String>;
    /// How many sources answer in turn.
    fn count(&self) -> usize;
    /// The source of operations.
    fn operations(&self) -> Self::Operations;
    /// Bytes of operations and proofs received so far.
    fn received(&self, operations: &Self::Operations) -> u64;
}

/// The other validators' APIs, asked in turn.
pub struct Peers(Arc<[Client]>);

impl Peers {
    /// The validators at `clients` (not empty).
    pub fn new(clients: Vec<Client>) -> Self {
        Self(clients.into())
    }
}

impl Origin for Peers {
    type Operations = PeerSource;

    fn target(&self, attempt: usize) -> Result<SyncTargetView, String> {
        let peer = &self.0[attempt % self.0.len()];
        peer.sync_target()
            .map_err(|error| format!("{}: {error}", peer.base()))
    }

    fn keys(&self, after: Option<&str>, attempt: usize) -> Result<SyncKeysView, String> {
        let peer = &self.0[attempt % self.0.len()];
        peer.sync_keys(after, MAX_SYNC_KEYS)
            .map_err(|error| format!("{}: {error}", peer.base()))
    }

    fn count(&self) -> usize {
        self.0.len()
    }

    fn operations(&self) -> PeerSource {
        PeerSource::new(self.0.clone())
    }

    fn received(&self, operations: &PeerSource) -> u64 {
        operations.received()
    }
}

/// How a store is started from a state that is not its own replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Install {
    /// State sync: no block between genesis and the state's.
    Synced,
    /// A restore: the blocks up to the state's are already in the store.
    Restored,
}

/// Builds the state from `origin` into the empty `store` and the state
/// partitions of `context`'s storage, checking everything against the
/// validator sets of `genesis`.
pub async fn join<O: Origin>(
    context: &Context,
    genesis: &Genesis,
    origin: Arc<O>,
    store: &Store,
    install: Install,
) -> Result<Joined, JoinError> {
    let started = Instant::now();
    let holds_nothing = match install {
        Install::Synced => store.holds_nothing(),
        Install::Restored => store.applied_height().map(|height| height.is_none()),
    };
    if !holds_nothing.map_err(|error| JoinError::Store(error.to_string()))? {
        return Err(JoinError::Store(
            "the data folder already holds part of a chain: state sync needs an empty one".into(),
        ));
    }
    let (target, block, certificate, handoffs) = trusted_target(genesis, origin.clone()).await?;
    let height = block.header.height;
    tracing::info!(
        height,
        operations = *target.range.end() - *target.range.start(),
        "state sync: fetching the state's operations"
    );
    remove_state(context, STATE_PREFIX).await;
    let source = origin.operations();
    let db = StateDb::sync_from(
        context.child("state"),
        STATE_PREFIX,
        source.clone(),
        target,
        block.header.state_root,
        height,
    )
    .await
    .map_err(|error| JoinError::Sync(error.to_string()))?;
    let received = origin.received(&source);
    tracing::info!(height, bytes = received, "state sync: operations verified");
    let (entries, key_bytes) = entries(&db, origin).await?;
    let mut db = db;
    State::from_entries(
        genesis.chain_id.clone(),
        height,
        block.header.timestamp_ms,
        entries
            .iter()
            .filter_map(|(key, value)| Some((StateKey::from_bytes(key)?, value.clone()))),
    )
    .map_err(|error| JoinError::Sync(format!("the synced state does not load: {error}")))?;
    let genesis_block = genesis_block(context, genesis).await?;
    db.persist()
        .await
        .map_err(|error| JoinError::Store(error.to_string()))?;
    keep_handoffs(store, &handoffs, install)?;
    store
        .install_synced_state(
            &genesis_block,
            &block,
            &certificate,
            &entries,
            install == Install::Synced,
        )
        .map_err(|error| JoinError::Store(error.to_string()))?;
    Ok(Joined {
        db,
        height,
        entries: entries.len(),
        bytes: received + key_bytes,
        took: started.elapsed(),
    })
}

/// A target from the first source that names one, its block final under
/// the validator sets followed from genesis. Retries a moment later while
/// the state is at an epoch's last block (whose successor belongs to the
/// next set, which marshal could not yet check).
async fn trusted_target<O: Origin>(
    genesis: &Genesis,
    origin: Arc<O>,
) -> Result<(CheckedTarget, Block, Vec<u8>, Vec<Handoff>), JoinError> {
    let light = LightClient::from_genesis(genesis)
        .map_err(|error| JoinError::NoTarget(error.to_string()))?;
    let mut last = String::from("no sources");
    for attempt in 0..TARGET_ATTEMPTS {
        let view = {
            let origin = origin.clone();
            tokio::task::spawn_blocking(move || origin.target(attempt))
                .await
                .map_err(|error| JoinError::NoTarget(error.to_string()))?
        };
        match view {
            // A target that does not hold up is passed over, as one that
            // does not come: one lying or outdated source stops nothing.
            Ok(view) => match check_target(&light, &view) {
                Ok((target, block, certificate)) if !light.ends_epoch(block.header.height) => {
                    return Ok((target, block, certificate, view.handoffs));
                }
                Ok(_) => {
                    last = format!(
                        "the state is at block {}, the last of an epoch",
                        view.height
                    )
                }
                Err(why) => {
                    tracing::warn!(source = attempt % origin.count(), %why, "state sync: a target that does not hold up");
                    last = format!("a target that does not hold up: {why}");
                }
            },
            Err(error) => last = error,
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(JoinError::NoTarget(last))
}

/// The sync engine's target (checked: the block's state root commits to
/// it), and the block, final by its certificate.
fn check_target(
    light: &LightClient,
    view: &SyncTargetView,
) -> Result<(CheckedTarget, Block, Vec<u8>), String> {
    let hex = |text: &str, what: &str| hex::decode(text).map_err(|_| format!("{what} is not hex"));
    let block = decode_block(&hex(&view.block, "the block")?)?;
    if block.header.height != view.height {
        return Err(format!(
            "the block is at height {}, not {}",
            block.header.height, view.height
        ));
    }
    let certificate = hex(&view.certificate, "the certificate")?;
    light
        .following(&view.handoffs)
        .and_then(|light| light.verify_finality(&block.header, &certificate))
        .map_err(|error| error.to_string())?;
    let ops_root: Digest =
        digest::from_hex(&view.ops_root).ok_or("the operations root is not a digest")?;
    let target = SyncTarget {
        height: view.height,
        ops_root,
        start: view.start,
        size: view.size,
        witness: hex(&view.witness, "the witness")?,
    }
    .checked_against(&block.header.state_root)
    .map_err(|error: TargetError| error.to_string())?;
    Ok((target, block, certificate))
}

/// The verified store's entries with their keys (as the store keys
/// them), the keys asked of the origin in pages; and the bytes received.
async fn entries<O: Origin>(
    db: &StateDb<Context>,
    origin: Arc<O>,
) -> Result<(Vec<(Vec<u8>, Vec<u8>)>, u64), JoinError> {
    let mut values: BTreeMap<Digest, Vec<u8>> = BTreeMap::new();
    let mut stream = Box::pin(
        db.entries()
            .map_err(|error| JoinError::Sync(error.to_string()))?,
    );
    while let Some(entry) = stream.next().await {
        let (key, value) = entry.map_err(|error| JoinError::Sync(error.to_string()))?;
        values.insert(key, value);
    }
    drop(stream);
    let mut entries = Vec::with_capacity(values.len());
    let mut after: Option<String> = None;
    let (mut bytes, mut attempt, mut failures) = (0u64, 0usize, 0usize);
    // Every page must move on; a source whose page does not (empty but
    // "more", keys not after the last) is passed over like one that fails.
    while !values.is_empty() {
        let page = {
            let origin = origin.clone();
            let after = after.clone();
            tokio::task::spawn_blocking(move || origin.keys(after.as_deref(), attempt))
                .await
                .map_err(|error| JoinError::Sync(error.to_string()))?
        };
        let page = page.and_then(|page| moves_on(page, after.as_deref()));
        let page = match page {
            Ok(page) => page,
            Err(error) if failures < origin.count() * 5 => {
                tracing::debug!(%error, "state sync: asking the next source for keys");
                (attempt, failures) = (attempt + 1, failures + 1);
                continue;
            }
            Err(error) => return Err(JoinError::Sync(error)),
        };
        for text in &page.keys {
            bytes += text.len() as u64;
            let Some(key) = hex::decode(text).ok() else {
                continue;
            };
            let Some(state_key) = StateKey::from_bytes(&key) else {
                continue;
            };
            if let Some(value) = values.remove(&state_key.hashed()) {
                entries.push((state_key.to_bytes(), value));
            }
        }
        match (page.more, page.keys.last()) {
            (true, Some(last)) => after = Some(last.clone()),
            _ => break,
        }
    }
    if !values.is_empty() {
        return Err(JoinError::MissingKeys(values.len()));
    }
    Ok((entries, bytes))
}

/// Keeps the handoffs the target was checked with (the proofs light
/// clients follow); a synced store, without their blocks, keeps their
/// headers and certificates beside them.
fn keep_handoffs(store: &Store, handoffs: &[Handoff], install: Install) -> Result<(), JoinError> {
    let failed = |error: crate::store::StoreError| JoinError::Store(error.to_string());
    for handoff in handoffs {
        let bytes = |text: &str| {
            hex::decode(text).map_err(|_| JoinError::Sync("a handoff is not hex".into()))
        };
        let (header, certificate) = (bytes(&handoff.header)?, bytes(&handoff.certificate)?);
        let (set, proof) = (bytes(&handoff.set)?, bytes(&handoff.proof)?);
        let height = BlockHeader::decode(Copying(header.as_slice()))
            .map_err(|_| JoinError::Sync("a handoff's header does not decode".into()))?
            .height;
        match install {
            Install::Synced => store
                .put_handoff_with_header(height, &set, &proof, &header, &certificate)
                .map_err(failed)?,
            Install::Restored => store.put_handoff(height, &set, &proof).map_err(failed)?,
        }
    }
    Ok(())
}

/// `page` if its keys are in order, each after `after`, and it has keys
/// when it says more follow.
fn moves_on(page: SyncKeysView, after: Option<&str>) -> Result<SyncKeysView, String> {
    let ordered = page.keys.windows(2).all(|pair| pair[0] < pair[1]);
    let after_last = match (after, page.keys.first()) {
        (Some(after), Some(first)) => first.as_str() > after,
        _ => true,
    };
    if !ordered || !after_last || (page.more && page.keys.is_empty()) {
        return Err("a page of keys that does not move on".into());
    }
    Ok(page)
}

/// The genesis block, its state root worked out in a scratch store.
async fn genesis_block(context: &Context, genesis: &Genesis) -> Result<Block, JoinError> {
    let failed = |error: crate::state_db::StateDbError| JoinError::Store(error.to_string());
    remove_state(context, GENESIS_PREFIX).await;
    let mut scratch = StateDb::open(context.child("sync_genesis"), GENESIS_PREFIX)
        .await
        .map_err(failed)?;
    let writes = commitment::writes(&State::from_genesis(genesis).all_entries());
    let pending = scratch.speculate(None, 0, writes).await.map_err(failed)?;
    scratch.apply(pending).await.map_err(failed)?;
    let root = scratch.root();
    drop(scratch);
    remove_state(context, GENESIS_PREFIX).await;
    Ok(chain::genesis_block(genesis, root))
}

/// Removes a state store's partitions (what an interrupted sync left).
async fn remove_state(context: &Context, prefix: &str) {
    for partition in crate::state_db::partitions(prefix) {
        // Absent when nothing was left: nothing to say.
        let _ = context.remove(&partition, None).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_runtime::Runner as _;

    fn keys(keys: &[&str], more: bool) -> SyncKeysView {
        SyncKeysView {
            keys: keys.iter().map(|key| key.to_string()).collect(),
            more,
        }
    }

    #[test]
    fn a_page_of_keys_must_move_on() {
        assert!(moves_on(keys(&["0a", "0b"], true), Some("09")).is_ok());
        assert!(moves_on(keys(&[], false), Some("09")).is_ok(), "the end");
        assert!(
            moves_on(keys(&[], true), Some("09")).is_err(),
            "more, but nothing"
        );
        assert!(
            moves_on(keys(&["09"], true), Some("09")).is_err(),
            "not after"
        );
        assert!(
            moves_on(keys(&["0b", "0a"], true), None).is_err(),
            "out of order"
        );
        assert!(
            moves_on(keys(&["0a", "0a"], true), None).is_err(),
            "repeated"
        );
    }

    #[test]
    fn the_genesis_root_is_worked_out_again_after_an_interrupted_sync() {
        let dir = tempfile::tempdir().unwrap();
        let genesis = crate::chain::test_genesis("scratch", Vec::new());
        let config = commonware_runtime::tokio::Config::new().with_storage_directory(dir.path());
        commonware_runtime::tokio::Runner::new(config).start(|context| async move {
            let first = genesis_block(&context, &genesis).await.unwrap();
            // What a sync that stopped half-way leaves: a scratch store at
            // height 0.
            let mut left = StateDb::open(context.child("left"), GENESIS_PREFIX)
                .await
                .unwrap();
            let writes = commitment::writes(&State::from_genesis(&genesis).all_entries());
            let pending = left.speculate(None, 0, writes).await.unwrap();
            left.apply(pending).await.unwrap();
            drop(left);
            let again = genesis_block(&context, &genesis).await.unwrap();
            assert_eq!(again, first);
        });
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|entry| entry.ok())
            .filter(|entry| {
                entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(GENESIS_PREFIX)
            })
            .collect();
        assert!(left.is_empty(), "the scratch store stays: {left:?}");
    }
}
