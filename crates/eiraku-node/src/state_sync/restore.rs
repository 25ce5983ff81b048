//! `eiraku restore`: a backup into a node's empty data folder. The blocks
//! go in first (as marshal would have stored them), then the state is
//! rebuilt from the backup's operations exactly as state sync rebuilds it
//! from peers, checked against the block's certified root. The node then
//! starts as usual and takes the blocks after the backup's from the other
//! validators; `eiraku verify` replays its chain from genesis.

use super::{
    backup::{Backup, BackupOrigin, BACKUP_FORMAT},
    join, Install, JoinError,
};
use crate::{home::NodeHome, store::Store};
use commonware_runtime::{tokio as cw_tokio, Runner as _};
use std::{sync::Arc, time::Instant};

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// The backup's block.
    pub height: u64,
    /// Blocks written.
    pub blocks: usize,
    /// State entries installed.
    pub entries: usize,
    /// Seconds taken.
    pub seconds: f64,
}

/// Why a restore failed; nothing it wrote is used (the folder is not a
/// node's until the state's install, its last step).
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// Not a backup this version reads, or of another chain.
    #[error("{0}")]
    NotThisChain(String),
    /// The data folder already holds a chain.
    #[error("the data folder {0} already holds a chain: move it away first")]
    NotEmpty(String),
    /// A block of the backup is damaged.
    #[error("block {height} of the backup: {why}")]
    Block {
        /// Its height.
        height: u64,
        /// What is wrong.
        why: String,
    },
    /// The state did not hold up.
    #[error("the backup's state: {0}")]
    State(#[from] JoinError),
    /// The local store failed.
    #[error("the store: {0}")]
    Store(String),
}

/// Restores `backup` into `home`'s empty data folder.
pub fn restore(home: &NodeHome, backup: Backup) -> Result<Restored, RestoreError> {
    let started = Instant::now();
    if backup.format != BACKUP_FORMAT {
        return Err(RestoreError::NotThisChain(format!(
            "backup format {} (this eiraku reads {BACKUP_FORMAT})",
            backup.format
        )));
    }
    if backup.chain_id != home.genesis.chain_id.as_str() {
        return Err(RestoreError::NotThisChain(format!(
            "the backup is of chain {}, the node's genesis of {}",
            backup.chain_id, home.genesis.chain_id
        )));
    }
    let data_dir = home.data_dir();
    std::fs::create_dir_all(&data_dir).map_err(|e| RestoreError::Store(e.to_string()))?;
    let store =
        Store::open(&data_dir.join("store")).map_err(|e| RestoreError::Store(e.to_string()))?;
    if store
        .applied_height()
        .map_err(|e| RestoreError::Store(e.to_string()))?
        .is_some()
    {
        return Err(RestoreError::NotEmpty(data_dir.display().to_string()));
    }
    let blocks = put_blocks(&store, &backup)?;
    let genesis = home.genesis.clone();
    let origin = Arc::new(BackupOrigin::new(backup).map_err(RestoreError::NotThisChain)?);
    let runtime = cw_tokio::Runner::new(cw_tokio::Config::new().with_storage_directory(&data_dir));
    let joined = runtime.start(|context| async move {
        join(&context, &genesis, origin, &store, Install::Restored)
            .await
            .map(|joined| (joined, store))
    });
    let (joined, store) = joined?;
    let _closed = store
        .close()
        .map_err(|e| RestoreError::Store(e.to_string()))?;
    Ok(Restored {
        height: joined.height,
        blocks,
        entries: joined.entries,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Writes the backup's blocks, each the child of the one before, from
/// genesis to the state's block. The last must be the state's block (its
/// certificate is checked with the state), so the parent links make every
/// one the chain's: a block changed anywhere breaks a link.
fn put_blocks(store: &Store, backup: &Backup) -> Result<usize, RestoreError> {
    let height = backup.target.height;
    let last = backup.blocks.last().map(|item| item.block.as_str());
    if backup.blocks.len() as u64 != height + 1 || last != Some(backup.target.block.as_str()) {
        return Err(RestoreError::Block {
            height,
            why: "the blocks do not run from genesis to the state's block".into(),
        });
    }
    let mut parent = None;
    for (expected, item) in (0u64..).zip(&backup.blocks) {
        let bad = |why: &str| RestoreError::Block {
            height: expected,
            why: why.into(),
        };
        let bytes = hex::decode(&item.block).map_err(|_| bad("not hex"))?;
        let block = crate::store::decode_block(&bytes).map_err(|why| bad(&why))?;
        if block.header.height != expected || item.height != expected {
            return Err(bad("out of order"));
        }
        if parent.is_some_and(|parent| block.header.parent != parent) {
            return Err(bad("not the child of the block before"));
        }
        let certificate = match &item.certificate {
            Some(text) => Some(hex::decode(text).map_err(|_| bad("its certificate is not hex"))?),
            None => None,
        };
        store
            .put_certified(&block, certificate.as_deref())
            .map_err(|e| RestoreError::Store(e.to_string()))?;
        parent = Some(block.hash());
    }
    Ok(backup.blocks.len())
}
