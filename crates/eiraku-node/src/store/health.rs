//! How well the store keeps up: the storage engine's flush backlog and
//! journals, and commits that stall. Operators alert on these (README,
//! "Crashes and restarts"); the node's watchdog stops a validator whose
//! store no longer persists what it finalizes.
//!
//! Wall-clock readings here are for operators only; nothing of it reaches
//! the state machine.

use super::recovery::Recovered;
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

/// A commit taking longer than this counts as a write stall.
pub const STALL: Duration = Duration::from_secs(1);

/// A snapshot of the store's health.
#[derive(Clone, Copy, Debug)]
pub struct StoreHealth {
    /// Bytes in the engine's in-memory tables, sealed and active, not yet
    /// flushed: the flush backlog. Writes halt at [`Self::write_buffer_limit`].
    pub write_buffer_bytes: u64,
    /// The write buffer's limit.
    pub write_buffer_limit: u64,
    /// Journal files on disk (1 when every table is flushed).
    pub journals: usize,
    /// Their size.
    pub journal_bytes: u64,
    /// In-memory tables written out to sorted tables since open.
    pub flushes: usize,
    /// Commits that took longer than [`STALL`] since open.
    pub write_stalls: u64,
    /// How long the commit under way has been running, if one is.
    pub commit_running_for: Option<Duration>,
    /// What opening the store flushed after a crash.
    pub recovered: Recovered,
}

/// Tracks the commit under way and counts stalled ones.
#[derive(Debug, Default)]
pub struct CommitWatch {
    started: Mutex<Option<Instant>>,
    stalls: AtomicU64,
}

impl CommitWatch {
    /// Marks a commit as started; the guard marks it ended when dropped.
    pub fn start(&self) -> CommitGuard<'_> {
        *self.started.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        CommitGuard { watch: self }
    }

    /// How long the commit under way has been running.
    pub fn running_for(&self) -> Option<Duration> {
        self.started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|started| started.elapsed())
    }

    /// Commits that took longer than [`STALL`].
    pub fn stalls(&self) -> u64 {
        self.stalls.load(Ordering::Relaxed)
    }
}

/// Ends a commit's watch (also when the commit fails).
pub struct CommitGuard<'a> {
    watch: &'a CommitWatch,
}

impl Drop for CommitGuard<'_> {
    fn drop(&mut self) {
        let started = self
            .watch
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if started.is_some_and(|started| started.elapsed() > STALL) {
            self.watch.stalls.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_is_watched_while_it_runs_and_counted_when_it_stalled() {
        let watch = CommitWatch::default();
        assert_eq!(watch.running_for(), None);
        {
            let _commit = watch.start();
            assert!(watch.running_for().is_some());
        }
        assert_eq!(watch.running_for(), None);
        assert_eq!(watch.stalls(), 0, "a fast commit is no stall");

        let _commit = watch.start();
        // A commit that started long ago (backdated rather than waited for).
        *watch.started.lock().unwrap() = Instant::now().checked_sub(STALL * 2);
        assert!(watch.running_for().unwrap() >= STALL * 2);
        drop(_commit);
        assert_eq!(watch.stalls(), 1);
    }
}
