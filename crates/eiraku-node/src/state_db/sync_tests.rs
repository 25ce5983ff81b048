//! State sync between two stores: what a peer serves is verified, a lie
//! is refused, and pins hold back pruning.

use super::sync::{decode_response, Operation, SyncRequest, SyncResponse, TargetError};
use super::tests::{commit_block, key, open, put, run, value, Context, SMALL};
use super::*;
use commonware_runtime::Supervisor as _;
use commonware_storage::qmdb::sync::Feedback;
use commonware_storage::{
    merkle::Location,
    qmdb::sync::{source, Response, Source},
};
use commonware_utils::channel::{mpsc, oneshot};
use eiraku_core::hash;
use futures::{lock::Mutex, StreamExt as _};
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

/// A peer serving from a store; its first answer of operations comes
/// after `lies` false ones (a byte of the last operation changed).
struct Peer {
    db: Arc<Mutex<StateDb<Context>>>,
    lies: AtomicUsize,
    served: AtomicUsize,
    /// The engine's judgement of every answer offered.
    verdicts: Mutex<Vec<oneshot::Receiver<bool>>>,
}

impl Peer {
    fn new(db: StateDb<Context>, lies: usize) -> Self {
        Self {
            db: Arc::new(Mutex::new(db)),
            lies: AtomicUsize::new(lies),
            served: AtomicUsize::new(0),
            verdicts: Mutex::new(Vec::new()),
        }
    }
}

impl Source for Peer {
    type Family = mmr::Family;
    type Digest = Digest;
    type Op = Operation;
    type Error = std::io::Error;

    /// Its lies first (while it has any), then the truth, as candidates
    /// the engine judges in turn.
    async fn serve(&self, request: SyncRequest) -> source::Result<Self> {
        self.served.fetch_add(1, Ordering::Relaxed);
        let bytes = self
            .db
            .lock()
            .await
            .serve(request)
            .await
            .map_err(std::io::Error::other)?;
        let max_ops = request.max_ops().get() as usize;
        let truth = decode_response(&bytes, max_ops).expect("decodes");
        let lies = match truth {
            Response::Operations { .. } => self.lies.swap(0, Ordering::Relaxed),
            Response::Boundary { .. } => 0,
        };
        let mut answers: Vec<SyncResponse> =
            (0..lies).map(|_| falsified(&bytes, max_ops)).collect();
        answers.push(truth);
        let (candidates_tx, candidates_rx) = mpsc::channel(answers.len());
        let mut answers = answers.into_iter();
        let first = answers.next().expect("one at least");
        let (verdict_tx, verdict_rx) = oneshot::channel();
        self.verdicts.lock().await.push(verdict_rx);
        for answer in answers {
            let (verdict_tx, verdict_rx) = oneshot::channel();
            candidates_tx.try_send((answer, verdict_tx)).expect("room");
            self.verdicts.lock().await.push(verdict_rx);
        }
        Ok((first, Some(Feedback::new(verdict_tx, candidates_rx))))
    }
}

/// The answer with one byte of its last operation changed: it still
/// decodes, but is not what the log holds.
fn falsified(bytes: &[u8], max_ops: usize) -> SyncResponse {
    let mut bytes = bytes.to_vec();
    for back in 1..bytes.len() {
        let at = bytes.len() - back;
        bytes[at] ^= 1;
        if let Some(lie) = decode_response(&bytes, max_ops) {
            return lie;
        }
        bytes[at] ^= 1;
    }
    panic!("no byte changes into another answer");
}

/// A server with `blocks` blocks of writes over 40 keys (so its log has
/// history to prune and a floor above zero).
async fn server(context: Context, blocks: u64) -> StateDb<Context> {
    let mut db = open(context).await;
    for height in 0..blocks {
        let writes = (0..40).map(|i| put(i, height)).collect();
        commit_block(&mut db, height, writes).await;
    }
    db
}

#[test]
fn a_synced_store_has_the_servers_root_height_and_values() {
    run(|context| async move {
        let mut db = server(context.child("server"), 30).await;
        let target = db.sync_target().await.unwrap();
        assert!(
            target.start > 0,
            "the server pruned history: a real boundary"
        );
        let (root, height) = (db.root(), 29);
        let checked = target.checked_against(&root).unwrap();
        let peer = Peer::new(db, 0);
        let synced = StateDb::sync_tuned(
            context.child("client"),
            "synced",
            peer,
            (checked, root, height),
            &SMALL,
        )
        .await
        .expect("sync");
        assert_eq!(synced.root(), root);
        assert_eq!(synced.height(), Some(height));
        assert_eq!(synced.get(&key(7)).await.unwrap(), Some(value(7, 29)));
        let entries: Vec<_> = synced.entries().unwrap().collect().await;
        assert_eq!(entries.len(), 40);
    });
}

#[test]
fn a_peer_that_lies_is_refused_and_asked_again() {
    run(|context| async move {
        let mut db = server(context.child("server"), 30).await;
        let target = db.sync_target().await.unwrap();
        let root = db.root();
        let checked = target.checked_against(&root).unwrap();
        let peer = Arc::new(Peer::new(db, 2));
        let synced = StateDb::sync_tuned(
            context.child("client"),
            "synced",
            peer.clone(),
            (checked, root, 29),
            &SMALL,
        )
        .await
        .expect("sync after the lies");
        assert_eq!(synced.root(), root);
        let mut verdicts = Vec::new();
        for verdict in peer.verdicts.lock().await.drain(..) {
            verdicts.push(verdict.await.expect("judged"));
        }
        assert_eq!(
            verdicts.iter().filter(|accepted| !**accepted).count(),
            2,
            "both lies were refused: {verdicts:?}"
        );
        assert!(
            verdicts.iter().filter(|accepted| **accepted).count() >= 2,
            "the truth was taken"
        );
    });
}

#[test]
fn a_target_not_committed_to_by_the_trusted_root_is_refused() {
    run(|context| async move {
        let mut db = server(context, 10).await;
        let target = db.sync_target().await.unwrap();
        let other_root = hash(&[b"another block's root"]);
        assert_eq!(
            target.checked_against(&other_root),
            Err(TargetError::NotCommitted)
        );
        let mut forged = target.clone();
        forged.ops_root = hash(&[b"a log of the peer's making"]);
        assert_eq!(
            forged.checked_against(&db.root()),
            Err(TargetError::NotCommitted)
        );
        let mut garbled = target.clone();
        garbled.witness.truncate(3);
        assert_eq!(
            garbled.checked_against(&db.root()),
            Err(TargetError::Witness)
        );
        let mut empty = target;
        empty.start = empty.size;
        assert!(matches!(
            empty.checked_against(&db.root()),
            Err(TargetError::Range { .. })
        ));
    });
}

#[test]
fn a_served_target_holds_back_pruning_until_its_pin_expires() {
    run(|context| async move {
        let mut db = server(context, 8).await;
        let target = db.sync_target().await.unwrap();
        // Many blocks later (every 4th prunes), the target's operations
        // are still served.
        for height in 8..48 {
            let writes = (0..40).map(|i| put(i, height)).collect();
            commit_block(&mut db, height, writes).await;
        }
        let request = SyncRequest::Operations {
            size: Location::new(target.size),
            start: Location::new(target.start),
            max_ops: std::num::NonZeroU64::new(8).unwrap(),
        };
        db.serve(request)
            .await
            .expect("the pinned operations are served");
        let too_many = SyncRequest::Operations {
            size: Location::new(target.size),
            start: Location::new(target.start),
            max_ops: std::num::NonZeroU64::new(sync::MAX_OPS_PER_REQUEST + 1).unwrap(),
        };
        assert!(matches!(
            db.serve(too_many).await,
            Err(StateDbError::TooManyOperations(_))
        ));
        let mut pins = sync::Pins::default();
        pins.hold(Location::new(5), 10);
        pins.hold(Location::new(9), 11);
        assert_eq!(
            pins.lowest(10 + sync::PIN_BLOCKS - 1),
            Some(Location::new(5))
        );
        assert_eq!(
            pins.lowest(10 + sync::PIN_BLOCKS),
            Some(Location::new(9)),
            "the first expired"
        );
        assert_eq!(pins.lowest(11 + sync::PIN_BLOCKS), None);
    });
}
