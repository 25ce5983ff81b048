//! A map of millions of entries that many states share.
//!
//! A node keeps a state per block proposed but not yet final, and the
//! mempool checks every transaction on a copy. The map is split into
//! [`SHARDS`] shards by key; each shard is a stack of hash maps shared by
//! every copy made after them, under the copy's own writes (see
//! `stack.rs`). A copy shares every table (a few reference counts), a read
//! is a handful of hash probes, a write lands in the copy's own top table:
//! none costs in proportion to the entries, and none walks a tree of a
//! million entries. When a block ends, its writes become a table of each
//! stack, and tables are merged back into geometric sizes (the levels of
//! an LSM tree), so an entry is copied a few times per level over its
//! life, not once per block.
//!
//! Why shards: merging into a stack's bottom table copies it, and at a
//! million entries one copy took over 200 ms, on every validator at the
//! same block. Shards take their bottom merges in turn, one shard per
//! block, so no block pays for more than a sixteenth of the map.
//!
//! The hash maps are seeded per process, so an account owner cannot grind
//! keys that collide; nothing here ever depends on their order: every
//! listing is sorted, and only order-blind folds (sums) may read them in
//! any order. The shard of a key uses a fixed seed (grinding keys into
//! one shard only brings back the bigger copies).

mod stack;

use stack::Stack;
use std::{
    hash::{BuildHasher, Hash},
    sync::Arc,
};

/// Shards of a map.
pub const SHARDS: usize = 16;

/// Seed of the hash that picks a key's shard.
const SHARD_SEED: u64 = 0x6569_7261_6b75_0001;

/// The map: see the module documentation.
#[derive(Clone)]
pub struct LayeredMap<K, V> {
    /// Shared by copies until one writes: a copy (the mempool's dry runs
    /// make one per transaction) is one reference count, not one per shard.
    shards: Arc<Vec<Stack<K, V>>>,
    /// Blocks sealed: whose turn it is to merge into its bottom table.
    seals: u64,
}

impl<K: Copy + Eq + Hash + Ord, V: Clone + PartialEq> LayeredMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self {
            shards: Arc::new((0..SHARDS).map(|_| Stack::new()).collect()),
            seals: 0,
        }
    }

    fn shard_of(key: &K) -> usize {
        let hash = foldhash::fast::FixedState::with_seed(SHARD_SEED).hash_one(key);
        (hash >> 60) as usize % SHARDS
    }

    /// The value under `key`, if any.
    #[inline]
    pub fn get(&self, key: &K) -> Option<&V> {
        self.shards[Self::shard_of(key)].get(key)
    }

    /// Whether `key` holds a value.
    pub fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value` (entries are never removed).
    pub fn insert(&mut self, key: K, value: V) {
        Arc::make_mut(&mut self.shards)[Self::shard_of(&key)].insert(key, value);
    }

    /// The value under `key` to change in place, copied into this map's
    /// own writes first.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        Arc::make_mut(&mut self.shards)[Self::shard_of(key)].get_mut(key)
    }

    /// How many keys hold a value.
    pub fn len(&self) -> usize {
        self.shards.iter().map(Stack::len).sum()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(Stack::is_empty)
    }

    /// Ends a block: its writes become tables shared by every copy made
    /// from now on.
    pub fn seal(&mut self) {
        let turn = (self.seals % SHARDS as u64) as usize;
        for (index, shard) in Arc::make_mut(&mut self.shards).iter_mut().enumerate() {
            shard.seal(index == turn);
        }
        self.seals += 1;
    }

    /// Every entry in key order. Costs a sort of all entries: for listings
    /// and genesis, never on a block's path.
    pub fn iter(&self) -> std::vec::IntoIter<(&K, &V)> {
        let mut all: Vec<(&K, &V)> = self.iter_any_order().collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all.into_iter()
    }

    /// Every key in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.iter().map(|(k, _)| k)
    }

    /// Every value, in no particular order: only for folds that do not
    /// depend on it (sums).
    pub fn values_any_order(&self) -> impl Iterator<Item = &V> {
        self.iter_any_order().map(|(_, v)| v)
    }

    /// Every entry once (its latest value), in no particular order: only
    /// for folds that do not depend on it.
    pub fn iter_any_order(&self) -> impl Iterator<Item = (&K, &V)> {
        self.shards.iter().flat_map(Stack::iter_any_order)
    }

    /// Whether both are the same map, sharing every table (and neither has
    /// writes of its own).
    pub fn ptr_eq(&self, other: &Self) -> bool {
        if Arc::ptr_eq(&self.shards, &other.shards) {
            return true;
        }
        let pairs = self.shards.iter().zip(other.shards.iter());
        pairs.into_iter().all(|(a, b)| a.ptr_eq(b))
    }

    /// Every key whose value differs from `before`'s, in key order, with
    /// its value here. The cost follows the tables the two do not share:
    /// one block's writes between a state and its parent. Shards with no
    /// common history are compared entry by entry.
    pub fn changed_since(&self, before: &Self) -> Vec<(K, Option<&V>)> {
        let pairs = self.shards.iter().zip(before.shards.iter());
        let mut keys: Vec<K> = pairs.flat_map(|(a, b)| a.candidate_keys(b)).collect();
        keys.sort_unstable();
        keys.dedup();
        keys.into_iter()
            .filter_map(|key| {
                let now = self.get(&key);
                (now != before.get(&key)).then_some((key, now))
            })
            .collect()
    }
}

impl<'a, K: Copy + Eq + Hash + Ord, V: Clone + PartialEq> IntoIterator for &'a LayeredMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::vec::IntoIter<(&'a K, &'a V)>;

    /// In key order (see [`LayeredMap::iter`]).
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: Copy + Eq + Hash + Ord, V: Clone + PartialEq> Default for LayeredMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Copy + Eq + Hash + Ord, V: Clone + PartialEq> FromIterator<(K, V)> for LayeredMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut sharded: Vec<Vec<(K, V)>> = (0..SHARDS).map(|_| Vec::new()).collect();
        for (key, value) in entries {
            sharded[Self::shard_of(&key)].push((key, value));
        }
        Self {
            shards: Arc::new(sharded.into_iter().map(Stack::from_iter).collect()),
            seals: 0,
        }
    }
}

/// Equal when they hold the same entries, however they are layered.
impl<K: Copy + Eq + Hash + Ord, V: Clone + PartialEq> PartialEq for LayeredMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr_eq(other)
            || (self.len() == other.len()
                && self.iter_any_order().all(|(k, v)| other.get(k) == Some(v)))
    }
}

impl<K: Copy + Eq + Hash + Ord, V: Clone + PartialEq> Eq for LayeredMap<K, V> {}

impl<K: Copy + Eq + Hash + Ord, V: Clone + PartialEq> std::fmt::Debug for LayeredMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LayeredMap({} entries)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    type Map = LayeredMap<u32, u64>;

    #[test]
    fn maps_with_the_same_entries_are_equal_however_built() {
        let a: Map = [(1, 1), (2, 2)].into_iter().collect();
        let mut b: Map = [(2, 2)].into_iter().collect();
        assert_ne!(a, b);
        b.insert(1, 1);
        b.seal();
        assert_eq!(a, b);
        assert_eq!(b.changed_since(&a), vec![]);
    }

    proptest! {
        /// Against a plain ordered map: every read, the length, the sorted
        /// listing and the changes since any earlier copy, forks included.
        #[test]
        fn behaves_as_an_ordered_map(
            blocks in prop::collection::vec(
                prop::collection::vec((0u32..64, any::<u64>()), 0..12), 1..40),
            start in prop::collection::vec((0u32..64, any::<u64>()), 0..40),
        ) {
            let mut map: Map = start.iter().copied().collect();
            let mut model: BTreeMap<u32, u64> = start.iter().copied().collect();
            let mut copies = vec![(map.clone(), model.clone())];
            for writes in blocks {
                // Now and then a copy goes on from an older one (a fork).
                if writes.len() % 5 == 4 {
                    let (older, then) = copies[copies.len() / 2].clone();
                    map = older;
                    model = then;
                }
                for (k, v) in writes {
                    map.insert(k, v);
                    model.insert(k, v);
                }
                map.seal();
                copies.push((map.clone(), model.clone()));
            }
            prop_assert_eq!(map.len(), model.len());
            let listed: Vec<(u32, u64)> = map.iter().map(|(k, v)| (*k, *v)).collect();
            let expected: Vec<(u32, u64)> = model.iter().map(|(k, v)| (*k, *v)).collect();
            prop_assert_eq!(listed, expected);
            for (copy, then) in &copies {
                let changed: Vec<(u32, Option<u64>)> = map
                    .changed_since(copy)
                    .into_iter()
                    .map(|(k, v)| (k, v.copied()))
                    .collect();
                let keys: BTreeSet<&u32> = model.keys().chain(then.keys()).collect();
                let expected: Vec<(u32, Option<u64>)> = keys
                    .into_iter()
                    .filter(|k| then.get(k) != model.get(k))
                    .map(|k| (*k, model.get(k).copied()))
                    .collect();
                prop_assert_eq!(changed, expected);
            }
            for key in 0..64 {
                prop_assert_eq!(map.get(&key), model.get(&key));
                for (copy, then) in &copies {
                    prop_assert_eq!(copy.get(&key), then.get(&key));
                }
            }
        }
    }
}
