//! Soak: steady load on four validators while one at a time is killed
//! (`kill -9`) and restarted, the load going to all four (a batch its
//! validator cannot take goes to the next). At the end no 5xx was answered,
//! every accepted transfer is final on all four, and every store passes
//! `eiraku verify`; each validator's resident memory is sampled throughout.
//!
//! CI runs it for a minute. `scripts/soak.sh` runs it for 30 minutes on a
//! release build (`SOAK_SECONDS=1800`): then each validator's memory after
//! warm-up must stay within 10 % (a killed validator starts a new process;
//! its memory is compared within each life that lasted past warm-up).

mod common;

use common::{
    load::{wait_for_nonces, SteadyLoad},
    TestNetwork,
};
use std::time::{Duration, Instant};

/// Submission rate, transactions per second, unless `SOAK_RATE` says.
const RATE: u64 = 1_500;
/// Seconds between kills, unless `SOAK_KILL_EVERY` says.
const KILL_EVERY: u64 = 20;
/// How long a killed validator stays down.
const DOWN_FOR: Duration = Duration::from_secs(3);
/// Memory is compared from this long into a process's life.
const WARM_UP: Duration = Duration::from_secs(300);

fn setting(name: &str, default: u64) -> u64 {
    let value = std::env::var(name).ok().map(|text| text.parse());
    value
        .map(|parsed| parsed.unwrap_or_else(|_| panic!("{name} is not a number")))
        .unwrap_or(default)
}

/// Resident memory of a process, in KiB.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One life of a validator process: when it started and its memory samples.
struct Life {
    pid: u32,
    started: Instant,
    samples: Vec<(Duration, u64)>,
}

impl Life {
    /// The lowest and highest memory after warm-up, if it lived that long.
    fn range_after_warm_up(&self) -> Option<(u64, u64)> {
        let warm = self.samples.iter().filter(|(age, _)| *age >= WARM_UP);
        let (low, high) = warm.fold((u64::MAX, 0), |(lo, hi), (_, kib)| {
            (lo.min(*kib), hi.max(*kib))
        });
        (high > 0).then_some((low, high))
    }
}

#[test]
fn four_validators_soak_under_load_with_kills() {
    let mut network = TestNetwork::start_tuned(4, false, |settings| {
        settings.block_interval_ms = 250;
    });
    let clients = (0..4).map(|v| network.client(v)).collect();
    let load = SteadyLoad::start(
        clients,
        network.chain_id.clone(),
        &network.key("faucet"),
        300,
        setting("SOAK_RATE", RATE),
    );
    let started = Instant::now();
    let mut lives: Vec<Vec<Life>> = (0..4)
        .map(|v| {
            vec![Life {
                pid: network.net.pid(v).unwrap(),
                started,
                samples: Vec::new(),
            }]
        })
        .collect();
    // The same order of victims every run: every validator, the load's
    // targets and the one the test reads first among them.
    let victims = [2, 0, 3, 1];
    let mut kills = 0;
    let kill_every = Duration::from_secs(setting("SOAK_KILL_EVERY", KILL_EVERY));
    let mut next_kill = started + kill_every;
    let duration = Duration::from_secs(setting("SOAK_SECONDS", 60));
    while started.elapsed() < duration {
        std::thread::sleep(Duration::from_secs(1));
        for history in lives.iter_mut() {
            let life = history.last_mut().unwrap();
            if let Some(kib) = resident_kib(life.pid) {
                life.samples.push((life.started.elapsed(), kib));
            }
        }
        if Instant::now() >= next_kill {
            let victim = victims[kills % victims.len()];
            network.net.kill(victim);
            std::thread::sleep(DOWN_FOR);
            network.net.start(victim).expect("restart");
            let pid = network.net.pid(victim).unwrap();
            lives[victim].push(Life {
                pid,
                started: Instant::now(),
                samples: Vec::new(),
            });
            kills += 1;
            next_kill = Instant::now() + kill_every;
        }
    }
    let report = load.stop();
    eprintln!(
        "soak: {:?}, {kills} kills, {} transfers accepted, {} busy answers, {} 5xx",
        started.elapsed(),
        report.accepted,
        report.busy,
        report.server_errors
    );
    assert!(kills >= 2, "the soak ran too short to kill twice");
    assert_eq!(report.server_errors, 0, "the load met 5xx answers");
    for validator in 0..4 {
        wait_for_nonces(&network, validator, &report.senders);
    }
    let mut judged = 0;
    for (validator, history) in lives.iter().enumerate() {
        for life in history {
            let Some((low, high)) = life.range_after_warm_up() else {
                continue;
            };
            judged += 1;
            eprintln!(
                "validator {validator} (pid {}): {low}–{high} KiB after warm-up",
                life.pid
            );
            assert!(
                high * 10 <= low * 11,
                "validator {validator}'s memory grew from {low} to {high} KiB after warm-up"
            );
        }
    }
    // A run long enough to judge memory must have judged it: kills so
    // frequent that no life outlasts the warm-up judge nothing.
    assert!(
        duration < WARM_UP * 2 || judged > 0,
        "no validator lived past the warm-up: memory was not judged (raise SOAK_KILL_EVERY)"
    );
    network.net.stop_all();
    common::assert_stores_verify(&network, &[0, 1, 2, 3]);
}
