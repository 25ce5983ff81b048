//! Peers' APIs as a source for QMDB's sync engine. Requests go round the
//! peers in turn, so one that lies (its answer fails verification and is
//! asked again) or is down (the next is asked) cannot stall the sync.

use crate::state_db::sync::{
    decode_response, Operation, SyncRequest, SyncResponse, MAX_OPS_PER_REQUEST,
};
use commonware_codec::Encode as _;
use commonware_storage::{
    merkle::mmr,
    qmdb::sync::{max_response_size, source, Feedback, Source},
};
use commonware_utils::channel::{mpsc, oneshot};
use eiraku_api::Client;
use eiraku_core::{kv_proof, Digest};
use std::{
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

/// Rounds of asking every peer before a request fails.
const ROUNDS: usize = 5;

/// Why no peer answered a request.
#[derive(Debug, thiserror::Error)]
#[error("no peer served the state's operations: {0}")]
pub struct PeersFailed(String);

/// The peers, asked in turn; counts the bytes received.
#[derive(Clone)]
pub struct PeerSource {
    peers: Arc<[Client]>,
    turn: Arc<AtomicUsize>,
    received: Arc<AtomicU64>,
}

impl PeerSource {
    /// A source over `peers` (not empty).
    pub fn new(peers: Arc<[Client]>) -> Self {
        Self {
            peers,
            turn: Arc::default(),
            received: Arc::default(),
        }
    }

    /// Bytes of operations and proofs received so far.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
}

impl Source for PeerSource {
    type Family = mmr::Family;
    type Digest = Digest;
    type Op = Operation;
    type Error = PeersFailed;

    /// The first peer's answer, with feedback that asks the next peer
    /// when the engine finds the answer false (a peer that lies is passed
    /// over, not believed and not fatal).
    async fn serve(&self, request: SyncRequest) -> source::Result<Self> {
        let first = self.turn.fetch_add(1, Ordering::Relaxed);
        let response = self.fetch_from(first, request).await?;
        let (verdict_tx, verdict_rx) = oneshot::channel();
        let (candidates_tx, candidates_rx) = mpsc::channel(1);
        tokio::spawn(
            self.clone()
                .offer_others(first, request, verdict_rx, candidates_tx),
        );
        Ok((response, Some(Feedback::new(verdict_tx, candidates_rx))))
    }
}

impl PeerSource {
    /// Fetches from peer `first` (or, when it fails, the ones after it).
    async fn fetch_from(
        &self,
        first: usize,
        request: SyncRequest,
    ) -> Result<SyncResponse, PeersFailed> {
        let peers = self.peers.clone();
        let received = self.received.clone();
        tokio::task::spawn_blocking(move || fetch(&peers, first, request, &received))
            .await
            .map_err(|error| PeersFailed(error.to_string()))?
    }

    /// While the engine refuses an answer, offers the next peer's (each
    /// peer asked once more at most).
    async fn offer_others(
        self,
        first: usize,
        request: SyncRequest,
        mut verdict: oneshot::Receiver<bool>,
        candidates: mpsc::Sender<(SyncResponse, oneshot::Sender<bool>)>,
    ) {
        for next in first + 1..first + self.peers.len() {
            if verdict.await != Ok(false) {
                return;
            }
            tracing::warn!(
                peer = self.peers[(next - 1) % self.peers.len()].base(),
                "state sync: a peer's answer failed verification; asking the next"
            );
            let Ok(response) = self.fetch_from(next, request).await else {
                return;
            };
            let (verdict_tx, verdict_rx) = oneshot::channel();
            if candidates.send((response, verdict_tx)).await.is_err() {
                return;
            }
            verdict = verdict_rx;
        }
    }
}

/// Asks the peers from `first` on, in turn, until one answers with a
/// response that decodes.
fn fetch(
    peers: &[Client],
    first: usize,
    request: SyncRequest,
    received: &AtomicU64,
) -> Result<SyncResponse, PeersFailed> {
    let encoded = request.encode();
    let max_ops = request.max_ops().get().min(MAX_OPS_PER_REQUEST) as usize;
    let limit =
        max_response_size::<mmr::Family, Digest>(max_ops, kv_proof::MAX_VALUE_BYTES + 64) as u64;
    let mut last = String::from("no peers");
    for attempt in 0..peers.len() * ROUNDS {
        let peer = &peers[(first + attempt) % peers.len()];
        match peer.sync_operations(&encoded, limit) {
            Ok(body) => {
                received.fetch_add(body.len() as u64, Ordering::Relaxed);
                match decode_response(&body, max_ops) {
                    Some(response) => return Ok(response),
                    None => last = format!("{} sent a response that does not decode", peer.base()),
                }
            }
            Err(error) => last = error.to_string(),
        }
        tracing::debug!(peer = peer.base(), reason = %last, "state sync: asking the next peer");
        if (attempt + 1) % peers.len() == 0 {
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    Err(PeersFailed(last))
}
