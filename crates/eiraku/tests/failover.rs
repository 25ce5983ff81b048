//! Clients go on when a validator goes away: a watch of finalized blocks
//! moves to another validator and reads what it missed, every height once;
//! `eiraku bench` sends a batch its validator cannot take to the next one,
//! so no transaction is lost and no sender waits behind a nonce gap; a CLI
//! command talks to the first node that answers.

mod common;

use common::{run_cli, TestNetwork};
use eiraku::{
    bench::{self, BenchConfig},
    bench_workload::Workload,
    failover,
};

#[test]
fn clients_fail_over_when_a_validator_goes_away() {
    let mut network = TestNetwork::start(4);

    // The watch follows validator 0, which is killed three blocks in.
    let clients = vec![network.client(0), network.client(1)];
    let mut heights = Vec::new();
    failover::follow_finalized(&clients, |block| {
        heights.push(block.height);
        if heights.len() == 3 {
            network.net.kill(0);
        }
        heights.len() < 30
    });
    let expected: Vec<u64> = (heights[0]..heights[0] + 30).collect();
    assert_eq!(heights, expected, "every height once, in order");

    // Validator 0 is down; a command given it first talks to the next.
    let (dead, live) = (network.net.api_url(0), network.net.api_url(1));
    let nodes = format!("{dead},{live}");
    let (ok, text) = run_cli(&[
        "query",
        "status",
        "--node",
        &nodes,
        "--network",
        "/nonexistent",
    ]);
    assert!(ok && text.contains("\"finalized_height\""), "{text}");
    let (ok, text) = run_cli(&[
        "query",
        "status",
        "--node",
        &dead,
        "--network",
        "/nonexistent",
    ]);
    assert!(!ok && text.contains("cannot reach any node"), "{text}");

    // A quarter of the bench's batches go first to the dead validator.
    let transactions = 2_000;
    let report = bench::run(&BenchConfig {
        nodes: vec![live, dead, network.net.api_url(2), network.net.api_url(3)],
        faucet: network.key("faucet"),
        helpers: Vec::new(),
        open_as: None,
        accounts: 100,
        senders: 100,
        transactions,
        rate: 1_000,
        batch: 50,
        progress: false,
        workload: Workload::Transfer,
        registrar: None,
    })
    .expect("the bench runs");
    assert_eq!(report.accepted, transactions, "every batch was taken");
    assert_eq!(report.finalized, transactions, "every transfer is final");
}
