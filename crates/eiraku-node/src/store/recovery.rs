//! Opening the storage engine after a crash without inheriting a stalled
//! flush queue.
//!
//! fjall 2 recovers each sealed journal of a crashed store as one in-memory
//! table per partition it touched, queued for flushing, but wakes its
//! flusher only once per partition, while each wake-up flushes at most
//! `flush_workers` tables. A node killed under load leaves several sealed
//! journals, so tables stay queued that no wake-up will ever reach. They
//! keep holding the engine's write buffer (and their journals on disk)
//! until the buffer fills; then every write halts for good, the flusher
//! idle, and a clean stop, which waits for the queue to drain, never ends.
//!
//! So before the engine starts its background threads, this module flushes
//! every table the journals left behind, by hand, until none is queued.
//! The engine then opens with an empty flush queue.

use super::StoreError;
use fjall::{Config, Keyspace};
use std::path::Path;

/// The engine's folder of write-ahead journals.
pub const JOURNALS: &str = "journals";

/// What the flush of a crashed store's sealed journals did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Sealed journals found at open (0 after a clean stop).
    pub sealed_journals: usize,
    /// In-memory tables written out to sorted tables.
    pub flushed_tables: usize,
}

/// Flushes the tables recovered from sealed journals of the store at `path`
/// (if it exists; opened with `config`) with no background threads
/// running, then closes it.
pub fn flush_sealed_journals(path: &Path, config: Config) -> Result<Recovered, StoreError> {
    if !path.join(JOURNALS).is_dir() {
        return Ok(Recovered::default());
    }
    // Opens without background threads (the flusher among them): the one
    // state in which the engine lets a caller run flushes itself.
    let keyspace = Keyspace::create_or_recover(config).map_err(super::open_error)?;
    let mut recovered = Recovered {
        sealed_journals: keyspace.journal_count().saturating_sub(1),
        flushed_tables: 0,
    };
    while keyspace.journal_count() > 1 {
        let before = keyspace.flushes_completed();
        keyspace.force_flush().map_err(super::engine)?;
        let flushed = keyspace.flushes_completed() - before;
        if flushed == 0 {
            // What remains sealed was flushed before the stop; the engine
            // retires such journals after its next flush.
            break;
        }
        recovered.flushed_tables += flushed;
    }
    Ok(recovered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use fjall::{PartitionCreateOptions, PersistMode};
    use std::{sync::mpsc, time::Duration};

    /// Writes `bytes` into two of the store's partitions with no flusher,
    /// in small in-memory tables, and drops the engine without a flush: a
    /// crash that leaves many sealed journals whose tables were never
    /// written out.
    fn crash_with_unflushed_tables(path: &Path, bytes: usize) -> Vec<Vec<u8>> {
        let keyspace = Config::new(path)
            .flush_workers(0)
            .max_write_buffer_size(u64::MAX)
            .max_journaling_size(u64::MAX / 2)
            .open()
            .unwrap();
        let small_tables = PartitionCreateOptions::default().max_memtable_size(1 << 20);
        let partitions = ["tx_index", "outcomes"]
            .map(|name| keyspace.open_partition(name, small_tables.clone()).unwrap());
        let mut keys = Vec::new();
        let value = vec![0x5a; 1000];
        for i in 0..bytes / (2 * value.len()) {
            let key = (i as u64).to_be_bytes().to_vec();
            let mut batch = keyspace.batch().durability(Some(PersistMode::Buffer));
            for partition in &partitions {
                batch.insert(partition, key.as_slice(), value.as_slice());
            }
            batch.commit().unwrap();
            keys.push(key);
        }
        keyspace.persist(PersistMode::SyncAll).unwrap();
        assert!(
            keyspace.journal_count() > 10,
            "the crash leaves sealed journals"
        );
        keys
    }

    #[test]
    fn a_store_crashed_with_unflushed_tables_keeps_them_and_keeps_accepting_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        // More than the whole write buffer stays queued: the first write halts.
        let written = crash_with_unflushed_tables(&path, 80 << 20);

        let store = Store::open(&path).unwrap();
        assert_eq!(store.keyspace.journal_count(), 1, "sealed journals retired");
        let health = store.health();
        assert!(health.recovered.sealed_journals > 10);
        assert!(health.recovered.flushed_tables >= health.recovered.sealed_journals);
        for key in written.iter().step_by(97).chain(written.last()) {
            assert!(store.tx_index.get(key).unwrap().is_some(), "nothing lost");
        }

        // More than the engine's whole write buffer goes through. Before the
        // recovery flush, these writes halted for good once the tables
        // stranded by the crash and the new ones filled the buffer.
        let (done, finished) = mpsc::channel();
        let writer = std::thread::spawn(move || {
            let value = vec![0xa5; 64 * 1024];
            for i in 0..(2 * WRITE_BUFFER / value.len() as u64) {
                let mut batch = store.keyspace.batch();
                batch.insert(&store.outcomes, i.to_be_bytes(), value.as_slice());
                batch.insert(&store.state, i.to_le_bytes(), value.as_slice());
                batch.commit().unwrap();
            }
            done.send(()).unwrap();
            store
        });
        // Generous: the writes take seconds; a halt never ends.
        finished
            .recv_timeout(Duration::from_secs(300))
            .expect("writes after the recovery must not halt");
        let store = writer.join().unwrap();
        // A clean stop still drains every queued table.
        drop(store.close().unwrap());
    }

    const WRITE_BUFFER: u64 = crate::store::MAX_WRITE_BUFFER_BYTES;
}
