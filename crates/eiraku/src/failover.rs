//! Clients of several validators that go on when one goes away: a batch a
//! validator cannot take (it refuses connections, or the connection breaks)
//! goes to the next one, and a watch of finalized blocks moves to another
//! validator and reads the blocks it missed meanwhile. Without this, a
//! batch sent to a dead validator was lost and every later transaction of
//! its senders waited for ever behind the nonce gap.

use crate::Client;
use eiraku_api::{ClientError, RawBatchResponse};
use eiraku_core::SignedTransaction;
use std::time::Duration;

/// Sends `batch` to `clients[first]`, or, when it cannot be reached or is
/// busy, to the next.
/// Refusals are answers, not failures: they come back as they are. A
/// transaction a validator took before it went away may come back from the
/// next as `duplicate` (it was gossiped) or `nonce_used` (it is final):
/// [`taken_before`] tells those apart.
pub fn submit_raw_batch(
    clients: &[Client],
    first: usize,
    batch: &[SignedTransaction],
) -> Result<RawBatchResponse, ClientError> {
    let mut unreachable = None;
    for k in 0..clients.len() {
        match clients[(first + k) % clients.len()].submit_raw_batch(batch) {
            Err(error) if is_passing(&error) => unreachable = Some(error),
            answer => return answer,
        }
    }
    Err(unreachable.expect("at least one client"))
}

/// Submissions of the transactions a full mempool refused, before the
/// refusal stands.
const BUSY_RETRIES: u32 = 50;

/// [`submit_raw_batch`], then the transactions refused as `busy` (a full
/// mempool) again, a moment later each time, until taken or refused for
/// another reason: a transaction dropped at saturation would leave its
/// sender's later ones waiting for ever behind the nonce gap. Refusals
/// name positions in `batch`.
pub fn submit_until_taken(
    clients: &[Client],
    first: usize,
    batch: &[SignedTransaction],
) -> Result<RawBatchResponse, ClientError> {
    let mut answer = submit_raw_batch(clients, first, batch)?;
    for attempt in 1..=BUSY_RETRIES {
        let (busy, other): (Vec<_>, Vec<_>) = answer
            .refused
            .into_iter()
            .partition(|r| r.error.code == "busy");
        answer.refused = other;
        if busy.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100 * attempt as u64));
        let again: Vec<SignedTransaction> = busy.iter().map(|r| batch[r.index].clone()).collect();
        let retried = submit_raw_batch(clients, first, &again)?;
        answer.accepted += retried.accepted;
        answer
            .refused
            .extend(retried.refused.into_iter().map(|mut refusal| {
                refusal.index = busy[refusal.index].index;
                refusal
            }));
        answer.refused.sort_by_key(|refusal| refusal.index);
    }
    Ok(answer)
}

/// Whether the next validator may take what this one could not: it cannot
/// be reached, or it is busy or limits this client (429, 503).
fn is_passing(error: &ClientError) -> bool {
    match error {
        ClientError::Transport { .. } => true,
        ClientError::Api { status, .. } => matches!(status, 429 | 503),
    }
}

/// Whether a refusal code says the network already holds the transaction.
pub fn taken_before(code: &str) -> bool {
    matches!(code, "duplicate" | "nonce_used")
}

/// A finalized block's height and the hashes (hex) of its transactions.
pub struct FinalizedTxs {
    /// Height.
    pub height: u64,
    /// Transaction hashes, hex, in block order.
    pub transactions: Vec<String>,
}

/// How long to wait before trying the next validator's stream.
const RECONNECT_AFTER: Duration = Duration::from_millis(200);

/// Follows finalized blocks, every height once and in order, until
/// `on_block` returns false: from the first validator that streams them,
/// then, when its stream ends, from the next, first reading the blocks
/// missed in between. While no validator answers it keeps trying.
pub fn follow_finalized(clients: &[Client], mut on_block: impl FnMut(FinalizedTxs) -> bool) {
    let mut next: Option<u64> = None;
    let mut going = true;
    for client in clients.iter().cycle() {
        let _ = client.follow_finalized_txs(|block| {
            if let Some(from) = next {
                for height in from..block.height {
                    let Ok(missed) = client.block(height) else {
                        // Ends this stream, not the watch (`going` stays
                        // true): the next validator's picks up at `height`.
                        return false;
                    };
                    let transactions = missed.transactions.into_iter().map(|tx| tx.hash);
                    going = on_block(FinalizedTxs {
                        height,
                        transactions: transactions.collect(),
                    });
                    next = Some(height + 1);
                    if !going {
                        return false;
                    }
                }
            }
            if next.is_some_and(|from| block.height < from) {
                return true; // seen already, from another validator
            }
            next = Some(block.height + 1);
            going = on_block(FinalizedTxs {
                height: block.height,
                transactions: block.transactions,
            });
            going
        });
        if !going {
            return;
        }
        std::thread::sleep(RECONNECT_AFTER);
    }
}
