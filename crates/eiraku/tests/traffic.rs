//! `eiraku devnet --traffic`'s generator against four validators with the
//! ASEAN+3 demo: its flows are accepted, coins move along the corridors,
//! banks redeem, and the coins in accounts still equal the issued bonds.

mod common;

use common::TestNetwork;
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

#[test]
fn traffic_flows_along_the_corridors_and_keeps_the_books() {
    let network = TestNetwork::start_with(4, true);
    let client = network.client(0);
    let family = network.key("person-ph").account_id();
    let family_before: u128 = client.account(&family).unwrap().balance.0;
    let circulation_before: u128 = client.money_supply().unwrap().circulation.0;

    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let (client, dir, stop) = (network.client(1), network.path(), stop.clone());
        std::thread::spawn(move || {
            eiraku::traffic::run(client, &dir, Duration::from_millis(150), stop)
        })
    };
    // Two full cycles: 2 × 5 steps × 3 corridors × 150 ms.
    std::thread::sleep(Duration::from_millis(2 * 5 * 3 * 150 + 1_500));
    stop.store(true, Ordering::SeqCst);
    let counts = worker.join().unwrap().expect("the generator runs");
    assert!(counts.sent >= 20, "{counts:?}");
    assert!(
        counts.refused * 4 <= counts.sent,
        "most flows go through: {counts:?}"
    );

    // Let the last submissions finalize, then read the books.
    std::thread::sleep(Duration::from_secs(2));
    let family_after: u128 = client.account(&family).unwrap().balance.0;
    assert_ne!(
        family_after, family_before,
        "remittances reached the Philippines"
    );
    let supply = client.money_supply().unwrap();
    let circulation: u128 = supply.circulation.0;
    assert!(circulation < circulation_before, "banks redeemed coins");
    assert_eq!(
        client.status().unwrap().total_supply,
        supply.circulation,
        "coins in accounts = issued bonds"
    );
}
