//! Watches the store of a running validator. A validator whose store stops
//! persisting finalized blocks still votes, so the network counts on it
//! while it silently falls behind; its memory grows with every block it
//! checks and cannot apply. The watchdog says so loudly while a commit is
//! stalled, and exits the process (non-zero) when the stall outlasts any
//! honest slowness, so that its supervisor restarts it: every commit is in
//! the store's journal, which the restart replays.

use crate::chain::Chain;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// A commit running this long is logged as an error, and again at this
/// interval while it lasts.
pub const WARN_AFTER: Duration = Duration::from_secs(5);
/// A commit running this long means the store cannot recover: the node exits.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(60);
/// How often the store is looked at.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// What a commit running for some time calls for.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No commit, or one within honest time.
    Healthy,
    /// Stalled: say so.
    Stalled,
    /// Stalled beyond recovery: stop the process.
    GiveUp,
}

/// The verdict on a commit that has been running for `running_for`.
pub fn verdict(running_for: Option<Duration>) -> Verdict {
    match running_for {
        Some(time) if time >= GIVE_UP_AFTER => Verdict::GiveUp,
        Some(time) if time >= WARN_AFTER => Verdict::Stalled,
        _ => Verdict::Healthy,
    }
}

/// Starts the watchdog thread for `chain`'s store.
pub fn spawn(chain: Arc<Chain>) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("store-watchdog".into())
        .spawn(move || watch(&chain))
}

fn watch(chain: &Chain) {
    let mut last_warning: Option<Instant> = None;
    loop {
        std::thread::sleep(CHECK_EVERY);
        let health = chain.store().health();
        let running_for = health.commit_running_for.unwrap_or_default();
        let (buffer_mib, limit_mib) = (
            health.write_buffer_bytes >> 20,
            health.write_buffer_limit >> 20,
        );
        match verdict(health.commit_running_for) {
            Verdict::Healthy => last_warning = None,
            Verdict::Stalled => {
                if last_warning.is_none_or(|at| at.elapsed() >= WARN_AFTER) {
                    tracing::error!(
                        stalled_s = running_for.as_secs(),
                        finalized_height = chain.finalized_height(),
                        write_buffer = %format!("{buffer_mib} of {limit_mib} MiB"),
                        journals = health.journals,
                        "the store is not persisting finalized blocks: this validator is falling behind"
                    );
                    last_warning = Some(Instant::now());
                }
            }
            Verdict::GiveUp => {
                tracing::error!(
                    stalled_s = running_for.as_secs(),
                    write_buffer = %format!("{buffer_mib} of {limit_mib} MiB"),
                    journals = health.journals,
                    "the store has not persisted a finalized block for {}s: exiting so the node can \
                     be restarted (its journal holds every commit and is replayed at the next start)",
                    GIVE_UP_AFTER.as_secs()
                );
                std::process::exit(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stall_is_reported_then_given_up_on() {
        assert_eq!(verdict(None), Verdict::Healthy);
        assert_eq!(verdict(Some(Duration::from_millis(300))), Verdict::Healthy);
        assert_eq!(verdict(Some(WARN_AFTER)), Verdict::Stalled);
        assert_eq!(
            verdict(Some(GIVE_UP_AFTER - Duration::from_millis(1))),
            Verdict::Stalled
        );
        assert_eq!(verdict(Some(GIVE_UP_AFTER)), Verdict::GiveUp);
    }
}
