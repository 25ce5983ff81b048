// Generator of tools/proofcheck/testdata/qmdb_generated.jsonl, and the Rust
// oracle used by qmdb_differential.py. Not part of the workspace: to run it,
// copy it to a scratch crate outside /work/main as src/main.rs, with
//
//   [package]
//   name = "qmdbvec"
//   version = "0.1.0"
//   edition = "2024"
//
//   [dependencies]
//   commonware-codec = "=2026.10.0"
//   commonware-cryptography = "=2026.10.0"
//   commonware-parallel = "=2026.10.0"
//   commonware-runtime = "=2026.10.0"
//   commonware-storage = { version = "=2026.10.0", features = ["std"] }
//   commonware-utils = "=2026.10.0"
//
//   [workspace]
//
// then `cargo run --release > vectors.jsonl` (all proofs, checked in Rust
// before printing; the test fixture is a subset), or
// `cargo run --release -- oracle` reading lines
// `present|absent PROOF KEY VALUE ROOT` (hex) and printing 1 or 0 per line
// with the logic of crates/eiraku-core/src/kv_proof.rs.
//
// The database has the types and configuration of eiraku-node's state_db
// (current::ordered::variable, MMR, SHA-256, EightCap, 32-byte chunks,
// Proportional floor, block height as commit metadata), with small blobs.
//! Writes JSON lines of real QMDB state proofs (same types and configuration
//! as eiraku-node's state_db) for the Python verifier's tests.
use commonware_codec::{Copying, Decode, DecodeExt as _, Encode, RangeCfg};
use commonware_cryptography::{Hasher, Sha256, sha256::Digest};
use commonware_parallel::Sequential;
use commonware_runtime::{
    Supervisor as _,
    BLOB_PAGE_SIZE, Runner as _,
    buffer::paged::{CacheRef, page_size},
    deterministic,
};
use commonware_storage::{
    journal::contiguous::variable::Config as LogConfig,
    merkle::full::Config as MerkleConfig,
    mmr,
    qmdb::{
        any::value::VariableEncoding,
        current::{
            VariableConfig,
            ordered::{
                proof::constant::{ExclusionProof, KeyValueProof},
                variable,
            },
        },
        floor::Proportional,
    },
    translator::EightCap,
};
use commonware_utils::{NZU64, NZUsize};

type Value = Vec<u8>;
type Db = variable::Db<mmr::Family, deterministic::Context, Digest, Value, Sha256, EightCap, 32, Sequential>;
type Presence = KeyValueProof<mmr::Family, Digest, Digest, 32>;
type Absence = ExclusionProof<mmr::Family, Digest, VariableEncoding<Value>, Digest, 32>;

fn value_cfg() -> (RangeCfg<usize>, ()) {
    ((0..=65536usize).into(), ())
}

fn config(prefix: &str) -> VariableConfig<EightCap, ((), (RangeCfg<usize>, ())), Sequential> {
    let page_cache = CacheRef::new(page_size(BLOB_PAGE_SIZE), NZUsize!(64));
    VariableConfig {
        merkle_config: MerkleConfig {
            journal_partition: format!("{prefix}-merkle-journal"),
            metadata_partition: format!("{prefix}-merkle-metadata"),
            items_per_blob: NZU64!(16),
            write_buffer: NZUsize!(1 << 20),
            replay_buffer: NZUsize!(1 << 20),
            strategy: Sequential,
            page_cache: page_cache.clone(),
        },
        journal_config: LogConfig {
            partition: format!("{prefix}-log"),
            items_per_section: NZU64!(16),
            compression: None,
            codec_config: ((), value_cfg()),
            page_cache,
            write_buffer: NZUsize!(1 << 20),
            replay_buffer: NZUsize!(1 << 20),
        },
        grafted_metadata_partition: format!("{prefix}-grafted-metadata"),
        translator: EightCap,
        init_cache: Some(NZUsize!(1 << 16)),
        init_buffer: NZUsize!(1 << 21),
        init_concurrency: (),
    }
}

fn key(i: u64) -> Digest {
    Sha256::hash(&[&i.to_be_bytes()])
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Prints one proof of `k` under the db's root, after checking it in Rust.
async fn emit(db: &Db, k: &Digest, label: &str) -> u64 {
    let root = db.root();
    match db.get(k).await.unwrap() {
        Some(value) => {
            let proof = db.key_value_proof(*k).await.unwrap().encode().to_vec();
            let p = Presence::decode_cfg(Copying(proof.as_slice()), &(128, ())).unwrap();
            assert!(p.verify::<Sha256, VariableEncoding<Value>>(*k, value.clone(), &root));
            let rp = &p.proof.range_proof.proof;
            println!(
                "{{\"label\":\"{label}\",\"kind\":\"present\",\"key\":\"{}\",\"value\":\"{}\",\"root\":\"{}\",\"proof\":\"{}\",\"loc\":{},\"leaves\":{},\"inactive_peaks\":{}}}",
                hex(k), hex(&value), hex(&root), hex(&proof), *p.proof.loc, *rp.leaves, rp.inactive_peaks
            );
            *rp.leaves
        }
        None => {
            let proof = db.exclusion_proof(k).await.unwrap().encode().to_vec();
            let p = Absence::decode_cfg(Copying(proof.as_slice()), &(128, ((), value_cfg()), value_cfg())).unwrap();
            assert!(p.verify::<Sha256>(k, &root));
            let (op, variant) = match &p {
                Absence::KeyValue(op, _) => (op, "span"),
                Absence::Commit(op, _) => (op, "commit"),
            };
            let rp = &op.range_proof.proof;
            println!(
                "{{\"label\":\"{label}\",\"kind\":\"absent\",\"variant\":\"{variant}\",\"key\":\"{}\",\"value\":null,\"root\":\"{}\",\"proof\":\"{}\",\"loc\":{},\"leaves\":{},\"inactive_peaks\":{}}}",
                hex(k), hex(&root), hex(&proof), *op.loc, *rp.leaves, rp.inactive_peaks
            );
            *rp.leaves
        }
    }
}

async fn block(db: Db, height: u64, writes: Vec<(Digest, Option<Value>)>) -> Db {
    let mut batch = db.new_batch();
    for (k, v) in writes {
        batch = batch.write(k, v);
    }
    let batch = batch
        .merkleize(&db, Some(height.to_be_bytes().to_vec()), &mut Proportional)
        .await
        .unwrap();
    let db = db.apply_batch(batch).await.unwrap().commit().await.unwrap();
    if height % 4 == 0 {
        let boundary = db.sync_boundary();
        db.prune(boundary).await.unwrap()
    } else {
        db
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// kv_proof.rs verify_present / verify_absent, verbatim in behaviour.
fn oracle() {
    use std::io::BufRead;
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let f: Vec<&str> = line.split(' ').collect();
        let proof = unhex(f[1]);
        let key = Digest::decode(Copying(unhex(f[2]).as_slice())).unwrap();
        let root = Digest::decode(Copying(unhex(f[4]).as_slice())).unwrap();
        let ok = if f[0] == "present" {
            let value = unhex(f[3]);
            value.len() <= 65536
                && Presence::decode_cfg(Copying(proof.as_slice()), &(128, ()))
                    .ok()
                    .is_some_and(|p| p.verify::<Sha256, VariableEncoding<Value>>(key, value, &root))
        } else {
            Absence::decode_cfg(Copying(proof.as_slice()), &(128, ((), value_cfg()), value_cfg()))
                .ok()
                .is_some_and(|p| p.verify::<Sha256>(&key, &root))
        };
        println!("{}", ok as u8);
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("oracle") {
        return oracle();
    }
    deterministic::Runner::default().start(|context| async move {
        let mut db = Db::init(context.child("a"), config("a"), None).await.unwrap();
        // Empty database: the bootstrap commit (no metadata).
        emit(&db, &key(1), "empty-bootstrap").await;
        // Empty database after a commit with metadata.
        db = block(db, 1, vec![]).await;
        emit(&db, &key(1), "empty-with-metadata").await;
        // One key: the span wraps around to itself.
        db = block(db, 2, vec![(key(7), Some(b"seven".to_vec()))]).await;
        emit(&db, &key(7), "one-key").await;
        emit(&db, &key(8), "one-key-absent").await;
        // Delete it again: empty database with a non-trivial log.
        db = block(db, 3, vec![(key(7), None)]).await;
        emit(&db, &key(7), "emptied").await;
        // Grow: many keys, rewrites and deletes, to pass several chunks.
        let mut height = 4;
        for round in 0..40u64 {
            let mut writes = Vec::new();
            for j in 0..60u64 {
                let i = (round * 37 + j * 13) % 900;
                let v = if (i + round) % 11 == 0 { None } else { Some(vec![(i % 251) as u8; (i % 70) as usize]) };
                writes.push((key(i), v));
            }
            writes.sort_by(|a, b| a.0.cmp(&b.0));
            writes.dedup_by(|a, b| a.0 == b.0);
            db = block(db, height, writes).await;
            height += 1;
            if round % 8 == 7 {
                for i in [0u64, 1, 2, 3, 100, 333, 512, 899, 901, 5000] {
                    emit(&db, &key(i), &format!("round-{round}")).await;
                }
            }
        }
        // Empty blocks until the log length is a multiple of 256 (no partial chunk).
        for _ in 0..600 {
            let leaves = emit(&db, &key(3), "probe-aligned").await;
            if leaves % 256 == 0 {
                for i in [0u64, 1, 2, 100, 333, 899, 901, 5000] {
                    emit(&db, &key(i), "aligned").await;
                }
                break;
            }
            let writes = if leaves % 2 == 1 { vec![(key(10_000 + height), Some(vec![1]))] } else { vec![] };
            db = block(db, height, writes).await;
            height += 1;
        }

        // A second database: few keys rewritten often, so the inactivity
        // floor runs far ahead and many peaks are inactive.
        let mut db = Db::init(context.child("b"), config("b"), None).await.unwrap();
        for height in 1..=400u64 {
            let writes: Vec<_> = (0..25u64)
                .map(|j| {
                    let i = (height * 7 + j) % 40;
                    (key(i), Some(vec![(height % 256) as u8; (j % 5) as usize]))
                })
                .collect::<std::collections::BTreeMap<_, _>>()
                .into_iter()
                .collect();
            db = block(db, height, writes).await;
            if height % 50 == 0 {
                for i in [0u64, 5, 17, 39, 41, 77] {
                    emit(&db, &key(i), &format!("churn-{height}")).await;
                }
            }
        }
    });
}
