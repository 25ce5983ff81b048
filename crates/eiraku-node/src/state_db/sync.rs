//! State sync of the authenticated store, both sides.
//!
//! A serving validator names a target ([`StateDb::sync_target`]: its height,
//! canonical root, operations root, the range of its operation log a new
//! copy needs, and the witness that the canonical root commits to that
//! operations root) and answers requests for operations with proofs
//! against the operations root at the target's size ([`StateDb::serve`]).
//! A joining validator checks the witness against a root it trusts (a
//! finalized header's), fetches and verifies every operation
//! ([`StateDb::sync_from`], QMDB's sync engine), and keeps the result only
//! if its canonical root is that root.
//!
//! A target pins the log: the server prunes no operation at or above its
//! start for [`PIN_BLOCKS`] blocks ([`Pins`]), so a sync under way is not
//! cut off by the pruning every 64 blocks.

use super::{config, storage, Db, QmdbError, StateDb, StateDbError, Tuning, TUNING};
use commonware_codec::{Copying, Encode, Read};
use commonware_cryptography::Sha256;
use commonware_runtime::{Clock, Metrics, Spawner, Storage};
use commonware_storage::{
    merkle::Location,
    mmr,
    qmdb::{
        self,
        current::proof::OpsRootWitness,
        sync::{self, Source, Target},
    },
};
use commonware_utils::{range::NonEmptyRange, NZUsize, NZU64};
use eiraku_core::{kv_proof, Digest};
use futures::{Stream, StreamExt as _};

/// Blocks during which a target's operations stay unpruned.
pub const PIN_BLOCKS: u64 = 2_000;

/// Most operations one request is answered with.
pub const MAX_OPS_PER_REQUEST: u64 = 4_096;

/// An operation of the state's log.
pub type Operation = qmdb::any::ordered::variable::Operation<mmr::Family, Digest, kv_proof::Value>;

/// A request for operations, as QMDB's sync engine makes it.
pub type SyncRequest = sync::Request<mmr::Family>;

/// Its answer: operations with their proof.
pub type SyncResponse = sync::Response<mmr::Family, Operation, Digest>;

/// What a joining validator syncs against, as its server names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncTarget {
    /// Height of the block whose state this is.
    pub height: u64,
    /// Root of the operation log alone, which each response is proven against.
    pub ops_root: Digest,
    /// First operation a new copy needs (the server's sync boundary).
    pub start: u64,
    /// Operations in the log at this height.
    pub size: u64,
    /// Encoded witness that `root` commits to `ops_root`.
    pub witness: Vec<u8>,
}

/// Why a target cannot be synced against a trusted root.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    /// The witness does not decode.
    #[error("the witness of the sync target does not decode")]
    Witness,
    /// The witness does not tie the operations root to the trusted root.
    #[error("the sync target's operations root is not committed to by the trusted state root")]
    NotCommitted,
    /// An empty or inverted range of operations.
    #[error("the sync target's operation range {start}..{size} is empty or invalid")]
    Range {
        /// Its start.
        start: u64,
        /// Its end.
        size: u64,
    },
}

impl SyncTarget {
    /// The engine's target, once the witness shows that `trusted_root`
    /// (a finalized header's state root) commits to the operations root.
    pub fn checked_against(
        &self,
        trusted_root: &Digest,
    ) -> Result<Target<mmr::Family, Digest>, TargetError> {
        let witness = OpsRootWitness::<mmr::Family, Digest>::read_cfg(
            &mut Copying(self.witness.as_slice()),
            &(),
        )
        .map_err(|_| TargetError::Witness)?;
        if !witness.verify::<Sha256>(&self.ops_root, trusted_root) {
            return Err(TargetError::NotCommitted);
        }
        let range = NonEmptyRange::new(Location::new(self.start)..Location::new(self.size))
            .map_err(|_| TargetError::Range {
                start: self.start,
                size: self.size,
            })?;
        Ok(Target::new(self.ops_root, range))
    }
}

/// A sync response in its one encoding, nothing left over (`None`
/// otherwise); at most `max_ops` operations.
pub fn decode_response(body: &[u8], max_ops: usize) -> Option<SyncResponse> {
    let mut reader = Copying(body);
    let response =
        SyncResponse::read_cfg(&mut reader, &(max_ops, ((), kv_proof::value_cfg()))).ok()?;
    (response.encode().as_ref() == body).then_some(response)
}

impl<E: Storage + Clock + Metrics + Spawner> StateDb<E> {
    /// The target a joining validator can sync to now, pinned against
    /// pruning for [`PIN_BLOCKS`] blocks.
    pub async fn sync_target(&mut self) -> Result<SyncTarget, StateDbError> {
        let height = self.height.ok_or(StateDbError::Empty)?;
        let db = self.db()?;
        let start = db.sync_boundary();
        let size = db.bounds().end;
        let witness = db
            .ops_root_witness()
            .await
            .map_err(storage("witnessing the operations root"))?;
        let target = SyncTarget {
            height,
            ops_root: db.ops_root(),
            start: *start,
            size: *size,
            witness: witness.encode().to_vec(),
        };
        self.pinned.hold(start, height);
        Ok(target)
    }

    /// Answers a sync request (encoded) with its response (encoded),
    /// proven against the operations root the log had at the request's
    /// size.
    pub async fn serve(&self, request: SyncRequest) -> Result<Vec<u8>, StateDbError> {
        if request.max_ops().get() > MAX_OPS_PER_REQUEST {
            return Err(StateDbError::TooManyOperations(request.max_ops().get()));
        }
        let (response, _) = self
            .db()?
            .serve(request)
            .await
            .map_err(storage("serving operations"))?;
        Ok(response.encode().to_vec())
    }

    /// Builds the store in partitions `{prefix}-…` (which must be empty)
    /// from `source`, verifying every operation against `target`, and
    /// keeps it only if its canonical root is `root` at `height`.
    pub async fn sync_from<S>(
        context: E,
        prefix: &str,
        source: S,
        target: Target<mmr::Family, Digest>,
        root: Digest,
        height: u64,
    ) -> Result<Self, SyncError>
    where
        S: Source<Family = mmr::Family, Digest = Digest, Op = Operation> + 'static,
    {
        Self::sync_tuned(context, prefix, source, (target, root, height), &TUNING).await
    }

    /// [`Self::sync_from`] with the given storage sizes.
    pub(super) async fn sync_tuned<S>(
        context: E,
        prefix: &str,
        source: S,
        (target, root, height): (Target<mmr::Family, Digest>, Digest, u64),
        tuning: &'static Tuning,
    ) -> Result<Self, SyncError>
    where
        S: Source<Family = mmr::Family, Digest = Digest, Op = Operation> + 'static,
    {
        let db: Db<E> = sync::sync(sync::engine::Config {
            context,
            source,
            target,
            max_outstanding_requests: NZUsize!(4),
            fetch_batch_size: NZU64!(MAX_OPS_PER_REQUEST),
            apply_batch_size: NZU64!(1 << 14),
            db_config: config(prefix, tuning),
            update_rx: None,
            finish_rx: None,
            reached_target_tx: None,
        })
        .await
        .map_err(|error| SyncError::Sync(error.to_string()))?;
        let metadata = db.get_metadata().await.map_err(SyncError::Storage)?;
        let synced = Self {
            root: db.root(),
            height: super::decode_height(metadata).map_err(|_| SyncError::NoHeight)?,
            db: Some(db),
            tuning,
            pinned: Pins::default(),
        };
        if synced.root != root || synced.height != Some(height) {
            return Err(SyncError::Mismatch {
                root: synced.root,
                height: synced.height,
            });
        }
        Ok(synced)
    }

    /// Makes the store durable (the sync engine writes without syncing):
    /// before anything records that the state is there.
    pub async fn persist(&mut self) -> Result<(), StateDbError> {
        let db = self.db.take().ok_or(StateDbError::Unusable)?;
        let db = db.sync().await.map_err(storage("persisting the state"))?;
        self.db = Some(db);
        Ok(())
    }

    /// Every key and value of the committed state, in key order.
    pub fn entries(
        &self,
    ) -> Result<
        impl Stream<Item = Result<(Digest, kv_proof::Value), StateDbError>> + '_,
        StateDbError,
    > {
        Ok(self
            .db()?
            .stream_range(..)
            .map(|entry| entry.map_err(storage("reading the state's entries"))))
    }

    /// Where pruning may go: the sync boundary, held back by live pins.
    pub(super) fn prune_boundary(&mut self, db: &Db<E>, height: u64) -> Location<mmr::Family> {
        let boundary = db.sync_boundary();
        match self.pinned.lowest(height) {
            Some(pinned) => boundary.min(pinned),
            None => boundary,
        }
    }
}

/// Operations served sync targets still need, kept from pruning: each
/// target's first operation, until [`PIN_BLOCKS`] blocks after it was
/// named. Targets named at one height share a start, so at most one pin
/// per height lives, however often targets are asked for.
#[derive(Debug, Default)]
pub(super) struct Pins {
    /// First operation → the height from which pruning may pass it.
    until: std::collections::BTreeMap<Location<mmr::Family>, u64>,
}

impl Pins {
    /// Pins `start` for a target named at `height`.
    pub(super) fn hold(&mut self, start: Location<mmr::Family>, height: u64) {
        self.until.insert(start, height.saturating_add(PIN_BLOCKS));
    }

    /// The lowest start still pinned at `height`, dropping expired pins.
    pub(super) fn lowest(&mut self, height: u64) -> Option<Location<mmr::Family>> {
        self.until.retain(|_, until| height < *until);
        self.until.keys().next().copied()
    }
}

/// Why a state sync failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Fetching or verifying operations failed (a source that stopped
    /// answering, storage that failed).
    #[error("syncing the state's operations failed: {0}")]
    Sync(String),
    /// The synced store cannot be read.
    #[error("the synced state cannot be read: {0}")]
    Storage(QmdbError),
    /// The synced store holds no block height.
    #[error("the synced state holds no block height")]
    NoHeight,
    /// The synced operations make another state than the trusted one.
    #[error("the synced state has root {root} at height {height:?}, not the trusted block's")]
    Mismatch {
        /// Its root.
        root: Digest,
        /// Its height.
        height: Option<u64>,
    },
}
