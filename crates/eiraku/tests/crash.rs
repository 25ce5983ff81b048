//! `kill -9` of a validator under load: the others keep finalizing; on
//! restart it catches up from its peers, and no finalized transaction is
//! missing on any validator.

mod common;

use common::TestNetwork;
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

#[test]
fn killed_validator_catches_up_and_loses_nothing() {
    let network = Arc::new(Mutex::new(TestNetwork::start(4)));
    let (senders, clients) = {
        let network = network.lock().unwrap();
        let senders = ["faucet", "alice", "bob"].map(|label| network.key(label));
        // Load goes to validators 0 and 1; validator 3 is the one killed.
        (senders, [network.client(0), network.client(1)])
    };
    let recipient = eiraku_core::Keypair::generate();
    let recipient_id = recipient.account_id();
    let chain_id = network.lock().unwrap().chain_id.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(Mutex::new(Vec::new()));

    let load = {
        let stop = stop.clone();
        let accepted = accepted.clone();
        std::thread::spawn(move || {
            let mut nonce = 0u64;
            while !stop.load(Ordering::Relaxed) {
                for (i, sender) in senders.iter().enumerate() {
                    let tx = eiraku_core::SignedTransaction::sign(
                        eiraku_core::Transaction {
                            chain_id: chain_id.clone(),
                            sender: sender.account_id(),
                            nonce,
                            call: eiraku_core::Call::Transfer {
                                to: recipient.account_id(),
                                amount: eiraku_core::Amount(1),
                            },
                        },
                        sender,
                    );
                    clients[i % 2].submit(&tx).expect("load transfer accepted");
                    accepted.lock().unwrap().push(tx.hash());
                }
                nonce += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };

    std::thread::sleep(Duration::from_secs(3));
    let killed_at = {
        let mut network = network.lock().unwrap();
        network.net.kill(3);
        network.min_height(&[0, 1, 2])
    };
    // The other three keep finalizing under load (slowly at first: the dead
    // validator's views time out until its leadership is skipped).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let height = network.lock().unwrap().min_height(&[0, 1, 2]);
        if height >= killed_at + 20 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "finality stalled with one validator down: {killed_at} -> {height}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    network.lock().unwrap().net.start(3).expect("restart");
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    load.join().unwrap();

    let network = network.lock().unwrap();
    let accepted = accepted.lock().unwrap().clone();
    assert!(
        accepted.len() > 100,
        "load generator sent too little: {}",
        accepted.len()
    );
    // Every accepted transfer is finalized, on every validator, the restarted one included.
    let deadline = Instant::now() + Duration::from_secs(120);
    for validator in 0..4 {
        let client = network.client(validator);
        for hash in &accepted {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let view = client.wait_finalized(hash, remaining).unwrap_or_else(|e| {
                panic!("validator {validator} misses a finalized transfer: {e}")
            });
            assert_eq!(view.receipt.unwrap().outcome, "success");
        }
    }
    let recipient_balance = network.client(3).account(&recipient_id).unwrap().balance;
    assert_eq!(recipient_balance, accepted.len().to_string());
    let height = network.min_height(&[0, 1, 2, 3]);
    assert!(height > killed_at);
    network.assert_same_chain(&[0, 1, 2, 3], height);
}
