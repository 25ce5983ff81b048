//! State sync: under load, a validator's data folder is wiped; it starts
//! again with `--state-sync`, takes the state of a recent finalized block
//! from the others (checked against that block's certified state root),
//! and follows the chain from there without replaying it.
//!
//! CI runs it with 20,000 genesis accounts on a debug build;
//! `scripts/state_sync.sh` runs it with 100,000 on a release build
//! (`SCALE_ACCOUNTS=100000`) for the README's figures.

mod common;

use common::{
    accounts::{accounts, many_accounts, numbered},
    load::{wait_for_nonces, SteadyLoad},
    TestNetwork,
};
use std::time::{Duration, Instant};

/// Transfers a second while the validator is wiped and syncs.
const RATE: u64 = 300;

#[test]
fn a_wiped_validator_rejoins_by_state_sync_under_load() {
    let mut network = TestNetwork::start_spec(4, 0, false, |_| {}, many_accounts);
    let load = SteadyLoad::start(
        (0..3).map(|v| network.client(v)).collect(),
        network.chain_id.clone(),
        &network.key("faucet"),
        50,
        RATE,
    );
    std::thread::sleep(Duration::from_secs(5));

    // The disk is lost: the process dies and its data folder goes.
    network.net.kill(3);
    let data = network.net.home(3).join("data");
    std::fs::remove_dir_all(&data).expect("data folder removed");
    std::thread::sleep(Duration::from_secs(3));
    let restarted = Instant::now();
    network
        .net
        .start_with(3, &["--state-sync"])
        .expect("validator restarts");
    let target = network.min_height(&[0, 1, 2]);
    network
        .net
        .wait_for_height(3, target, Duration::from_secs(300))
        .expect("the synced validator reaches the others' height");
    let took = restarted.elapsed();

    let log = std::fs::read_to_string(network.net.home(3).join("node.log")).expect("log");
    let done = log
        .lines()
        .find(|line| line.contains("state sync: done"))
        .expect("the validator joined by state sync");
    eprintln!(
        "{} accounts; caught up {took:?} after restart; {done}",
        accounts()
    );
    let synced_at = height_in(done);
    assert!(synced_at > 1, "synced at height {synced_at}");
    let client = network.client(3);
    assert!(
        client.block(1).is_err(),
        "the synced validator replayed the chain: it holds block 1"
    );

    // It follows the chain: later blocks are the others' blocks.
    let later = network.min_height(&[0, 1, 2]) + 3;
    network
        .net
        .wait_for_height(3, later, Duration::from_secs(60))
        .expect("the synced validator follows");
    let report = load.stop();
    assert_eq!(report.server_errors, 0, "the load met 5xx answers");
    for validator in 0..4 {
        wait_for_nonces(&network, validator, &report.senders);
    }
    for height in [synced_at, later] {
        let theirs = network.client(0).block(height).expect("block");
        let ours = client.block(height).expect("block");
        assert_eq!(ours.hash, theirs.hash, "block {height} differs");
        assert_eq!(
            ours.state_root, theirs.state_root,
            "state at {height} differs"
        );
    }
    // A crash after the sync: it starts again from its own store.
    network.net.kill(3);
    network.net.start(3).expect("validator restarts");
    let again = network.min_height(&[0, 1, 2]) + 2;
    network
        .net
        .wait_for_height(3, again, Duration::from_secs(120))
        .expect("the synced validator restarts and follows");
    assert_eq!(
        client.block(again).expect("block").hash,
        network.client(0).block(again).expect("block").hash
    );

    // An account of genesis the load never touched came over with the state.
    let untouched = numbered(accounts() - 1);
    assert_eq!(
        client.account(&untouched).expect("account").balance,
        network.client(0).account(&untouched).unwrap().balance
    );

    // `eiraku verify` has no chain to replay on it, and says why.
    network.net.stop_all();
    let home = network.net.home(3);
    let (ok, output) = common::run_cli(&["verify", "--home", home.to_str().unwrap()]);
    assert!(!ok, "verify passed a store without the chain:\n{output}");
    assert!(output.contains("started by state sync"), "{output}");
}

/// The `height=N` field of a log line.
fn height_in(line: &str) -> u64 {
    let field = line
        .split_whitespace()
        .find_map(|word| word.strip_prefix("height="))
        .expect("the line names the height");
    field.parse().expect("a height")
}
