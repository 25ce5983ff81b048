//! Steady transfer load on a test network, for as long as a test needs it:
//! funded accounts pay each other in a ring, signed on the fly, in binary
//! batches at a target rate.

use eiraku::{funding, Client};
use eiraku_core::{AccountId, Amount, Call, ChainId, Keypair, SignedTransaction, Transaction};
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

/// Transactions per request.
const BATCH: usize = 500;

/// What the load sent.
pub struct LoadReport {
    /// Each sender and the nonce it will use next: every nonce below it was
    /// accepted by a validator.
    pub senders: Vec<(AccountId, u64)>,
    /// Transactions accepted.
    pub accepted: u64,
    /// Batches a validator answered `busy` to, sent again.
    pub busy: u64,
    /// Answers with a 5xx status (`busy` included), each sent again.
    pub server_errors: u64,
}

/// A load running in a background thread.
pub struct SteadyLoad {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<LoadReport>,
}

impl SteadyLoad {
    /// Funds `accounts` from `faucet` through `clients[0]`, then sends
    /// `rate` transfers a second, round-robin over `clients`.
    pub fn start(
        clients: Vec<Client>,
        chain_id: ChainId,
        faucet: &Keypair,
        accounts: usize,
        rate: u64,
    ) -> Self {
        let keys: Vec<Keypair> = (0..accounts).map(|_| Keypair::generate()).collect();
        funding::fund(
            &clients[0],
            &chain_id,
            faucet,
            &[],
            None,
            &keys,
            1_000,
            false,
        )
        .expect("load accounts funded");
        // The funding is final on the first validator; the load goes to all
        // of them, and one a block behind would not know the senders yet.
        let funded = clients[0].status().expect("status").finalized_height;
        for client in &clients {
            let deadline = Instant::now() + Duration::from_secs(60);
            while client.status().is_ok_and(|s| s.finalized_height < funded) {
                assert!(
                    Instant::now() < deadline,
                    "a validator never applied the funding"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || send(&clients, &chain_id, &keys, rate, &stop))
        };
        Self { stop, thread }
    }

    /// Stops sending (after retrying what was refused as busy) and reports.
    pub fn stop(self) -> LoadReport {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("load thread")
    }
}

fn transfer(chain_id: &ChainId, from: &Keypair, nonce: u64, to: AccountId) -> SignedTransaction {
    SignedTransaction::sign(
        Transaction {
            chain_id: chain_id.clone(),
            sender: from.account_id(),
            nonce,
            call: Call::Transfer {
                to,
                amount: Amount(1),
            },
        },
        from,
    )
}

/// The ring of senders: account `i` pays account `i + 1`, round by round,
/// each round at the next nonce.
struct Ring<'a> {
    chain_id: &'a ChainId,
    keys: &'a [Keypair],
    sent: u64,
}

impl Ring<'_> {
    fn next(&mut self) -> SignedTransaction {
        let count = self.keys.len() as u64;
        let (round, index) = (self.sent / count, (self.sent % count) as usize);
        self.sent += 1;
        let to = self.keys[(index + 1) % self.keys.len()].account_id();
        transfer(self.chain_id, &self.keys[index], round, to)
    }

    /// Whole rounds sent so far.
    fn at_round_end(&self) -> bool {
        self.sent.is_multiple_of(self.keys.len() as u64)
    }
}

/// Sends rounds until stopped, finishes the round under way, then resends
/// what is still refused as busy until it is accepted.
fn send(
    clients: &[Client],
    chain_id: &ChainId,
    keys: &[Keypair],
    rate: u64,
    stop: &AtomicBool,
) -> LoadReport {
    let started = Instant::now();
    let mut ring = Ring {
        chain_id,
        keys,
        sent: 0,
    };
    let mut outbox = Outbox {
        clients,
        requests: 0,
        retry: Vec::new(),
        report: LoadReport {
            senders: Vec::new(),
            accepted: 0,
            busy: 0,
            server_errors: 0,
        },
    };
    while !stop.load(Ordering::Relaxed) {
        let due =
            started + Duration::from_millis(outbox.requests as u64 * BATCH as u64 * 1000 / rate);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let mut batch = std::mem::take(&mut outbox.retry);
        while batch.len() < BATCH {
            batch.push(ring.next());
        }
        outbox.send(batch);
    }
    while !ring.at_round_end() {
        outbox.retry.push(ring.next());
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while !outbox.retry.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the network stayed busy for a minute"
        );
        std::thread::sleep(Duration::from_millis(50));
        let batch = std::mem::take(&mut outbox.retry);
        outbox.send(batch);
    }
    let rounds = ring.sent / keys.len() as u64;
    let mut report = outbox.report;
    report.senders = keys.iter().map(|key| (key.account_id(), rounds)).collect();
    report
}

/// Batches on their way, round-robin over the validators.
struct Outbox<'a> {
    clients: &'a [Client],
    requests: usize,
    /// Refused as busy (or lost to a transport error): to send again.
    retry: Vec<SignedTransaction>,
    report: LoadReport,
}

impl Outbox<'_> {
    /// Sends one batch; what is refused as busy, or lost to a transport
    /// error, goes back into `retry`. Any other refusal fails the test.
    fn send(&mut self, batch: Vec<SignedTransaction>) {
        let client = &self.clients[self.requests % self.clients.len()];
        self.requests += 1;
        let response = match client.submit_raw_batch(&batch) {
            Ok(response) => response,
            Err(error) => {
                if let eiraku::ClientError::Api { status: 500.., .. } = error {
                    self.report.server_errors += 1;
                }
                self.report.busy += 1;
                self.retry.extend(batch);
                return;
            }
        };
        self.report.accepted += response.accepted as u64;
        if response.refused.is_empty() {
            return;
        }
        self.report.busy += 1;
        for refusal in &response.refused {
            match refusal.error.code.as_str() {
                // Busy, or a validator still catching up after a restart
                // (it has not seen the sender's last nonces yet): the next
                // request goes to another validator.
                "busy" | "nonce_gap" => self.retry.push(batch[refusal.index].clone()),
                // A resent transaction the node had taken after all.
                "duplicate" | "nonce_used" => self.report.accepted += 1,
                code => panic!("load transfer refused: {code}: {}", refusal.error.message),
            }
        }
    }
}

/// Waits until `validator` has finalized every sender's transfers.
pub fn wait_for_nonces(
    network: &super::TestNetwork,
    validator: usize,
    senders: &[(eiraku_core::AccountId, u64)],
) {
    let client = network.client(validator);
    let deadline = Instant::now() + Duration::from_secs(60);
    for (sender, nonce) in senders {
        loop {
            let account = client.account(sender).expect("account");
            if account.nonce >= *nonce {
                assert_eq!(account.nonce, *nonce, "more transfers than were sent");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "validator {validator} misses finalized transfers of {sender} ({} of {nonce})",
                account.nonce
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
