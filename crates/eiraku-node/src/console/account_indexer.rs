//! The console's account index, kept behind the chain by a thread of its
//! own that works only when the validator is quiet: its mempool empty, and
//! the kernel giving it the CPU only when no other thread wants it
//! (`SCHED_IDLE`). Under load it waits, so a validator at saturation pays
//! nothing for it; it catches up when the load drops, in small batches
//! that each record how far it went. The account page says how far that is.

use crate::chain::Chain;
use std::{sync::Weak, time::Duration};

/// Entries written per batch: small, so that a batch never holds the
/// store's journal for long.
const STEP_ENTRIES: usize = 20_000;
/// How long it waits when it is done, or the mempool holds transactions.
const PAUSE: Duration = Duration::from_millis(200);
/// Blocks behind at which it reports its progress in the log.
const LONG_CATCH_UP: u64 = 10_000;

/// Starts the indexer; it stops when the chain is gone.
pub fn spawn(chain: Weak<Chain>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("account-index".into())
        .spawn(move || {
            run_when_idle();
            let mut reported = false;
            while let Some(chain) = chain.upgrade() {
                let caught_up = chain.mempool_len() > 0 || step(&chain, &mut reported);
                drop(chain);
                if caught_up {
                    std::thread::sleep(PAUSE);
                }
            }
        })
        .map(drop)
}

/// Indexes one batch; whether it is now caught up (or cannot go on).
fn step(chain: &Chain, reported: &mut bool) -> bool {
    match chain.store().index_account_history(STEP_ENTRIES) {
        Ok((through, applied)) => {
            let behind = applied - through;
            if behind > LONG_CATCH_UP && !*reported {
                tracing::info!(through, applied, "indexing each account's transactions");
                *reported = true;
            }
            if behind == 0 && *reported {
                tracing::info!(through, "each account's transactions are indexed");
                *reported = false;
            }
            behind == 0
        }
        Err(error) => {
            tracing::warn!(%error, "cannot index the accounts' transactions");
            true
        }
    }
}

/// Puts the calling thread in the idle scheduling class.
fn run_when_idle() {
    let idle = libc::sched_param { sched_priority: 0 };
    // SAFETY: changes only the calling thread's scheduling class; the
    // parameter lives for the call.
    let done = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &idle) };
    if done != 0 {
        tracing::warn!(
            error = %std::io::Error::last_os_error(),
            "the account indexer runs at normal priority"
        );
    }
}
