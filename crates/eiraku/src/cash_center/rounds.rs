//! The center's own transactions (credits of deposits, blacklistings),
//! sent in rounds: every call queued while the previous round was being
//! finalized goes out in the next one, signed at consecutive nonces and
//! submitted as one batch, and each caller gets its own transaction's
//! outcome. Deposits arriving together share one finality wait instead of
//! queueing behind each other's; the nonce is read again from the ledger
//! at each round, so a refused transaction never leaves a gap behind.

use crate::keyfile::Signer;
use anyhow::Context;
use eiraku_api::{Client, TxView};
use eiraku_core::{Call, ChainId, SignedTransaction};
use std::{
    sync::{mpsc, Arc, Condvar, Mutex},
    time::Duration,
};

/// Most transactions one round sends.
const ROUND: usize = 256;
/// How long a round waits for its transactions to be final.
const FINALITY_WAIT: Duration = Duration::from_secs(60);

type Reply = mpsc::Sender<anyhow::Result<TxView>>;

#[derive(Default)]
struct Queue {
    calls: Mutex<Vec<(Call, Reply)>>,
    filled: Condvar,
}

/// The sending side: clone-free handle to the round thread.
pub struct Rounds {
    queue: Arc<Queue>,
}

impl Rounds {
    /// Starts the round thread sending as `signer` through `client`.
    pub fn start(client: Client, chain_id: ChainId, signer: Signer) -> Self {
        let queue = Arc::new(Queue::default());
        let worker = queue.clone();
        std::thread::Builder::new()
            .name("center-rounds".into())
            .spawn(move || loop {
                let calls = worker.take();
                send_round(&client, &chain_id, &signer, calls);
            })
            .expect("a thread starts");
        Self { queue }
    }

    /// Sends `call` in the next round and waits until it is final; a
    /// refusal is an error carrying the ledger's code and message.
    pub fn send(&self, call: Call) -> anyhow::Result<TxView> {
        let (reply, answer) = mpsc::channel();
        self.queue
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((call, reply));
        self.queue.filled.notify_one();
        answer
            .recv()
            .context("the center's sending thread stopped")?
    }
}

impl Queue {
    /// Waits for calls, then takes up to a round of them.
    fn take(&self) -> Vec<(Call, Reply)> {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        while calls.is_empty() {
            calls = self.filled.wait(calls).unwrap_or_else(|p| p.into_inner());
        }
        let count = calls.len().min(ROUND);
        calls.drain(..count).collect()
    }
}

fn send_round(client: &Client, chain_id: &ChainId, signer: &Signer, calls: Vec<(Call, Reply)>) {
    let first = match client.account(&signer.account) {
        Ok(account) => account.nonce,
        Err(eiraku_api::ClientError::Api { status: 404, .. }) => 0,
        Err(e) => {
            for (_, reply) in calls {
                let _ = reply.send(Err(anyhow::anyhow!("cannot read the center's nonce: {e}")));
            }
            return;
        }
    };
    let (txs, replies): (Vec<SignedTransaction>, Vec<Reply>) = calls
        .into_iter()
        .enumerate()
        .map(|(i, (call, reply))| {
            let tx = crate::submit::sign(chain_id, signer, first + i as u64, call);
            (tx, reply)
        })
        .unzip();
    let submitted = match client.submit_batch(&txs) {
        Ok(answer) => answer.results,
        Err(e) => {
            for reply in replies {
                let _ = reply.send(Err(anyhow::anyhow!("the node refused the batch: {e}")));
            }
            return;
        }
    };
    // After a refused transaction the later nonces cannot run: they fail
    // at once, and the callers' credits stay pending for the next try.
    let refused_at = submitted.iter().position(|item| item.error.is_some());
    let accepted = refused_at.unwrap_or(txs.len());
    // Nonces finalize in order: once the last accepted is final, all are.
    if let Some(last) = txs[..accepted].last() {
        if let Err(e) = client.wait_finalized(&last.hash(), FINALITY_WAIT) {
            eprintln!("the center's round did not finalize in time: {e}");
        }
    }
    for (index, ((tx, reply), item)) in txs.iter().zip(replies).zip(submitted).enumerate() {
        let outcome = match (item.error, refused_at) {
            (Some(error), _) => Err(anyhow::anyhow!(
                "the node refused it: {}: {}",
                error.code,
                error.message
            )),
            (None, Some(at)) if index > at => Err(anyhow::anyhow!(
                "not run: a transaction before it in the center's round was refused"
            )),
            (None, _) => final_outcome(client, tx),
        };
        let _ = reply.send(outcome);
    }
}

fn final_outcome(client: &Client, tx: &SignedTransaction) -> anyhow::Result<TxView> {
    let view = client.wait_finalized(&tx.hash(), FINALITY_WAIT)?;
    if let Some(error) = view.receipt.as_ref().and_then(|r| r.error.as_ref()) {
        anyhow::bail!("the ledger refused it: {}: {}", error.code, error.message);
    }
    Ok(view)
}
