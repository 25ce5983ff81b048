//! `eiraku bench` on a real validator with the money module: the opening
//! streams past the mempool's window of nonces one sender may have ahead,
//! every account is opened under the money rules and funded, and the
//! timeline accounts for every finalized transfer.

mod common;

use common::TestNetwork;
use eiraku::{
    bench::{self, BenchConfig},
    bench_workload::Workload,
    funding,
};
use eiraku_core::Role;
use eiraku_node::mempool::MAX_NONCE_AHEAD;

#[test]
fn the_bench_opens_funds_and_times_every_transfer() {
    let network = TestNetwork::start_with(1, true);
    let client = network.client(0);
    let faucet = network.key("faucet");
    let open_as = funding::account_role(&client, &faucet).unwrap();
    assert!(matches!(open_as, Some(Role::Retail { .. })));
    // One sender with more accounts to open than the mempool takes ahead of
    // its final nonce: the bench must wait for finality as it goes, or the
    // mempool refuses the calls past the window.
    let accounts = 2 * MAX_NONCE_AHEAD as usize + 100;
    let transactions = 1_000;
    let report = bench::run(&BenchConfig {
        nodes: vec![network.net.api_url(0)],
        faucet: faucet.clone(),
        helpers: Vec::new(),
        open_as,
        accounts,
        senders: 100,
        transactions,
        rate: 2_000,
        batch: 100,
        progress: false,
        workload: Workload::Transfer,
        registrar: None,
    })
    .expect("the bench runs");

    assert_eq!(report.accepted, transactions);
    assert_eq!(report.finalized, transactions);
    assert_eq!(report.timeline.len(), transactions);
    assert!(report.opening_rates.is_empty(), "fewer than one segment");
    let status = client.status().unwrap();
    for entry in &report.timeline {
        assert!(entry.latency_ms > 0.0);
        assert!(entry.height >= 1 && entry.height <= status.finalized_height);
    }
    assert!(
        report
            .timeline
            .windows(2)
            .all(|pair| pair[0].sent_ms <= pair[1].sent_ms),
        "in the order sent"
    );
    assert_eq!(report.receipts.1, 0, "no transfer failed");
    let faucet_view = client.account(&faucet.account_id()).unwrap();
    assert!(
        faucet_view.nonce >= 2 * accounts as u64,
        "one opening and one payment per account"
    );
}

/// The record and access workloads: registries are created for the
/// senders and consents granted to them first; then every record write
/// and access entry finalizes, and none fails.
#[test]
fn the_bench_measures_record_writes_and_access_entries_that_succeed() {
    let network = TestNetwork::start_with(1, true);
    let client = network.client(0);
    let faucet = network.key("faucet");
    let open_as = funding::account_role(&client, &faucet).unwrap();
    for workload in [Workload::Record, Workload::Access] {
        let transactions = 400;
        let report = bench::run(&BenchConfig {
            nodes: vec![network.net.api_url(0)],
            faucet: faucet.clone(),
            helpers: Vec::new(),
            open_as,
            accounts: 40,
            senders: 40,
            transactions,
            rate: 2_000,
            batch: 100,
            progress: false,
            workload,
            registrar: Some(network.key("registrar-jp")),
        })
        .expect("the bench runs");
        assert_eq!(report.finalized, transactions, "{workload:?}");
        let (sampled, failed, first) = report.receipts;
        assert_eq!((sampled > 0, failed), (true, 0), "{workload:?}: {first:?}");
    }
    let consents = client.consents_of(&faucet.account_id()).unwrap();
    let accesses: u64 = consents.iter().map(|c| c.accesses).sum();
    assert_eq!((consents.len(), accesses), (40, 400));
}
