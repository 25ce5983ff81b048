//! The state commitment as the chain uses it: the QMDB state store
//! ([`StateDb`]) behind one lock, as an object, so the chain needs no
//! runtime type parameter. Proposals, checks and finalization take turns on
//! the lock; each holds it for one merkleization or one commit.

use crate::state_db::{
    sync::{SyncRequest, SyncTarget},
    Pending, Proven, StateDb, StateDbError, Write,
};
use commonware_runtime::{Clock, Metrics, Spawner, Storage};
use eiraku_core::Digest;
use eiraku_state::Change;
use futures::{future::BoxFuture, lock::Mutex};
use std::sync::Arc;

/// A proof read from the committed state, with what it is proven against.
#[derive(Clone, Debug)]
pub struct Proof {
    /// The value and its proof, or the proof of absence.
    pub proven: Proven,
    /// Height of the committed block whose root the proof is against.
    pub height: u64,
    /// That root.
    pub root: Digest,
}

/// The authenticated state store, as the chain drives it.
pub trait Commitment: Send + Sync {
    /// Height of the last committed block (`None` before genesis).
    fn height(&self) -> BoxFuture<'_, Option<u64>>;
    /// Root of the committed state.
    fn root(&self) -> BoxFuture<'_, Digest>;
    /// The state after `writes` at `height`, on `parent` (a pending block)
    /// or on the committed state.
    fn speculate<'a>(
        &'a self,
        parent: Option<&'a Pending>,
        height: u64,
        writes: Vec<Write>,
    ) -> BoxFuture<'a, Result<Pending, StateDbError>>;
    /// Commits a pending block: durable when this returns.
    fn apply(&self, pending: Pending) -> BoxFuture<'_, Result<(), StateDbError>>;
    /// Proves a key's value, or its absence, in the committed state.
    fn prove<'a>(&'a self, key: &'a Digest) -> BoxFuture<'a, Result<Proof, StateDbError>>;
    /// A target for a joining validator's state sync, pinned against pruning.
    fn sync_target(&self) -> BoxFuture<'_, Result<SyncTarget, StateDbError>>;
    /// Answers a state-sync request with its encoded response.
    fn serve(&self, request: SyncRequest) -> BoxFuture<'_, Result<Vec<u8>, StateDbError>>;
}

/// A [`StateDb`] behind an async lock.
struct Locked<E: Storage + Clock + Metrics + Spawner>(Mutex<StateDb<E>>);

impl<E: Storage + Clock + Metrics + Spawner> Commitment for Locked<E> {
    fn height(&self) -> BoxFuture<'_, Option<u64>> {
        Box::pin(async move { self.0.lock().await.height() })
    }

    fn root(&self) -> BoxFuture<'_, Digest> {
        Box::pin(async move { self.0.lock().await.root() })
    }

    fn speculate<'a>(
        &'a self,
        parent: Option<&'a Pending>,
        height: u64,
        writes: Vec<Write>,
    ) -> BoxFuture<'a, Result<Pending, StateDbError>> {
        Box::pin(async move { self.0.lock().await.speculate(parent, height, writes).await })
    }

    fn apply(&self, pending: Pending) -> BoxFuture<'_, Result<(), StateDbError>> {
        Box::pin(async move { self.0.lock().await.apply(pending).await })
    }

    fn prove<'a>(&'a self, key: &'a Digest) -> BoxFuture<'a, Result<Proof, StateDbError>> {
        Box::pin(async move {
            let db = self.0.lock().await;
            let proven = db.prove(key).await?;
            let height = db.height().unwrap_or_default();
            Ok(Proof {
                proven,
                height,
                root: db.root(),
            })
        })
    }
    fn sync_target(&self) -> BoxFuture<'_, Result<SyncTarget, StateDbError>> {
        Box::pin(async move { self.0.lock().await.sync_target().await })
    }

    fn serve(&self, request: SyncRequest) -> BoxFuture<'_, Result<Vec<u8>, StateDbError>> {
        Box::pin(async move { self.0.lock().await.serve(request).await })
    }
}

/// Opens (or reopens) the state store in `context`'s storage, in
/// partitions named after `prefix`.
pub async fn open<E>(context: E, prefix: &str) -> Result<Arc<dyn Commitment>, StateDbError>
where
    E: Storage + Clock + Metrics + Spawner,
{
    let db = StateDb::open(context, prefix).await?;
    Ok(Arc::new(Locked(Mutex::new(db))))
}

/// The chain's view of a state store built by state sync.
pub fn of<E>(db: StateDb<E>) -> Arc<dyn Commitment>
where
    E: Storage + Clock + Metrics + Spawner,
{
    Arc::new(Locked(Mutex::new(db)))
}

/// A block's changes as the store's writes: each key hashed.
pub fn writes(changes: &[Change]) -> Vec<Write> {
    changes
        .iter()
        .map(|(key, value)| (key.hashed(), value.clone()))
        .collect()
}
