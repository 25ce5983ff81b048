//! What a block costs the state machine as the number of accounts grows,
//! without the network: execution, the block's write-set, and the
//! authenticated state's root and commit (QMDB, on disk in a temporary
//! folder), for blocks of account openings under the money rules and then
//! of payments between random accounts.
//!
//! `cargo bench -p eiraku --bench state` (sizes: `EIRAKU_BENCH_ACCOUNTS`,
//! default `1000,100000,1000000`; block size: `EIRAKU_BENCH_BLOCK`, default
//! 3000, about what the devnet finalizes per block at 5,000 tx/s).

use eiraku::{money_demo, state_roots::StateRoots, submit::sign};
use eiraku_core::{
    travel_rule::TravelSecret, AccountId, Amount, Call, ChainId, Genesis, GenesisAccount, Keypair,
    MoneyCall, RetailKind, Role, SignedTransaction,
};
use eiraku_state::{BlockEnv, State};
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// Blocks of payments measured per size.
const PAYMENT_BLOCKS: usize = 20;
/// Accounts that send the payments (funded first).
const SENDERS: usize = 30_000;

fn main() {
    let sizes: Vec<usize> = std::env::var("EIRAKU_BENCH_ACCOUNTS")
        .unwrap_or_else(|_| "1000,100000,1000000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("account counts"))
        .collect();
    let block: usize = std::env::var("EIRAKU_BENCH_BLOCK")
        .map(|n| n.parse().expect("block size"))
        .unwrap_or(3_000);
    println!("per block of {block} transactions, mean milliseconds (exec = execution, diff = write-set, root = QMDB merkleize + commit)");
    println!("| accounts | opening accounts/s (last 10%) | open exec | open diff | open root | pay exec | pay diff | pay root |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for accounts in sizes {
        let row = Bench::new(block).run(accounts);
        println!("{row}");
    }
}

/// Mean times of a series of blocks.
#[derive(Default)]
struct Costs {
    blocks: u32,
    exec: Duration,
    diff: Duration,
    root: Duration,
}

impl Costs {
    fn add(&mut self, other: &Costs) {
        self.blocks += other.blocks;
        self.exec += other.exec;
        self.diff += other.diff;
        self.root += other.root;
    }

    fn total(&self) -> Duration {
        self.exec + self.diff + self.root
    }

    fn mean_ms(&self, part: Duration) -> f64 {
        part.as_secs_f64() * 1000.0 / self.blocks.max(1) as f64
    }
}

struct Bench {
    block: usize,
    state: State,
    roots: StateRoots,
    faucet: Keypair,
    faucet_nonce: u64,
    timestamp_ms: u64,
}

impl Bench {
    fn new(block: usize) -> Self {
        let (genesis, faucet) = genesis();
        let state = State::from_genesis(&genesis);
        let roots = StateRoots::start().expect("scratch state store");
        roots
            .root_after(0, state.all_entries())
            .expect("genesis root");
        Self {
            block,
            timestamp_ms: genesis.genesis_time_ms,
            state,
            roots,
            faucet,
            faucet_nonce: 0,
        }
    }

    fn run(mut self, accounts: usize) -> String {
        let people: Vec<AccountId> = (0..accounts as u64)
            .into_par_iter()
            .map(|n| Keypair::from_seed(1_000_000_000 + n).account_id())
            .collect();
        let role = Role::Retail {
            economy: eiraku_core::EconomyCode::new("JP").unwrap(),
            kind: RetailKind::Person,
            tier: 1,
        };
        let mut opening = Costs::default();
        let mut last_tenth = Costs::default();
        let mut opened = 0;
        for chunk in people.chunks(self.block) {
            let calls: Vec<Call> = chunk
                .iter()
                .map(|&account| Call::Money(MoneyCall::OpenAccount { account, role }))
                .collect();
            let costs = self.faucet_block(calls);
            opened += chunk.len();
            if opened > accounts - accounts / 10 {
                last_tenth.add(&costs);
            }
            opening.add(&costs);
        }
        let senders = &people[..SENDERS.min(accounts)];
        for chunk in senders.chunks(self.block) {
            let calls = chunk
                .iter()
                .map(|&to| Call::Transfer {
                    to,
                    amount: Amount(100 * money_demo::ACU),
                })
                .collect();
            self.faucet_block(calls);
        }
        let paying = self.payments(senders, &people);
        let opened_per_second = (accounts / 10).max(1) as f64 / last_tenth.total().as_secs_f64();
        format!(
            "| {accounts} | {opened_per_second:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            opening.mean_ms(opening.exec),
            opening.mean_ms(opening.diff),
            opening.mean_ms(opening.root),
            paying.mean_ms(paying.exec),
            paying.mean_ms(paying.diff),
            paying.mean_ms(paying.root),
        )
    }

    /// `PAYMENT_BLOCKS` blocks of one-cent payments from each sender in turn
    /// to accounts spread over all of them.
    fn payments(&mut self, senders: &[AccountId], people: &[AccountId]) -> Costs {
        let keys: Vec<Keypair> = (0..senders.len() as u64)
            .into_par_iter()
            .map(|n| Keypair::from_seed(1_000_000_000 + n))
            .collect();
        let mut nonces = vec![0u64; senders.len()];
        let mut costs = Costs::default();
        let mut next = 0usize;
        // A fixed stride walks recipients across the whole key space.
        let stride = people.len() / 7 + 1;
        for _ in 0..PAYMENT_BLOCKS {
            let txs: Vec<SignedTransaction> = (0..self.block)
                .map(|i| {
                    let sender = (next + i) % senders.len();
                    let mut to = (next + i) * stride % people.len();
                    if to == sender {
                        to = (to + 1) % people.len();
                    }
                    let to = people[to];
                    let tx = (sender, nonces[sender], to);
                    nonces[sender] += 1;
                    tx
                })
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|(sender, nonce, to)| {
                    sign(
                        self.state.chain_id(),
                        &keys[sender],
                        nonce,
                        Call::Transfer {
                            to,
                            amount: Amount(1),
                        },
                    )
                })
                .collect();
            next += self.block;
            costs.add(&self.execute(&txs));
        }
        costs
    }

    /// One block of `calls` from the faucet bank.
    fn faucet_block(&mut self, calls: Vec<Call>) -> Costs {
        let first = self.faucet_nonce;
        self.faucet_nonce += calls.len() as u64;
        let txs: Vec<SignedTransaction> = calls
            .into_par_iter()
            .enumerate()
            .map(|(i, call)| sign(self.state.chain_id(), &self.faucet, first + i as u64, call))
            .collect();
        self.execute(&txs)
    }

    fn execute(&mut self, txs: &[SignedTransaction]) -> Costs {
        self.timestamp_ms += 1;
        let env = BlockEnv {
            height: self.state.height() + 1,
            timestamp_ms: self.timestamp_ms,
        };
        let before = self.state.clone();
        let started = Instant::now();
        let receipts = self.state.execute_block(&env, txs).expect("admissible");
        let exec = started.elapsed();
        if let Some(failed) = receipts
            .iter()
            .find(|r| r.outcome != eiraku_state::Outcome::Success)
        {
            panic!("a benchmark transaction failed: {:?}", failed.outcome);
        }
        let started = Instant::now();
        let changes = self.state.changes_since(&before);
        let diff = started.elapsed();
        let started = Instant::now();
        self.roots
            .root_after(env.height, changes)
            .expect("state root");
        let root = started.elapsed();
        drop(before);
        Costs {
            blocks: 1,
            exec,
            diff,
            root,
        }
    }
}

/// The demo money genesis with fixed keys (seeded by label order), without
/// validators (the state machine never reads them); the faucet bank's key.
fn genesis() -> (Genesis, Keypair) {
    let mut seed = 0u64;
    let mut labels: Vec<(String, Keypair)> = Vec::new();
    let mut key = |label: &str| -> anyhow::Result<AccountId> {
        if let Some((_, key)) = labels.iter().find(|(l, _)| l == label) {
            return Ok(key.account_id());
        }
        seed += 1;
        labels.push((label.to_string(), Keypair::from_seed(seed)));
        Ok(labels.last().unwrap().1.account_id())
    };
    let mut travel_key = |_: &str| Ok(TravelSecret::generate().1);
    let mut accounts: Vec<GenesisAccount> = Vec::new();
    for demo in money_demo::demo_accounts() {
        let bank = demo.bank.as_ref().map(|label| {
            accounts
                .iter()
                .find(|a| a.label == *label)
                .expect("banks come first")
                .id
        });
        let travel_key = match demo.role {
            Some(Role::Bank { .. }) => Some(travel_key(&demo.label).unwrap()),
            _ => None,
        };
        accounts.push(GenesisAccount {
            id: key(&demo.label).unwrap(),
            balance: demo.balance,
            label: demo.label,
            role: demo.role,
            bank,
            travel_key,
        });
    }
    let genesis_time_ms = 1_800_000_000_000;
    let money = money_demo::money_genesis(&mut key, &mut travel_key, &accounts, genesis_time_ms)
        .expect("demo money genesis");
    let faucet = accounts
        .iter()
        .find(|a| a.label == "faucet")
        .expect("faucet")
        .id;
    let faucet = (1..=seed)
        .map(Keypair::from_seed)
        .find(|k| k.account_id() == faucet)
        .expect("faucet key");
    let genesis = Genesis {
        chain_id: ChainId::new("state-bench").unwrap(),
        genesis_time_ms,
        validators: vec![],
        accounts,
        money: Some(money),
        governance: None,
        key_replacement_delay_ms: None,
        epoch_length: None,
        reviewers: vec![],
    };
    (genesis, faucet)
}
