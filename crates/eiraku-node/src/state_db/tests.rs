use super::*;
use commonware_runtime::{deterministic, Runner as _};
use eiraku_core::{
    hash,
    kv_proof::{verify_absent, verify_present},
};
use std::future::Future;

pub(super) type Context = deterministic::Context;

/// Small blobs and frequent pruning, so tests cross section boundaries
/// and actually delete history.
pub(super) const SMALL: Tuning = Tuning {
    items_per_blob: 16,
    cache_pages: 64,
    prune_every: 4,
};

pub(super) fn run<F, Fut>(test: F)
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = ()>,
{
    deterministic::Runner::default().start(test);
}

pub(super) async fn open(context: Context) -> StateDb<Context> {
    StateDb::open_tuned(context, "state", &SMALL)
        .await
        .expect("open")
}

pub(super) fn key(i: u64) -> Digest {
    hash(&[b"key", &i.to_be_bytes()])
}

pub(super) fn value(i: u64, version: u64) -> Vec<u8> {
    [i.to_be_bytes(), version.to_be_bytes()].concat()
}

pub(super) fn put(i: u64, version: u64) -> Write {
    (key(i), Some(value(i, version)))
}

fn delete(i: u64) -> Write {
    (key(i), None)
}

/// Speculates block `height` on the finalized state and applies it.
pub(super) async fn commit_block(
    db: &mut StateDb<Context>,
    height: u64,
    writes: Vec<Write>,
) -> Digest {
    let pending = db.speculate(None, height, writes).await.expect("speculate");
    let root = pending.root();
    db.apply(pending).await.expect("apply");
    root
}

#[test]
fn applied_root_is_the_speculated_root() {
    run(|context| async move {
        let mut db = open(context).await;
        assert_eq!(db.height(), None);
        let empty_root = db.root();

        let pending = db
            .speculate(None, 1, vec![put(1, 1), put(2, 1)])
            .await
            .unwrap();
        assert_eq!(pending.height(), 1);
        assert_eq!(db.root(), empty_root, "speculation writes nothing");
        assert_eq!(db.get(&key(1)).await.unwrap(), None);

        let root = pending.root();
        db.apply(pending.clone()).await.unwrap();
        assert_eq!(db.root(), root);
        assert_eq!(db.height(), Some(1));
        assert!(matches!(db.apply(pending).await, Err(StateDbError::Stale)));
        assert_eq!(db.get(&key(1)).await.unwrap(), Some(value(1, 1)));
    });
}

#[test]
fn write_order_does_not_change_the_root() {
    run(|context| async move {
        let db = open(context).await;
        let writes: Vec<Write> = (0..20).map(|i| put(i, 1)).collect();
        let reversed: Vec<Write> = writes.iter().rev().cloned().collect();
        let a = db.speculate(None, 1, writes).await.unwrap();
        let b = db.speculate(None, 1, reversed).await.unwrap();
        assert_eq!(a.root(), b.root());
    });
}

#[test]
fn child_of_unapplied_parent_matches_child_of_applied_parent() {
    run(|context| async move {
        let mut db = open(context).await;
        commit_block(&mut db, 1, vec![put(1, 1), put(2, 1)]).await;

        let parent = db
            .speculate(None, 2, vec![put(1, 2), put(3, 1)])
            .await
            .unwrap();
        let child_writes = vec![put(2, 3), delete(3), put(4, 1)];
        let child = db
            .speculate(Some(&parent), 3, child_writes.clone())
            .await
            .unwrap();

        db.apply(parent).await.unwrap();
        let rebuilt = db.speculate(None, 3, child_writes).await.unwrap();
        assert_eq!(rebuilt.root(), child.root());

        drop(rebuilt);
        let root = child.root();
        db.apply(child).await.unwrap();
        assert_eq!(db.root(), root);
        assert_eq!(db.height(), Some(3));
        assert_eq!(db.get(&key(1)).await.unwrap(), Some(value(1, 2)));
        assert_eq!(db.get(&key(2)).await.unwrap(), Some(value(2, 3)));
        assert_eq!(db.get(&key(3)).await.unwrap(), None);
        assert_eq!(db.get(&key(4)).await.unwrap(), Some(value(4, 1)));
    });
}

#[test]
fn a_chain_survives_its_caller_dropping_the_ancestors() {
    run(|context| async move {
        let mut db = open(context).await;
        let writes = |h: u64| vec![put(h, h), put(100, h)];

        // Reference chain, every handle held.
        let r1 = db.speculate(None, 1, writes(1)).await.unwrap();
        let r2 = db.speculate(Some(&r1), 2, writes(2)).await.unwrap();
        let r3 = db.speculate(Some(&r2), 3, writes(3)).await.unwrap();
        let r4 = db.speculate(Some(&r3), 4, writes(4)).await.unwrap();

        // Same chain, each parent dropped once its child exists (bare
        // QMDB refuses to merkleize a grandchild of a dropped batch).
        let p1 = db.speculate(None, 1, writes(1)).await.unwrap();
        let p2 = db.speculate(Some(&p1), 2, writes(2)).await.unwrap();
        drop(p1);
        let p3 = db.speculate(Some(&p2), 3, writes(3)).await.unwrap();
        drop(p2);
        let p4 = db.speculate(Some(&p3), 4, writes(4)).await.unwrap();
        drop(p3);
        assert_eq!(p4.root(), r4.root());
        drop(p4);

        for pending in [r1, r2, r3, r4.clone()] {
            db.apply(pending).await.unwrap();
        }
        assert_eq!(db.root(), r4.root());
        assert_eq!(db.get(&key(100)).await.unwrap(), Some(value(100, 4)));
    });
}

#[test]
fn sibling_forks_differ_and_the_loser_goes_stale() {
    run(|context| async move {
        let mut db = open(context).await;
        commit_block(&mut db, 1, vec![put(1, 1)]).await;

        let a = db.speculate(None, 2, vec![put(1, 2)]).await.unwrap();
        let b = db.speculate(None, 2, vec![put(1, 3)]).await.unwrap();
        assert_ne!(a.root(), b.root());
        let b_child = db.speculate(Some(&b), 3, vec![put(2, 1)]).await.unwrap();

        let a_root = a.root();
        db.apply(a).await.unwrap();
        assert!(matches!(db.apply(b).await, Err(StateDbError::Stale)));
        assert!(matches!(
            db.speculate(Some(&b_child), 4, vec![]).await,
            Err(StateDbError::Stale)
        ));
        assert!(matches!(db.apply(b_child).await, Err(StateDbError::Stale)));

        // Refusals changed nothing, and the winner's branch goes on.
        assert_eq!(db.root(), a_root);
        assert_eq!(db.height(), Some(2));
        assert_eq!(db.get(&key(1)).await.unwrap(), Some(value(1, 2)));
        commit_block(&mut db, 3, vec![put(2, 2)]).await;
        assert_eq!(db.get(&key(2)).await.unwrap(), Some(value(2, 2)));
    });
}

#[test]
fn deletes_remove_keys_but_do_not_restore_old_roots() {
    run(|context| async move {
        let mut db = open(context).await;
        let before = commit_block(&mut db, 1, vec![put(1, 1)]).await;
        let with_key = commit_block(&mut db, 2, vec![put(2, 1)]).await;
        let after = commit_block(&mut db, 3, vec![delete(2)]).await;
        assert_eq!(db.get(&key(2)).await.unwrap(), None);
        assert_eq!(db.get(&key(1)).await.unwrap(), Some(value(1, 1)));
        // The root commits to an operation log, which only grows.
        assert_ne!(after, with_key);
        assert_ne!(after, before);
        // Deleting a key that has no value is accepted.
        commit_block(&mut db, 4, vec![delete(99)]).await;
        let Proven::Absent { proof } = db.prove(&key(2)).await.unwrap() else {
            panic!("a deleted key is absent");
        };
        assert!(verify_absent(&proof, &key(2), &db.root()));
    });
}

#[test]
fn bad_write_sets_and_heights_are_refused() {
    run(|context| async move {
        let mut db = open(context).await;
        commit_block(&mut db, 5, vec![put(1, 1)]).await;
        let root = db.root();

        let duplicate = vec![put(1, 2), put(2, 1), (key(1), None)];
        assert!(matches!(
            db.speculate(None, 6, duplicate).await,
            Err(StateDbError::DuplicateKey { key: k }) if k == key(1)
        ));
        let huge = vec![(key(3), Some(vec![0; MAX_VALUE_BYTES + 1]))];
        assert!(matches!(
            db.speculate(None, 6, huge).await,
            Err(StateDbError::ValueTooLarge { len, .. }) if len == MAX_VALUE_BYTES + 1
        ));
        let largest = vec![(key(3), Some(vec![7; MAX_VALUE_BYTES]))];
        assert!(db.speculate(None, 6, largest).await.is_ok());

        for height in [5, 7] {
            assert!(matches!(
                db.speculate(None, height, vec![]).await,
                Err(StateDbError::HeightMismatch { parent: 5, got }) if got == height
            ));
        }
        let six = db.speculate(None, 6, vec![]).await.unwrap();
        assert!(matches!(
            db.speculate(Some(&six), 8, vec![]).await,
            Err(StateDbError::HeightMismatch { parent: 6, got: 8 })
        ));
        let seven = db.speculate(Some(&six), 7, vec![]).await.unwrap();
        assert!(matches!(
            db.apply(seven).await,
            Err(StateDbError::HeightMismatch { parent: 5, got: 7 })
        ));
        assert_eq!(db.root(), root);
        db.apply(six).await.unwrap();
        assert_eq!(db.height(), Some(6));
    });
}

#[test]
fn reopening_restores_root_height_and_values() {
    let (expected, checkpoint) =
        deterministic::Runner::default().start_and_recover(|context| async move {
            let mut db = open(context).await;
            for height in 1..=10 {
                commit_block(&mut db, height, vec![put(height % 3, height)]).await;
            }
            // A speculative block that is never applied leaves no trace.
            let _pending = db.speculate(None, 11, vec![put(50, 1)]).await.unwrap();
            (db.root(), db.height())
        });
    deterministic::Runner::from(checkpoint).start(|context| async move {
        let mut db = open(context).await;
        assert_eq!((db.root(), db.height()), expected);
        assert_eq!(db.get(&key(1)).await.unwrap(), Some(value(1, 10)));
        assert_eq!(db.get(&key(50)).await.unwrap(), None);
        commit_block(&mut db, 11, vec![put(50, 1)]).await;
        assert_eq!(db.get(&key(50)).await.unwrap(), Some(value(50, 1)));
    });
}

#[test]
fn pruning_keeps_state_proofs_and_pending_children() {
    run(|context| async move {
        let mut db = open(context).await;
        // Rewrite the same keys so the floor, and with it the sync
        // boundary, keeps advancing.
        for height in 1..=39 {
            let writes = (0..8).map(|i| put(i, height)).collect();
            commit_block(&mut db, height, writes).await;
        }
        // Block 40 prunes; a child speculated before that stays valid.
        let parent = db.speculate(None, 40, vec![put(0, 40)]).await.unwrap();
        let child = db
            .speculate(Some(&parent), 41, vec![put(1, 41)])
            .await
            .unwrap();
        db.apply(parent).await.unwrap();
        let pruned_to = db.db.as_ref().unwrap().bounds().start;
        assert!(*pruned_to > 0, "history below the floor was pruned");
        let root = child.root();
        db.apply(child).await.unwrap();
        assert_eq!(db.root(), root);

        assert_eq!(db.get(&key(0)).await.unwrap(), Some(value(0, 40)));
        assert_eq!(db.get(&key(7)).await.unwrap(), Some(value(7, 39)));
        let Proven::Present { value: v, proof } = db.prove(&key(7)).await.unwrap() else {
            panic!("key 7 is present");
        };
        assert!(verify_present(&proof, &key(7), &v, &db.root()));
    });
}

#[test]
fn an_empty_store_proves_absence() {
    run(|context| async move {
        let db = open(context).await;
        let Proven::Absent { proof } = db.prove(&key(1)).await.unwrap() else {
            panic!("an empty store has no keys");
        };
        assert!(verify_absent(&proof, &key(1), &db.root()));
    });
}

#[test]
fn proofs_verify_only_what_is_true() {
    run(|context| async move {
        let mut db = open(context).await;
        let old_root = commit_block(&mut db, 1, (0..10).map(|i| put(i, 1)).collect()).await;
        commit_block(&mut db, 2, vec![put(3, 2), delete(4)]).await;
        let root = db.root();
        let other_root = hash(&[b"another root"]);

        let Proven::Present { value: v, proof } = db.prove(&key(3)).await.unwrap() else {
            panic!("key 3 is present");
        };
        assert_eq!(v, value(3, 2));
        assert!(verify_present(&proof, &key(3), &v, &root));
        assert!(!verify_present(&proof, &key(3), &value(3, 1), &root));
        assert!(!verify_present(&proof, &key(2), &v, &root));
        assert!(!verify_present(&proof, &key(3), &v, &old_root));
        assert!(!verify_present(&proof, &key(3), &v, &other_root));
        assert!(!verify_absent(&proof, &key(3), &root));
        assert!(!verify_absent(&proof, &key(4), &root));
        for_each_flip(&proof, |bad| {
            assert!(!verify_present(bad, &key(3), &v, &root))
        });

        let Proven::Absent { proof } = db.prove(&key(4)).await.unwrap() else {
            panic!("key 4 was deleted");
        };
        assert!(verify_absent(&proof, &key(4), &root));
        assert!(!verify_absent(&proof, &key(4), &old_root));
        assert!(!verify_absent(&proof, &key(4), &other_root));
        for present in 0..10u64 {
            if present != 4 {
                assert!(!verify_absent(&proof, &key(present), &root));
            }
        }
        assert!(!verify_present(&proof, &key(4), &value(4, 1), &root));
        for_each_flip(&proof, |bad| assert!(!verify_absent(bad, &key(4), &root)));

        let Proven::Absent { proof } = db.prove(&key(1000)).await.unwrap() else {
            panic!("key 1000 was never written");
        };
        assert!(verify_absent(&proof, &key(1000), &root));
    });
}

/// Calls `check` with `proof` altered in each single byte in turn, once
/// in its lowest bit and once in all its bits.
fn for_each_flip(proof: &[u8], check: impl Fn(&[u8])) {
    let mut bad = proof.to_vec();
    for i in 0..bad.len() {
        for mask in [0x01, 0xff] {
            bad[i] ^= mask;
            check(&bad);
            bad[i] ^= mask;
        }
    }
}
