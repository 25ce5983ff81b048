//! Shared by the integration tests: a real network of `eiraku node`
//! processes on loopback, in a temporary folder, on free ports.

#![allow(dead_code)]

pub mod accounts;
pub mod cli;
pub mod devnet_process;
pub mod load;
pub mod session;
pub mod wan;

use eiraku::{
    devnet::Devnet,
    keyfile,
    testnet::{self, TestnetSpec},
    Client,
};
use eiraku_core::{Amount, Call, ChainId, Keypair, SignedTransaction, Transaction};
use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    time::Duration,
};

/// A running test network; everything stops and is deleted on drop.
pub struct TestNetwork {
    pub net: Devnet,
    pub dir: tempfile::TempDir,
    pub chain_id: ChainId,
}

/// Port ranges handed out in this process: tests of one binary run in
/// parallel, and a range free now is not free once another network of the
/// same process binds it.
static HANDED_OUT: std::sync::Mutex<Vec<std::ops::Range<u16>>> = std::sync::Mutex::new(Vec::new());

/// `count` consecutive free loopback ports, twice (API and p2p), never
/// overlapping a range handed out before in this process.
fn free_port_ranges(count: usize) -> (u16, u16) {
    let mut handed_out = HANDED_OUT.lock().unwrap();
    let mut seed = std::process::id() as u64 * 7919 + count as u64 + handed_out.len() as u64;
    loop {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let base = 20_000 + (seed >> 33) as u16 % 30_000;
        let range = base..base + 2 * count as u16;
        let overlaps = handed_out
            .iter()
            .any(|taken| range.start < taken.end && taken.start < range.end);
        let all_free = !overlaps
            && range
                .clone()
                .all(|port| TcpListener::bind(("127.0.0.1", port)).is_ok());
        if all_free {
            handed_out.push(range);
            return (base, base + count as u16);
        }
    }
}

/// A free loopback port no other network of this process was given.
pub fn free_port() -> u16 {
    free_port_ranges(1).0
}

impl TestNetwork {
    /// Creates and starts `validators` validators of a plain ledger (no
    /// money module) and waits for height 1 everywhere.
    pub fn start(validators: usize) -> Self {
        Self::start_with(validators, false)
    }

    /// Like [`TestNetwork::start`], with the money module and its ASEAN+3
    /// demo accounts when `money` is true.
    #[allow(dead_code)] // not every test binary uses it
    pub fn start_with(validators: usize, money: bool) -> Self {
        Self::start_tuned(validators, money, |_| {})
    }

    /// Like [`TestNetwork::start_with`], with each validator's settings
    /// adjusted by `tune`.
    pub fn start_tuned(
        validators: usize,
        money: bool,
        tune: fn(&mut eiraku_node::NodeSettings),
    ) -> Self {
        Self::start_spec(validators, 0, money, tune, |_| {})
    }

    /// Creates `validators` validators plus homes for `spares` more that
    /// are not in genesis (not started), with settings adjusted by `tune`
    /// and the genesis by `tune_genesis`; starts the validators and waits
    /// for height 1 everywhere.
    pub fn start_spec(
        validators: usize,
        spares: usize,
        money: bool,
        tune: fn(&mut eiraku_node::NodeSettings),
        tune_genesis: fn(&mut eiraku_core::Genesis),
    ) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let (api_port, p2p_port) = free_port_ranges(validators + spares);
        testnet::create(&TestnetSpec {
            dir: dir.path().to_path_buf(),
            validators,
            chain_id: "eiraku-test".into(),
            api_port,
            p2p_port,
            money,
            tune,
            spares,
            tune_genesis,
            hosts: Vec::new(),
        })
        .expect("network folder");
        let mut net = Devnet::open(Path::new(env!("CARGO_BIN_EXE_eiraku")), dir.path())
            .expect("network opens");
        for index in 0..validators {
            net.start(index).expect("validator starts");
        }
        for index in 0..validators {
            net.wait_for_height(index, 1, Duration::from_secs(120))
                .expect("validator finalizes");
        }
        Self {
            net,
            dir,
            chain_id: ChainId::new("eiraku-test").unwrap(),
        }
    }

    pub fn client(&self, index: usize) -> Client {
        self.net.client(index)
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// A demo account's key (faucet, alice, bob, carol).
    pub fn key(&self, label: &str) -> Keypair {
        keyfile::read(
            &self
                .dir
                .path()
                .join("accounts")
                .join(format!("{label}.key")),
        )
        .expect("demo key")
        .into_own_key()
        .expect("demo keys sign for their own accounts")
    }

    pub fn transfer(
        &self,
        from: &Keypair,
        nonce: u64,
        to: &Keypair,
        amount: u128,
    ) -> SignedTransaction {
        SignedTransaction::sign(
            Transaction {
                chain_id: self.chain_id.clone(),
                sender: from.account_id(),
                nonce,
                call: Call::Transfer {
                    to: to.account_id(),
                    amount: Amount(amount),
                },
            },
            from,
        )
    }

    /// The value of an unlabelled metric in validator `index`'s `/metrics`.
    pub fn metric(&self, index: usize, name: &str) -> f64 {
        let url = format!("{}/metrics", self.client(index).base());
        let text = ureq::get(&url)
            .call()
            .expect("/metrics answers")
            .body_mut()
            .read_to_string()
            .expect("/metrics is text");
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing from validator {index}'s /metrics"))
            .parse()
            .expect("a number")
    }

    /// The lowest finalized height over the given validators.
    pub fn min_height(&self, validators: &[usize]) -> u64 {
        validators
            .iter()
            .map(|i| self.client(*i).status().expect("status").finalized_height)
            .min()
            .expect("at least one validator")
    }

    /// Asserts that every listed validator holds the same block, with the
    /// same state root, at every height from 0 to `up_to`.
    pub fn assert_same_chain(&self, validators: &[usize], up_to: u64) {
        for height in 0..=up_to {
            let blocks: Vec<_> = validators
                .iter()
                .map(|i| self.client(*i).block(height).expect("block"))
                .collect();
            for block in &blocks[1..] {
                assert_eq!(
                    block.hash, blocks[0].hash,
                    "validators disagree on block {height}"
                );
                assert_eq!(
                    block.state_root, blocks[0].state_root,
                    "state roots differ at {height}"
                );
            }
        }
    }
}

/// Runs `eiraku verify` on the stores of `validators` (stopped), all at
/// once, each a process of its own; fails naming the first that fails.
pub fn assert_stores_verify(network: &TestNetwork, validators: &[usize]) {
    let audits: Vec<_> = validators
        .iter()
        .map(|&validator| {
            let home = network.net.home(validator);
            std::thread::spawn(move || run_cli(&["verify", "--home", home.to_str().unwrap()]))
        })
        .collect();
    for (validator, audit) in validators.iter().zip(audits) {
        let (ok, output) = audit.join().expect("verify runs");
        assert!(ok, "validator {validator}'s store fails verify:\n{output}");
    }
}

/// Runs the `eiraku` binary; returns whether it succeeded and its stdout
/// and stderr together.
#[allow(dead_code)] // not every test binary uses it
pub fn run_cli(args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_eiraku"))
        .args(args)
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}
