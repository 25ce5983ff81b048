//! The applied state as the entries the state root commits to, one table
//! keyed by [`StateKey::to_bytes`]: accounts, roles and every module's
//! entries alike. A commit writes only what its blocks changed; a restart
//! rebuilds the state from the table with [`State::from_entries`]. The node
//! knows no module's layout, so a new module needs nothing here.

use super::{engine, FinalizedBlock, StoreError};
use eiraku_core::{ChainId, StateKey};
use eiraku_state::State;
use fjall::{Batch, PartitionHandle, Slice};
use std::collections::BTreeMap;

/// Adds to `batch` every entry `finalized` changed, each once: when several
/// blocks of one commit write a key, the last block's value. Keys go in
/// sorted, so consecutive inserts walk nearly the same path through the
/// memtable's skip list.
pub(super) fn write(batch: &mut Batch, table: &PartitionHandle, finalized: &[FinalizedBlock<'_>]) {
    let mut latest: BTreeMap<Vec<u8>, Option<&[u8]>> = BTreeMap::new();
    for item in finalized {
        for (key, value) in item.changes {
            latest.insert(key.to_bytes(), value.as_deref());
        }
    }
    for (key, value) in latest {
        match value {
            Some(value) => batch.insert(table, key, value),
            None => batch.remove(table, key),
        }
    }
}

/// The value stored under `key`, if any.
pub(super) fn get(table: &PartitionHandle, key: &StateKey) -> Result<Option<Slice>, StoreError> {
    table.get(key.to_bytes()).map_err(engine)
}

/// The state at `height` (whose block's time is `timestamp_ms`), rebuilt
/// from every entry of the table.
pub(super) fn load(
    table: &PartitionHandle,
    chain_id: ChainId,
    height: u64,
    timestamp_ms: u64,
) -> Result<State, StoreError> {
    let mut entries = Vec::new();
    for entry in table.iter() {
        let (key, value) = entry.map_err(engine)?;
        let key = StateKey::from_bytes(&key).ok_or_else(|| {
            StoreError::Corrupt(format!("state key {} names no entry", hex::encode(&key)))
        })?;
        entries.push((key, value.to_vec()));
    }
    State::from_entries(chain_id, height, timestamp_ms, entries)
        .map_err(|error| StoreError::Corrupt(error.to_string()))
}

/// Up to `count` keys (as stored) after `after`, in order, and whether
/// more follow.
pub(super) fn keys_after(
    table: &PartitionHandle,
    after: Option<&[u8]>,
    count: usize,
) -> Result<(Vec<Vec<u8>>, bool), StoreError> {
    let start = match after {
        Some(after) => std::ops::Bound::Excluded(after),
        None => std::ops::Bound::Unbounded,
    };
    let range = table.range::<&[u8], _>((start, std::ops::Bound::Unbounded));
    let mut keys = Vec::new();
    for entry in range.map(|entry| entry.map(|(key, _)| key)) {
        let key = entry.map_err(engine)?;
        if keys.len() == count {
            return Ok((keys, true));
        }
        keys.push(key.to_vec());
    }
    Ok((keys, false))
}
