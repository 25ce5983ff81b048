//! Opening and funding the benchmark's accounts: each bank streams its
//! calls, keeping as many in flight as the mempool accepts from one sender,
//! and the opening rate is measured by finalization, segment by segment.

use crate::{bench::bar, submit, Client};
use anyhow::Context;
use eiraku_core::{Amount, Call, ChainId, Keypair, MoneyCall, Role, SignedTransaction};
use eiraku_node::mempool::MAX_NONCE_AHEAD;
use indicatif::ProgressBar;
use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

/// Accounts per measured segment of the opening.
pub const SEGMENT: usize = 100_000;

/// Calls per HTTP request while funding.
const REQUEST: usize = 256;

/// The demo banks of the economy benchmark accounts are opened in
/// (`bank-<economy>-1` and `-2` in the network folder), besides the faucet:
/// they open and fund a share of the accounts each.
pub fn helper_banks(
    network: &std::path::Path,
    open_as: Option<Role>,
    faucet: &Keypair,
) -> Vec<Keypair> {
    let Some(Role::Retail { economy, .. }) = open_as else {
        return Vec::new();
    };
    let code = economy.as_str().to_lowercase();
    (1..=2)
        .filter_map(|n| {
            let path = crate::keyfile::resolve_key_path(&format!("bank-{code}-{n}"), network);
            crate::keyfile::read(&path).ok()?.into_own_key().ok()
        })
        .filter(|key| key.account_id() != faucet.account_id())
        .collect()
}

/// The role benchmark accounts are opened with: on a chain with the money
/// module the faucet must be a bank, and its accounts are persons of its
/// economy at its entry tier (the lowest: where accounts open; the rest
/// need a KYC attestation); on a plain ledger, none.
pub fn account_role(client: &Client, faucet: &Keypair) -> anyhow::Result<Option<Role>> {
    let Some(role) = client.account(&faucet.account_id())?.role else {
        return Ok(None);
    };
    let Role::Bank { economy } = role else {
        anyhow::bail!(
            "the faucet must be a bank on a chain with the money module (it is {role:?})"
        );
    };
    let supply = client.money_supply()?;
    let tier = supply
        .economies
        .iter()
        .find(|books| books.code == economy)
        .and_then(|books| books.tiers.iter().min_by_key(|caps| caps.tier))
        .map(|caps| caps.tier)
        .context("the faucet's economy has no KYC tiers")?;
    Ok(Some(Role::Retail {
        economy,
        kind: eiraku_core::RetailKind::Person,
        tier,
    }))
}

/// Funds `accounts` from the faucet and its helpers (opening them first
/// when `open_as` names a role) and waits until the funding is final.
/// Returns the opening rate of each segment of [`SEGMENT`] accounts.
#[allow(clippy::too_many_arguments)]
pub fn fund(
    client: &Client,
    chain_id: &ChainId,
    faucet: &Keypair,
    helpers: &[Keypair],
    open_as: Option<Role>,
    accounts: &[Keypair],
    amount: u128,
    progress: bool,
) -> anyhow::Result<Vec<f64>> {
    let senders: Vec<&Keypair> = std::iter::once(faucet).chain(helpers).collect();
    // Admission checks each transaction against the finalized state, so the
    // accounts are opened, and final, before they are paid.
    let mut rates = Vec::new();
    if let Some(role) = open_as {
        let open = |key: &Keypair| {
            Call::Money(MoneyCall::OpenAccount {
                account: key.account_id(),
                role,
            })
        };
        let tally = Tally::new(bar(progress, accounts.len() as u64, "opening"));
        send_in_parallel(client, chain_id, &senders, accounts, &open, &tally)?;
        rates = tally.finish();
    }
    let pay = |key: &Keypair| Call::Transfer {
        to: key.account_id(),
        amount: Amount(amount),
    };
    let tally = Tally::new(bar(progress, accounts.len() as u64, "funding"));
    send_in_parallel(client, chain_id, &senders, accounts, &pay, &tally)?;
    tally.finish();
    Ok(rates)
}

/// Sends one call per account from `sender`, streamed as the funding is,
/// until all are final; each call's transaction hash, in account order
/// (signatures are deterministic: the hashes are those of what is sent).
pub fn send_for_each<T>(
    client: &Client,
    chain_id: &ChainId,
    sender: &Keypair,
    items: &[T],
    call: impl Fn(&T) -> Call,
    (label, progress): (&str, bool),
) -> anyhow::Result<Vec<eiraku_core::TxHash>> {
    let first = client.account(&sender.account_id()).map_or(0, |a| a.nonce);
    let hashes = (items.iter().zip(first..))
        .map(|(item, nonce)| submit::sign(chain_id, sender, nonce, call(item)).hash())
        .collect();
    let tally = Tally::new(bar(progress, items.len() as u64, label));
    send_from(client, chain_id, sender, items, call, &tally)?;
    tally.finish();
    Ok(hashes)
}

/// Calls finalized so far across all senders, and when each segment of
/// [`SEGMENT`] of them was complete.
struct Tally {
    bar: ProgressBar,
    started: Instant,
    counts: Mutex<(usize, Vec<Instant>)>,
}

impl Tally {
    fn new(bar: ProgressBar) -> Self {
        Self {
            bar,
            started: Instant::now(),
            counts: Mutex::new((0, Vec::new())),
        }
    }

    /// Counts `finalized` more calls.
    fn add(&self, finalized: u64) {
        let now = Instant::now();
        let mut counts = self.counts.lock().expect("tally lock");
        let (count, segment_ends) = &mut *counts;
        *count += finalized as usize;
        while segment_ends.len() < *count / SEGMENT {
            segment_ends.push(now);
        }
        self.bar.inc(finalized);
    }

    /// Calls per second in each whole segment.
    fn finish(self) -> Vec<f64> {
        self.bar.finish();
        let (_, segment_ends) = self.counts.into_inner().expect("tally lock");
        let mut since = self.started;
        segment_ends
            .into_iter()
            .map(|end| {
                let rate = SEGMENT as f64 / end.duration_since(since).as_secs_f64().max(1e-9);
                since = end;
                rate
            })
            .collect()
    }
}

/// Each sender sends `call` for its share of `accounts`, all at once.
fn send_in_parallel(
    client: &Client,
    chain_id: &ChainId,
    senders: &[&Keypair],
    accounts: &[Keypair],
    call: &(impl Fn(&Keypair) -> Call + Sync),
    tally: &Tally,
) -> anyhow::Result<()> {
    let share = accounts.len().div_ceil(senders.len()).max(1);
    std::thread::scope(|scope| {
        let runs: Vec<_> = senders
            .iter()
            .zip(accounts.chunks(share))
            .map(|(sender, keys)| {
                scope.spawn(move || send_from(client, chain_id, sender, keys, call, tally))
            })
            .collect();
        runs.into_iter()
            .try_for_each(|run| run.join().expect("sender thread"))
    })
}

/// Sends `sender`'s `call` for each account, streaming: a request goes out
/// as soon as its last nonce is within the mempool's window of
/// [`MAX_NONCE_AHEAD`] past the sender's final nonce, so about that many
/// calls are always in flight (waiting for a whole wave to finalize would
/// leave the pipeline half empty).
fn send_from<T>(
    client: &Client,
    chain_id: &ChainId,
    sender: &Keypair,
    accounts: &[T],
    call: impl Fn(&T) -> Call,
    tally: &Tally,
) -> anyhow::Result<()> {
    let what = tally.bar.message();
    let what = what.as_str();
    let mut next = client.account(&sender.account_id())?.nonce;
    let mut final_nonce = next;
    for keys in accounts.chunks(REQUEST) {
        let end = next + keys.len() as u64;
        if end > final_nonce + MAX_NONCE_AHEAD {
            let reached = await_nonce(client, sender, end - MAX_NONCE_AHEAD, what)?;
            tally.add(reached - final_nonce);
            final_nonce = reached;
        }
        let txs: Vec<SignedTransaction> = keys
            .iter()
            .map(|key| {
                next += 1;
                submit::sign(chain_id, sender, next - 1, call(key))
            })
            .collect();
        let response = client.submit_batch(&txs)?;
        if let Some(error) = response.results.iter().find_map(|r| r.error.as_ref()) {
            anyhow::bail!("{what} refused: {}: {}", error.code, error.message);
        }
    }
    let reached = await_nonce(client, sender, next, what)?;
    tally.add(reached - final_nonce);
    Ok(())
}

/// Waits until `key`'s final nonce reaches `target`; returns it.
fn await_nonce(client: &Client, key: &Keypair, target: u64, what: &str) -> anyhow::Result<u64> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let nonce = client.account(&key.account_id())?.nonce;
        if nonce >= target {
            return Ok(nonce);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{what} did not finalize within 120 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_ends_when_the_count_across_senders_reaches_it() {
        let tally = Tally::new(ProgressBar::hidden());
        tally.add(SEGMENT as u64 / 2);
        tally.add(SEGMENT as u64 / 2 - 1);
        assert_eq!(tally.counts.lock().unwrap().1.len(), 0);
        tally.add(1);
        assert_eq!(tally.counts.lock().unwrap().1.len(), 1);
        // One report may finish several segments at once.
        tally.add(2 * SEGMENT as u64 + 7);
        let rates = tally.finish();
        assert_eq!(rates.len(), 3);
        assert!(rates.iter().all(|rate| *rate > 0.0));
    }
}
