//! `kill -9` of a validator under steady load, restarted six seconds later
//! while the load goes on: it catches up, then follows the chain within a
//! few blocks for a minute, and stops on SIGTERM within ten seconds. The
//! cycle runs on two validators, the second crash while the first victim is
//! still watched (so the network needs the restarted one to go on). At the
//! end every accepted transfer is final on all four, and every store passes
//! `eiraku verify`.

mod common;

use common::{
    load::{wait_for_nonces, SteadyLoad},
    TestNetwork,
};
use std::time::{Duration, Instant};

/// Submission rate of the load, transactions per second.
const RATE: u64 = 2_500;
/// How far behind the others a validator may be and still count as following.
const MAX_LAG: u64 = 5;
/// How long a restarted validator is watched once it has caught up.
const FOLLOW: Duration = Duration::from_secs(60);
/// A stopping validator exits within this.
const STOP_WITHIN: Duration = Duration::from_secs(10);
/// A restarted validator has caught up once it has stayed within
/// [`MAX_LAG`] blocks for this long.
const CAUGHT_UP: Duration = Duration::from_secs(2);
/// How often heights are sampled.
const SAMPLE: Duration = Duration::from_millis(250);

#[test]
fn validators_killed_under_load_recover_follow_and_stop_on_request() {
    let mut network = TestNetwork::start_tuned(4, false, |settings| {
        // Small store tables: a short run under load seals several journals.
        settings.store_table_mib = 4;
        // Four blocks a second rather than ten: the allowed lag of 5 blocks
        // is then over a second, more than the scheduling hiccups of four
        // debug-build validators, the load and the test on two cores.
        settings.block_interval_ms = 250;
    });
    // Load goes to validators 0 and 1; validators 3 and 2 are the ones killed.
    let load = SteadyLoad::start(
        vec![network.client(0), network.client(1)],
        network.chain_id.clone(),
        &network.key("faucet"),
        250,
        RATE,
    );
    let mut watch = Watch::default();
    // The second crash comes while the first victim is being watched: the
    // network then needs it to finalize anything at all.
    for victim in [3, 2] {
        crash_and_restart(&mut network, &mut watch, victim);
    }
    for victim in [3, 2] {
        let ends = watch.window_end(victim);
        watch.pause(&network, ends.saturating_duration_since(Instant::now()));
        watch.end(victim);
        let status = network
            .net
            .terminate(victim, STOP_WITHIN)
            .unwrap_or_else(|e| panic!("SIGTERM: {e}"));
        assert!(status.success(), "validator {victim} stopped with {status}");
        // Running again: the other victim's stop must leave three of four.
        network.net.start(victim).expect("restart");
        watch.wait_until_following(&network, victim);
    }
    let report = load.stop();
    eprintln!(
        "load: {} transfers accepted, {} busy answers",
        report.accepted, report.busy
    );
    for validator in 0..4 {
        wait_for_nonces(&network, validator, &report.senders);
    }
    let height = network.min_height(&[0, 1, 2, 3]);
    let hashes: Vec<String> = (0..4)
        .map(|v| network.client(v).block(height).expect("block").hash)
        .collect();
    assert!(hashes.iter().all(|hash| *hash == hashes[0]), "one chain");
    for validator in 0..4 {
        let status = network
            .net
            .terminate(validator, STOP_WITHIN)
            .unwrap_or_else(|e| panic!("SIGTERM: {e}"));
        assert!(
            status.success(),
            "validator {validator} stopped with {status}"
        );
    }
    common::assert_stores_verify(&network, &[0, 1, 2, 3]);
}

/// Kills `victim` (SIGKILL), starts it again six seconds later, waits until
/// it follows the chain and watches it from then on.
fn crash_and_restart(network: &mut TestNetwork, watch: &mut Watch, victim: usize) {
    wait_for_sealed_journals(network, watch, victim);
    network.net.kill(victim);
    watch.pause(network, Duration::from_secs(6));
    network.net.start(victim).expect("restart");
    let took = watch.wait_until_following(network, victim);
    eprintln!("validator {victim} back within {MAX_LAG} blocks {took:?} after its restart");
    watch.begin(victim);
}

/// Waits until the store of `victim` holds sealed journals (rotated out,
/// their tables not all flushed): what a crash under load leaves behind,
/// and what the restart must recover from.
fn wait_for_sealed_journals(network: &TestNetwork, watch: &mut Watch, victim: usize) {
    let folder = network.net.home(victim).join("data/store/journals");
    let journals = || std::fs::read_dir(&folder).map_or(0, |entries| entries.count());
    let started = Instant::now();
    while journals() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "validator {victim} wrote too little to seal journals: {} journal files",
            journals()
        );
        watch.pause(network, Duration::from_secs(1));
    }
    eprintln!(
        "validator {victim} holds {} journals after {:?} of load",
        journals(),
        started.elapsed()
    );
}

/// How far `victim` is behind the highest of the other validators. Their
/// heights are read first, so a block finalized in between counts for the
/// victim, never against it.
fn lag(network: &TestNetwork, victim: usize) -> Option<u64> {
    let others = (0..4)
        .filter(|v| *v != victim)
        .filter_map(|v| network.client(v).status().ok())
        .map(|status| status.finalized_height)
        .max()?;
    let own = network.client(victim).status().ok()?.finalized_height;
    Some(others.saturating_sub(own))
}

/// Restarted validators under watch: each must stay within [`MAX_LAG`]
/// blocks of the others for [`FOLLOW`] once it has caught up.
#[derive(Default)]
struct Watch {
    /// Validator, when its watch began, the largest lag seen.
    watched: Vec<(usize, Instant, u64)>,
}

impl Watch {
    /// Samples every validator under watch once.
    fn check(&mut self, network: &TestNetwork) {
        for (victim, since, worst) in &mut self.watched {
            let lag = lag(network, *victim).expect("every validator answers");
            *worst = (*worst).max(lag);
            assert!(
                lag <= MAX_LAG,
                "validator {victim} fell {lag} blocks behind {:?} after catching up (see {})",
                since.elapsed(),
                network.net.home(*victim).join("node.log").display()
            );
        }
    }

    /// Waits `time`, checking the validators under watch.
    fn pause(&mut self, network: &TestNetwork, time: Duration) {
        let started = Instant::now();
        while started.elapsed() < time {
            self.check(network);
            std::thread::sleep(SAMPLE);
        }
    }

    /// Waits until `victim` has caught up: within [`MAX_LAG`] blocks of the
    /// others for [`CAUGHT_UP`] in a row (while catching up, its height
    /// jumps by whole batches and passes through that range). Returns how
    /// long that took.
    fn wait_until_following(&mut self, network: &TestNetwork, victim: usize) -> Duration {
        let started = Instant::now();
        let mut within_since: Option<Instant> = None;
        loop {
            self.check(network);
            let lag = lag(network, victim);
            if lag.is_some_and(|lag| lag <= MAX_LAG) {
                let since = *within_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= CAUGHT_UP {
                    return since - started;
                }
            } else {
                within_since = None;
            }
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "validator {victim} did not catch up within 90 s (lag {lag:?}; see {})",
                network.net.home(victim).join("node.log").display()
            );
            std::thread::sleep(SAMPLE);
        }
    }

    fn begin(&mut self, victim: usize) {
        self.watched.push((victim, Instant::now(), 0));
    }

    /// When `victim`'s watch is over.
    fn window_end(&self, victim: usize) -> Instant {
        let (_, since, _) = self
            .watched
            .iter()
            .find(|(v, ..)| *v == victim)
            .expect("watched");
        *since + FOLLOW
    }

    fn end(&mut self, victim: usize) {
        let index = self
            .watched
            .iter()
            .position(|(v, ..)| *v == victim)
            .expect("watched");
        let (_, since, worst) = self.watched.remove(index);
        eprintln!(
            "validator {victim} followed for {:?}, at most {worst} blocks behind",
            since.elapsed()
        );
    }
}
