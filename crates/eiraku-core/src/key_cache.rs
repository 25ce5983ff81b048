//! Decoded sender keys.
//!
//! An account id is 32 bytes; checking its signature needs the curve point
//! those bytes encode, and decoding one costs about a third of a signature
//! check. Senders repeat, so a node keeps the points it has decoded.

use crate::{AccountId, PublicKey};
use commonware_parallel::Strategy;
use std::{collections::HashMap, sync::RwLock};

/// A bounded map from account id to its decoded public key. When full it
/// starts over: a simple bound that keeps memory flat under any key churn.
pub struct KeyCache {
    keys: RwLock<HashMap<AccountId, PublicKey>>,
    capacity: usize,
}

impl Default for KeyCache {
    /// Room for 100,000 keys (about 25 MB).
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl KeyCache {
    /// A cache holding at most `capacity` keys (0: decode every time).
    pub fn new(capacity: usize) -> Self {
        Self {
            keys: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    /// The keys of `accounts`, in order, decoding those not yet cached
    /// (in parallel on `strategy`). `None` if any id is not a valid key.
    pub fn resolve(
        &self,
        accounts: &[AccountId],
        strategy: &impl Strategy,
    ) -> Option<Vec<PublicKey>> {
        let cached: Vec<Option<PublicKey>> = {
            let keys = self.keys.read().unwrap();
            accounts.iter().map(|id| keys.get(id).cloned()).collect()
        };
        let missing: Vec<AccountId> = accounts
            .iter()
            .zip(&cached)
            .filter(|(_, key)| key.is_none())
            .map(|(id, _)| *id)
            .collect();
        let decoded: Vec<PublicKey> = strategy
            .try_map_collect_vec(&missing, |id| id.public_key())
            .ok()?;
        if !decoded.is_empty() && self.capacity > 0 {
            let mut keys = self.keys.write().unwrap();
            if keys.len() + decoded.len() > self.capacity {
                keys.clear();
            }
            for (id, key) in missing.iter().zip(&decoded) {
                keys.insert(*id, key.clone());
            }
        }
        let mut decoded = decoded.into_iter();
        Some(
            cached
                .into_iter()
                .map(|key| key.unwrap_or_else(|| decoded.next().expect("one per missing id")))
                .collect(),
        )
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.keys.read().unwrap().len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Keypair;
    use commonware_parallel::Sequential;

    #[test]
    fn resolves_in_order_caches_and_stays_bounded() {
        let cache = KeyCache::new(3);
        let keys: Vec<Keypair> = (0..4).map(Keypair::from_seed).collect();
        let ids: Vec<AccountId> = keys.iter().map(Keypair::account_id).collect();
        let first = cache.resolve(&ids[..2], &Sequential).unwrap();
        assert_eq!(first, vec![keys[0].public_key(), keys[1].public_key()]);
        assert_eq!(cache.len(), 2);
        // A hit and a miss, in the caller's order.
        let second = cache.resolve(&[ids[2], ids[0]], &Sequential).unwrap();
        assert_eq!(second, vec![keys[2].public_key(), keys[0].public_key()]);
        assert_eq!(cache.len(), 3);
        // Over capacity: starts over rather than growing.
        cache.resolve(&ids[3..], &Sequential).unwrap();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn an_invalid_key_fails_the_whole_lookup() {
        let cache = KeyCache::default();
        let mut bytes = [0u8; 32];
        bytes[0] = 2;
        let valid = Keypair::from_seed(1).account_id();
        assert!(cache
            .resolve(&[valid, AccountId::from_bytes(bytes)], &Sequential)
            .is_none());
    }
}
