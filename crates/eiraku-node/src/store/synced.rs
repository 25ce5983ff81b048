//! A store started by state sync: it holds the state of a finalized block
//! taken from peers (and verified against the block's state root), that
//! block and its certificate, and the genesis block, but no block between
//! them. Marshal then starts from that block (its floor) rather than from
//! genesis.

use super::{engine, Store, StoreError, APPLIED_HEIGHT};
use eiraku_core::Block;
use fjall::PersistMode;

/// An encoded block header and the block's encoded certificate.
pub type HeaderAndCertificate = (Vec<u8>, Vec<u8>);

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

    /// Keeps a verified handoff of a store without the block it follows:
    /// the set and proof as [`Store::put_handoff`] keeps them, and the
    /// block's header and certificate, which light clients are given.
    pub fn put_handoff_with_header(
        &self,
        height: u64,
        set: &[u8],
        proof: &[u8],
        header: &[u8],
        certificate: &[u8],
    ) -> Result<(), StoreError> {
        let mut value = (header.len() as u32).to_be_bytes().to_vec();
        value.extend_from_slice(header);
        value.extend_from_slice(certificate);
        self.handoff_headers
            .insert(height.to_be_bytes(), value)
            .map_err(engine)?;
        self.put_handoff(height, set, proof)
    }

    /// The header and certificate kept with a handoff at `height` (see
    /// [`Store::put_handoff_with_header`]).
    pub fn handoff_header(&self, height: u64) -> Result<Option<HeaderAndCertificate>, StoreError> {
        let Some(value) = self
            .handoff_headers
            .get(height.to_be_bytes())
            .map_err(engine)?
        else {
            return Ok(None);
        };
        let corrupt = || StoreError::Corrupt(format!("the handoff header at {height}"));
        let length = value.get(..4).ok_or_else(corrupt)?;
        let length = u32::from_be_bytes(length.try_into().expect("4 bytes")) as usize;
        let header = value.get(4..4 + length).ok_or_else(corrupt)?;
        Ok(Some((header.to_vec(), value[4 + length..].to_vec())))
    }

    /// Whether the store holds nothing at all of a chain: no applied
    /// state, no block, no state entry, no handoff (what state sync and a
    /// restore start from).
    pub fn holds_nothing(&self) -> Result<bool, StoreError> {
        Ok(self.applied_height()?.is_none()
            && self.last_block_height()?.is_none()
            && self.state.first_key_value().map_err(engine)?.is_none()
            && self.handoffs.first_key_value().map_err(engine)?.is_none())
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
