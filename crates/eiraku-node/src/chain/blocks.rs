//! Blocks through the chain: built by a proposer, checked before a vote,
//! and applied once finalized, each with its authenticated state (pending
//! until finalized, then committed before the block store).

use super::*;
use eiraku_core::digest;

impl Chain {
    /// Builds a block on `parent` (whose post-state is `parent_state`);
    /// `None` when the parent's authenticated state is gone (it was
    /// finalized away meanwhile).
    pub async fn build(
        &self,
        context: ConsensusContext,
        parent: &Block,
        parent_state: &State,
        now_ms: u64,
    ) -> Option<Block> {
        let transactions = self
            .mempool
            .lock()
            .unwrap()
            .select(parent_state, MAX_BLOCK_TRANSACTIONS);
        let timestamp_ms = now_ms.max(parent.header.timestamp_ms + 1);
        let height = parent.header.height + 1;
        let mut state = parent_state.clone();
        let env = BlockEnv {
            height,
            timestamp_ms,
        };
        let started = Instant::now();
        // The selection follows nonces; what a key change earlier in the
        // block (or in the parent) made inadmissible is left out here.
        let mut timer = InvariantTimer::default();
        let (transactions, receipts) = state.execute_admissible(&env, transactions, &mut timer);
        self.executions.record_invariants(&timer);
        let executed = started.elapsed();
        let (pending, changes) = self.speculate(parent, parent_state, &state).await?;
        self.executions
            .record(executed, started.elapsed() - executed);
        let block = Block::new(
            context,
            parent.hash(),
            height,
            timestamp_ms,
            pending.root(),
            transactions,
        );
        self.remember(&block, state, receipts, pending, changes);
        Some(block)
    }

    /// Executes `transactions` on `state`, counting the time its invariant
    /// checks take.
    fn execute(
        &self,
        state: &mut State,
        env: &BlockEnv,
        transactions: &[SignedTransaction],
    ) -> Result<Vec<Receipt>, BlockError> {
        let mut timer = InvariantTimer::default();
        let receipts = state.execute_block_observed(env, transactions, &mut timer);
        self.executions.record_invariants(&timer);
        receipts
    }

    /// The authenticated state after `parent` with the changes from
    /// `parent_state` to `state` (returned too): on the parent's pending
    /// state, or on the committed one when the parent is committed. `None`
    /// when neither holds (the parent lost to another fork, or this node is
    /// still catching up).
    async fn speculate(
        &self,
        parent: &Block,
        parent_state: &State,
        state: &State,
    ) -> Option<(Pending, Arc<Vec<Change>>)> {
        let parent_pending = self
            .speculative
            .lock()
            .unwrap()
            .get(&parent.hash())
            .map(|executed| executed.pending.clone());
        let changes = Arc::new(state.changes_since(parent_state));
        let height = parent.header.height + 1;
        match self
            .commitment
            .speculate(
                parent_pending.as_ref(),
                height,
                commitment::writes(&changes),
            )
            .await
        {
            Ok(pending) => Some((pending, changes)),
            Err(error) => {
                tracing::debug!(height, %error, "no authenticated state to build on");
                None
            }
        }
    }

    /// Re-executes `block` on `parent_state`: true when its signatures,
    /// transactions, timestamp and state root are all right. A refusal is
    /// logged with its reason.
    pub async fn check(
        &self,
        block: &Block,
        parent: &Block,
        parent_state: &State,
        strategy: &impl Strategy,
    ) -> bool {
        match self.verdict(block, parent, parent_state, strategy).await {
            Ok(()) => true,
            // Not the block's fault: `speculate` said why, at debug level.
            Err(Refusal::NoParentState) => false,
            Err(refusal) => {
                let digest = digest::to_hex(&block.hash());
                tracing::warn!(
                    height = block.header.height,
                    %digest,
                    %refusal,
                    "refusing to vote for a block"
                );
                false
            }
        }
    }

    /// [`Chain::check`], saying why a block is refused.
    pub(crate) async fn verdict(
        &self,
        block: &Block,
        parent: &Block,
        parent_state: &State,
        strategy: &impl Strategy,
    ) -> Result<(), Refusal> {
        follows(block, parent)?;
        // Checked before (this node built it, or verified it in a view
        // that timed out): its pending state may have children already.
        if self.speculative.lock().unwrap().contains_key(&block.hash()) {
            return Ok(());
        }
        if !self.signatures_hold(block, strategy) {
            return Err(Refusal::BadSignature);
        }
        let mut state = parent_state.clone();
        let env = BlockEnv {
            height: block.header.height,
            timestamp_ms: block.header.timestamp_ms,
        };
        let started = Instant::now();
        let receipts = self.execute(&mut state, &env, &block.transactions)?;
        let executed = started.elapsed();
        let (pending, changes) = self
            .speculate(parent, parent_state, &state)
            .await
            .ok_or(Refusal::NoParentState)?;
        self.executions
            .record(executed, started.elapsed() - executed);
        // Every transaction's invariants held here; a different root is
        // all a validator can see of a post-state that breaks one.
        if pending.root() != block.header.state_root {
            return Err(Refusal::StateRootDiffers {
                claimed: block.header.state_root,
                computed: pending.root(),
            });
        }
        self.remember(block, state, receipts, pending, changes);
        Ok(())
    }

    /// Checks the signatures of a block's transactions this node has not
    /// admitted itself, and remembers them as checked.
    fn signatures_hold(&self, block: &Block, strategy: &impl Strategy) -> bool {
        // Transactions in this node's mempool were verified on admission;
        // only the others cost a signature check here.
        let unverified: Vec<&SignedTransaction> = {
            let mempool = self.mempool.lock().unwrap();
            block
                .transactions
                .iter()
                .filter(|tx| !mempool.holds(tx))
                .collect()
        };
        self.signatures_checked
            .block
            .fetch_add(unverified.len() as u64, Ordering::Relaxed);
        if !verify_batch(&unverified, strategy, &self.keys) {
            return false;
        }
        let mut verified = self.verified_in_blocks.lock().unwrap();
        // Blocks that never finalize would leave entries behind: bounded,
        // at the price of checking some gossip twice.
        if verified.len() + unverified.len() > MAX_VERIFIED_IN_BLOCKS {
            verified.clear();
        }
        verified.extend(unverified.iter().map(|tx| (tx.hash(), (*tx).clone())));
        true
    }

    fn remember(
        &self,
        block: &Block,
        state: State,
        receipts: Vec<Receipt>,
        pending: Pending,
        changes: Arc<Vec<Change>>,
    ) {
        self.speculative.lock().unwrap().insert(
            block.hash(),
            Executed {
                height: block.header.height,
                state: Arc::new(state),
                receipts: Arc::new(receipts),
                pending,
                changes,
            },
        );
    }

    /// Applies finalized blocks (consecutive, in height order, already in
    /// the store with their certificates: marshal wrote them) durably in one
    /// store transaction, then announces them. Blocks at or below the
    /// applied height (redelivery after a restart) are skipped.
    pub async fn apply_finalized(&self, blocks: &[&Block]) -> Result<(), StoreError> {
        // Only the executor calls this, so the finalized tip cannot move
        // underneath; the lock is held only to read and to swap it, never
        // across the fsync, which would stall proposals and votes.
        let (mut height, mut digest, mut state) = {
            let finalized = self.finalized.lock().unwrap();
            (
                finalized.state.height(),
                finalized.digest,
                finalized.state.clone(),
            )
        };
        let mut applied = Vec::with_capacity(blocks.len());
        let mut previous: Option<Pending> = None;
        for &block in blocks {
            if block.header.height <= height {
                continue;
            }
            assert_eq!(
                block.header.height,
                height + 1,
                "finalized blocks must arrive in height order"
            );
            assert_eq!(block.header.parent, digest, "finalized chain must link");
            let finalized = self
                .execute_finalized(block, &state, previous.as_ref())
                .await?;
            height = block.header.height;
            digest = block.hash();
            previous = finalized.pending.clone();
            let next = finalized.state.clone();
            applied.push((block, state, finalized));
            state = next;
        }
        if applied.is_empty() {
            return Ok(());
        }
        // The authenticated state commits first: after a crash before the
        // store's commit it is ahead, and restarting skips what it holds.
        for (block, parent_state, finalized) in &applied {
            let pending = finalized.pending.clone();
            self.commit_state(block, parent_state, &finalized.state, pending)
                .await?;
        }
        let batch: Vec<FinalizedBlock<'_>> = applied
            .iter()
            .map(|(block, _, finalized)| FinalizedBlock {
                block,
                receipts: &finalized.receipts,
                changes: &finalized.changes,
            })
            .collect();
        // The state the API and the mempool read moves first, so a client
        // that sees its transaction finalized in the store finds its effects
        // (a failed commit stops the node, see the executor).
        {
            let mut finalized = self.finalized.lock().unwrap();
            finalized.state = state.clone();
            finalized.digest = digest;
        }
        let started = std::time::Instant::now();
        self.store.commit(&batch)?;
        let transactions = batch.iter().map(|block| block.receipts.len()).sum();
        let broken = (batch.iter().flat_map(|block| block.receipts.iter()))
            .filter(|receipt| broke_an_invariant(&receipt.outcome))
            .count();
        (self.commits.invariants_broken).fetch_add(broken as u64, Ordering::Relaxed);
        (self.commits).record(batch.len(), transactions, started.elapsed());
        self.mempool
            .lock()
            .unwrap()
            .prune(&state, written_accounts(&applied));
        {
            let mut verified = self.verified_in_blocks.lock().unwrap();
            for (block, ..) in &applied {
                for tx in &block.transactions {
                    verified.remove(&tx.hash());
                }
            }
        }
        self.speculative
            .lock()
            .unwrap()
            .retain(|_, executed| executed.height > height);
        for (block, _, finalized) in applied {
            let _ = self.events.send(FinalizedEvent {
                block: Arc::new(block.clone()),
                receipts: finalized.receipts,
            });
        }
        Ok(())
    }

    /// Finalized `block` executed on `parent_state`: from its speculative
    /// execution when this node proposed or verified it, otherwise
    /// (backfilled while behind) executed now on `parent_pending`. No
    /// pending state for a block the authenticated state held when the node
    /// started.
    async fn execute_finalized(
        &self,
        block: &Block,
        parent_state: &Arc<State>,
        parent_pending: Option<&Pending>,
    ) -> Result<Finalized, StoreError> {
        // A speculative execution is keyed by the block digest, which commits
        // to the header's state root: building or verifying it already
        // matched that root. Only a block executed here and now needs the
        // check. (Entries stay in the map until the tip moves, so concurrent
        // lookups never find the block in neither place.)
        if let Some(executed) = self.speculative.lock().unwrap().get(&block.hash()) {
            return Ok(Finalized {
                state: executed.state.clone(),
                receipts: executed.receipts.clone(),
                pending: Some(executed.pending.clone()),
                changes: executed.changes.clone(),
            });
        }
        let mut state = State::clone(parent_state);
        let env = BlockEnv {
            height: block.header.height,
            timestamp_ms: block.header.timestamp_ms,
        };
        let started = Instant::now();
        let receipts = self
            .execute(&mut state, &env, &block.transactions)
            .map_err(|e| StoreError::Corrupt(format!("finalized block does not execute: {e}")))?;
        let changes = Arc::new(state.changes_since(parent_state));
        let mut finalized = Finalized {
            state: Arc::new(state),
            receipts: Arc::new(receipts),
            pending: None,
            changes,
        };
        if block.header.height <= self.committed_at_start {
            return Ok(finalized);
        }
        let executed = started.elapsed();
        let writes = commitment::writes(&finalized.changes);
        let pending = self
            .commitment
            .speculate(parent_pending, block.header.height, writes)
            .await?;
        self.executions
            .record(executed, started.elapsed() - executed);
        check_root(block, &pending)?;
        finalized.pending = Some(pending);
        Ok(finalized)
    }

    /// Commits finalized `block`'s authenticated state. A pending state
    /// built on a branch that did not win (the parent's own pending state
    /// was replaced) is stale: the same changes are then speculated again on
    /// the committed state.
    async fn commit_state(
        &self,
        block: &Block,
        parent_state: &State,
        state: &State,
        pending: Option<Pending>,
    ) -> Result<(), StoreError> {
        let Some(pending) = pending else {
            // Held at start: the last such block's root must be the state's.
            if block.header.height == self.committed_at_start
                && self.commitment.root().await != block.header.state_root
            {
                return Err(StoreError::State(format!(
                    "the authenticated state's root differs from block {}'s",
                    block.header.height
                )));
            }
            return Ok(());
        };
        match self.commitment.apply(pending).await {
            Err(StateDbError::Stale) => {
                let writes = commitment::writes(&state.changes_since(parent_state));
                let fresh = self
                    .commitment
                    .speculate(None, block.header.height, writes)
                    .await?;
                check_root(block, &fresh)?;
                Ok(self.commitment.apply(fresh).await?)
            }
            result => Ok(result?),
        }
    }
}

/// The accounts `applied` blocks wrote (every sender among them: its nonce
/// moved) or gave a new signing key, read off their changes: the ones whose
/// queued transactions may have gone stale.
fn written_accounts<'a>(
    applied: &'a [(&Block, Arc<State>, Finalized)],
) -> impl Iterator<Item = &'a AccountId> {
    let changes = applied
        .iter()
        .flat_map(|(.., finalized)| finalized.changes.iter());
    changes.filter_map(|(key, _)| match key {
        StateKey::Account(id) | StateKey::Keys(eiraku_core::KeysKey::Key(id)) => Some(id),
        _ => None,
    })
}

/// A finalized block executed: its post-state, receipts, the state
/// entries it changed and (unless the authenticated state already held it)
/// its pending authenticated state.
struct Finalized {
    state: Arc<State>,
    receipts: Arc<Vec<Receipt>>,
    pending: Option<Pending>,
    changes: Arc<Vec<Change>>,
}

/// Why a validator does not vote for a block.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    /// Its height is not its parent's plus one.
    #[error("height {got} does not follow its parent's {parent}")]
    Height { parent: u64, got: u64 },
    /// Its timestamp does not advance past its parent's.
    #[error("timestamp {got} does not advance past its parent's {parent}")]
    Timestamp { parent: u64, got: u64 },
    /// A transaction's signature does not verify.
    #[error("a transaction's signature does not verify")]
    BadSignature,
    /// A transaction may not be in it (wrong chain, unknown sender, nonce).
    #[error("{0}")]
    Inadmissible(#[from] BlockError),
    /// The parent's authenticated state is gone or not yet known here: the
    /// block cannot be checked, which says nothing against it.
    #[error("no authenticated state to check it on")]
    NoParentState,
    /// Re-executing its transactions gives another state root. What the
    /// proposer's post-state holds (and which rule it breaks) cannot be
    /// known from here.
    #[error(
        "state root differs from re-execution: the block claims {}, its transactions give {}",
        digest::to_hex(.claimed),
        digest::to_hex(.computed)
    )]
    StateRootDiffers { claimed: Digest, computed: Digest },
}

/// Whether `block` can be `parent`'s child: the next height, a later time.
fn follows(block: &Block, parent: &Block) -> Result<(), Refusal> {
    let (header, before) = (&block.header, &parent.header);
    if header.height != before.height + 1 {
        return Err(Refusal::Height {
            parent: before.height,
            got: header.height,
        });
    }
    if header.timestamp_ms <= before.timestamp_ms {
        return Err(Refusal::Timestamp {
            parent: before.timestamp_ms,
            got: header.timestamp_ms,
        });
    }
    Ok(())
}

fn check_root(block: &Block, pending: &Pending) -> Result<(), StoreError> {
    if pending.root() != block.header.state_root {
        return Err(StoreError::Corrupt(format!(
            "finalized block {} has a state root this node does not reproduce",
            block.header.height
        )));
    }
    Ok(())
}

/// The genesis state root: the authenticated state after every genesis
/// entry is written (now, on a new node), or the stored genesis block's.
pub(super) async fn genesis_root(
    state: &State,
    store: &Store,
    commitment: &dyn Commitment,
) -> Result<Digest, StoreError> {
    let committed = commitment.height().await;
    if let Some(block) = store.block(0)? {
        if committed.is_none() {
            return Err(StoreError::State(
                "the block store holds a chain but the authenticated state is empty: its files were lost or the data folder predates it (start from a new genesis)".into(),
            ));
        }
        return Ok(block.header.state_root);
    }
    if committed.is_none() {
        let writes = commitment::writes(&state.all_entries());
        let pending = commitment.speculate(None, 0, writes).await?;
        commitment.apply(pending).await?;
    }
    match commitment.height().await {
        Some(0) => Ok(commitment.root().await),
        other => Err(StoreError::State(format!(
            "the authenticated state is at height {other:?} but the block store is empty: one was replaced"
        ))),
    }
}

#[cfg(test)]
mod tests;

/// Whether a transaction was undone for breaking an invariant.
fn broke_an_invariant(outcome: &eiraku_state::Outcome) -> bool {
    use eiraku_state::{ExecutionError, MoneyError, Outcome};
    matches!(
        outcome,
        Outcome::Failed(ExecutionError::Money(MoneyError::InvariantBroken { .. }))
    )
}
