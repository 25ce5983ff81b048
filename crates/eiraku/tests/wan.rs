//! The WAN test: four validators in Tokyo, Seoul, Singapore and Beijing
//! and a client in Jakarta, each in a network namespace of its own, with
//! the one-way delays between those capitals (plus jitter and 1 % packet
//! loss) on every connection (see `common/wan.rs`). It measures finalized
//! throughput and finality latency at saturation and at half of it, the
//! same on loopback, and then, under load at half saturation, kills one
//! validator and cuts another off: finality goes on, and every transfer
//! the client sent is final.
//!
//! Needs root (namespaces); `scripts/wan.sh` runs it on a release build and
//! prints the figures the README shows. `WAN_SECONDS` sets each
//! measurement's length.

mod common;

use common::{
    wan::{self, Link, Matrix, Namespaces, BRIDGE_IP, CLIENT},
    TestNetwork,
};
use eiraku::{
    devnet::Devnet,
    testnet::{self, TestnetSpec},
};
use std::{
    net::{IpAddr, SocketAddr},
    path::Path,
    process::{Command, Stdio},
    sync::Arc,
    time::Duration,
};

/// Places: the validators', then the client's.
const PLACES: [&str; 5] = ["Tokyo", "Seoul", "Singapore", "Beijing", "Jakarta"];

/// Round-trip times in ms between the places (README, "Across a WAN":
/// typical values of public ping tables, rounded; not measured here).
const RTT_MS: [[u64; 5]; 5] = [
    [0, 35, 70, 95, 85],
    [35, 0, 75, 60, 95],
    [70, 75, 0, 90, 15],
    [95, 60, 90, 0, 110],
    [85, 95, 15, 110, 0],
];

/// Relays listen at the validators' ports plus this, plus the index.
const RELAY_OFFSET: u16 = 100;

fn matrix() -> Matrix {
    let mut matrix = [[Link::none(); CLIENT + 1]; CLIENT + 1];
    for (from, row) in RTT_MS.iter().enumerate() {
        for (to, rtt) in row.iter().enumerate() {
            let delay = Duration::from_millis(rtt / 2);
            matrix[from][to] = Link {
                delay,
                // Jitter of a tenth of the delay, at least a millisecond.
                jitter: (delay / 10).max(Duration::from_millis(1)),
                loss_per_10k: 100,
            };
        }
    }
    matrix
}

/// Each validator is dialled at its relay on the bridge.
fn through_relays(genesis: &mut eiraku_core::Genesis) {
    for validator in &mut genesis.validators {
        let IpAddr::V4(host) = validator.p2p_address.ip() else {
            panic!("validators on IPv4 hosts")
        };
        let index = host.octets()[3] as u16 - 1;
        let relayed = |port: u16| SocketAddr::new(BRIDGE_IP.into(), port + RELAY_OFFSET + index);
        validator.p2p_address = relayed(validator.p2p_address.port());
        validator.api_address = relayed(validator.api_address.port());
    }
}

/// A bench run's figures.
#[derive(Debug)]
struct Figures {
    accepted: u64,
    finalized: u64,
    tps: f64,
    p50: f64,
    p99: f64,
}

/// Runs `eiraku bench` (under `launcher`, if any) and reads its figures.
fn bench(launcher: &[&str], network: &Path, urls: &str, rate: u64, txs: u64) -> Figures {
    let binary = env!("CARGO_BIN_EXE_eiraku");
    let (program, args) = match launcher.split_first() {
        Some((program, args)) => (*program, [args, &[binary]].concat()),
        None => (binary, Vec::new()),
    };
    let output = Command::new(program)
        .args(args)
        .args([
            "bench",
            "--network",
            network.to_str().unwrap(),
            "--node",
            urls,
        ])
        .args(["--rate", &rate.to_string(), "--txs", &txs.to_string()])
        .args(["--accounts", "2000", "--senders", "2000"])
        .stderr(Stdio::inherit())
        .output()
        .expect("bench runs");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "bench failed:\n{text}");
    println!("{text}");
    let line = |prefix: &str| {
        text.lines()
            .find(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("bench printed no {prefix} line:\n{text}"))
            .to_string()
    };
    let numbers = |line: String| -> Vec<f64> {
        line.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter_map(|word| word.parse().ok())
            .collect()
    };
    let submitted = numbers(line("submitted"));
    let finalized = numbers(line("finalized"));
    // "latency (ms)  p50 A  p90 B  p99 C": the word after each label.
    let latency_line = line("latency");
    let words: Vec<&str> = latency_line.split_whitespace().collect();
    let after = |label: &str| -> f64 {
        let at = words
            .iter()
            .position(|word| *word == label)
            .expect("a label");
        words[at + 1].parse().expect("a number")
    };
    let latency = [after("p50"), after("p90"), after("p99")];
    Figures {
        accepted: submitted[1] as u64,
        finalized: finalized[0] as u64,
        tps: finalized[2],
        p50: latency[0],
        p99: latency[2],
    }
}

fn seconds() -> u64 {
    std::env::var("WAN_SECONDS")
        .ok()
        .map(|text| text.parse().expect("WAN_SECONDS is a number"))
        .unwrap_or(30)
}

/// Saturation (a rate no network here keeps up with), then half of what
/// was finalized: the two rows of one network's figures.
fn measure(launcher: &[&str], network: &Path, urls: &str) -> (Figures, Figures) {
    let full = bench(launcher, network, urls, 30_000, 30_000 * seconds() / 2);
    let half_rate = (full.tps / 2.0) as u64;
    let half = bench(launcher, network, urls, half_rate, half_rate * seconds());
    (full, half)
}

/// Validator 0's finalized height each second for `seconds` seconds.
fn heights_for(net: &Devnet, seconds: u64) -> Vec<u64> {
    (0..seconds)
        .map(|_| {
            std::thread::sleep(Duration::from_secs(1));
            net.client(0)
                .status()
                .map(|s| s.finalized_height)
                .unwrap_or(0)
        })
        .collect()
}

/// Copies the validators' logs to `/tmp/eiraku-wan-logs` (the network's
/// folder goes when the test ends).
fn keep_logs(dir: &Path) {
    let kept = Path::new("/tmp/eiraku-wan-logs");
    std::fs::create_dir_all(kept).unwrap();
    for v in 0..4 {
        let log = TestnetSpec::home(dir, v).join("node.log");
        let _ = std::fs::copy(log, kept.join(format!("node{v}.log")));
    }
}

#[test]
#[ignore = "needs root for network namespaces: run scripts/wan.sh"]
fn four_capitals_keep_finalizing_through_a_kill_and_a_partition() {
    let namespaces = Namespaces::create(4);
    let dir = tempfile::tempdir().unwrap();
    let (api_port, p2p_port) = (21_000, 22_000);
    testnet::create(&TestnetSpec {
        dir: dir.path().to_path_buf(),
        validators: 4,
        chain_id: "eiraku-wan".into(),
        api_port,
        p2p_port,
        money: false,
        tune: |_| {},
        spares: 0,
        tune_genesis: through_relays,
        hosts: (0..4).map(|v| IpAddr::V4(wan::address_of(v))).collect(),
    })
    .expect("network folder");
    let matrix = Arc::new(matrix());
    for v in 0..4u16 {
        let host = IpAddr::V4(wan::address_of(v as usize));
        for port in [api_port, p2p_port] {
            let listen = SocketAddr::new(BRIDGE_IP.into(), port + RELAY_OFFSET + v);
            wan::relay(
                listen,
                SocketAddr::new(host, port),
                v as usize,
                matrix.clone(),
            );
        }
    }
    let mut net = Devnet::open(Path::new(env!("CARGO_BIN_EXE_eiraku")), dir.path()).unwrap();
    for v in 0..4 {
        net.launch_under(v, &["ip", "netns", "exec", namespaces.name(v)]);
        net.start(v).expect("validator starts");
    }
    for v in 0..4 {
        net.wait_for_height(v, 1, Duration::from_secs(120))
            .expect("validator finalizes");
    }
    let urls: Vec<String> = (0..4).map(|v| net.api_url(v)).collect();
    let urls = urls.join(",");
    let client = ["ip", "netns", "exec", namespaces.name(CLIENT)];
    // `WAN_FAULTS_AT=RATE` skips the measurements (to look at the faults).
    let faults_at = std::env::var("WAN_FAULTS_AT").ok();
    let measured = match faults_at {
        Some(_) => None,
        None => Some(measure(&client, dir.path(), &urls)),
    };

    // Faults under load at half saturation: Seoul killed and restarted,
    // then Singapore cut off and reconnected, while the client goes on.
    let rate = match (&measured, faults_at) {
        (Some((full, _)), _) => (full.tps / 2.0) as u64,
        (None, rate) => rate.unwrap().parse().expect("WAN_FAULTS_AT is a rate"),
    };
    let txs = rate * seconds() * 2;
    let load = {
        let (dir, urls) = (dir.path().to_path_buf(), urls.clone());
        let client_ns = namespaces.name(CLIENT).to_string();
        std::thread::spawn(move || {
            let client = ["ip", "netns", "exec", client_ns.as_str()];
            bench(&client, &dir, &urls, rate, txs)
        })
    };
    let height = |net: &Devnet| {
        net.client(0)
            .status()
            .map(|s| s.finalized_height)
            .unwrap_or(0)
    };
    std::thread::sleep(Duration::from_secs(seconds() / 3));
    let before_kill = height(&net);
    net.kill(1);
    let after_kill = heights_for(&net, seconds() / 3);
    net.start(1).expect("Seoul restarts");
    // Seoul back in step first: with it still catching up, cutting
    // Singapore off would leave two of four, short of a quorum.
    let now = height(&net);
    net.wait_for_height(1, now, Duration::from_secs(120))
        .expect("Seoul catches up");
    let rejoined = heights_for(&net, seconds() / 3);
    let before_cut = height(&net);
    namespaces.set_linked(2, false);
    let after_cut = heights_for(&net, seconds() / 3);
    namespaces.set_linked(2, true);
    let faults = load.join().expect("the load ran");
    println!("heights each second with Seoul down (from {before_kill}): {after_kill:?}");
    println!("after Seoul caught up: {rejoined:?}");
    println!("with Singapore cut off (from {before_cut}): {after_cut:?}");
    keep_logs(dir.path());
    let top = height(&net);
    for v in 0..4 {
        net.wait_for_height(v, top, Duration::from_secs(120))
            .expect("every validator catches up");
    }
    net.stop_all();
    drop(namespaces);
    let judge = || {
        finality_went_on(
            (before_kill, &after_kill),
            (before_cut, &after_cut),
            &faults,
        )
    };
    let Some((wan_full, wan_half)) = measured else {
        judge();
        return;
    };

    let loopback = TestNetwork::start(4);
    let urls: Vec<String> = (0..4).map(|v| loopback.net.api_url(v)).collect();
    let (local_full, local_half) = measure(&[], loopback.path().as_path(), &urls.join(","));
    println!("| network | load | finalized tx/s | finality p50 / p99 (ms) |");
    println!("|---|---|---|---|");
    for (name, (full, half)) in [
        ("WAN", (&wan_full, &wan_half)),
        ("loopback", (&local_full, &local_half)),
    ] {
        for (load, figures) in [("saturation", full), ("half of it", half)] {
            println!(
                "| {name} | {load} | {:.0} | {:.0} / {:.0} |",
                figures.tps, figures.p50, figures.p99
            );
        }
    }
    println!(
        "| WAN, Seoul killed and Singapore cut off | half | {:.0} | {:.0} / {:.0} |",
        faults.tps, faults.p50, faults.p99
    );
    println!(
        "places: validators in {:?}, the client in {}",
        &PLACES[..4],
        PLACES[4]
    );
    // Judged after the figures are printed, so a failing run still shows them.
    judge();
}

/// Finality went on while Seoul was down and while Singapore was cut off
/// (each window's last height above the one before it), and every
/// transfer the client had accepted is final.
fn finality_went_on(kill: (u64, &[u64]), cut: (u64, &[u64]), faults: &Figures) {
    let last = |heights: &[u64]| heights.last().copied().unwrap_or(0);
    assert!(
        last(kill.1) > kill.0,
        "finality stopped while Seoul was down"
    );
    assert!(
        last(cut.1) > cut.0,
        "finality stopped while Singapore was cut off"
    );
    assert_eq!(
        faults.finalized, faults.accepted,
        "transfers accepted but never final"
    );
}
