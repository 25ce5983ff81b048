//! Marshal's finalized-block and finalization stores, kept in the node's
//! store: a finalized block and its certificate are written once, here,
//! where the API, proofs and `eiraku verify` read them (marshal's own
//! archives would hold a second copy of each).
//!
//! Marshal writes a block (and a certificate) when it learns it is
//! finalized and syncs before it hands the block to the node, so the
//! `blocks` table can hold heights above the applied one; "applied" is
//! always [`Store::applied_height`]. A put is buffered in the engine's
//! journal; [`Blocks::sync`] and [`Blocks::start_sync`] make it durable.

use super::{decode_height, engine, Store, StoreError};
use crate::application::Scheme;
use commonware_codec::{Copying, Decode, Encode};
use commonware_consensus::{
    marshal::store::{Blocks, Certificates},
    simplex::types::Finalization,
    types::Height,
};
use commonware_cryptography::certificate::Verifier as _;
use commonware_runtime::{Error as RuntimeError, Handle, Spawner};
use commonware_storage::{archive::Identifier, rmap::RMap};
use eiraku_core::{Block, Digest};
use fjall::{PartitionHandle, PersistMode};
use std::sync::Arc;

/// A finalization certificate as marshal and the light client know it.
pub type FinalizationCertificate = Finalization<Scheme, Digest>;

impl Store {
    /// Writes finalized `block` (whose digest is `digest`) under its height,
    /// replacing what that height held, and indexes its digest. Buffered:
    /// durable at the next [`Store::persist`] or commit.
    pub fn put_block(&self, digest: &Digest, block: &Block) -> Result<(), StoreError> {
        let height = block.header.height.to_be_bytes();
        let mut batch = self.keyspace.batch();
        batch.insert(&self.blocks, height, block.encode().as_ref());
        batch.insert(&self.block_digests, digest.as_ref(), height);
        batch.commit().map_err(engine)
    }

    /// Writes the encoded finalization certificate of block `digest` at
    /// `height`, and indexes the digest. Buffered like [`Store::put_block`].
    pub(super) fn put_certificate(
        &self,
        height: u64,
        digest: &Digest,
        certificate: &[u8],
    ) -> Result<(), StoreError> {
        let key = height.to_be_bytes();
        let mut batch = self.keyspace.batch();
        batch.insert(&self.certificates, key, certificate);
        batch.insert(&self.block_digests, digest.as_ref(), key);
        batch.commit().map_err(engine)
    }

    /// Makes every write so far durable (fsync of the journal).
    pub fn persist(&self) -> Result<(), StoreError> {
        self.keyspace.persist(PersistMode::SyncAll).map_err(engine)
    }

    /// The height of finalized block `digest`, if this store knows it.
    fn digest_height(&self, digest: &Digest) -> Result<Option<u64>, StoreError> {
        let Some(value) = self.block_digests.get(digest.as_ref()).map_err(engine)? else {
            return Ok(None);
        };
        decode_height(&value, "a block digest entry").map(Some)
    }

    /// The height an identifier names (`None`: an unknown digest).
    fn height_of(&self, id: &Identifier<'_, Digest>) -> Result<Option<u64>, StoreError> {
        match id {
            Identifier::Index(height) => Ok(Some(*height)),
            Identifier::Key(digest) => self.digest_height(digest),
        }
    }

    /// The heights the blocks table holds. Every height up to the applied
    /// one is held (marshal stores a block before the node applies it), so
    /// only the keys above it are read: the table is most of the store,
    /// and walking its keys reads the blocks beside them.
    fn held_block_heights(&self) -> Result<RMap, StoreError> {
        let mut held = RMap::new();
        let above = match self.applied_height()? {
            Some(applied) => {
                (0..=applied).for_each(|height| held.insert(height));
                applied + 1
            }
            None => 0,
        };
        insert_keys(&mut held, &self.blocks, above)?;
        Ok(held)
    }

    /// The heights the certificates table holds (not every block has a
    /// certificate of its own, so every key is read; they are small).
    fn held_certificate_heights(&self) -> Result<RMap, StoreError> {
        let mut held = RMap::new();
        insert_keys(&mut held, &self.certificates, 0)?;
        Ok(held)
    }
}

/// Adds to `held` the height keys of `partition` from `from` on.
fn insert_keys(held: &mut RMap, partition: &PartitionHandle, from: u64) -> Result<(), StoreError> {
    for key in partition.range(from.to_be_bytes()..) {
        let key = key.map_err(engine)?.0;
        held.insert(decode_height(&key, "a height key")?);
    }
    Ok(())
}

/// Starts making the store's writes durable on a blocking-friendly task, so
/// an fsync does not hold an async worker that consensus tasks share.
fn start_persist<E: Spawner>(context: &E, store: &Arc<Store>) -> Handle<()> {
    let store = store.clone();
    let task = context
        .child("persist")
        .shared(true)
        .spawn(move |_| async move { store.persist() });
    Handle::from_future(async move {
        match task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(RuntimeError::BlobSyncFailed(
                "store".into(),
                "journal".into(),
                Arc::new(std::io::Error::other(error.to_string())),
            )),
            Err(error) => Err(error),
        }
    })
}

/// Waits for a [`start_persist`].
async fn persisted(handle: Handle<()>) -> Result<(), StoreError> {
    handle.await.map_err(engine)
}

/// Marshal's finalized blocks, in the node's store.
pub struct MarshalBlocks<E> {
    store: Arc<Store>,
    /// Heights held: marshal asks for gaps without a read.
    held: RMap,
    context: E,
}

impl<E: Spawner> MarshalBlocks<E> {
    /// Marshal's view of the blocks `store` holds; `context` runs its syncs.
    pub fn open(context: E, store: Arc<Store>) -> Result<Self, StoreError> {
        let held = store.held_block_heights()?;
        Ok(Self {
            store,
            held,
            context,
        })
    }
}

impl<E: Spawner> Blocks for MarshalBlocks<E> {
    type Block = Arc<Block>;
    type Error = StoreError;

    async fn put(mut self, digest: Digest, block: &Arc<Block>) -> Result<Self, StoreError> {
        let height = block.header.height;
        // A finalized height never changes its block: a second put is
        // marshal learning the same block again.
        if self.held.get(height).is_none() {
            self.store.put_block(&digest, block)?;
            self.held.insert(height);
        }
        Ok(self)
    }

    async fn sync(self) -> Result<Self, StoreError> {
        persisted(start_persist(&self.context, &self.store)).await?;
        Ok(self)
    }

    async fn start_sync(self) -> Result<(Self, Handle<()>), StoreError> {
        let handle = start_persist(&self.context, &self.store);
        Ok((self, handle))
    }

    async fn get(&self, id: Identifier<'_, Digest>) -> Result<Option<Arc<Block>>, StoreError> {
        let Some(height) = self.store.height_of(&id)? else {
            return Ok(None);
        };
        let block = self.store.block(height)?;
        // Marshal takes a block found by digest as that digest's block.
        let named = |block: &Block| match id {
            Identifier::Key(digest) => block.hash() == *digest,
            Identifier::Index(_) => true,
        };
        Ok(block.filter(named).map(Arc::new))
    }

    async fn prune(self, _: Height) -> Result<Self, StoreError> {
        // Every finalized block is kept: the API, proofs and audits read them.
        Ok(self)
    }

    fn missing_items(&self, start: Height, max: usize) -> Vec<Height> {
        let missing = self.held.missing_items(start.get(), max);
        missing.into_iter().map(Height::new).collect()
    }

    fn next_gap(&self, value: Height) -> (Option<Height>, Option<Height>) {
        let (end, next) = self.held.next_gap(value.get());
        (end.map(Height::new), next.map(Height::new))
    }

    fn last_index(&self) -> Option<Height> {
        self.held.last_index().map(Height::new)
    }
}

/// Marshal's finalization certificates, in the node's store.
pub struct MarshalCertificates<E> {
    store: Arc<Store>,
    /// Heights held.
    held: RMap,
    context: E,
}

impl<E: Spawner> MarshalCertificates<E> {
    /// Marshal's view of the certificates `store` holds.
    pub fn open(context: E, store: Arc<Store>) -> Result<Self, StoreError> {
        let held = store.held_certificate_heights()?;
        Ok(Self {
            store,
            held,
            context,
        })
    }
}

impl<E: Spawner> Certificates for MarshalCertificates<E> {
    type BlockDigest = Digest;
    type Commitment = Digest;
    type Scheme = Scheme;
    type Error = StoreError;

    async fn put(
        mut self,
        height: Height,
        digest: Digest,
        finalization: &FinalizationCertificate,
    ) -> Result<Self, StoreError> {
        let height = height.get();
        if self.held.get(height).is_none() {
            // The encoding the light client and `eiraku verify` check.
            let certificate = finalization.encode();
            self.store.put_certificate(height, &digest, &certificate)?;
            self.held.insert(height);
        }
        Ok(self)
    }

    async fn sync(self) -> Result<Self, StoreError> {
        persisted(start_persist(&self.context, &self.store)).await?;
        Ok(self)
    }

    async fn start_sync(self) -> Result<(Self, Handle<()>), StoreError> {
        let handle = start_persist(&self.context, &self.store);
        Ok((self, handle))
    }

    async fn get(
        &self,
        id: Identifier<'_, Digest>,
    ) -> Result<Option<FinalizationCertificate>, StoreError> {
        let Some(height) = self.store.height_of(&id)? else {
            return Ok(None);
        };
        let Some(bytes) = self.store.certificate(height)? else {
            return Ok(None);
        };
        let certificate = FinalizationCertificate::decode_cfg(
            Copying(bytes.as_slice()),
            &Scheme::certificate_codec_config_unbounded(),
        )
        .map_err(|e| StoreError::Corrupt(format!("certificate {height}: {e}")))?;
        Ok(Some(certificate))
    }

    async fn has(&self, height: Height) -> Result<bool, StoreError> {
        Ok(self.held.get(height.get()).is_some())
    }

    async fn prune(self, _: Height) -> Result<Self, StoreError> {
        // Every certificate is kept: proofs of finality are built from them.
        Ok(self)
    }

    fn last_index(&self) -> Option<Height> {
        self.held.last_index().map(Height::new)
    }

    fn ranges_from(&self, from: Height) -> impl Iterator<Item = (Height, Height)> {
        let ranges = self.held.iter_from(from.get());
        ranges.map(|(start, end)| (Height::new(*start), Height::new(*end)))
    }
}

#[cfg(test)]
mod tests;
