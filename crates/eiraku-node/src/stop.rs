//! Stopping a validator on request (SIGTERM or SIGINT): its store is
//! flushed out of the journal into the engine's tables, then the process
//! exits, always within ten seconds. Consensus needs no goodbye: what this
//! node had not yet stored, its peers send again when it restarts.

use crate::{chain::Chain, store::StoreError};
use std::{sync::Arc, time::Duration};

/// A stopping node gives its store this long to flush, so that SIGTERM
/// always ends the process within ten seconds.
pub const FLUSH_DEADLINE: Duration = Duration::from_secs(8);

/// Why a stop was not clean. Either way nothing finalized is lost: every
/// commit is in the store's journal, which is replayed at the next start.
#[derive(Debug, thiserror::Error)]
pub enum StopError {
    /// Flushing failed.
    #[error("flushing the store failed ({0}); its journal will be replayed at the next start")]
    Flush(#[from] StoreError),
    /// Flushing did not finish in time (a commit or a flush never ended).
    #[error(
        "the store did not finish flushing within {}s; stopping anyway: every commit is in \
         its journal, which is replayed at the next start",
        .0.as_secs()
    )]
    TimedOut(Duration),
}

/// Waits for SIGTERM or SIGINT, flushes the store (within
/// [`FLUSH_DEADLINE`]) and exits: 0 after a clean flush, 1 otherwise.
pub async fn on_signal(chain: Arc<Chain>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut terminate), Ok(mut interrupt)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for stop signals; stopping will not flush the store");
        return;
    };
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    tracing::info!("stopping: flushing the store");
    let closed = tokio::task::spawn_blocking(move || close_store(chain, FLUSH_DEADLINE)).await;
    match closed {
        Ok(Ok(())) => std::process::exit(0),
        Ok(Err(error)) => tracing::error!(%error, "unclean stop"),
        Err(error) => tracing::error!(%error, "unclean stop: the flush task failed"),
    }
    std::process::exit(1)
}

/// Flushes `chain`'s store for a clean stop, giving up after `deadline`.
/// After a clean flush the store takes no further commit (until the
/// process, which is about to exit, ends).
pub fn close_store(chain: Arc<Chain>, deadline: Duration) -> Result<(), StopError> {
    let (flushed, outcome) = std::sync::mpsc::channel();
    std::thread::spawn(move || match chain.store().close() {
        Ok(_no_more_commits) => {
            let _ = flushed.send(Ok(()));
            loop {
                std::thread::park();
            }
        }
        Err(error) => {
            let _ = flushed.send(Err(error));
        }
    });
    match outcome.recv_timeout(deadline) {
        Ok(result) => Ok(result?),
        Err(_) => Err(StopError::TimedOut(deadline)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_runtime::{tokio as cw_tokio, Runner as _};

    #[test]
    fn a_store_that_cannot_flush_does_not_hold_up_the_stop() {
        let dir = tempfile::tempdir().unwrap();
        let genesis = crate::chain::test_genesis("stop-test", vec![]);
        // A real runtime: the stop this test leaves stuck keeps the chain
        // (and its runtime context) alive past the test.
        let config = cw_tokio::Config::new().with_storage_directory(dir.path().join("runtime"));
        cw_tokio::Runner::new(config).start(|context| async move {
            let chain = crate::chain::open_for_test(&context, "stop", dir.path(), &genesis).await;
            let chain = Arc::new(chain);
            close_store(chain.clone(), FLUSH_DEADLINE).expect("a healthy store flushes");
            // The first stop holds the store closed, as a commit that never
            // ends would: a second flush cannot start, and gives up in time.
            let deadline = Duration::from_millis(200);
            assert!(matches!(
                close_store(chain, deadline),
                Err(StopError::TimedOut(d)) if d == deadline
            ));
        });
    }
}
