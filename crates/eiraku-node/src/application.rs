//! The consensus application: builds blocks from the mempool and checks
//! proposals by re-executing them, and receives finalized blocks from
//! marshal to apply them durably.

use crate::chain::Chain;
use commonware_actor::Feedback;
use commonware_consensus::{
    marshal::{ancestry::Ancestry, Update},
    simplex::scheme::ed25519,
    Application, Reporter,
};
use commonware_cryptography::{Digested, Digestible};
use commonware_parallel::Rayon;
use commonware_runtime::Clock;
use commonware_utils::acknowledgement::Exact;
use eiraku_core::{Block, ConsensusContext, MAX_BLOCK_TRANSACTIONS};
use eiraku_state::State;
use futures::{channel::mpsc, StreamExt};
use std::{
    sync::Arc,
    time::{Duration, UNIX_EPOCH},
};

/// The validator signing scheme: attributable Ed25519 votes.
pub type Scheme = ed25519::Scheme;

/// Proposes and verifies blocks against the node's [`Chain`].
#[derive(Clone)]
pub struct EirakuApplication {
    chain: Arc<Chain>,
    strategy: Rayon,
    block_interval: Duration,
}

/// The state a block builds on could not be found.
enum ParentState {
    Known(Arc<State>),
    /// The ancestry leaves the finalized chain: the block can never be valid.
    Conflicting,
    /// The ancestry could not be walked (yet).
    Unavailable,
}

impl EirakuApplication {
    /// An application over `chain`, verifying signatures on `strategy` and
    /// proposing at most one block per `block_interval` unless a full block
    /// is waiting.
    pub fn new(chain: Arc<Chain>, strategy: Rayon, block_interval: Duration) -> Self {
        Self {
            chain,
            strategy,
            block_interval,
        }
    }

    /// Waits until `block_interval` has passed since `parent_ms` or the
    /// mempool holds a full block; returns the time then (ms since the Unix
    /// epoch).
    async fn pace(&self, runtime: &impl Clock, parent_ms: u64) -> u64 {
        // Short naps so a filling mempool is noticed soon.
        const NAP: Duration = Duration::from_millis(5);
        let interval_ms = self.block_interval.as_millis() as u64;
        // Never wait more than one interval, even if the parent's proposer
        // had a clock ahead of ours.
        let ready_ms = parent_ms
            .saturating_add(interval_ms)
            .min(unix_ms(runtime).saturating_add(interval_ms));
        loop {
            let now_ms = unix_ms(runtime);
            if now_ms >= ready_ms || self.chain.mempool_len() >= MAX_BLOCK_TRANSACTIONS {
                return now_ms;
            }
            runtime
                .sleep(NAP.min(Duration::from_millis(ready_ms - now_ms)))
                .await;
        }
    }

    /// The post-state of `parent`, re-executing any ancestors this node has
    /// not seen (it was down, or a peer built on a block it never verified).
    ///
    /// The executor applies finalized blocks concurrently, replacing the
    /// finalized state and dropping speculative states at or below it, so
    /// the state this walk is heading for can vanish while it awaits an
    /// ancestor (or, on a multi-threaded runtime, at any moment). The walk
    /// therefore looks for a known state along the whole path collected so
    /// far after every step, and judges the path conflicting only once it
    /// has reached the *current* finalized height without meeting a known
    /// state while that height stood still.
    async fn state_after(
        &self,
        parent: &Digested<Block>,
        ancestry: &mut impl Ancestry<Block>,
    ) -> ParentState {
        // `parent` and the ancestors fetched so far, newest first.
        let mut path = vec![parent.clone()];
        loop {
            let finalized_height = self.chain.finalized_height();
            if let Some(found) = self.replay(&path).await {
                return found;
            }
            if self.chain.finalized_height() != finalized_height {
                // The tip moved while `replay` looked: look again.
                continue;
            }
            let oldest = path.last().expect("path starts with the parent");
            if oldest.inner().header.height <= finalized_height {
                return ParentState::Conflicting;
            }
            let Some(ancestor) = ancestry.next().await else {
                return ParentState::Unavailable;
            };
            path.push(ancestor);
        }
    }

    /// A validator far from the others may finalize a block's parent, or
    /// the block itself, while it still checks the block: the parent's
    /// pending state is then gone, which says nothing against the block.
    /// Such a refusal is looked at again on what is known now, while the
    /// finalized tip (at `tip` when the check began) moves (seen on the
    /// WAN test's farthest validator, whose refusals cost the others their
    /// quorum while one of them was down).
    async fn holds_after_the_tip_moved(&self, block: &Block, parent: &Block, mut tip: u64) -> bool {
        for _ in 0..CHECKS_WHILE_THE_TIP_MOVES {
            let now = self.chain.finalized_height();
            if now == tip {
                return false;
            }
            if self.is_final(block) {
                return true;
            }
            // The parent's state as known now: pending, or the finalized tip.
            if let Some(state) = self.chain.state_after(&parent.hash()) {
                if self
                    .chain
                    .check(block, parent, &state, &self.strategy)
                    .await
                {
                    return true;
                }
            }
            tip = now;
        }
        false
    }

    /// Whether `block` is final here already (a quorum certified it).
    fn is_final(&self, block: &Block) -> bool {
        let height = block.header.height;
        height <= self.chain.finalized_height()
            && (self.chain.store().block(height).ok().flatten())
                .is_some_and(|stored| stored.hash() == block.hash())
    }

    /// Re-executes `path` (newest first) from its newest block whose
    /// post-state is known. `None` when no block of it has a known state (or
    /// one stopped being known midway: the caller looks again).
    async fn replay(&self, path: &[Digested<Block>]) -> Option<ParentState> {
        let (anchor, mut state) = path
            .iter()
            .enumerate()
            .find_map(|(i, block)| self.chain.state_after(&block.digest()).map(|s| (i, s)))?;
        for i in (0..anchor).rev() {
            let (block, previous) = (&path[i], &path[i + 1]);
            if !self
                .chain
                .check(block.inner(), previous.inner(), &state, &self.strategy)
                .await
            {
                return Some(ParentState::Conflicting);
            }
            state = self.chain.state_after(&block.digest())?;
        }
        Some(ParentState::Known(state))
    }
}

impl<E> Application<E> for EirakuApplication
where
    E: Clock + Send + Sync + 'static,
{
    type SigningScheme = Scheme;
    type Context = ConsensusContext;
    type Block = Block;
    type Input = ();

    async fn propose(
        &mut self,
        (runtime, context): (E, ConsensusContext),
        mut ancestry: impl Ancestry<Block>,
        _input: (),
    ) -> Option<Digested<Block>> {
        let parent = ancestry.next().await?;
        let ParentState::Known(parent_state) = self.state_after(&parent, &mut ancestry).await
        else {
            return None;
        };
        let now_ms = self
            .pace(&runtime, parent.inner().header.timestamp_ms)
            .await;
        let block = self
            .chain
            .build(context, parent.inner(), &parent_state, now_ms)
            .await?;
        let digest = block.hash();
        Some(Digested::precomputed(block, digest))
    }

    async fn verify(
        &mut self,
        (runtime, _context): (E, ConsensusContext),
        mut ancestry: impl Ancestry<Block>,
    ) -> bool {
        let Some(block) = ancestry.next().await else {
            return false;
        };
        if too_far_ahead(block.inner().header.timestamp_ms, unix_ms(&runtime)) {
            return false;
        }
        let Some(parent) = ancestry.next().await else {
            return false;
        };
        let tip = self.chain.finalized_height();
        let holds = match self.state_after(&parent, &mut ancestry).await {
            ParentState::Known(state) => {
                self.chain
                    .check(block.inner(), parent.inner(), &state, &self.strategy)
                    .await
            }
            ParentState::Conflicting => false,
            // Abstain: the engine treats a pending verification as no vote.
            ParentState::Unavailable => futures::future::pending().await,
        };
        holds
            || self
                .holds_after_the_tip_moved(block.inner(), parent.inner(), tip)
                .await
    }
}

/// Checks of one block while the finalized tip moves under them.
const CHECKS_WHILE_THE_TIP_MOVES: usize = 3;

/// How far ahead of a validator's clock a proposal's timestamp may be. Block
/// time is the state machine's only clock (rate staleness, accrual periods),
/// so a proposer must not be able to push it forward at will; the slack
/// covers honest clock skew between validators.
pub const MAX_FUTURE_TIMESTAMP: Duration = Duration::from_secs(10);

/// Whether a block stamped `timestamp_ms` is too far in the future for a
/// validator whose clock reads `now_ms`.
fn too_far_ahead(timestamp_ms: u64, now_ms: u64) -> bool {
    timestamp_ms > now_ms.saturating_add(MAX_FUTURE_TIMESTAMP.as_millis() as u64)
}

fn unix_ms(runtime: &impl Clock) -> u64 {
    runtime
        .current()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// A finalized block handed from marshal to the executor, with the
/// acknowledgement to send once it is durable.
pub type Delivery = (Digested<Block>, Exact);

/// Marshal's reporter: forwards finalized blocks to the executor task
/// (reporting must not block) and remembers the latest finalized tip.
#[derive(Clone)]
pub struct FinalizedBlocks {
    sender: mpsc::UnboundedSender<Delivery>,
    tip: Arc<std::sync::atomic::AtomicU64>,
}

impl FinalizedBlocks {
    /// A reporter and the receiving end for the executor.
    pub fn new(
        tip: Arc<std::sync::atomic::AtomicU64>,
    ) -> (Self, mpsc::UnboundedReceiver<Delivery>) {
        let (sender, receiver) = mpsc::unbounded();
        (Self { sender, tip }, receiver)
    }
}

impl Reporter for FinalizedBlocks {
    type Activity = Update<Block>;

    fn report(&mut self, activity: Self::Activity) -> Feedback {
        match activity {
            Update::Tip(_, height, _) => {
                self.tip
                    .fetch_max(height.get(), std::sync::atomic::Ordering::Relaxed);
            }
            Update::Block(block, ack) => {
                if self.sender.unbounded_send((block, ack)).is_err() {
                    return Feedback::Closed;
                }
            }
        }
        Feedback::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposals_from_the_future_are_refused_beyond_the_slack() {
        let now = 1_000_000;
        let slack = MAX_FUTURE_TIMESTAMP.as_millis() as u64;
        assert!(!too_far_ahead(now - 5, now));
        assert!(!too_far_ahead(now + slack, now));
        assert!(too_far_ahead(now + slack + 1, now));
        assert!(!too_far_ahead(u64::MAX, u64::MAX - 1));
    }
}
