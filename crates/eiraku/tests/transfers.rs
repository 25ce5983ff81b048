//! Four validators as real processes on loopback: 1,000 transfers submitted
//! round-robin to different validators all finalize, total supply is
//! conserved and every validator holds the same chain and state roots.

mod common;

use common::TestNetwork;
use std::{
    collections::BTreeSet,
    sync::mpsc,
    time::{Duration, Instant},
};

#[test]
fn thousand_transfers_finalize_on_every_validator() {
    let network = TestNetwork::start(4);
    let supply_before = network.client(0).status().unwrap().total_supply;
    let senders = ["faucet", "alice", "bob", "carol"].map(|label| network.key(label));
    // Recipients include accounts that do not exist yet.
    let recipients: Vec<_> = (0..10).map(|_| eiraku_core::Keypair::generate()).collect();

    // Validator 3's stream of finalized transaction hashes, from before the
    // first submission: the first block it announces (the chain makes
    // blocks when idle too) shows the stream is live.
    let (finalized_tx, finalized_rx) = mpsc::channel::<String>();
    let (live_tx, live_rx) = mpsc::channel::<()>();
    let stream_client = network.client(3);
    std::thread::spawn(move || {
        let _ = stream_client.follow_finalized_txs(|block| {
            let _ = live_tx.send(());
            block
                .transactions
                .into_iter()
                .all(|hash| finalized_tx.send(hash).is_ok())
        });
    });
    live_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("validator 3 announces finalized blocks");

    let mut hashes = Vec::new();
    for i in 0..1000usize {
        let sender = &senders[i % senders.len()];
        let nonce = (i / senders.len()) as u64;
        let tx = network.transfer(sender, nonce, &recipients[i % recipients.len()], 7);
        let validator = i % 4;
        network
            .client(validator)
            .submit(&tx)
            .unwrap_or_else(|e| panic!("transfer {i} refused by validator {validator}: {e}"));
        hashes.push(tx.hash());
    }

    let deadline = Instant::now() + Duration::from_secs(180);
    for (i, hash) in hashes.iter().enumerate() {
        let client = network.client(i % 4);
        let remaining = deadline.saturating_duration_since(Instant::now());
        let view = client
            .wait_finalized(hash, remaining)
            .unwrap_or_else(|e| panic!("transfer {i} not finalized: {e}"));
        let receipt = view.receipt.expect("finalized transactions have receipts");
        assert_eq!(
            receipt.outcome,
            eiraku_api::Outcome::Success,
            "transfer {i} failed: {:?}",
            receipt.error
        );
    }

    // Every transaction is final on every validator, not just where it was sent.
    for validator in 0..4 {
        for hash in hashes.iter().step_by(97) {
            let view = network.client(validator).tx(hash).unwrap();
            assert_eq!(view.status, eiraku_api::TxStatus::Finalized);
        }
    }

    // The finalized-transactions stream named every one of them.
    let mut unseen: BTreeSet<String> = hashes.iter().map(eiraku_core::digest::to_hex).collect();
    while !unseen.is_empty() {
        let hash = finalized_rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("{} transfers never announced on the stream", unseen.len()));
        unseen.remove(&hash);
    }

    let height = network.min_height(&[0, 1, 2, 3]);
    for validator in 0..4 {
        let status = network.client(validator).status().unwrap();
        assert_eq!(
            status.total_supply, supply_before,
            "supply changed on validator {validator}"
        );
    }
    for recipient in &recipients {
        let account = network.client(0).account(&recipient.account_id()).unwrap();
        assert_eq!(account.balance, eiraku_core::Amount(100 * 7));
    }
    network.assert_same_chain(&[0, 1, 2, 3], height);

    // Each validator says how many blocks it executed and what their state
    // roots cost.
    for validator in 0..4 {
        let value = |name: &str| network.metric(validator, name);
        assert!(value("eiraku_blocks_executed_total") >= 1.0);
        assert!(value("eiraku_state_root_seconds_total") > 0.0);
        assert!(value("eiraku_block_execution_seconds_total") > 0.0);
    }
}
