//! The console's account index, kept behind the chain by a thread of its
//! own that the kernel runs only when no other thread wants the CPU
//! (`SCHED_IDLE`): under load it waits, so a validator at saturation pays
//! nothing for it, and it catches up when the load drops. The account page
//! says how far it went.

use crate::chain::Chain;
use std::{sync::Weak, time::Duration};

/// How often it looks for new blocks.
const PAUSE: Duration = Duration::from_millis(500);

/// Starts the indexer; it stops when the chain is gone.
pub fn spawn(chain: Weak<Chain>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("account-index".into())
        .spawn(move || {
            run_when_idle();
            while let Some(chain) = chain.upgrade() {
                if let Err(error) = chain.store().index_account_history() {
                    tracing::warn!(%error, "cannot index the accounts' transactions");
                }
                drop(chain);
                std::thread::sleep(PAUSE);
            }
        })
        .map(drop)
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
