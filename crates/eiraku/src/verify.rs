//! `eiraku verify --home DIR`: re-validates a node's whole stored chain from
//! its genesis file, as an auditor would: every block's height, parent link,
//! time, transaction root, signatures and finalization certificate (against
//! the genesis validators), then re-execution from genesis with the state
//! root and, on a money chain, the money invariants compared at every
//! block. The first fault is named by block and field.

use crate::bench::bar;
use anyhow::Context;
use commonware_parallel::Rayon;
use eiraku_core::{proof::LightClient, verify_batch, Block, KeyCache};
use eiraku_node::{chain::genesis_block, store::Store, NodeHome};
use eiraku_state::{BlockEnv, State};
use std::{num::NonZeroUsize, path::Path, time::Instant};

/// The first thing found wrong.
#[derive(Debug, thiserror::Error)]
#[error("block {height}: {what}")]
pub struct ChainFault {
    /// The block.
    pub height: u64,
    /// What is wrong with it.
    pub what: String,
}

/// What a clean run checked.
#[derive(Debug)]
pub struct VerifyReport {
    /// Blocks checked after genesis.
    pub blocks: u64,
    /// Transactions checked.
    pub transactions: u64,
    /// Blocks checked against a finalization certificate.
    pub certified: u64,
    /// Seconds taken.
    pub seconds: f64,
}

fn fault(height: u64, what: impl Into<String>) -> anyhow::Error {
    ChainFault {
        height,
        what: what.into(),
    }
    .into()
}

/// Verifies the chain stored in the home folder `home` (its node stopped).
pub fn verify_home(home: &Path, progress: bool) -> anyhow::Result<VerifyReport> {
    let home = NodeHome::load(home)?;
    let store = Store::open(&home.data_dir().join("store"))
        .context("cannot open the node's store (is the node still running?)")?;
    let light = LightClient::from_genesis(&home.genesis)?;
    let mut state = State::from_genesis(&home.genesis);
    let expected_genesis = genesis_block(&home.genesis, &state);
    let stored_genesis = store
        .block(0)
        .map_err(|e| fault(0, format!("unreadable: {e}")))?
        .ok_or_else(|| fault(0, "missing"))?;
    if stored_genesis != expected_genesis {
        return Err(fault(0, "differs from the block the genesis file defines"));
    }
    let top = store.applied_height()?.unwrap_or(0);
    let keys = KeyCache::default();
    // Signatures are checked in batches on both cores, as a validator does.
    let strategy = Rayon::new(NonZeroUsize::new(2).expect("non-zero")).context("thread pool")?;
    let bar = bar(progress, top, "verifying");
    let started = Instant::now();
    let (mut parent, mut transactions, mut certified) = (stored_genesis, 0u64, 0u64);
    for height in 1..=top {
        let block = store
            .block(height)
            .map_err(|e| fault(height, format!("stored bytes are unreadable: {e}")))?
            .ok_or_else(|| fault(height, "missing from the store"))?;
        check_block(&block, &parent, height, &keys, &strategy)?;
        match store.certificate(height)? {
            Some(certificate) => {
                light
                    .verify_finality(&block.header, &certificate)
                    .map_err(|e| fault(height, format!("finalization certificate: {e}")))?;
                certified += 1;
            }
            None => return Err(fault(height, "has no finalization certificate")),
        }
        let env = BlockEnv {
            height,
            timestamp_ms: block.header.timestamp_ms,
        };
        state
            .execute_block(&env, &block.transactions)
            .map_err(|e| fault(height, format!("re-execution: {e}")))?;
        if state.state_root() != block.header.state_root {
            return Err(fault(height, "state_root differs from re-execution"));
        }
        if let Some(money) = state.money() {
            money
                .check_invariants(state.accounts())
                .map_err(|broken| fault(height, format!("money invariant broken: {broken}")))?;
        }
        transactions += block.transactions.len() as u64;
        parent = block;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(VerifyReport {
        blocks: top,
        transactions,
        certified,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The checks that need only the block and its parent.
fn check_block(
    block: &Block,
    parent: &Block,
    height: u64,
    keys: &KeyCache,
    strategy: &Rayon,
) -> anyhow::Result<()> {
    let header = &block.header;
    if header.height != height {
        return Err(fault(
            height,
            format!("header says height {}", header.height),
        ));
    }
    if header.parent != parent.hash() {
        return Err(fault(
            height,
            "parent digest does not match the previous block",
        ));
    }
    if header.timestamp_ms <= parent.header.timestamp_ms {
        return Err(fault(
            height,
            "timestamp does not advance past its parent's",
        ));
    }
    if header.tx_root != Block::tx_root_of(&block.transactions) {
        return Err(fault(height, "tx_root does not match its transactions"));
    }
    if !verify_batch(&block.transactions, strategy, keys) {
        let bad = block
            .transactions
            .iter()
            .position(|tx| !tx.verify_signature())
            .unwrap_or(0);
        return Err(fault(height, format!("transaction {bad}: bad signature")));
    }
    Ok(())
}
