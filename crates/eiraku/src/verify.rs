//! `eiraku verify --home DIR`: re-validates a node's whole stored chain from
//! its genesis file, as an auditor would: every block's height, parent link,
//! time, transaction root, signatures and finalization certificate (against
//! the genesis validators), then re-execution from genesis with the state
//! root and, on a money chain, the money invariants compared at every
//! block. The first fault is named by block and field. Re-execution never
//! breaks an invariant (each transaction's checks undo what would), so a
//! block claiming a state that breaks one shows as a state root not
//! reproduced; the state the node keeps is then checked too, and the
//! invariant it breaks named.
//!
//! It reads a stopped node's data folder (`--home`) or a running node's API
//! (`--rpc`); either way only the genesis file is trusted.

use crate::{bench::bar, state_roots::StateRoots, Client};
use anyhow::Context;
use commonware_parallel::Rayon;
use eiraku_core::{proof::LightClient, verify_batch, Block, Genesis, KeyCache};
use eiraku_node::{
    chain::genesis_block,
    store::{decode_block, Store, StoreError},
    NodeHome,
};
use eiraku_state::{BlockEnv, State};
use std::{collections::VecDeque, num::NonZeroUsize, path::Path, time::Instant};

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
    /// Blocks checked against their own finalization certificate (the
    /// others are covered by a certified descendant).
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

/// Where verification reads blocks from: a stopped node's store, or a
/// running node's API. Neither is trusted; the genesis file is.
pub trait BlockSource {
    /// The height to verify up to.
    fn top(&mut self) -> anyhow::Result<u64>;
    /// Block `height`'s encoding and certificate, `None` if the source does
    /// not have it; an error text if it cannot be read.
    fn fetch(&mut self, height: u64) -> Result<Option<StoredBlock>, String>;
    /// The state the source keeps beside its blocks (a node's store does),
    /// to compare with re-execution.
    fn kept_state(&mut self, _genesis: &Genesis) -> Result<Option<State>, String> {
        Ok(None)
    }
}

/// A block as the source holds it, not yet decoded.
pub struct StoredBlock {
    /// The block's encoding.
    pub block: Vec<u8>,
    /// Its encoded finalization certificate, if held.
    pub certificate: Option<Vec<u8>>,
}

/// A stopped node's store.
pub struct StoreSource {
    store: Store,
    /// Whether only the engine's tables were read (the journal is damaged).
    /// Each kind of data then reaches its own last flush: the top is the
    /// highest applied block (one with outcomes) whose block and
    /// certificate are in the tables too, and the kept state, which may stop
    /// at another point, is not compared.
    tables_only: bool,
}

impl StoreSource {
    fn tables_top(&self) -> Result<Option<u64>, StoreError> {
        // Marshal stores a finalized block before the node applies it: the
        // blocks table can run ahead of what was applied.
        let applied = self.store.last_outcome_height()?;
        let blocks = self.store.last_block_height()?;
        let certificates = self.store.last_certificate_height()?;
        let Some(top) = applied.zip(blocks).map(|(a, b)| a.min(b)) else {
            return Ok(None);
        };
        // Block 0 (genesis) has no certificate.
        Ok(Some(certificates.map_or(0, |c| top.min(c))))
    }
}

impl BlockSource for StoreSource {
    fn top(&mut self) -> anyhow::Result<u64> {
        let top = if self.tables_only {
            self.tables_top()?
        } else {
            self.store.applied_height()?
        };
        Ok(top.unwrap_or(0))
    }

    fn fetch(&mut self, height: u64) -> Result<Option<StoredBlock>, String> {
        let unreadable = |e: StoreError| format!("stored bytes are unreadable: {e}");
        let Some(block) = self.store.block_bytes(height).map_err(unreadable)? else {
            return Ok(None);
        };
        let certificate = self.store.certificate(height).map_err(unreadable)?;
        Ok(Some(StoredBlock { block, certificate }))
    }

    fn kept_state(&mut self, genesis: &Genesis) -> Result<Option<State>, String> {
        if self.tables_only {
            return Ok(None);
        }
        self.store
            .load_state(genesis.chain_id.clone())
            .map_err(|e| format!("the stored state is unreadable: {e}"))
    }
}

/// A running node's API (`GET /v1/audit/blocks`), read in batches.
pub struct RpcSource {
    client: Client,
    top: Option<u64>,
    buffered: VecDeque<(u64, StoredBlock)>,
}

impl RpcSource {
    /// Reads from the node at `url`.
    pub fn new(url: &str) -> Self {
        Self {
            client: Client::new(url),
            top: None,
            buffered: VecDeque::new(),
        }
    }
}

impl BlockSource for RpcSource {
    fn top(&mut self) -> anyhow::Result<u64> {
        // Fixed at the start: the chain keeps growing while it is checked.
        let top = match self.top {
            Some(top) => top,
            None => self.client.status()?.finalized_height,
        };
        self.top = Some(top);
        Ok(top)
    }

    fn fetch(&mut self, height: u64) -> Result<Option<StoredBlock>, String> {
        if self.buffered.front().map(|(h, _)| *h) != Some(height) {
            self.buffered.clear();
            let view = self
                .client
                .audit_blocks(height, eiraku_api::proof::MAX_AUDIT_BLOCKS)
                .map_err(|e| format!("cannot fetch from the node: {e}"))?;
            for (offset, item) in view.blocks.into_iter().enumerate() {
                let expected = height + offset as u64;
                if item.height != expected {
                    return Err(format!(
                        "the node sent block {} where {expected} belongs",
                        item.height
                    ));
                }
                let hex_of = |text: &str, what: &str| {
                    hex::decode(text).map_err(|_| format!("the node sent a {what} that is not hex"))
                };
                let block = hex_of(&item.block, "block")?;
                let certificate = item
                    .certificate
                    .as_deref()
                    .map(|text| hex_of(text, "certificate"))
                    .transpose()?;
                self.buffered
                    .push_back((expected, StoredBlock { block, certificate }));
            }
        }
        Ok(self.buffered.pop_front().map(|(_, block)| block))
    }
}

/// Verifies the chain stored in the home folder `home` (its node stopped).
pub fn verify_home(home: &Path, progress: bool) -> anyhow::Result<VerifyReport> {
    let home = NodeHome::load(home)?;
    let folder = home.data_dir().join("store");
    let store = match Store::open(&folder) {
        Ok(store) => store,
        Err(StoreError::Journal(damage)) => {
            return Err(verify_tables_only(
                &home.genesis,
                &folder,
                &damage,
                progress,
            ))
        }
        Err(error) => {
            return Err(anyhow::Error::new(error)
                .context("cannot open the node's store (is the node still running?)"))
        }
    };
    if let Some(height) = store.synced_from()? {
        anyhow::bail!(
            "this store was started by state sync at block {height}: it holds no block between genesis and that one, so there is no chain to replay here. Its state was checked against block {height}'s certified state root when it joined; verify the chain itself on a node that holds it (eiraku verify --rpc URL --genesis FILE)"
        );
    }
    let mut source = StoreSource {
        store,
        tables_only: false,
    };
    verify_chain(&home.genesis, &mut source, progress)
}

/// The store's journal is damaged (the node crashed and a journal byte
/// changed since), so the engine will not open it. Verifies what reached
/// the engine's tables, on a copy without the journal, and names the first
/// block that could only have been in the journal.
fn verify_tables_only(
    genesis: &Genesis,
    folder: &Path,
    damage: &str,
    progress: bool,
) -> anyhow::Error {
    let damaged = format!("the storage engine's journal is damaged ({damage})");
    if progress {
        eprintln!("{damaged}; checking what its tables hold, on a copy");
    }
    let checked = tempfile::tempdir()
        .map_err(anyhow::Error::from)
        .and_then(|scratch| {
            let store = Store::open_tables_only(folder, scratch.path())?;
            let mut source = StoreSource {
                store,
                tables_only: true,
            };
            let last = source.tables_top()?;
            let report = last
                .map(|_| verify_chain(genesis, &mut source, progress))
                .transpose()?;
            Ok(report.map(|report| report.blocks))
        });
    match checked {
        Ok(Some(top)) => fault(
            top + 1,
            format!(
                "unreadable: {damaged}; blocks 0 to {top} reached the engine's tables and verify, \
                 this block and later ones were only in the journal"
            ),
        ),
        Ok(None) => fault(
            0,
            format!("unreadable: {damaged}, and no block had reached the engine's tables yet"),
        ),
        Err(error) => error.context(damaged),
    }
}

/// Verifies the chain a running node at `url` serves, against the genesis
/// file at `genesis` (never the node's own).
pub fn verify_rpc(url: &str, genesis: &Path, progress: bool) -> anyhow::Result<VerifyReport> {
    let genesis = crate::proof_file::read_genesis(genesis)?;
    verify_chain(&genesis, &mut RpcSource::new(url), progress)
}

/// Verifies every block `source` holds up to its top, from `genesis`.
pub fn verify_chain(
    genesis: &Genesis,
    source: &mut impl BlockSource,
    progress: bool,
) -> anyhow::Result<VerifyReport> {
    let mut light = LightClient::from_genesis(genesis)?;
    let mut state = State::from_genesis(genesis);
    let roots = StateRoots::start()?;
    let genesis_root = roots
        .root_after(0, state.all_entries())
        .map_err(|e| fault(0, format!("state root: {e}")))?;
    let expected_genesis = genesis_block(genesis, genesis_root);
    let stored_genesis = source
        .fetch(0)
        .map_err(|e| fault(0, e))?
        .ok_or_else(|| fault(0, "missing"))?;
    if decode_block(&stored_genesis.block).ok().as_ref() != Some(&expected_genesis) {
        return Err(fault(0, "differs from the block the genesis file defines"));
    }
    let top = source.top()?;
    let keys = KeyCache::default();
    // Signatures are checked in batches on both cores, as a validator does.
    let strategy = Rayon::new(NonZeroUsize::new(2).expect("non-zero")).context("thread pool")?;
    let bar = bar(progress, top, "verifying");
    let started = Instant::now();
    let (mut parent, mut transactions, mut certified) = (expected_genesis, 0u64, 0u64);
    // A block can be final without a certificate of its own: consensus
    // finalizes a block's ancestors with it. Such a block waits here until
    // a certified descendant, linked to it by parent digests, covers it.
    let mut uncovered_since: Option<u64> = None;
    for height in 1..=top {
        let stored = source
            .fetch(height)
            .map_err(|e| fault(height, e))?
            .ok_or_else(|| fault(height, "missing from the source"))?;
        let block = decode_block(&stored.block)
            .map_err(|reason| fault(height, format!("stored bytes do not decode: {reason}")))?;
        check_block(&block, &parent, height, &keys, &strategy)?;
        match stored.certificate {
            Some(certificate) => {
                light
                    .verify_finality(&block.header, &certificate)
                    .map_err(|e| fault(height, format!("finalization certificate: {e}")))?;
                certified += 1;
                uncovered_since = None;
            }
            None => {
                uncovered_since.get_or_insert(height);
            }
        }
        let env = BlockEnv {
            height,
            timestamp_ms: block.header.timestamp_ms,
        };
        let before = state.clone();
        state
            .execute_block(&env, &block.transactions)
            .map_err(|e| fault(height, format!("re-execution: {e}")))?;
        let root = roots
            .root_after(height, state.changes_since(&before))
            .map_err(|e| fault(height, format!("state root: {e}")))?;
        if root != block.header.state_root {
            // Unreadable kept state: the root fault stands alone.
            let kept = source.kept_state(genesis).ok().flatten();
            let what = "state_root differs from re-execution";
            return Err(fault(height, with_breach(what, kept.as_ref())));
        }
        state
            .check_invariants()
            .map_err(|broken| fault(height, format!("invariant broken: {broken}")))?;
        // The next epoch's certificates verify with the set the state
        // hands over now.
        if light.ends_epoch(height) {
            light.enter_epoch(light.epoch_of(height) + 1, state.validators().active());
        }
        transactions += block.transactions.len() as u64;
        parent = block;
        bar.inc(1);
    }
    bar.finish_and_clear();
    if let Some(height) = uncovered_since {
        return Err(fault(
            height,
            "no finalization certificate covers it: neither its own nor a later block's",
        ));
    }
    // The accounts and money state the node keeps (and serves) must be what
    // the chain produces.
    if let Some(kept) = source.kept_state(genesis).map_err(|e| fault(top, e))? {
        if kept != state {
            let what = "the node's stored state differs from re-execution";
            return Err(fault(top, with_breach(what, Some(&kept))));
        }
    }
    Ok(VerifyReport {
        blocks: top,
        transactions,
        certified,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `what`, and the invariant `kept` (the state the node keeps)
/// breaks, if it breaks one: what an auditor needs to know of a chain whose
/// blocks claim a state re-execution does not reproduce.
fn with_breach(what: &str, kept: Option<&State>) -> String {
    let breach = kept.and_then(|kept| {
        let broken = kept.check_invariants().err()?;
        Some(format!(
            "{what}; the node's kept state (block {}): invariant broken: {broken}",
            kept.height()
        ))
    });
    breach.unwrap_or_else(|| what.into())
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
