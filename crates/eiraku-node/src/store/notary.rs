//! Where a notarized file's digest sits: the batch root it was anchored
//! under and its position, for `GET /v1/notary/{digest}` (off-ledger, with
//! the envelopes, under domain-separated keys). A digest in several
//! anchored batches keeps the batch anchored first, whatever order the
//! batches are posted in: a later batch cannot take a file over.

use super::{engine, Store, StoreError};
use commonware_codec::{Copying, Decode};
use eiraku_core::Digest;
use std::collections::{hash_map::Entry, HashMap};

impl Store {
    /// Indexes the digests of the anchored batch `root`, in one write:
    /// each digest not yet indexed under a root anchored earlier. Nothing
    /// when `root` is not anchored.
    pub fn put_notary_batch(&self, root: &Digest, leaves: &[Digest]) -> Result<(), StoreError> {
        let _one_batch_at_a_time = self.notary.lock().expect("notary lock");
        let Some((_, height)) = self.anchor(root)? else {
            return Ok(());
        };
        let mut anchored_at: HashMap<Digest, Option<u64>> = HashMap::new();
        let mut batch = self.keyspace.batch();
        for (position, leaf) in leaves.iter().enumerate() {
            if let Some((kept, _)) = self.notary_leaf(leaf)? {
                let kept_height = match anchored_at.entry(kept) {
                    Entry::Occupied(known) => *known.get(),
                    Entry::Vacant(new) => *new.insert(self.anchor(&kept)?.map(|(_, h)| h)),
                };
                if kept_height.is_some_and(|kept_height| kept_height <= height) {
                    continue;
                }
            }
            let mut value = root.as_ref().to_vec();
            value.extend_from_slice(&(position as u32).to_be_bytes());
            batch.insert(&self.travel_rule, notary_leaf_key(leaf).as_ref(), value);
        }
        batch.commit().map_err(engine)
    }

    /// The batch root and position kept for a file's digest.
    pub fn notary_leaf(&self, leaf: &Digest) -> Result<Option<(Digest, u32)>, StoreError> {
        let key = notary_leaf_key(leaf);
        let Some(value) = self.travel_rule.get(key.as_ref()).map_err(engine)? else {
            return Ok(None);
        };
        let corrupt = || StoreError::Corrupt("notary leaf entry".into());
        let (root, position) = value.split_at_checked(32).ok_or_else(corrupt)?;
        let root = Digest::decode_cfg(Copying(root), &()).map_err(|_| corrupt())?;
        let position = u32::from_be_bytes(position.try_into().map_err(|_| corrupt())?);
        Ok(Some((root, position)))
    }
}

/// A file digest's key: a domain-separated digest no envelope digest meets.
fn notary_leaf_key(leaf: &Digest) -> Digest {
    eiraku_core::hash(&[b"eiraku/notary-leaf/v1", leaf.as_ref()])
}
