//! `eiraku bench`: pre-signs transfers from many accounts, submits them at a
//! target rate across all validators and measures what finalizes.
//!
//! Figures are wall-clock measurements of a live network, so this module
//! (and only the benchmark) reads clocks and uses floating point.

use crate::{submit, Client};
use anyhow::Context;
use commonware_parallel::Rayon;
use eiraku_core::{
    digest, verify_batch, ChainId, KeyCache, Keypair, Role, SignedTransaction, TxHash,
};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::{
    collections::HashMap,
    num::NonZeroUsize,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/// When each benchmark transaction was sent.
type TxTimes = HashMap<TxHash, Instant, foldhash::fast::RandomState>;

/// When each benchmark transaction was seen finalized, and at what height.
type TxFinality = HashMap<TxHash, (Instant, u64), foldhash::fast::RandomState>;

/// Finalized transactions whose receipts are read after a run.
pub const RECEIPT_SAMPLE: usize = 200;

/// Concurrent submitting threads per validator.
const SENDERS_PER_NODE: usize = 3;

/// What to run.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// API URLs of the validators; batches go round-robin across them.
    pub nodes: Vec<String>,
    /// A funded key that pays the benchmark accounts.
    pub faucet: Keypair,
    /// Other funded keys (banks of the faucet's economy) that open and pay
    /// a share of the accounts beside it: one sender's nonces are ordered,
    /// so several senders open accounts faster.
    pub helpers: Vec<Keypair>,
    /// With the money module: the role the faucet (a bank) opens the
    /// benchmark accounts with before paying them.
    pub open_as: Option<Role>,
    /// Number of funded benchmark accounts: every one receives transfers.
    pub accounts: usize,
    /// How many of them send (at most `accounts`). Kept equal across runs
    /// of different sizes, every run checks signatures of as many distinct
    /// keys, so what changes between them is the state alone.
    pub senders: usize,
    /// Number of transfers to send.
    pub transactions: usize,
    /// Target submission rate, transactions per second.
    pub rate: u64,
    /// Transactions per HTTP request.
    pub batch: usize,
    /// Show progress bars.
    pub progress: bool,
    /// What each transaction does.
    pub workload: crate::bench_workload::Workload,
    /// A registry authority's key (the record workload creates registries).
    pub registrar: Option<Keypair>,
}

/// One finalized transfer of the run.
#[derive(Clone, Copy, Debug)]
pub struct TimelineEntry {
    /// Milliseconds after the first submission.
    pub sent_ms: f64,
    /// Milliseconds from sending to being seen finalized.
    pub latency_ms: f64,
    /// Height of the block that carried it.
    pub height: u64,
}

/// What was measured.
#[derive(Clone, Debug)]
pub struct BenchReport {
    /// Transactions sent.
    pub submitted: usize,
    /// Transactions the nodes accepted.
    pub accepted: usize,
    /// Accepted transactions seen in finalized blocks.
    pub finalized: usize,
    /// Accepted per second of submission.
    pub submitted_tps: f64,
    /// Finalized per second, first submission to last finalization.
    pub finalized_tps: f64,
    /// Finality latency percentiles in milliseconds: p50, p90, p99.
    pub latency_ms: [f64; 3],
    /// Blocks that carried benchmark transactions.
    pub blocks: usize,
    /// Every finalized transfer, in the order sent: when it was sent
    /// (milliseconds after the first submission), its latency and the
    /// height of its block.
    pub timeline: Vec<TimelineEntry>,
    /// Of a sample of the finalized transactions (up to [`RECEIPT_SAMPLE`]),
    /// how many were sampled and how many failed (a measure of failing
    /// calls measures nothing), with the first failure's code.
    pub receipts: (usize, usize, Option<String>),
    /// Accounts opened per second, each segment of [`SEGMENT`](crate::funding::SEGMENT) accounts in
    /// turn (empty on a plain ledger, where accounts are not opened).
    pub opening_rates: Vec<f64>,
}

/// A progress bar in the style of every long `eiraku` command (hidden when
/// `show` is false).
pub fn bar(show: bool, len: u64, message: &str) -> ProgressBar {
    if !show {
        // Still named: errors quote what was under way.
        return ProgressBar::hidden().with_message(message.to_string());
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .expect("progress template")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}

/// The account transfer `k` (from sender `sender`) pays: spread evenly over
/// all `accounts`, so a run writes across the whole state, never the sender
/// itself. With as many senders as accounts, each pays the next one.
fn recipient(k: usize, sender: usize, accounts: usize, transfers: usize) -> usize {
    let step = (accounts / transfers.max(1)).max(1);
    let to = (k * step + 1) % accounts;
    if to == sender {
        (to + 1) % accounts
    } else {
        to
    }
}

/// Runs the benchmark.
pub fn run(config: &BenchConfig) -> anyhow::Result<BenchReport> {
    anyhow::ensure!(!config.nodes.is_empty(), "no nodes to send to");
    anyhow::ensure!(config.accounts >= 2, "at least two accounts are needed");
    let clients: Vec<Client> = config.nodes.iter().map(|url| Client::new(url)).collect();
    let status = clients[0]
        .status()
        .context("the first node does not answer")?;
    let chain_id = status.chain_id.clone();
    let senders = config.senders.clamp(1, config.accounts);
    let per_sender = config.transactions.div_ceil(senders);
    let keys: Vec<Keypair> = (0..config.accounts).map(|_| Keypair::generate()).collect();
    let opening_rates = crate::funding::fund(
        &clients[0],
        &chain_id,
        &config.faucet,
        &config.helpers,
        config.open_as,
        &keys,
        per_sender as u128 + 1,
        config.progress,
    )?;

    let prepared = crate::bench_workload::prepare(
        config.workload,
        &clients[0],
        &chain_id,
        (&config.faucet, config.registrar.as_ref()),
        &keys[..senders],
        config.progress,
    )?;
    // Round by round, so each sender's nonces go out in order; signed on
    // all cores (ordered collect keeps that order).
    let signing = bar(config.progress, config.transactions as u64, "signing");
    let txs: Vec<SignedTransaction> = (0..config.transactions)
        .into_par_iter()
        .map(|k| {
            let (round, i) = ((k / senders) as u64, k % senders);
            let to = keys[recipient(k, i, keys.len(), config.transactions)].account_id();
            let call = config.workload.call(&prepared, i, round, to);
            let tx = submit::sign(&chain_id, &keys[i], round, call);
            signing.inc(1);
            tx
        })
        .collect();
    signing.finish();

    // Watch finalized blocks from before the first submission.
    // Sized for every transaction up front: rehashing a map of a million
    // entries mid-run would stall the watcher.
    let finalized_at = Arc::new(Mutex::new(TxFinality::with_capacity_and_hasher(
        txs.len(),
        Default::default(),
    )));
    let stop = Arc::new(AtomicBool::new(false));
    let blocks_seen = Arc::new(Mutex::new(0usize));
    let watcher = {
        let clients = clients.clone();
        let finalized_at = finalized_at.clone();
        let stop = stop.clone();
        let blocks_seen = blocks_seen.clone();
        std::thread::spawn(move || {
            crate::failover::follow_finalized(&clients, |block| {
                let now = Instant::now();
                let mut map = finalized_at.lock().unwrap();
                if !block.transactions.is_empty() {
                    *blocks_seen.lock().unwrap() += 1;
                }
                for hash in block
                    .transactions
                    .iter()
                    .filter_map(|h| digest::from_hex(h))
                {
                    map.insert(hash, (now, block.height));
                }
                !stop.load(Ordering::Relaxed)
            });
        })
    };
    std::thread::sleep(Duration::from_millis(300));

    // Submit: batch i leaves at start + i·batch/rate, to node i mod n.
    let submitting = bar(config.progress, txs.len() as u64, "submitting");
    let batches: Vec<Vec<SignedTransaction>> =
        txs.chunks(config.batch).map(|c| c.to_vec()).collect();
    let start = Instant::now();
    let submitted_at = Arc::new(Mutex::new(TxTimes::with_capacity_and_hasher(
        txs.len(),
        Default::default(),
    )));
    let accepted_count = Arc::new(Mutex::new(0usize));
    let first_error: Arc<Mutex<Option<String>>> = Arc::default();
    std::thread::scope(|scope| {
        // Several senders per node so one client thread never limits the rate.
        let workers = clients.len() * SENDERS_PER_NODE;
        for worker in 0..workers {
            let clients = &clients;
            let batches = &batches;
            let submitted_at = submitted_at.clone();
            let accepted_count = accepted_count.clone();
            let first_error = first_error.clone();
            let submitting = submitting.clone();
            scope.spawn(move || {
                for (i, batch) in batches.iter().enumerate().skip(worker).step_by(workers) {
                    let due = start
                        + Duration::from_secs_f64((i * config.batch) as f64 / config.rate as f64);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let sent = Instant::now();
                    // To this worker's validator, or the next that answers;
                    // what a full mempool refused, again.
                    match crate::failover::submit_until_taken(clients, worker, batch) {
                        Ok(response) => {
                            let mut refused = response.refused.iter().peekable();
                            let mut map = submitted_at.lock().unwrap();
                            let mut accepted = response.accepted;
                            for (index, tx) in batch.iter().enumerate() {
                                let refusal = refused.next_if(|r| r.index == index);
                                match refusal {
                                    Some(r) if crate::failover::taken_before(&r.error.code) => {
                                        accepted += 1;
                                        map.insert(tx.hash(), sent);
                                    }
                                    Some(r) => {
                                        first_error.lock().unwrap().get_or_insert_with(|| {
                                            format!("{}: {}", r.error.code, r.error.message)
                                        });
                                    }
                                    None => {
                                        map.insert(tx.hash(), sent);
                                    }
                                }
                            }
                            *accepted_count.lock().unwrap() += accepted;
                        }
                        Err(error) => {
                            first_error
                                .lock()
                                .unwrap()
                                .get_or_insert_with(|| error.to_string());
                        }
                    }
                    submitting.inc(batch.len() as u64);
                }
            });
        }
    });
    let submit_elapsed = start.elapsed();
    submitting.finish();
    if let Some(error) = first_error.lock().unwrap().as_ref() {
        eprintln!("note: some transactions were refused; first refusal: {error}");
    }

    let accepted = *accepted_count.lock().unwrap();
    let finalizing = bar(config.progress, accepted as u64, "finalizing");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = {
            let submitted = submitted_at.lock().unwrap();
            let finalized = finalized_at.lock().unwrap();
            submitted
                .keys()
                .filter(|h| finalized.contains_key(*h))
                .count()
        };
        finalizing.set_position(done as u64);
        if done >= accepted || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    finalizing.finish();
    stop.store(true, Ordering::Relaxed);
    drop(watcher);

    let submitted = submitted_at.lock().unwrap();
    let finalized = finalized_at.lock().unwrap();
    let mut timeline: Vec<TimelineEntry> = Vec::new();
    let mut last = start;
    for (hash, sent) in submitted.iter() {
        if let Some((done, height)) = finalized.get(hash) {
            timeline.push(TimelineEntry {
                sent_ms: sent.duration_since(start).as_secs_f64() * 1000.0,
                latency_ms: done.duration_since(*sent).as_secs_f64() * 1000.0,
                height: *height,
            });
            last = last.max(*done);
        }
    }
    timeline.sort_by(|a, b| a.sent_ms.total_cmp(&b.sent_ms));
    let mut latencies: Vec<f64> = timeline.iter().map(|entry| entry.latency_ms).collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let percentile = |p: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[index]
    };
    let blocks = *blocks_seen.lock().unwrap();
    let sampled: Vec<&TxHash> = (submitted.keys())
        .filter(|h| finalized.contains_key(*h))
        .take(RECEIPT_SAMPLE)
        .collect();
    let live = clients.iter().find(|client| client.status().is_ok());
    let receipts = read_receipts(live.unwrap_or(&clients[0]), &sampled);
    Ok(BenchReport {
        receipts,
        submitted: txs.len(),
        accepted,
        finalized: latencies.len(),
        submitted_tps: accepted as f64 / submit_elapsed.as_secs_f64(),
        finalized_tps: latencies.len() as f64 / last.duration_since(start).as_secs_f64().max(1e-9),
        latency_ms: [percentile(0.5), percentile(0.9), percentile(0.99)],
        blocks,
        opening_rates,
        timeline,
    })
}

/// How many of `hashes` failed, and the first failure's code.
fn read_receipts(client: &Client, hashes: &[&TxHash]) -> (usize, usize, Option<String>) {
    let mut failed = 0;
    let mut first = None;
    for hash in hashes {
        let error = (client.tx(hash).ok())
            .and_then(|view| view.receipt)
            .and_then(|receipt| receipt.error);
        if let Some(error) = error {
            failed += 1;
            first.get_or_insert(error.code);
        }
    }
    (hashes.len(), failed, first)
}

/// This machine's Ed25519 verification rate (signatures per second) for
/// transaction batches, on the same two-thread strategy and the same code
/// path a node uses (sender keys already decoded, as on a warm node). Every
/// signature has its own signer: batch verification merges signatures of
/// one key, so repeated signers would overstate the limit.
pub fn verify_limit(duration: Duration) -> f64 {
    const BATCH: usize = 1024;
    let strategy = Rayon::new(NonZeroUsize::new(2).expect("non-zero")).expect("thread pool");
    let chain_id = ChainId::new("bench").expect("valid chain id");
    let keys: Vec<Keypair> = (0..4 * BATCH as u64).map(Keypair::from_seed).collect();
    let txs: Vec<SignedTransaction> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let to = keys[(i + 1) % keys.len()].account_id();
            let call =
                crate::bench_workload::Workload::Transfer.call(&Default::default(), i, 0, to);
            submit::sign(&chain_id, key, 0, call)
        })
        .collect();
    let cache = KeyCache::default();
    assert!(
        verify_batch(&txs, &strategy, &cache),
        "benchmark signatures are valid"
    );
    let start = Instant::now();
    let mut verified = 0usize;
    while start.elapsed() < duration {
        for chunk in txs.chunks(BATCH) {
            assert!(
                verify_batch(chunk, &strategy, &cache),
                "benchmark signatures are valid"
            );
            verified += chunk.len();
        }
    }
    verified as f64 / start.elapsed().as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::recipient;

    #[test]
    fn as_many_senders_as_accounts_pay_the_next_account() {
        for k in 0..5_000 {
            let sender = k % 1_000;
            assert_eq!(recipient(k, sender, 1_000, 5_000), (sender + 1) % 1_000);
        }
    }

    #[test]
    fn few_senders_pay_accounts_spread_over_all_and_never_themselves() {
        let (accounts, transfers, senders) = (1_000_000, 100_000, 1_000);
        let paid: std::collections::BTreeSet<usize> = (0..transfers)
            .map(|k| recipient(k, k % senders, accounts, transfers))
            .collect();
        assert_eq!(paid.len(), transfers, "every transfer pays another account");
        assert!(
            *paid.last().unwrap() > accounts * 9 / 10,
            "the last tenth is paid"
        );
        for k in 0..transfers {
            assert_ne!(recipient(k, k % senders, accounts, transfers), k % senders);
        }
        // Two accounts, one sender: it always pays the other one.
        for k in 0..10 {
            assert_eq!(recipient(k, 0, 2, 10), 1);
        }
    }
}
