//! `eiraku verify --home` re-validates a stopped node's stored chain from
//! its genesis file, and `--rpc` a running node's chain against a genesis
//! file. A clean chain passes; another genesis's validators refuse it; a
//! stored block with a forged signature is named with its fault; one
//! flipped byte of a stored block in a cleanly stopped node's data folder
//! is found and named with its block and what is wrong; a node's kept
//! account state that its chain does not produce is refused; a crashed
//! node's damaged journal is reported with the first block that cannot be
//! read. A validator keeps its finalized blocks once, in its store.

mod common;

use common::TestNetwork;
use commonware_codec::Encode;
use eiraku_node::store::{FinalizedBlock, Store};

use std::{path::Path, time::Duration};

fn verify(home: &Path) -> (bool, String) {
    common::run_cli(&["verify", "--home", &home.display().to_string()])
}

/// Every file below `dir`.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(files(&path));
        } else {
            all.push(path);
        }
    }
    all
}

/// Writes `block` and the state entries `changes` into `store` again, as
/// marshal's store and a node's commit would: how the test tampers with a
/// store.
fn rewrite(store: &Store, block: &eiraku_core::Block, changes: &[eiraku_state::Change]) {
    store.put_block(&block.hash(), block).unwrap();
    store
        .commit(&[FinalizedBlock {
            block,
            receipts: &[],
            changes,
        }])
        .unwrap();
}

/// A finalized block and its certificate are kept once, in the node's
/// store (where verify reads them): the consensus engine's storage in
/// `data` holds no block or finalization archive of its own. (Marshal's
/// cache of recent views, pruned as finality advances, is not one.)
fn assert_blocks_kept_once(data: &Path) {
    let archives: Vec<String> = std::fs::read_dir(data)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("eiraku-marshal-cache-"))
        .filter(|name| name.contains("-blocks-") || name.contains("-finalizations-"))
        .collect();
    assert!(archives.is_empty(), "archive partitions: {archives:?}");
    let store = data.join("store").join("partitions");
    for table in ["blocks", "certificates", "block_digests"] {
        assert!(store.join(table).is_dir(), "the store has no {table} table");
    }
}

/// Flips one bit of the first file below `dir` that holds `needle`, at
/// `offset` bytes into it; panics if no file does.
fn flip_inside(dir: &Path, needle: &[u8], offset: usize) {
    let (path, at) = files(dir)
        .into_iter()
        .find_map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            let at = bytes.windows(needle.len()).position(|w| w == needle)?;
            Some((path, at))
        })
        .unwrap_or_else(|| panic!("no file below {} holds the bytes", dir.display()));
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[at + offset] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
}

#[test]
fn verify_passes_a_clean_chain_names_a_forged_block_and_refuses_corrupt_storage() {
    let mut network = TestNetwork::start(4);
    let (alice, bob) = (network.key("alice"), network.key("bob"));
    let txs: Vec<_> = (0..20)
        .map(|n| network.transfer(&alice, n, &bob, 3))
        .collect();
    let client = network.client(0);
    for tx in &txs {
        client.submit(tx).unwrap();
    }
    let last = client
        .wait_finalized(&txs[19].hash(), Duration::from_secs(60))
        .unwrap();
    let height = last.receipt.unwrap().height;

    // A running node's chain, read over its API, against the genesis file.
    let genesis = network.path().join("genesis.json").display().to_string();
    let url = client.base().to_string();
    let (ok, text) = common::run_cli(&["verify", "--rpc", &url, "--genesis", &genesis]);
    assert!(ok && text.contains("verified"), "{text}");
    // The node's blocks do not satisfy a genesis with other validators.
    let mut stranger: eiraku_core::Genesis =
        serde_json::from_str(&std::fs::read_to_string(&genesis).unwrap()).unwrap();
    for (i, validator) in stranger.validators.iter_mut().enumerate() {
        validator.public_key = eiraku_core::Keypair::from_seed(500 + i as u64).account_id();
    }
    let stranger_file = network.path().join("stranger-genesis.json");
    std::fs::write(&stranger_file, serde_json::to_string(&stranger).unwrap()).unwrap();
    let (ok, text) = common::run_cli(&[
        "verify",
        "--rpc",
        &url,
        "--genesis",
        &stranger_file.display().to_string(),
    ]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("block 0: differs") || text.contains("block 1: finalization certificate"),
        "{text}"
    );
    // Every validator holds the last transfer's block before they stop
    // (validator 1's copy of it is corrupted below).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while network.min_height(&[0, 1, 2, 3]) < height {
        assert!(std::time::Instant::now() < deadline, "a validator lags");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Validator 3 crashes: its latest commits stay in the engine's journal.
    network.net.kill(3);
    network.net.stop_all();
    let home = network.path().join("node0");
    assert_blocks_kept_once(&home.join("data"));

    let (ok, text) = verify(&home);
    assert!(ok, "a clean chain verifies:\n{text}");
    assert!(text.contains("verified") && text.contains("tx/s"), "{text}");
    // A plain last line says so, and the timing has the precision a short
    // chain needs; the signature-check limit is measured only when asked.
    assert!(
        text.contains("OK           the chain holds, from its genesis to block"),
        "{text}"
    );
    assert!(
        !text.contains(" in 0.0 s") && !text.contains("verify limit"),
        "{text}"
    );
    let home_text = home.display().to_string();
    let (ok, text) = common::run_cli(&["verify", "--home", &home_text, "--verify-limit"]);
    assert!(ok && text.contains("verify limit"), "{text}");

    // A stored block whose transaction carries another signature (its hash
    // and the block's transaction root are unchanged): named with the fault.
    let store_dir = home.join("data").join("store");
    let forged = {
        let store = Store::open(&store_dir).unwrap();
        let mut block = store.block(height).unwrap().unwrap();
        let last = block.transactions.len() - 1;
        block.transactions[last].signature = txs[0].signature.clone();
        rewrite(&store, &block, &[]);
        last
    };
    let (ok, text) = verify(&home);
    assert!(!ok, "a forged signature must be found:\n{text}");
    assert!(
        text.contains(&format!(
            "block {height}: transaction {forged}: bad signature"
        )),
        "names the block and the transaction:\n{text}"
    );

    // A node whose kept account state is not what its chain produces.
    let home = network.path().join("node2");
    {
        let store = Store::open(&home.join("data").join("store")).unwrap();
        let top = store.applied_height().unwrap().unwrap();
        let block = store.block(top).unwrap().unwrap();
        let state = store
            .load_state(network.net.genesis().chain_id.clone())
            .unwrap()
            .unwrap();
        let mut richer = *state.account(&bob.account_id()).unwrap();
        richer.balance.0 += 1_000;
        let key = eiraku_core::StateKey::Account(bob.account_id());
        rewrite(&store, &block, &[(key, Some(richer.to_bytes().to_vec()))]);
    }
    let (ok, text) = verify(&home);
    assert!(
        !ok && text.contains("the node's stored state differs from re-execution"),
        "{text}"
    );

    // The same folder after its tables were written and two more commits
    // went to the journal, whose first is then damaged: the tables' blocks
    // verify, and the first block past them is named.
    let top = {
        let store = Store::open(&home.join("data").join("store")).unwrap();
        drop(store.close().unwrap());
        let top = store.applied_height().unwrap().unwrap();
        let block = store.block(top).unwrap().unwrap();
        for _ in 0..2 {
            rewrite(&store, &block, &[]);
        }
        top
    };
    let journals = home.join("data").join("store").join("journals");
    let journal = files(&journals)
        .into_iter()
        .find(|path| std::fs::metadata(path).unwrap().len() > 0)
        .expect("the two commits are in a journal");
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes[40] ^= 0x01; // inside the first of the two batches
    std::fs::write(&journal, bytes).unwrap();
    let (ok, text) = verify(&home);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!(
            "block {}: unreadable: the storage engine's journal is damaged",
            top + 1
        )) && text.contains(&format!(
            "blocks 0 to {top} reached the engine's tables and verify"
        )),
        "{text}"
    );

    // One flipped byte of a block on disk, in another validator's folder
    // (stopped cleanly, so its blocks sit in the engine's sorted tables).
    let home = network.path().join("node1");
    let (ok, text) = verify(&home);
    assert!(ok, "a clean chain verifies:\n{text}");
    let needle = txs[19].to_bytes();
    let blocks_dir = home
        .join("data")
        .join("store")
        .join("partitions")
        .join("blocks");
    // A byte of the last transaction's recipient.
    flip_inside(&blocks_dir, &needle, needle.len() - 100);
    let (ok, text) = verify(&home);
    assert!(!ok, "corruption must be found:\n{text}");
    assert!(
        text.contains(&format!("block {height}:")),
        "names the block:\n{text}"
    );
    assert!(
        text.contains("stored bytes do not decode: transactions do not match tx_root"),
        "says what is wrong:\n{text}"
    );

    // A crashed node whose journal was damaged afterwards: the engine
    // refuses the journal; verify checks what reached the tables (nothing
    // yet, in so short a run) and names the first block it cannot read.
    let home = network.path().join("node3");
    let genesis = network.net.genesis().clone();
    let genesis_root = eiraku::state_roots::StateRoots::start()
        .unwrap()
        .root_after(0, eiraku_state::State::from_genesis(&genesis).all_entries())
        .unwrap();
    let needle = eiraku_node::chain::genesis_block(&genesis, genesis_root)
        .encode()
        .to_vec();
    // The genesis commit is the journal's first batch, never its last: a
    // damaged last batch is dropped as a torn write, by design.
    flip_inside(
        &home.join("data").join("store").join("journals"),
        &needle,
        20,
    );
    let (ok, text) = verify(&home);
    assert!(!ok, "{text}");
    assert!(
        text.contains("block 0: unreadable: the storage engine's journal is damaged"),
        "{text}"
    );
}
