//! `eiraku cash bench`: the end-to-end deposit rate, from a wallet's
//! request at the cash center to the credit final on the ledger. Wallets
//! are certified by the center, loaded from one account (all loads in one
//! batch of transactions), issued their notes, then deposit everything at
//! once from several threads, as shops do at the end of a day.

use crate::{bench::bar, keyfile::Signer, wallet::center::CenterLink};
use anyhow::Context;
use eiraku_api::Client;
use eiraku_cash::{RiskLimits, SecureElement, SoftwareSecureElement, Wallet};
use eiraku_core::{Amount, Call, CashCall, ChainId, SignedTransaction};
use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

/// Limits of the benchmark's wallets (they only load and deposit).
const LIMITS: RiskLimits = RiskLimits {
    max_balance: u64::MAX,
    max_hops: 16,
    max_transfer: u64::MAX,
};

/// What to measure.
pub struct DepositBench {
    /// Wallets, each depositing once.
    pub wallets: usize,
    /// Coins loaded into each (minor units).
    pub amount: u64,
    /// Deposits in flight at once.
    pub concurrency: usize,
    /// Print progress.
    pub progress: bool,
}

/// What was measured.
#[derive(Debug)]
pub struct DepositReport {
    /// Deposit requests made.
    pub deposits: usize,
    /// Notes credited.
    pub notes: usize,
    /// Wall time of the deposit phase.
    pub seconds: f64,
    /// Request-to-final-credit latency percentiles in milliseconds: p50,
    /// p99.
    pub latency_ms: (u64, u64),
}

impl DepositReport {
    /// Notes credited per second, end to end.
    pub fn notes_per_second(&self) -> f64 {
        self.notes as f64 / self.seconds
    }
}

/// Runs the benchmark against the center at `center` and the node `node`,
/// loading from `from`.
pub fn run(
    center: &str,
    node: &Client,
    from: &Signer,
    bench: &DepositBench,
) -> anyhow::Result<DepositReport> {
    let link = CenterLink::connect(center)?;
    let chain = ChainId::new(&link.info.chain_id).map_err(anyhow::Error::msg)?;
    let progress = bar(bench.progress, bench.wallets as u64, "certify");
    let mut wallets = Vec::with_capacity(bench.wallets);
    for _ in 0..bench.wallets {
        wallets.push(link.new_wallet(node, LIMITS)?);
        progress.inc(1);
    }
    progress.finish();
    let loads = load_all(node, &chain, from, &wallets, bench.amount)?;
    let progress = bar(bench.progress, bench.wallets as u64, "issue");
    for (wallet, load) in wallets.iter_mut().zip(&loads) {
        let notes = link.issue(load)?;
        wallet.element_mut().put_notes(notes);
        progress.inc(1);
    }
    progress.finish();
    deposit_all(&link, wallets, bench)
}

/// Loads every wallet from `from` in one batch of transactions at
/// consecutive nonces; returns the load hashes once all are final.
fn load_all(
    node: &Client,
    chain: &ChainId,
    from: &Signer,
    wallets: &[Wallet<SoftwareSecureElement>],
    amount: u64,
) -> anyhow::Result<Vec<String>> {
    let first = node.account(&from.account)?.nonce;
    let txs: Vec<SignedTransaction> = wallets
        .iter()
        .enumerate()
        .map(|(i, wallet)| {
            let call = Call::Cash(CashCall::Load {
                certificate: commonware_codec::Encode::encode(wallet.certificate()).to_vec(),
                amount: Amount(u128::from(amount)),
                possession: wallet.element().sign_binding(chain, &from.account),
            });
            crate::submit::sign(chain, from, first + i as u64, call)
        })
        .collect();
    // A mempool takes a sender's nonces at most a window ahead: each chunk
    // is final before the next goes.
    let mut hashes = Vec::with_capacity(txs.len());
    for chunk in txs.chunks(512) {
        let answer = node.submit_batch(chunk)?;
        if let Some(refused) = answer.results.iter().find_map(|r| r.error.as_ref()) {
            anyhow::bail!("a load was refused: {}: {}", refused.code, refused.message);
        }
        for tx in chunk {
            let view = node.wait_finalized(&tx.hash(), Duration::from_secs(120))?;
            if let Some(error) = view.receipt.as_ref().and_then(|r| r.error.as_ref()) {
                anyhow::bail!("a load failed: {}: {}", error.code, error.message);
            }
            hashes.push(view.hash);
        }
    }
    Ok(hashes)
}

/// Deposits `notes`, asking again while the center answers `busy`.
fn deposit_when_free(
    link: &CenterLink,
    notes: &[eiraku_cash::NoteInHand],
) -> anyhow::Result<crate::cash_center::wire::DepositAnswer> {
    loop {
        match link.deposit(notes) {
            Err(e) if format!("{e:#}").contains("busy") => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Every wallet deposits all its notes, `concurrency` at a time.
fn deposit_all(
    link: &CenterLink,
    wallets: Vec<Wallet<SoftwareSecureElement>>,
    bench: &DepositBench,
) -> anyhow::Result<DepositReport> {
    let progress = bar(bench.progress, wallets.len() as u64, "deposit");
    let work = Mutex::new(wallets);
    let measured = Mutex::new((Vec::new(), 0usize));
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..bench.concurrency.max(1))
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    loop {
                        // Taken apart from the loop's condition, so the
                        // lock is not held through the deposit.
                        let next = work.lock().unwrap().pop();
                        let Some(mut wallet) = next else { break };
                        let serials: Vec<u64> = wallet.element().notes().keys().copied().collect();
                        let (_, notes) = wallet.hand_to_center(&serials)?;
                        let asked = Instant::now();
                        let answer = deposit_when_free(link, &notes)?;
                        let latency = asked.elapsed().as_millis() as u64;
                        let credited = answer.outcomes.iter().filter(|o| o.credited > 0).count();
                        anyhow::ensure!(
                            credited == notes.len(),
                            "only {credited} of {} notes were credited",
                            notes.len()
                        );
                        let mut measured = measured.lock().unwrap();
                        measured.0.push(latency);
                        measured.1 += credited;
                        progress.inc(1);
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a deposit thread panicked")?;
        }
        Ok(())
    })
    .context("depositing")?;
    let seconds = started.elapsed().as_secs_f64();
    progress.finish();
    let (mut latencies, notes) = measured.into_inner().unwrap();
    latencies.sort_unstable();
    let at = |q: usize| latencies[(latencies.len() * q / 100).min(latencies.len() - 1)];
    Ok(DepositReport {
        deposits: latencies.len(),
        notes,
        seconds,
        latency_ms: (at(50), at(99)),
    })
}
