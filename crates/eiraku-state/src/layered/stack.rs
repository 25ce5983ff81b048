//! One shard of a [`super::LayeredMap`]: a stack of hash maps, each
//! shared by every copy made after it, under the copy's own writes.
//! Tables are kept geometrically sized, like the levels of an LSM tree:
//! before a block's table is stacked, the newest table is merged into the
//! one below it while that one is less than [`GROWTH`] times its size.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Weak},
};

type Table<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type Layer<K, V> = Arc<Table<K, V>>;
/// Tables named without holding them.
type Names<K, V> = Vec<Weak<Table<K, V>>>;

/// How much bigger than the table above it a table must stay: a smaller
/// one absorbs the table above.
pub const GROWTH: usize = 4;

/// One shard: see the module documentation.
#[derive(Clone)]
pub(super) struct Stack<K, V> {
    /// Sealed tables, oldest (biggest) first.
    stack: Vec<Layer<K, V>>,
    /// Writes since the last seal, this copy's own.
    top: Table<K, V>,
    /// How many keys the map holds.
    len: usize,
    /// The stack before the last seal merged tables, kept until the next
    /// seal, so the block that merged can still be compared with its parent
    /// by its own writes. Weak: a table no other copy holds is merged in
    /// place, not copied.
    merged_from: Option<Arc<Names<K, V>>>,
}

impl<K: Copy + Eq + Hash + Ord, V: Clone + PartialEq> Stack<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self {
            stack: Vec::new(),
            top: Table::default(),
            len: 0,
            merged_from: None,
        }
    }

    /// The value under `key`, if any.
    #[inline]
    pub fn get(&self, key: &K) -> Option<&V> {
        if let Some(value) = self.top.get(key) {
            return Some(value);
        }
        self.stack.iter().rev().find_map(|table| table.get(key))
    }

    /// Sets `key` to `value` (entries are never removed).
    pub fn insert(&mut self, key: K, value: V) {
        if self.get(&key).is_none() {
            self.len += 1;
        }
        self.top.insert(key, value);
    }

    /// The value under `key` to change in place, copied into this map's
    /// own writes first.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        if !self.top.contains_key(key) {
            let value = self.get(key)?.clone();
            self.top.insert(*key, value);
        }
        self.top.get_mut(key)
    }

    /// How many keys hold a value.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Ends a block: its writes become a table shared by every copy made
    /// from now on, after the stack below is merged back into shape. The
    /// bottom table, the biggest, takes a merge only on `bottom_turn`.
    pub fn seal(&mut self, bottom_turn: bool) {
        self.merged_from = None;
        if self.top.is_empty() {
            return;
        }
        self.merge_small_tables(bottom_turn);
        let top = std::mem::take(&mut self.top);
        self.stack.push(Arc::new(top));
    }

    /// Merges the newest table into the one below while that one is less
    /// than [`GROWTH`] times its size. The block's own table is stacked
    /// after, so it stays a table of its own until the next seal.
    fn merge_small_tables(&mut self, bottom_turn: bool) {
        let before: Vec<_> = self.stack.iter().map(Arc::downgrade).collect();
        let mut merged = false;
        while let [.., below, newest] = &self.stack[..] {
            let into_bottom = self.stack.len() == 2;
            if below.len() >= GROWTH * newest.len() || (into_bottom && !bottom_turn) {
                break;
            }
            let newest = self.stack.pop().expect("two tables");
            let below = self.stack.last_mut().expect("one table");
            Arc::make_mut(below).extend(newest.iter().map(|(k, v)| (*k, v.clone())));
            merged = true;
        }
        if merged {
            self.merged_from = Some(Arc::new(before));
        }
    }

    /// Every entry once (its latest value), in no particular order: only
    /// for folds that do not depend on it.
    pub fn iter_any_order(&self) -> impl Iterator<Item = (&K, &V)> {
        let tables = std::iter::once(&self.top).chain(self.stack.iter().rev().map(|t| &**t));
        tables
            .enumerate()
            .flat_map(|(depth, table)| table.iter().map(move |entry| (depth, entry)))
            // An entry counts from the newest table holding its key.
            .filter(|(depth, (key, _))| self.depth_of(key) == *depth)
            .map(|(_, entry)| entry)
    }

    /// The index of the newest table holding `key` (the top 0, then the
    /// stack newest first).
    fn depth_of(&self, key: &K) -> usize {
        if self.top.contains_key(key) {
            return 0;
        }
        let stacked = self.stack.iter().rev().position(|t| t.contains_key(key));
        stacked.map_or(self.stack.len() + 1, |index| index + 1)
    }

    /// Whether both are the same map, sharing every table (and neither has
    /// writes of its own).
    pub fn ptr_eq(&self, other: &Self) -> bool {
        same_tables(&self.stack, &other.stack) && self.top.is_empty() && other.top.is_empty()
    }

    /// The keys whose value may differ from `before`'s: those of the
    /// tables the two do not share (one block's writes between a state and
    /// its parent), or every key of both when they have no common history.
    pub fn candidate_keys(&self, before: &Self) -> Vec<K> {
        match self.unshared_tables(before) {
            Some(tables) => tables.flat_map(|t| t.keys().copied()).collect(),
            None => self
                .iter_any_order()
                .chain(before.iter_any_order())
                .map(|(k, _)| *k)
                .collect(),
        }
    }

    /// The tables either map holds and the other does not, when `self`
    /// grew from `before`'s stack or both grew from a common one; `None`
    /// when they did not.
    fn unshared_tables<'a>(
        &'a self,
        before: &'a Self,
    ) -> Option<impl Iterator<Item = &'a Table<K, V>>> {
        let shared = common_prefix(&self.stack, &before.stack);
        let (mine, theirs) = match &self.merged_from {
            // The last seal merged `before`'s tables: same content, and
            // only the table stacked after differs.
            Some(from) if same_as(from, &before.stack) => {
                (&self.stack[self.stack.len() - 1..], &before.stack[..0])
            }
            _ if shared == 0 && !(self.stack.is_empty() || before.stack.is_empty()) => return None,
            _ => (&self.stack[shared..], &before.stack[shared..]),
        };
        let tables = mine.iter().chain(theirs).map(|table| &**table);
        Some(tables.chain([&self.top, &before.top]))
    }
}

/// Whether `weak` names exactly the tables of `stack`.
fn same_as<T>(weak: &[Weak<T>], stack: &[Arc<T>]) -> bool {
    weak.len() == stack.len()
        && weak
            .iter()
            .zip(stack)
            .all(|(w, a)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(a)))
}

fn same_tables<T>(a: &[Arc<T>], b: &[Arc<T>]) -> bool {
    a.len() == b.len() && common_prefix(a, b) == a.len()
}

fn common_prefix<T>(a: &[Arc<T>], b: &[Arc<T>]) -> usize {
    a.iter()
        .zip(b)
        .take_while(|(x, y)| Arc::ptr_eq(x, y))
        .count()
}

impl<K: Copy + Eq + Hash + Ord, V: Clone + PartialEq> FromIterator<(K, V)> for Stack<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let table: Table<K, V> = entries.into_iter().collect();
        Self {
            len: table.len(),
            stack: vec![Arc::new(table)],
            ..Self::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Map = Stack<u32, u64>;

    /// Keys whose value differs, with the value in `after`.
    fn changed<'a>(after: &'a Map, before: &Map) -> Vec<(u32, Option<&'a u64>)> {
        let mut keys = after.candidate_keys(before);
        keys.sort_unstable();
        keys.dedup();
        keys.into_iter()
            .filter(|k| after.get(k) != before.get(k))
            .map(|k| (k, after.get(&k)))
            .collect()
    }

    #[test]
    fn reads_see_the_newest_write_and_copies_are_independent() {
        let mut map: Map = (0..100).map(|k| (k, 0)).collect();
        let parent = map.clone();
        map.insert(5, 1);
        map.seal(true);
        map.insert(5, 2);
        map.insert(500, 3);
        assert_eq!(map.get(&5), Some(&2));
        assert_eq!(map.get(&500), Some(&3));
        assert_eq!(map.len(), 101);
        assert_eq!(parent.get(&5), Some(&0));
        assert_eq!(parent.get(&500), None);
        assert_eq!(parent.len(), 100);
        assert_eq!(changed(&map, &parent), vec![(5, Some(&2)), (500, Some(&3))]);
    }

    #[test]
    fn a_block_that_merges_tables_is_still_compared_by_its_own_writes() {
        let mut parent: Map = (0..10_000).map(|k| (k, 0)).collect();
        for block in 0..2 {
            parent.insert(block, 1);
            parent.seal(true);
        }
        let mut child = parent.clone();
        child.insert(9_999, 7);
        child.seal(true);
        assert!(child.merged_from.is_some(), "this seal merged tables");
        assert!(!same_tables(&child.stack, &parent.stack));
        assert!(child.unshared_tables(&parent).is_some());
        assert_eq!(changed(&child, &parent), vec![(9_999, Some(&7))]);
        assert_eq!(changed(&parent, &child), vec![(9_999, Some(&0))]);
        assert_eq!(
            parent.get(&9_999),
            Some(&0),
            "the parent's tables are its own"
        );
    }

    #[test]
    fn the_stack_stays_logarithmic_and_unshared_tables_merge_in_place() {
        let mut map: Map = (0..100_000).map(|k| (k, 0)).collect();
        let mut deepest = 0;
        for block in 0..2_000u32 {
            for i in 0..10 {
                map.insert((block * 7_919 + i * 104_729) % 200_000, u64::from(block));
            }
            map.seal(true);
            deepest = deepest.max(map.stack.len());
        }
        assert!(deepest <= 10, "{deepest} tables");
        let bottom = Arc::as_ptr(&map.stack[0]);
        let mut alone = map.clone();
        drop(map);
        for block in 0..200u32 {
            alone.insert(block, 1);
            alone.seal(true);
        }
        assert!(
            std::ptr::eq(Arc::as_ptr(&alone.stack[0]), bottom),
            "a table no copy shares is not copied"
        );
    }

    #[test]
    fn unrelated_maps_are_compared_whole() {
        let a: Map = [(1, 1), (2, 2)].into_iter().collect();
        let b: Map = [(2, 2), (3, 3)].into_iter().collect();
        assert!(a.unshared_tables(&b).is_none());
        assert_eq!(changed(&b, &a), vec![(1, None), (3, Some(&3))]);
    }

    #[test]
    fn the_bottom_table_takes_a_merge_only_on_its_turn() {
        let mut map: Map = (0..4).map(|k| (k, 0)).collect();
        map.insert(10, 1);
        map.seal(false);
        map.insert(11, 1);
        map.seal(false);
        assert_eq!(map.stack.len(), 3, "the bottom waited");
        map.insert(12, 1);
        map.seal(true);
        assert_eq!(map.stack.len(), 2, "merged into the bottom, then stacked");
        assert_eq!(map.stack[0].len(), 6);
    }
}
