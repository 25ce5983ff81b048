//! The node's embedded, persistent store: applied state, finalized blocks
//! with their finalization certificates (written by marshal through
//! [`finalized`], the only copy a validator keeps), transaction outcomes and
//! the transaction index, and (on a node serving the console) each
//! account's transactions, indexed behind the chain ([`account_history`]).
//!
//! The engine is fjall, a log-structured merge tree: the transaction index
//! is keyed by random hashes, and an LSM tree takes such inserts as
//! sequential writes, where a B-tree (redb, used before) rewrote a page per
//! insert and spent most of a validator's storage time on it.
//!
//! Marshal writes a finalized block and its certificate, and syncs them,
//! before it hands the block to the node. What applying it changed is then
//! written in one atomic batch, synced to disk (fsync) *before* marshal is
//! told the block is processed; under load several blocks share one batch.
//! A crash at any point therefore loses nothing that was reported
//! finalized: either the changes are on disk, or marshal delivers the block
//! again after restart. The blocks table can thus hold heights above the
//! applied one ([`Store::applied_height`]).
//!
//! After a crash the engine's recovery leaves a flush queue it never
//! drains; [`recovery`] drains it before the store opens. [`health`] reports
//! the flush backlog and stalled commits.

mod account_history;
pub mod finalized;
pub mod health;
mod notary;
mod recovery;
mod state_entries;
mod synced;

pub use account_history::TxPlace;
use commonware_codec::{Copying, Decode, Encode, RangeCfg};
use eiraku_core::RegistryKey;
use eiraku_core::{Block, ChainId, Digest, StateKey, MAX_BLOCK_TRANSACTIONS};
use eiraku_state::{registry::FirstAnchor, Change, Outcome, Receipt, State};
use fjall::{
    CompressionType, Config, Keyspace, PartitionCreateOptions, PartitionHandle, PersistMode,
};
use health::{CommitWatch, StoreHealth};
use recovery::{Recovered, JOURNALS};
use std::{
    path::Path,
    sync::{Mutex, MutexGuard},
};

const APPLIED_HEIGHT: &[u8] = b"applied_height";

/// Errors of the store. All are fatal for the node: storage that cannot be
/// read or written must stop it rather than let it diverge.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage engine failed.
    #[error("storage error: {0}")]
    Engine(String),
    /// Stored bytes do not decode: the data folder is damaged.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The authenticated state store failed.
    #[error("state store: {0}")]
    State(String),
    /// The folder was written by a version that kept the state in tables
    /// of another layout.
    #[error(
        "this data folder was written by an older eiraku that stored the state differently: start a new chain (a new genesis, or `eiraku devnet --fresh`)"
    )]
    Outdated,
    /// The write-ahead journal fails its checks: the node did not stop
    /// cleanly (commits since the last flush live only in the journal) and
    /// the journal was damaged afterwards. The engine refuses to open.
    #[error(
        "the storage engine's journal is damaged ({0}): the commits since its last flush cannot be read"
    )]
    Journal(String),
}

fn engine<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Engine(e.to_string())
}

/// Opening the engine fails with a typed error for a damaged journal.
fn open_error(e: fjall::Error) -> StoreError {
    match e {
        fjall::Error::JournalRecovery(e) => StoreError::Journal(format!("{e:?}")),
        e => engine(e),
    }
}

/// The engine's in-memory tables, all partitions together, may hold this
/// much before writes wait for flushes (fjall's default, set here so the
/// metrics can name it).
pub const MAX_WRITE_BUFFER_BYTES: u64 = 64 << 20;

/// Each partition's in-memory table is sealed and flushed at this size in
/// MiB unless node.json says otherwise (fjall's default; see
/// `NodeSettings::store_table_mib`).
pub const DEFAULT_TABLE_MIB: u32 = 16;

/// The engine's settings.
fn engine_config(path: &Path) -> Config {
    Config::new(path)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        // Each wake-up of the flusher flushes up to this many queued tables.
        // The default (cores - 1) is one on two cores: then any table queued
        // without a wake-up of its own would wait for ever; with two, each
        // wake-up also takes one such table.
        .flush_workers(2)
}

/// A stored height (8 bytes, big-endian); `what` names it in the error.
fn decode_height(bytes: &[u8], what: &str) -> Result<u64, StoreError> {
    let bytes: [u8; 8] = bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("{what} is not 8 bytes")))?;
    Ok(u64::from_be_bytes(bytes))
}

/// The highest height key of a partition keyed by height.
fn last_height(partition: &PartitionHandle) -> Result<Option<u64>, StoreError> {
    let Some((key, _)) = partition.last_key_value().map_err(engine)? else {
        return Ok(None);
    };
    decode_height(&key, "a height key").map(Some)
}

/// Copies the store folder `from` into `to`, leaving its journals out.
fn copy_tables(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if entry.file_name() == JOURNALS {
                std::fs::create_dir_all(&target)?;
            } else {
                copy_tables(&entry.path(), &target)?;
            }
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Decodes a stored block; the error says, in words, why it does not.
pub fn decode_block(bytes: &[u8]) -> Result<Block, String> {
    Block::decode_cfg(Copying(bytes), &()).map_err(|e| match e {
        commonware_codec::Error::Invalid(_, reason) => reason.to_string(),
        e => e.to_string(),
    })
}

/// Bytes of a transaction hash used as its index key. Sixteen bytes stay
/// inline in the storage engine's keys (no allocation, one comparison per
/// skip-list step), where 32 did not; the other half is stored in the value
/// and checked on lookup. Two hashes sharing a first half take 2^64 work to
/// find and only hide the earlier of the two (the finder's own) from lookup
/// by hash; its block still holds it.
const INDEX_KEY: usize = 16;
/// Height (8), position (4), hash's second half (16).
const INDEX_VALUE: usize = 12 + 32 - INDEX_KEY;

/// The index entry of the transaction at `position` of block `height`.
fn index_entry(hash: &Digest, height: u64, position: u32) -> ([u8; INDEX_KEY], [u8; INDEX_VALUE]) {
    let hash = hash.as_ref();
    let mut key = [0u8; INDEX_KEY];
    key.copy_from_slice(&hash[..INDEX_KEY]);
    let mut value = [0u8; INDEX_VALUE];
    value[..8].copy_from_slice(&height.to_be_bytes());
    value[8..12].copy_from_slice(&position.to_be_bytes());
    value[12..].copy_from_slice(&hash[INDEX_KEY..]);
    (key, value)
}

/// What applying a finalized block changed, ready to be written (the block
/// itself is already stored, see [`Store::put_block`]).
pub struct FinalizedBlock<'a> {
    /// The block.
    pub block: &'a Block,
    /// The receipts of its transactions.
    pub receipts: &'a [Receipt],
    /// Every state entry it changed.
    pub changes: &'a [Change],
}

/// A kept validator-set handoff: the height of the block that ended the
/// epoch, the encoded set and its proof under that block's state root.
pub type KeptHandoff = (u64, Vec<u8>, Vec<u8>);

/// The store.
pub struct Store {
    keyspace: Keyspace,
    /// `applied_height` → the last applied height (8 bytes).
    meta: PartitionHandle,
    /// Every entry of the applied state, keyed as the state root commits
    /// to it (see [`state_entries`]).
    state: PartitionHandle,
    /// Height (8 bytes, big-endian: keys sort by height) → encoded block.
    blocks: PartitionHandle,
    /// Height → encoded finalization certificate.
    certificates: PartitionHandle,
    /// Digest of a finalized block → its height (8 bytes): marshal asks
    /// for blocks by digest.
    block_digests: PartitionHandle,
    /// Height → the outcomes of the block's transactions, in block order.
    outcomes: PartitionHandle,
    /// First half of a transaction hash → height (8 bytes), position in the
    /// block (4 bytes) and the hash's second half (checked on lookup).
    tx_index: PartitionHandle,
    /// Travel-rule envelopes deposited here, by digest (off chain).
    travel_rule: PartitionHandle,
    /// Height of the last block of an epoch after which the validator set
    /// changed → the new set and its proof under that block's state root
    /// (see [`Store::put_handoff`]).
    handoffs: PartitionHandle,
    /// Each account's transactions (see [`account_history`]).
    account_history: PartitionHandle,
    /// For a store started by state sync, which holds no block before its
    /// state's: the header and certificate of each block a kept handoff
    /// follows (height → header length, header, certificate).
    handoff_headers: PartitionHandle,
    /// Held by each commit, and by [`Store::close`] to hold back new ones.
    commits: Mutex<()>,
    /// Held while a notarized batch's digests are indexed.
    notary: Mutex<()>,
    /// The commit under way, and stalled ones.
    watch: CommitWatch,
    /// What opening flushed after a crash.
    recovered: Recovered,
}

impl Store {
    /// Opens (or creates) the store in folder `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_tables(path, DEFAULT_TABLE_MIB)
    }

    /// Opens the store in folder `path`, or creates it with in-memory
    /// tables flushed at `table_mib` MiB (an existing store keeps the size
    /// it was created with).
    pub fn open_with_tables(path: &Path, table_mib: u32) -> Result<Self, StoreError> {
        let recovered = recovery::flush_sealed_journals(path, engine_config(path))?;
        if recovered.flushed_tables > 0 {
            tracing::info!(
                sealed_journals = recovered.sealed_journals,
                flushed_tables = recovered.flushed_tables,
                "store: flushed the tables that the journals of an unclean stop held"
            );
        }
        let keyspace = engine_config(path).open().map_err(open_error)?;
        let partition = |name: &str, compression: CompressionType| {
            keyspace
                .open_partition(
                    name,
                    PartitionCreateOptions::default()
                        .compression(compression)
                        .max_memtable_size(table_mib.clamp(1, 1024) << 20),
                )
                .map_err(engine)
        };
        // Before the state was kept as entries (issue 13), accounts, roles
        // and anchors had tables of their own: such a folder cannot be read.
        if keyspace.partition_exists("accounts") {
            return Err(StoreError::Outdated);
        }
        // Hashes, keys and signatures do not compress: compressing blocks
        // and the hash index only cost CPU on every flush and compaction.
        let (compressed, raw) = (CompressionType::Lz4, CompressionType::None);
        Ok(Self {
            meta: partition("meta", compressed)?,
            state: partition("state", compressed)?,
            blocks: partition("blocks", raw)?,
            certificates: partition("certificates", raw)?,
            block_digests: partition("block_digests", raw)?,
            outcomes: partition("outcomes", compressed)?,
            tx_index: partition("tx_index", raw)?,
            travel_rule: partition("travel_rule", compressed)?,
            handoffs: partition("handoffs", raw)?,
            account_history: partition("account_history", raw)?,
            handoff_headers: partition("handoff_headers", raw)?,
            keyspace,
            commits: Mutex::new(()),
            notary: Mutex::new(()),
            watch: CommitWatch::default(),
            recovered,
        })
    }

    /// The store's health: flush backlog, journals, stalled commits.
    pub fn health(&self) -> StoreHealth {
        StoreHealth {
            write_buffer_bytes: self.keyspace.write_buffer_size(),
            write_buffer_limit: MAX_WRITE_BUFFER_BYTES,
            journals: self.keyspace.journal_count(),
            journal_bytes: self.keyspace.journal_disk_space(),
            flushes: self.keyspace.flushes_completed(),
            write_stalls: self.watch.stalls(),
            commit_running_for: self.watch.running_for(),
            recovered: self.recovered,
        }
    }

    /// Prepares a clean stop: waits for a commit under way, writes every
    /// in-memory table out to the engine's sorted tables (whose journal is
    /// then retired) and holds back further commits while the returned
    /// guard lives. A cleanly stopped node's blocks thus sit in the tables,
    /// where `eiraku verify` reads and checks each one; after a crash they
    /// are replayed from the journal instead.
    pub fn close(&self) -> Result<MutexGuard<'_, ()>, StoreError> {
        let guard = self.commits.lock().unwrap_or_else(|e| e.into_inner());
        for partition in self.partitions() {
            // fjall 2 exposes flushing a partition only through this
            // (public, doc-hidden) call; the version is pinned in Cargo.lock.
            partition.rotate_memtable_and_wait().map_err(engine)?;
        }
        self.keyspace
            .persist(PersistMode::SyncAll)
            .map_err(engine)?;
        Ok(guard)
    }

    /// Opens a copy of the store at `path` made in the empty folder
    /// `copy_to`, with the sorted tables only and no journal: what can still
    /// be read when the journal is damaged. Each partition then holds what
    /// it had flushed, which may be an earlier point for some than others.
    pub fn open_tables_only(path: &Path, copy_to: &Path) -> Result<Self, StoreError> {
        copy_tables(path, copy_to).map_err(engine)?;
        Self::open(copy_to)
    }

    /// Height of the highest stored block: finalized, not necessarily
    /// applied yet (see [`Store::applied_height`]).
    pub fn last_block_height(&self) -> Result<Option<u64>, StoreError> {
        last_height(&self.blocks)
    }

    /// Height of the highest block whose outcomes are stored: the highest
    /// applied block a copy of the tables alone still shows.
    pub fn last_outcome_height(&self) -> Result<Option<u64>, StoreError> {
        last_height(&self.outcomes)
    }

    /// Height of the highest stored certificate.
    pub fn last_certificate_height(&self) -> Result<Option<u64>, StoreError> {
        last_height(&self.certificates)
    }

    fn partitions(&self) -> [&PartitionHandle; 11] {
        [
            &self.meta,
            &self.state,
            &self.blocks,
            &self.certificates,
            &self.block_digests,
            &self.outcomes,
            &self.tx_index,
            &self.travel_rule,
            &self.handoffs,
            &self.account_history,
            &self.handoff_headers,
        ]
    }

    /// Height of the last applied block, if any block (including genesis) was stored.
    pub fn applied_height(&self) -> Result<Option<u64>, StoreError> {
        let Some(value) = self.meta.get(APPLIED_HEIGHT).map_err(engine)? else {
            return Ok(None);
        };
        decode_height(&value, "the applied height").map(Some)
    }

    /// Loads the applied state.
    pub fn load_state(&self, chain_id: ChainId) -> Result<Option<State>, StoreError> {
        let Some(height) = self.applied_height()? else {
            return Ok(None);
        };
        let timestamp_ms = self
            .block(height)?
            .ok_or_else(|| StoreError::Corrupt(format!("applied block {height} missing")))?
            .header
            .timestamp_ms;
        state_entries::load(&self.state, chain_id, height, timestamp_ms).map(Some)
    }

    /// Up to `count` keys of the applied state's entries after `after`,
    /// in order, and whether more follow: what a validator joining by
    /// state sync asks for.
    pub fn state_keys(
        &self,
        after: Option<&[u8]>,
        count: usize,
    ) -> Result<(Vec<Vec<u8>>, bool), StoreError> {
        state_entries::keys_after(&self.state, after, count)
    }

    /// Writes what finalized blocks (consecutive, in height order, already
    /// stored) changed in one atomic batch, synced to disk.
    pub fn commit(&self, finalized: &[FinalizedBlock<'_>]) -> Result<(), StoreError> {
        let Some(last) = finalized.last() else {
            return Ok(());
        };
        let _commit = self.commits.lock().unwrap_or_else(|e| e.into_inner());
        let _watch = self.watch.start();
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        // Index entries go in in key order: the memtable is a skip list, and
        // consecutive sorted inserts walk nearly the same path through it
        // (still in cache), where random hashes would miss on every level.
        let mut index: Vec<([u8; INDEX_KEY], [u8; INDEX_VALUE])> = Vec::new();
        for item in finalized {
            let height = item.block.header.height;
            let height_key = height.to_be_bytes();
            let block_outcomes: Vec<Outcome> =
                item.receipts.iter().map(|r| r.outcome.clone()).collect();
            batch.insert(&self.outcomes, height_key, block_outcomes.encode().as_ref());
            index.extend(
                item.receipts
                    .iter()
                    .map(|receipt| index_entry(&receipt.tx_hash, height, receipt.index)),
            );
        }
        state_entries::write(&mut batch, &self.state, finalized);
        index.sort_unstable_by_key(|(key, _)| *key);
        for (key, value) in index {
            batch.insert(&self.tx_index, key, value);
        }
        batch.insert(
            &self.meta,
            APPLIED_HEIGHT,
            last.block.header.height.to_be_bytes(),
        );
        batch.commit().map_err(engine)
    }

    /// Keeps a deposited travel-rule envelope (off-chain data: a crash may
    /// lose the latest, and its client deposits it again).
    pub fn put_travel_envelope(&self, digest: &Digest, envelope: &[u8]) -> Result<(), StoreError> {
        self.travel_rule
            .insert(digest.as_ref(), envelope)
            .map_err(engine)
    }

    /// Keeps, durably, the evidence that the set signing after block
    /// `height` (the last of an epoch) is `set`: its proof under that
    /// block's state root. Light clients follow these; the proof cannot be
    /// made again once the state moves on.
    pub fn put_handoff(&self, height: u64, set: &[u8], proof: &[u8]) -> Result<(), StoreError> {
        let mut value = (set.len() as u32).to_be_bytes().to_vec();
        value.extend_from_slice(set);
        value.extend_from_slice(proof);
        self.handoffs
            .insert(height.to_be_bytes(), value)
            .map_err(engine)?;
        self.keyspace.persist(PersistMode::SyncAll).map_err(engine)
    }

    /// The handoffs after blocks below `height`, in height order.
    pub fn handoffs_before(&self, height: u64) -> Result<Vec<KeptHandoff>, StoreError> {
        let range = self.handoffs.range(..height.to_be_bytes());
        range
            .map(|item| decode_handoff(item.map_err(engine)?))
            .collect()
    }

    /// The last handoff after a block below `height` (a read of one entry,
    /// however many set changes the chain has seen).
    pub fn last_handoff_before(&self, height: u64) -> Result<Option<KeptHandoff>, StoreError> {
        let mut range = self.handoffs.range(..height.to_be_bytes());
        range
            .next_back()
            .map(|item| decode_handoff(item.map_err(engine)?))
            .transpose()
    }

    /// A deposited travel-rule envelope.
    pub fn travel_envelope(&self, digest: &Digest) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .travel_rule
            .get(digest.as_ref())
            .map_err(engine)?
            .map(|bytes| bytes.to_vec()))
    }

    /// Keeps a registry record's sealed payload envelope under its digest.
    /// It shares the travel-rule envelopes' keyspace: both are sealed data
    /// kept off the ledger, under domain-separated digests that never meet.
    pub fn put_payload_envelope(&self, digest: &Digest, envelope: &[u8]) -> Result<(), StoreError> {
        self.put_travel_envelope(digest, envelope)
    }

    /// A kept payload envelope.
    pub fn payload_envelope(&self, digest: &Digest) -> Result<Option<Vec<u8>>, StoreError> {
        self.travel_envelope(digest)
    }

    /// Keeps a point of the coin's supply history (the console's chart):
    /// off-ledger, under `supply/<height>`, which no envelope digest meets.
    pub fn put_supply_point(&self, height: u64, point: &[u8]) -> Result<(), StoreError> {
        self.travel_rule
            .insert(supply_point_key(height), point)
            .map_err(engine)
    }

    /// Forgets the supply point of block `height`.
    pub fn delete_supply_point(&self, height: u64) -> Result<(), StoreError> {
        self.travel_rule
            .remove(supply_point_key(height))
            .map_err(engine)
    }

    /// The latest `limit` supply points, oldest first.
    pub fn supply_points(&self, limit: usize) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let range = self
            .travel_rule
            .range(supply_point_key(0)..=supply_point_key(u64::MAX));
        let mut points = Vec::with_capacity(limit);
        for item in range.rev() {
            if points.len() == limit {
                break;
            }
            let (key, value) = item.map_err(engine)?;
            // (An envelope digest could start with the prefix: 2^-56.)
            let Ok(height) = decode_height(&key[SUPPLY_PREFIX.len()..], "") else {
                continue;
            };
            points.push((height, value.to_vec()));
        }
        points.reverse();
        Ok(points)
    }

    /// The outcomes of block `height`'s transactions, in block order (their
    /// number is the block's transaction count, read without the block).
    pub fn block_outcomes(&self, height: u64) -> Result<Option<Vec<Outcome>>, StoreError> {
        let Some(bytes) = self.outcomes.get(height.to_be_bytes()).map_err(engine)? else {
            return Ok(None);
        };
        Vec::<Outcome>::decode_cfg(
            Copying(bytes.as_ref()),
            &(RangeCfg::new(0..=MAX_BLOCK_TRANSACTIONS), ()),
        )
        .map(Some)
        .map_err(|e| StoreError::Corrupt(format!("outcomes of block {height}: {e}")))
    }

    /// The transaction (hash and height) that first anchored `root`.
    pub fn anchor(&self, root: &Digest) -> Result<Option<(Digest, u64)>, StoreError> {
        let Some(value) =
            state_entries::get(&self.state, &StateKey::Registry(RegistryKey::Anchor(*root)))?
        else {
            return Ok(None);
        };
        let first = FirstAnchor::from_bytes(&value)
            .ok_or_else(|| StoreError::Corrupt("anchor entry".into()))?;
        Ok(Some((first.tx_hash, first.height)))
    }

    /// A finalized block by height.
    pub fn block(&self, height: u64) -> Result<Option<Block>, StoreError> {
        let Some(bytes) = self.block_bytes(height)? else {
            return Ok(None);
        };
        let block = decode_block(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("block {height}: {e}")))?;
        Ok(Some(block))
    }

    /// A block's stored bytes, undecoded (for auditors naming what is wrong).
    pub fn block_bytes(&self, height: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .blocks
            .get(height.to_be_bytes())
            .map_err(engine)?
            .map(|v| v.to_vec()))
    }

    /// The encoded finalization certificate of a block, by height.
    pub fn certificate(&self, height: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .certificates
            .get(height.to_be_bytes())
            .map_err(engine)?
            .map(|v| v.to_vec()))
    }

    /// The receipt of a finalized transaction.
    pub fn receipt(&self, tx_hash: &Digest) -> Result<Option<Receipt>, StoreError> {
        let hash = tx_hash.as_ref();
        let Some(entry) = self.tx_index.get(&hash[..INDEX_KEY]).map_err(engine)? else {
            return Ok(None);
        };
        let entry: [u8; INDEX_VALUE] = entry
            .as_ref()
            .try_into()
            .map_err(|_| StoreError::Corrupt("transaction index entry".into()))?;
        if entry[12..] != hash[INDEX_KEY..] {
            // Another transaction shares the first half of this hash.
            return Ok(None);
        }
        let height = u64::from_be_bytes(entry[..8].try_into().expect("8 bytes"));
        let position = u32::from_be_bytes(entry[8..12].try_into().expect("4 bytes"));
        let bytes = self
            .outcomes
            .get(height.to_be_bytes())
            .map_err(engine)?
            .ok_or_else(|| StoreError::Corrupt(format!("outcomes of block {height} missing")))?;
        let block_outcomes = Vec::<Outcome>::decode_cfg(
            Copying(bytes.as_ref()),
            &(RangeCfg::new(0..=MAX_BLOCK_TRANSACTIONS), ()),
        )
        .map_err(|e| StoreError::Corrupt(format!("outcomes of block {height}: {e}")))?;
        let outcome = block_outcomes
            .into_iter()
            .nth(position as usize)
            .ok_or_else(|| {
                StoreError::Corrupt(format!("block {height} has no transaction {position}"))
            })?;
        Ok(Some(Receipt {
            tx_hash: *tx_hash,
            height,
            index: position,
            outcome,
        }))
    }
}

#[cfg(test)]
mod tests;

/// A stored handoff: the height after which the set changed, the set's
/// bytes and the proof of it.
fn decode_handoff((key, value): (fjall::Slice, fjall::Slice)) -> Result<KeptHandoff, StoreError> {
    let at = decode_height(&key, "a handoff key")?;
    let corrupt = || StoreError::Corrupt(format!("the handoff after block {at}"));
    let (length, rest) = value.split_at_checked(4).ok_or_else(corrupt)?;
    let length = u32::from_be_bytes(length.try_into().expect("4 bytes")) as usize;
    let (set, proof) = rest.split_at_checked(length).ok_or_else(corrupt)?;
    Ok((at, set.to_vec(), proof.to_vec()))
}

/// The prefix of the supply history's keys (15 bytes with the height:
/// never a 32-byte envelope digest).
const SUPPLY_PREFIX: &[u8] = b"supply/";

fn supply_point_key(height: u64) -> Vec<u8> {
    [SUPPLY_PREFIX, &height.to_be_bytes()].concat()
}
