//! The mempool: verified transactions waiting for a block.
//!
//! Kept per sender in nonce order, so a block can take each sender's
//! transactions as a gap-free run starting at the sender's next nonce.
//! Bounded: when full it answers [`MempoolError::Full`] and the API turns
//! that into HTTP 503 ("busy, retry later").

use eiraku_core::{AccountId, SignedTransaction, TxHash};
use eiraku_state::{AdmissionError, ExecutionError, State};
use std::collections::{BTreeMap, HashSet};

/// Transaction hashes are SHA-256 outputs; a fast seeded hasher does for them
/// what SipHash would, at a fraction of the cost on the admission path.
type HashSetOf<T> = HashSet<T, foldhash::fast::RandomState>;

/// How far past an account's next nonce a transaction may be queued.
pub const MAX_NONCE_AHEAD: u64 = 1024;

/// Why the mempool refused a transaction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MempoolError {
    /// The pool holds its maximum; the client should retry later.
    #[error("mempool is full ({0} transactions); retry later")]
    Full(usize),
    /// The same transaction is already waiting.
    #[error("transaction is already pending")]
    Duplicate,
    /// The transaction can never be included on the current state.
    #[error(transparent)]
    Admission(#[from] AdmissionError),
    /// The transaction would fail on the current state (an overspend, say):
    /// refused now rather than included as a failure.
    #[error(transparent)]
    Rejected(#[from] ExecutionError),
}

/// Pending transactions.
#[derive(Debug)]
pub struct Mempool {
    capacity: usize,
    by_sender: BTreeMap<AccountId, BTreeMap<u64, SignedTransaction>>,
    hashes: HashSetOf<TxHash>,
}

impl Mempool {
    /// An empty pool holding at most `capacity` transactions.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            by_sender: BTreeMap::new(),
            hashes: HashSetOf::default(),
        }
    }

    /// Number of pending transactions.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Whether the transaction is waiting here.
    pub fn contains(&self, hash: &TxHash) -> bool {
        self.hashes.contains(hash)
    }

    /// Whether this exact transaction, signature included, is waiting here
    /// (and so was verified on admission). The hash alone would not do: it
    /// does not cover the signature.
    pub fn holds(&self, tx: &SignedTransaction) -> bool {
        let body = &tx.transaction;
        self.by_sender
            .get(&body.sender)
            .and_then(|queue| queue.get(&body.nonce))
            .is_some_and(|pending| pending == tx)
    }

    /// The refusals that need no signature check: a duplicate, or a
    /// transaction the finalized `state` can never admit (its nonce used,
    /// its sender unknown, …). Admission asks before spending a signature
    /// check; [`Mempool::insert`] asks again.
    pub fn check_new(&self, tx: &SignedTransaction, state: &State) -> Result<(), MempoolError> {
        if self.hashes.contains(&tx.hash()) {
            return Err(MempoolError::Duplicate);
        }
        match state.check_admission(tx) {
            Ok(()) => Ok(()),
            // A later nonce may become valid once earlier ones finalize.
            Err(AdmissionError::NonceGap { expected, got, .. })
                if got - expected < MAX_NONCE_AHEAD =>
            {
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Adds a transaction whose signature has been verified, checking it
    /// against the finalized `state`.
    pub fn insert(&mut self, tx: SignedTransaction, state: &State) -> Result<(), MempoolError> {
        self.check_new(&tx, state)?;
        self.insert_screened(tx, state)
    }

    /// Adds a verified transaction that [`Mempool::check_new`] passed on this
    /// same `state` (a snapshot, so its admission cannot have changed): only
    /// whether another request added it meanwhile is asked again, before the
    /// dry run and the room check.
    pub fn insert_screened(
        &mut self,
        tx: SignedTransaction,
        state: &State,
    ) -> Result<(), MempoolError> {
        if self.hashes.contains(&tx.hash()) {
            return Err(MempoolError::Duplicate);
        }
        state.dry_run(&tx)?;
        if self.hashes.len() >= self.capacity {
            return Err(MempoolError::Full(self.capacity));
        }
        let (sender, nonce, hash) = (tx.transaction.sender, tx.transaction.nonce, tx.hash());
        let queue = self.by_sender.entry(sender).or_default();
        if let Some(replaced) = queue.insert(nonce, tx) {
            // Same sender and nonce, different content: the newer one wins.
            self.hashes.remove(&replaced.hash());
        }
        self.hashes.insert(hash);
        Ok(())
    }

    /// Up to `max` transactions that are admissible in order on top of
    /// `parent`: for each sender the run of consecutive nonces starting at
    /// its next nonce, senders taken round-robin so none starves the rest.
    pub fn select(&self, parent: &State, max: usize) -> Vec<SignedTransaction> {
        // (remaining queue of one sender, the nonce it must show next)
        let mut runs: Vec<_> = self
            .by_sender
            .iter()
            .filter_map(|(sender, queue)| {
                let next = parent.account(sender)?.nonce;
                Some((queue.range(next..), Some(next)))
            })
            .collect();
        let mut picked = Vec::new();
        let mut progress = true;
        while picked.len() < max && progress {
            progress = false;
            for (run, want) in runs.iter_mut() {
                let Some(nonce) = *want else { continue };
                match run.next() {
                    Some((n, tx)) if *n == nonce => {
                        picked.push(tx.clone());
                        *want = Some(nonce + 1);
                        progress = true;
                        if picked.len() == max {
                            break;
                        }
                    }
                    // A gap: nothing further from this sender fits.
                    _ => *want = None,
                }
            }
        }
        picked
    }

    /// Drops transactions the finalized `state` has made stale (their nonce
    /// is used, or their signing key was rotated away), looking only at `changed` accounts: the accounts the newly
    /// finalized blocks touched, the only ones whose nonce can have moved.
    /// Returns how many were dropped.
    pub fn prune<'a>(
        &mut self,
        state: &State,
        changed: impl IntoIterator<Item = &'a AccountId>,
    ) -> usize {
        let mut dropped = 0;
        for sender in changed {
            let Some(queue) = self.by_sender.get_mut(sender) else {
                continue;
            };
            let next = state.account(sender).map(|a| a.nonce).unwrap_or(0);
            let mut keep = queue.split_off(&next);
            // Signed by a key that no longer signs for the sender (it
            // rotated): never admissible again.
            let key = state.keys().key_of(sender);
            keep.retain(|nonce, tx| {
                let current = tx.signer() == key;
                if !current {
                    queue.insert(*nonce, tx.clone());
                }
                current
            });
            for stale in queue.values() {
                self.hashes.remove(&stale.hash());
                dropped += 1;
            }
            if keep.is_empty() {
                self.by_sender.remove(sender);
            } else {
                *queue = keep;
            }
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::{Amount, Call, ChainId, Genesis, GenesisAccount, Keypair, Transaction};
    use eiraku_state::BlockEnv;

    fn state() -> State {
        State::from_genesis(&Genesis {
            chain_id: ChainId::new("pool").unwrap(),
            genesis_time_ms: 0,
            validators: vec![],
            accounts: (1..=2)
                .map(|i| GenesisAccount {
                    id: Keypair::from_seed(i).account_id(),
                    balance: Amount(100),
                    label: String::new(),
                    role: None,
                    bank: None,
                    travel_key: None,
                })
                .collect(),
            money: None,
            governance: None,
            key_replacement_delay_ms: None,
            epoch_length: None,
            reviewers: vec![],
        })
    }

    fn tx(seed: u64, nonce: u64) -> SignedTransaction {
        let key = Keypair::from_seed(seed);
        SignedTransaction::sign(
            Transaction {
                chain_id: ChainId::new("pool").unwrap(),
                sender: key.account_id(),
                nonce,
                call: Call::Transfer {
                    to: Keypair::from_seed(9).account_id(),
                    amount: Amount(1),
                },
            },
            &key,
        )
    }

    #[test]
    fn selects_gap_free_runs_round_robin() {
        let state = state();
        let mut pool = Mempool::new(100);
        for (seed, nonce) in [(1, 0), (1, 1), (1, 3), (2, 0), (2, 1)] {
            pool.insert(tx(seed, nonce), &state).unwrap();
        }
        let picked: Vec<(u64, u64)> = pool
            .select(&state, 10)
            .iter()
            .map(|t| {
                let seed = if t.transaction.sender == Keypair::from_seed(1).account_id() {
                    1
                } else {
                    2
                };
                (seed, t.transaction.nonce)
            })
            .collect();
        assert_eq!(picked.len(), 4, "nonce 3 waits for nonce 2");
        assert!(picked.contains(&(1, 1)) && picked.contains(&(2, 1)));
        assert_eq!(pool.select(&state, 3).len(), 3);
    }

    #[test]
    fn duplicates_full_and_stale_are_refused() {
        let mut state = state();
        let mut pool = Mempool::new(2);
        pool.insert(tx(1, 0), &state).unwrap();
        assert!(pool.holds(&tx(1, 0)));
        let mut forged = tx(1, 0);
        forged.signature = tx(1, 1).signature;
        assert_eq!(
            forged.hash(),
            tx(1, 0).hash(),
            "the hash does not cover the signature"
        );
        assert!(
            !pool.holds(&forged),
            "a different signature is not the verified transaction"
        );
        assert_eq!(pool.insert(tx(1, 0), &state), Err(MempoolError::Duplicate));
        pool.insert(tx(1, 1), &state).unwrap();
        assert_eq!(pool.insert(tx(2, 0), &state), Err(MempoolError::Full(2)));
        assert!(matches!(
            pool.insert(tx(2, MAX_NONCE_AHEAD + 5), &state),
            Err(MempoolError::Admission(AdmissionError::NonceGap { .. }))
        ));
        state
            .execute_block(
                &BlockEnv {
                    height: 1,
                    timestamp_ms: 1,
                },
                &[tx(1, 0)],
            )
            .unwrap();
        let untouched = Keypair::from_seed(2).account_id();
        assert_eq!(
            pool.prune(&state, [&untouched]),
            0,
            "only the accounts named are looked at"
        );
        let sender = Keypair::from_seed(1).account_id();
        assert_eq!(pool.prune(&state, [&sender]), 1);
        assert_eq!(pool.len(), 1);
        assert!(matches!(
            pool.insert(tx(1, 0), &state),
            Err(MempoolError::Admission(AdmissionError::NonceUsed { .. }))
        ));
    }

    #[test]
    fn a_rotation_makes_the_old_keys_queued_transactions_stale() {
        let mut state = state();
        let mut pool = Mempool::new(10);
        let sender = Keypair::from_seed(1).account_id();
        let new_key = Keypair::from_seed(7);
        let mut rotation = tx(1, 0);
        rotation.transaction.call = Call::Keys(eiraku_core::KeyCall::Rotate {
            new_key: new_key.account_id(),
        });
        let rotation = SignedTransaction::sign(rotation.transaction, &Keypair::from_seed(1));
        pool.insert(rotation.clone(), &state).unwrap();
        pool.insert(tx(1, 1), &state).unwrap();
        let env = BlockEnv {
            height: 1,
            timestamp_ms: 1,
        };
        state.execute_block(&env, &[rotation]).unwrap();
        assert_eq!(pool.prune(&state, [&sender]), 2, "used nonce, old key");
        assert_eq!(pool.len(), 0);
        // Signed by the old key, refused at the door; by the new one, taken.
        assert!(matches!(
            pool.insert(tx(1, 1), &state),
            Err(MempoolError::Admission(AdmissionError::WrongKey { .. }))
        ));
        let renewed = SignedTransaction::sign(tx(1, 1).transaction, &new_key);
        pool.insert(renewed, &state).unwrap();
    }
}
