//! The node's embedded, persistent store (redb): applied state, finalized
//! blocks with their finalization certificates, receipts and the
//! transaction index.
//!
//! Each finalized block is written in one redb transaction with immediate
//! durability (fsync) *before* the consensus layer is told the block is
//! processed. A crash at any point therefore loses nothing that was reported
//! finalized: either the whole block is on disk, or marshal delivers it again
//! after restart and it is applied then.

use eiraku_core::{AccountId, Block, ChainId, Digest};
use eiraku_state::{Account, Receipt, State};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::{collections::BTreeMap, path::Path};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const ACCOUNTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("accounts");
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
const CERTIFICATES: TableDefinition<u64, &[u8]> = TableDefinition::new("certificates");
const RECEIPTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("receipts");

const APPLIED_HEIGHT: &str = "applied_height";

/// Errors of the store. All are fatal for the node: storage that cannot be
/// read or written must stop it rather than let it diverge.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage engine failed.
    #[error("storage error: {0}")]
    Engine(String),
    /// Stored bytes do not decode: the data folder is damaged.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

fn engine<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Engine(e.to_string())
}

/// A finalized block ready to be written.
pub struct FinalizedBlock<'a> {
    /// The block.
    pub block: &'a Block,
    /// Encoded finalization certificate, when known.
    pub certificate: Option<&'a [u8]>,
    /// The receipts of its transactions.
    pub receipts: &'a [Receipt],
    /// The state after it.
    pub state: &'a State,
    /// Accounts it changed (only these are rewritten).
    pub touched: &'a [AccountId],
}

/// The store.
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates) the store file.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(engine)?;
        let txn = db.begin_write().map_err(engine)?;
        // Create every table up front so readers never meet a missing one.
        txn.open_table(META).map_err(engine)?;
        txn.open_table(ACCOUNTS).map_err(engine)?;
        txn.open_table(BLOCKS).map_err(engine)?;
        txn.open_table(CERTIFICATES).map_err(engine)?;
        txn.open_table(RECEIPTS).map_err(engine)?;
        txn.commit().map_err(engine)?;
        Ok(Self { db })
    }

    /// Height of the last applied block, if any block (including genesis) was stored.
    pub fn applied_height(&self) -> Result<Option<u64>, StoreError> {
        let txn = self.db.begin_read().map_err(engine)?;
        let meta = txn.open_table(META).map_err(engine)?;
        let Some(value) = meta.get(APPLIED_HEIGHT).map_err(engine)? else {
            return Ok(None);
        };
        let bytes: [u8; 8] = value
            .value()
            .try_into()
            .map_err(|_| StoreError::Corrupt("applied height".into()))?;
        Ok(Some(u64::from_be_bytes(bytes)))
    }

    /// Loads the applied state.
    pub fn load_state(&self, chain_id: ChainId) -> Result<Option<State>, StoreError> {
        let Some(height) = self.applied_height()? else {
            return Ok(None);
        };
        let txn = self.db.begin_read().map_err(engine)?;
        let table = txn.open_table(ACCOUNTS).map_err(engine)?;
        let mut accounts = BTreeMap::new();
        for entry in table.iter().map_err(engine)? {
            let (key, value) = entry.map_err(engine)?;
            let id = AccountId::from_hex(&hex::encode(key.value()))
                .map_err(|e| StoreError::Corrupt(format!("account key: {e}")))?;
            let account = Account::from_bytes(value.value())
                .ok_or_else(|| StoreError::Corrupt(format!("account {id}")))?;
            accounts.insert(id, account);
        }
        Ok(Some(State::from_accounts(chain_id, height, accounts)))
    }

    /// Writes a finalized block and everything it changed, durably, in one
    /// transaction.
    pub fn commit(&self, finalized: FinalizedBlock<'_>) -> Result<(), StoreError> {
        let block = finalized.block;
        let height = block.header.height;
        let mut txn = self.db.begin_write().map_err(engine)?;
        txn.set_durability(redb::Durability::Immediate)
            .map_err(engine)?;
        {
            let mut accounts = txn.open_table(ACCOUNTS).map_err(engine)?;
            for id in finalized.touched {
                match finalized.state.account(id) {
                    Some(account) => {
                        accounts
                            .insert(id.0.as_ref(), account.to_bytes().as_slice())
                            .map_err(engine)?;
                    }
                    None => {
                        accounts.remove(id.0.as_ref()).map_err(engine)?;
                    }
                }
            }
            let encoded = commonware_codec::Encode::encode(block);
            txn.open_table(BLOCKS)
                .map_err(engine)?
                .insert(height, encoded.as_ref())
                .map_err(engine)?;
            if let Some(certificate) = finalized.certificate {
                txn.open_table(CERTIFICATES)
                    .map_err(engine)?
                    .insert(height, certificate)
                    .map_err(engine)?;
            }
            let mut receipts = txn.open_table(RECEIPTS).map_err(engine)?;
            for receipt in finalized.receipts {
                let json = serde_json::to_vec(receipt).map_err(engine)?;
                receipts
                    .insert(receipt.tx_hash.as_ref(), json.as_slice())
                    .map_err(engine)?;
            }
            txn.open_table(META)
                .map_err(engine)?
                .insert(APPLIED_HEIGHT, height.to_be_bytes().as_slice())
                .map_err(engine)?;
        }
        txn.commit().map_err(engine)
    }

    /// Writes a certificate learned after its block was stored.
    pub fn put_certificate(&self, height: u64, certificate: &[u8]) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(engine)?;
        txn.open_table(CERTIFICATES)
            .map_err(engine)?
            .insert(height, certificate)
            .map_err(engine)?;
        txn.commit().map_err(engine)
    }

    /// A finalized block by height.
    pub fn block(&self, height: u64) -> Result<Option<Block>, StoreError> {
        let txn = self.db.begin_read().map_err(engine)?;
        let table = txn.open_table(BLOCKS).map_err(engine)?;
        let Some(bytes) = table.get(height).map_err(engine)? else {
            return Ok(None);
        };
        let block: Block =
            commonware_codec::Decode::decode_cfg(commonware_codec::Copying(bytes.value()), &())
                .map_err(|e| StoreError::Corrupt(format!("block {height}: {e}")))?;
        Ok(Some(block))
    }

    /// The encoded finalization certificate of a block, by height.
    pub fn certificate(&self, height: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(engine)?;
        let table = txn.open_table(CERTIFICATES).map_err(engine)?;
        Ok(table
            .get(height)
            .map_err(engine)?
            .map(|v| v.value().to_vec()))
    }

    /// The receipt of a finalized transaction.
    pub fn receipt(&self, tx_hash: &Digest) -> Result<Option<Receipt>, StoreError> {
        let txn = self.db.begin_read().map_err(engine)?;
        let table = txn.open_table(RECEIPTS).map_err(engine)?;
        let Some(bytes) = table.get(tx_hash.as_ref()).map_err(engine)? else {
            return Ok(None);
        };
        serde_json::from_slice(bytes.value())
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("receipt: {e}")))
    }
}
