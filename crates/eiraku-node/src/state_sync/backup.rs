//! A node's backup: the finalized chain up to a block and that block's
//! state, in the form state sync moves it (a target, the sync engine's
//! requests with the answers, the keys of the entries). Taken from a
//! running node's API, so consistent at any moment: blocks are immutable,
//! the operations are proven against the log as it was at the block
//! (and kept from pruning while the backup runs), and the keys are checked
//! against the verified state on restore. A restore checks all of it as
//! state sync checks its peers; nothing in the file is trusted.

use super::Origin;
use crate::state_db::sync::{decode_response, Operation, SyncRequest, MAX_OPS_PER_REQUEST};
use commonware_codec::Encode as _;
use commonware_storage::{
    merkle::{mmr, Location},
    qmdb::sync::{source, Source},
};
use eiraku_api::{AuditBlock, SyncKeysView, SyncTargetView};
use eiraku_core::Digest;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, num::NonZeroU64, sync::Arc};

/// The format this version writes and reads.
pub const BACKUP_FORMAT: u32 = 1;

/// Keys one page of a restore reads.
const KEYS_PER_PAGE: usize = 10_000;

/// A backup file (JSON).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Backup {
    /// [`BACKUP_FORMAT`].
    pub format: u32,
    /// The chain it belongs to.
    pub chain_id: String,
    /// The state's block and its operation log, as state sync names them.
    pub target: SyncTargetView,
    /// Each request the sync engine makes for that target (hex of its
    /// encoding) with the answer (hex).
    pub operations: Vec<(String, String)>,
    /// The keys of the state's entries (hex), in order.
    pub keys: Vec<String>,
    /// Every block from genesis to the state's, with its certificate.
    pub blocks: Vec<AuditBlock>,
}

/// The requests the sync engine makes for a target: the boundary (the
/// operation at the start with the pinned nodes), when the start is not
/// the log's first operation, then the operations after it in batches of
/// [`MAX_OPS_PER_REQUEST`]. The engine schedules the boundary first and
/// the batches after what is outstanding, so these are exactly its
/// requests; a restore answers only these (an engine that asked others
/// would fail the restore, never accept it).
pub fn requests(target: &SyncTargetView) -> Vec<SyncRequest> {
    let size = Location::<mmr::Family>::new(target.size);
    let mut requests = Vec::new();
    let mut start = target.start;
    if start > 0 {
        requests.push(SyncRequest::Boundary {
            size,
            start: Location::new(start),
        });
        start += 1;
    }
    while start < target.size {
        let count = (target.size - start).min(MAX_OPS_PER_REQUEST);
        requests.push(SyncRequest::Operations {
            size,
            start: Location::new(start),
            max_ops: NonZeroU64::new(count).expect("not empty"),
        });
        start += count;
    }
    requests
}

/// A backup read back, as the origin of a restore.
pub struct BackupOrigin {
    backup: Backup,
    answers: FileSource,
}

impl BackupOrigin {
    /// Reads the answers of `backup` (each must be hex of a request).
    pub fn new(backup: Backup) -> Result<Self, String> {
        let mut answers = BTreeMap::new();
        for (request, response) in &backup.operations {
            let request = hex::decode(request).map_err(|_| "a request is not hex")?;
            let response = hex::decode(response).map_err(|_| "an answer is not hex")?;
            answers.insert(request, response);
        }
        Ok(Self {
            backup,
            answers: FileSource(Arc::new(answers)),
        })
    }
}

impl Origin for BackupOrigin {
    type Operations = FileSource;

    fn target(&self, _: usize) -> Result<SyncTargetView, String> {
        Ok(self.backup.target.clone())
    }

    fn keys(&self, after: Option<&str>, _: usize) -> Result<SyncKeysView, String> {
        let keys = &self.backup.keys;
        let from = match after {
            Some(after) => keys.partition_point(|key| key.as_str() <= after),
            None => 0,
        };
        let to = (from + KEYS_PER_PAGE).min(keys.len());
        Ok(SyncKeysView {
            keys: keys[from..to].to_vec(),
            more: to < keys.len(),
        })
    }

    fn count(&self) -> usize {
        1
    }

    fn operations(&self) -> FileSource {
        self.answers.clone()
    }

    fn received(&self, _: &FileSource) -> u64 {
        self.backup
            .operations
            .iter()
            .map(|(_, answer)| answer.len() as u64 / 2)
            .sum()
    }
}

/// The answers a backup holds, by encoded request.
#[derive(Clone)]
pub struct FileSource(Arc<BTreeMap<Vec<u8>, Vec<u8>>>);

/// A request the backup holds no answer to.
#[derive(Debug, thiserror::Error)]
#[error("the backup holds no answer to {0}: it is incomplete or of another target")]
pub struct NotInBackup(String);

impl Source for FileSource {
    type Family = mmr::Family;
    type Digest = Digest;
    type Op = Operation;
    type Error = NotInBackup;

    async fn serve(&self, request: SyncRequest) -> source::Result<Self> {
        let max_ops = request.max_ops().get() as usize;
        let response = self
            .0
            .get(request.encode().as_ref())
            .and_then(|bytes| decode_response(bytes, max_ops))
            .ok_or_else(|| NotInBackup(request.to_string()))?;
        Ok((response, None))
    }
}
