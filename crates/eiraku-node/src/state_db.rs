//! The node's authenticated state store: write-sets in, state roots and
//! proofs out.
//!
//! The ledger's state machine turns each block into a write-set (hashed key
//! → new value, or `None` to delete). This module keeps those writes in a
//! QMDB database (`commonware_storage::qmdb::current::ordered::variable`),
//! whose canonical root is the block header's state root:
//!
//! - [`StateDb::speculate`] turns a write-set into a [`Pending`] block state
//!   (its root, nothing written to disk), on top of the finalized state or of
//!   another pending block, so proposals and forks can be evaluated before
//!   finalization;
//! - [`StateDb::apply`] makes a finalized block's pending state durable;
//! - [`StateDb::prove`] proves a key's value, or its absence, against the
//!   finalized root; `eiraku_core::kv_proof` checks such proofs without a
//!   database.
//!
//! Each block's height is stored in the same commit as its writes (QMDB
//! commit metadata), so a restart reopens the state and its height together.
//! The root therefore commits to the height as well, and it changes with
//! every block, even one without writes: it covers the operation log, so
//! deleting a key does not bring back an earlier root.

use commonware_codec::{Encode, RangeCfg};
use commonware_cryptography::Sha256;
use commonware_parallel::Sequential;
use commonware_runtime::{
    buffer::paged::{page_size, CacheRef},
    Clock, Metrics, Spawner, Storage, BLOB_PAGE_SIZE,
};
use commonware_storage::{
    journal::contiguous::variable::Config as LogConfig,
    merkle::full::Config as MerkleConfig,
    mmr,
    qmdb::{
        self,
        any::{ordered::Update, value::VariableEncoding},
        current::{batch::MerkleizedBatch, ordered::variable, VariableConfig},
        floor::Proportional,
    },
    translator::EightCap,
};
use commonware_utils::{NZUsize, NZU64};
use eiraku_core::{
    kv_proof::{self, Value, CHUNK_BYTES, MAX_VALUE_BYTES},
    Digest,
};
use std::{iter, sync::Arc};

/// One write: hashed key → new value, or None to delete.
pub type Write = (Digest, Option<Vec<u8>>);

/// The QMDB instance: MMR family, hashed keys, byte-string values, SHA-256,
/// an ordered translator (exclusion proofs need key order), and one thread
/// for merkleization (the node runs on few cores and merkleizes one block at
/// a time).
type Db<E> = variable::Db<mmr::Family, E, Digest, Value, Sha256, EightCap, CHUNK_BYTES, Sequential>;

/// A merkleized, not necessarily applied, batch of this database.
type Batch = Arc<
    MerkleizedBatch<
        mmr::Family,
        Digest,
        Update<Digest, VariableEncoding<Value>>,
        CHUNK_BYTES,
        Sequential,
    >,
>;

/// The database configuration; its codec part bounds a logged (key, value).
type Config = VariableConfig<EightCap, ((), (RangeCfg<usize>, ())), Sequential>;

/// Errors of the QMDB layer.
type QmdbError = qmdb::Error<mmr::Family>;

/// Sizes chosen for production; tests use smaller ones to exercise blob
/// rollover and pruning.
const TUNING: Tuning = Tuning {
    // Items per log section and per Merkle journal blob. Fixed once data is
    // written. 65,536 operations make log sections of a few MiB, so pruning
    // frees space in small steps, while millions of keys (a log of about 3
    // operations per key under the `Proportional` floor policy, and twice as
    // many Merkle nodes) still need only a few hundred open files.
    items_per_blob: 1 << 16,
    // 65,536 pages of 4 KiB: a 256 MiB read cache shared by log and Merkle
    // journal. Every write reads the key's last operation, at a random place
    // in the log: with a million accounts, 16 MiB doubled the state-root
    // time of a block of payments against 256 MiB, and 128 MiB cost a
    // quarter more than 256 (`cargo bench -p eiraku --bench state`, A/B
    // twice: opening 77.8 and 70.7 against 58.5 and 54.5 ms of root per
    // block, payments 72.6 and 53.6 against 50.6 and 44.8). The cache is
    // the part of a validator's memory that buys the most; a validator
    // with a million accounts stays near 1.7 GB resident with it.
    cache_pages: 65536,
    // Prune every 64 blocks: each prune costs a metadata write, and the space
    // it frees comes in whole sections, so doing it every block buys nothing.
    prune_every: 64,
};

/// Storage sizes of a [`StateDb`].
struct Tuning {
    /// Operations per log section and Merkle journal blob.
    items_per_blob: u64,
    /// Pages in the read cache.
    cache_pages: usize,
    /// Prune after applying a block whose height is a multiple of this.
    prune_every: u64,
}

/// Why the state store refused or failed an operation.
#[derive(Debug, thiserror::Error)]
pub enum StateDbError {
    /// The storage layer failed. Reads leave the store usable; a failure
    /// while applying leaves it [`StateDbError::Unusable`].
    #[error("state database failed while {during}: {source}")]
    Storage {
        /// What the store was doing.
        during: &'static str,
        /// The storage error.
        #[source]
        source: QmdbError,
    },
    /// A previous apply failed part-way; the in-memory state can no longer be
    /// trusted. Restart the node: it reopens the state at its last commit.
    #[error("the state database is unusable after a failed write; restart to reopen it from its last commit")]
    Unusable,
    /// The pending state does not extend the finalized state: a competing
    /// block (at its height or an ancestor's) was applied, or the block
    /// itself already was.
    #[error("the pending block state is stale: the finalized state has moved to another branch")]
    Stale,
    /// A block at the wrong height.
    #[error("block height {got} does not follow height {parent}; expected {}", parent.saturating_add(1))]
    HeightMismatch {
        /// Height of the state the block builds on.
        parent: u64,
        /// The block's height.
        got: u64,
    },
    /// A write-set names a key twice, so which value wins would depend on
    /// the order of the writes.
    #[error("key {key} is written twice in one block")]
    DuplicateKey {
        /// The repeated key.
        key: Digest,
    },
    /// A value larger than the database can store (and decode again).
    #[error("the value for key {key} is {len} bytes; the limit is {MAX_VALUE_BYTES}")]
    ValueTooLarge {
        /// The key written.
        key: Digest,
        /// The value's length in bytes.
        len: usize,
    },
    /// Nothing was committed yet: there is no state to serve.
    #[error("the state database holds no block yet")]
    Empty,
    /// A sync request asks for more operations than one answer carries.
    #[error("a sync request may ask for at most {max} operations, not {0}", max = sync::MAX_OPS_PER_REQUEST)]
    TooManyOperations(u64),
    /// The stored block height is not 8 bytes: the database was not written
    /// by this module.
    #[error("the stored block height is {0} bytes, not 8: the state database is not Eiraku's")]
    CorruptHeight(usize),
}

/// A speculative block's state: its root, and what a child block or the
/// final apply needs. Cheap to clone. It belongs to the [`StateDb`] that
/// made it: drop all pending states when reopening the store.
#[derive(Clone)]
pub struct Pending {
    /// The block's merkleized batch.
    batch: Batch,
    /// The block's height.
    height: u64,
    /// The block's ancestors that were not applied when it was speculated,
    /// oldest first, with their heights. QMDB reaches a batch's ancestors
    /// through weak links and cannot merkleize a descendant once an
    /// unapplied ancestor is dropped, so each pending block keeps them alive.
    ancestors: Arc<[(u64, Batch)]>,
}

impl Pending {
    /// The state root after this block: the block header's state root.
    pub fn root(&self) -> Digest {
        self.batch.root()
    }

    /// The block's height.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// This block's ancestors and the block itself, without those the
    /// database has applied (up to height `committed`): what a child must
    /// keep alive.
    fn lineage(&self, committed: Option<u64>) -> Arc<[(u64, Batch)]> {
        self.ancestors
            .iter()
            .cloned()
            .chain(iter::once((self.height, self.batch.clone())))
            .filter(|(height, _)| committed.is_none_or(|committed| *height > committed))
            .collect()
    }
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("height", &self.height)
            .field("root", &self.root())
            .finish_non_exhaustive()
    }
}

/// A key's proven state under [`StateDb::root`]. Proofs are encoded with the
/// chain codec; check them with [`kv_proof::verify_present`] and
/// [`kv_proof::verify_absent`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Proven {
    /// The key has `value`.
    Present {
        /// The key's value.
        value: Vec<u8>,
        /// Encoded [`kv_proof::PresenceProof`].
        proof: Vec<u8>,
    },
    /// The key has no value.
    Absent {
        /// Encoded [`kv_proof::AbsenceProof`].
        proof: Vec<u8>,
    },
}

/// The authenticated state store. Its committed state is the finalized
/// state; pending blocks live in [`Pending`] values until applied.
pub struct StateDb<E: Storage + Clock + Metrics + Spawner> {
    /// `None` once an apply failed part-way (QMDB mutators consume the
    /// database, and a failed one does not give it back).
    db: Option<Db<E>>,
    /// Root of the last committed state.
    root: Digest,
    /// Height of the last applied block; `None` before the first.
    height: Option<u64>,
    /// Storage sizes.
    tuning: &'static Tuning,
    /// Operations a served sync target needs (see [`sync`]).
    pinned: sync::Pins,
}

impl<E: Storage + Clock + Metrics + Spawner> std::fmt::Debug for StateDb<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateDb")
            .field("height", &self.height)
            .field("root", &self.root)
            .field("usable", &self.db.is_some())
            .finish()
    }
}

impl<E: Storage + Clock + Metrics + Spawner> StateDb<E> {
    /// Opens the store in storage partitions named `{prefix}-…`, with what a
    /// previous run committed. Give it a labelled child context: the
    /// database registers metrics under it.
    pub async fn open(context: E, prefix: &str) -> Result<Self, StateDbError> {
        Self::open_tuned(context, prefix, &TUNING).await
    }

    /// [`Self::open`] with the given storage sizes.
    async fn open_tuned(
        context: E,
        prefix: &str,
        tuning: &'static Tuning,
    ) -> Result<Self, StateDbError> {
        let db = Db::init(context, config(prefix, tuning), None)
            .await
            .map_err(storage("opening"))?;
        let metadata = db.get_metadata().await.map_err(storage("opening"))?;
        Ok(Self {
            root: db.root(),
            height: decode_height(metadata)?,
            db: Some(db),
            tuning,
            pinned: sync::Pins::default(),
        })
    }

    /// Height of the last applied block (`None` for a fresh store).
    pub fn height(&self) -> Option<u64> {
        self.height
    }

    /// The canonical root of the finalized state (what proofs verify against).
    pub fn root(&self) -> Digest {
        self.root
    }

    /// The state of block `height` with `writes`, on top of `parent` or,
    /// with `None`, of the finalized state. Writes may come in any order and
    /// name each key at most once. Nothing is written to disk.
    ///
    /// Fails with [`StateDbError::Stale`] if `parent` is on a branch the
    /// finalized state has left.
    pub async fn speculate(
        &self,
        parent: Option<&Pending>,
        height: u64,
        writes: Vec<Write>,
    ) -> Result<Pending, StateDbError> {
        let db = self.db()?;
        match parent {
            Some(parent) => check_height(Some(parent.height), height)?,
            None => check_height(self.height, height)?,
        }
        check_writes(&writes)?;
        let mut batch = match parent {
            Some(parent) => parent.batch.new_batch::<Sha256>(),
            None => db.new_batch(),
        };
        for (key, value) in writes {
            batch = batch.write(key, value);
        }
        // The floor policy is part of consensus: it decides which operations
        // each block rewrites, hence the root. `Proportional` is stateless and
        // moves one old operation to the tip per operation a block makes
        // inactive, which keeps the log within about 3 operations per live
        // key past the floor, so pruning keeps disk use proportional to state.
        let batch = batch
            .merkleize(db, Some(encode_height(height)), &mut Proportional)
            .await
            .map_err(storage("speculating a block"))?;
        let ancestors = parent.map_or_else(|| Arc::from([]), |p| p.lineage(self.height));
        Ok(Pending {
            batch,
            height,
            ancestors,
        })
    }

    /// Applies a finalized block's state and commits it durably. `pending`
    /// must be a child of the finalized state; otherwise this fails with
    /// [`StateDbError::Stale`] or [`StateDbError::HeightMismatch`] and
    /// changes nothing. A storage failure here leaves
    /// the store [`StateDbError::Unusable`]; the node should stop and reopen
    /// it from its last commit.
    pub async fn apply(&mut self, pending: Pending) -> Result<(), StateDbError> {
        // Validate before handing the database to `apply_batch`, which
        // consumes it even when it refuses a stale batch. Staleness first: a
        // losing sibling is stale, not merely at the wrong height.
        self.db()?
            .validate_batch(&pending.batch)
            .map_err(storage("applying a block"))?;
        check_height(self.height, pending.height)?;
        let db = self.db.take().ok_or(StateDbError::Unusable)?;
        let db = db
            .apply_batch(pending.batch)
            .await
            .map_err(storage("applying a block"))?
            .commit()
            .await
            .map_err(storage("committing a block"))?;
        self.root = db.root();
        self.height = Some(pending.height);
        self.db = Some(self.maybe_prune(db, pending.height).await?);
        Ok(())
    }

    /// Every `prune_every` blocks, drops the log and Merkle history below
    /// the sync boundary (the inactivity floor rounded down to a bitmap
    /// chunk), which no current value, proof, or pending block reads. It
    /// changes neither the root nor the commitment pending blocks are
    /// checked against; it also records the pruned bitmap, which shortens
    /// the next reopen.
    async fn maybe_prune(&mut self, db: Db<E>, height: u64) -> Result<Db<E>, StateDbError> {
        if !height.is_multiple_of(self.tuning.prune_every) {
            return Ok(db);
        }
        let boundary = self.prune_boundary(&db, height);
        db.prune(boundary).await.map_err(storage("pruning"))
    }

    /// Proves `key`'s value, or its absence, against [`Self::root`].
    pub async fn prove(&self, key: &Digest) -> Result<Proven, StateDbError> {
        let db = self.db()?;
        let during = "proving a key";
        Ok(match db.get(key).await.map_err(storage(during))? {
            Some(value) => {
                let proof = db.key_value_proof(*key).await.map_err(storage(during))?;
                Proven::Present {
                    value,
                    proof: proof.encode().to_vec(),
                }
            }
            None => {
                let proof = db.exclusion_proof(key).await.map_err(storage(during))?;
                Proven::Absent {
                    proof: proof.encode().to_vec(),
                }
            }
        })
    }

    /// `key`'s value in the finalized state.
    pub async fn get(&self, key: &Digest) -> Result<Option<Vec<u8>>, StateDbError> {
        self.db()?.get(key).await.map_err(storage("reading a key"))
    }

    /// The database, unless a failed apply consumed it.
    fn db(&self) -> Result<&Db<E>, StateDbError> {
        self.db.as_ref().ok_or(StateDbError::Unusable)
    }
}

/// The storage partitions a store under `prefix` occupies: what
/// [`config`] names, as the journals below it split them (their data and
/// their index each a partition of its own).
pub fn partitions(prefix: &str) -> [String; 7] {
    [
        format!("{prefix}-merkle-journal-blobs"),
        format!("{prefix}-merkle-journal-metadata"),
        format!("{prefix}-merkle-metadata"),
        format!("{prefix}-log_data"),
        format!("{prefix}-log_offsets-blobs"),
        format!("{prefix}-log_offsets-metadata"),
        format!("{prefix}-grafted-metadata"),
    ]
}

/// The QMDB configuration: partitions under `prefix`, sizes from `tuning`.
fn config(prefix: &str, tuning: &Tuning) -> Config {
    let page_cache = CacheRef::new(page_size(BLOB_PAGE_SIZE), NZUsize!(tuning.cache_pages));
    VariableConfig {
        merkle_config: MerkleConfig {
            journal_partition: format!("{prefix}-merkle-journal"),
            metadata_partition: format!("{prefix}-merkle-metadata"),
            items_per_blob: NZU64!(tuning.items_per_blob),
            write_buffer: NZUsize!(1 << 20),
            replay_buffer: NZUsize!(1 << 20),
            strategy: Sequential,
            page_cache: page_cache.clone(),
        },
        journal_config: LogConfig {
            partition: format!("{prefix}-log"),
            items_per_section: NZU64!(tuning.items_per_blob),
            compression: None,
            // Keys are fixed-size; values are bounded so a damaged log cannot
            // make a decode allocate without limit.
            codec_config: ((), kv_proof::value_cfg()),
            page_cache,
            write_buffer: NZUsize!(1 << 20),
            replay_buffer: NZUsize!(1 << 20),
        },
        grafted_metadata_partition: format!("{prefix}-grafted-metadata"),
        translator: EightCap,
        init_cache: Some(NZUsize!(1 << 16)),
        init_buffer: NZUsize!(1 << 21),
        init_concurrency: (),
    }
}

/// Maps a QMDB error to a [`StateDbError`]; stale batches and reads mean the
/// caller's pending state is on an abandoned branch.
fn storage(during: &'static str) -> impl Fn(QmdbError) -> StateDbError {
    move |source| match source {
        QmdbError::StaleBatch | QmdbError::StaleRead => StateDbError::Stale,
        source => StateDbError::Storage { during, source },
    }
}

/// Checks that a block at `height` follows a state at `parent` (`None`: the
/// empty state, which any height may start from).
fn check_height(parent: Option<u64>, height: u64) -> Result<(), StateDbError> {
    match parent {
        Some(parent) if parent.checked_add(1) != Some(height) => {
            Err(StateDbError::HeightMismatch {
                parent,
                got: height,
            })
        }
        _ => Ok(()),
    }
}

/// Refuses values the database cannot store and keys written twice.
fn check_writes(writes: &[Write]) -> Result<(), StateDbError> {
    for (key, value) in writes {
        if let Some(value) = value.as_ref().filter(|v| v.len() > MAX_VALUE_BYTES) {
            return Err(StateDbError::ValueTooLarge {
                key: *key,
                len: value.len(),
            });
        }
    }
    let mut keys: Vec<&Digest> = writes.iter().map(|(key, _)| key).collect();
    keys.sort_unstable();
    match keys.windows(2).find(|pair| pair[0] == pair[1]) {
        Some(pair) => Err(StateDbError::DuplicateKey { key: *pair[0] }),
        None => Ok(()),
    }
}

/// A block height as commit metadata: 8 bytes, big-endian.
fn encode_height(height: u64) -> Value {
    height.to_be_bytes().to_vec()
}

/// The height stored in the last commit, if any.
fn decode_height(metadata: Option<Value>) -> Result<Option<u64>, StateDbError> {
    metadata
        .map(|bytes| {
            let array: [u8; 8] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| StateDbError::CorruptHeight(bytes.len()))?;
            Ok(u64::from_be_bytes(array))
        })
        .transpose()
}

pub mod sync;

#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;
