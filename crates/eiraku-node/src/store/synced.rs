//! A store started by state sync: it holds the state of a finalized block
//! taken from peers (and verified against the block's state root), that
//! block and its certificate, and the genesis block, but no block between
//! them. Marshal then starts from that block (its floor) rather than from
//! genesis.

use super::{engine, Store, StoreError, APPLIED_HEIGHT};
use eiraku_core::Block;
use fjall::PersistMode;

/// Meta key of the height a synced store started from.
const SYNCED_FROM: &[u8] = b"synced_from";

impl Store {
    /// Writes the verified state of `block` (its entries, as stored),
    /// the block, its certificate and the genesis block, in one durable
    /// batch; `synced` marks a store without the blocks between (state
    /// sync), unlike a restore that put them in first. The store must hold
    /// no applied state.
    pub fn install_synced_state(
        &self,
        genesis: &Block,
        block: &Block,
        certificate: &[u8],
        entries: &[(Vec<u8>, Vec<u8>)],
        synced: bool,
    ) -> Result<(), StoreError> {
        if self.applied_height()?.is_some() {
            return Err(StoreError::Corrupt(
                "state sync needs an empty store; this one holds a chain".into(),
            ));
        }
        let height = block.header.height;
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        for (key, value) in entries {
            batch.insert(&self.state, key, value);
        }
        for block in [genesis, block] {
            let key = block.header.height.to_be_bytes();
            batch.insert(
                &self.blocks,
                key,
                commonware_codec::Encode::encode(block).as_ref(),
            );
            batch.insert(&self.block_digests, block.hash().as_ref(), key);
        }
        batch.insert(&self.certificates, height.to_be_bytes(), certificate);
        if synced {
            batch.insert(&self.meta, SYNCED_FROM, height.to_be_bytes());
        }
        batch.insert(&self.meta, APPLIED_HEIGHT, height.to_be_bytes());
        batch.commit().map_err(engine)
    }

    /// Writes finalized `block` with its certificate (a restore's blocks,
    /// before its state). Durable at the state's install.
    pub fn put_certified(
        &self,
        block: &Block,
        certificate: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let digest = block.hash();
        self.put_block(&digest, block)?;
        match certificate {
            Some(certificate) => self.put_certificate(block.header.height, &digest, certificate),
            None => Ok(()),
        }
    }

    /// The height this store's state was synced at, if it was started by
    /// state sync rather than from genesis.
    pub fn synced_from(&self) -> Result<Option<u64>, StoreError> {
        let Some(value) = self.meta.get(SYNCED_FROM).map_err(engine)? else {
            return Ok(None);
        };
        super::decode_height(&value, "the synced height").map(Some)
    }
}
