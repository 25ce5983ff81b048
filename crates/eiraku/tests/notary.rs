//! Notarization end to end with the CLI: `eiraku notary stamp` anchors a
//! batch of files on four validators and writes a proof per file; with the
//! network gone, `eiraku proof verify` checks each proof with only the file
//! and the genesis file, and refuses a changed file or a proof for another.
//! The same command checks state proofs that `eiraku proof state` fetched
//! (an account's balance, and a name that is no account).

mod common;

use common::TestNetwork;
use eiraku_core::proof::NotaryProof;

fn eiraku(args: &[&str]) -> (bool, String) {
    common::run_cli(args)
}

#[test]
fn stamped_files_verify_offline_and_changed_ones_do_not() {
    let network = TestNetwork::start(4);
    let work = tempfile::tempdir().unwrap();
    let files: Vec<String> = ["contract.pdf", "minutes.txt", "tender.zip"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let path = work.path().join(name);
            std::fs::write(&path, format!("document {i}: {name}")).unwrap();
            path.display().to_string()
        })
        .collect();
    let dir = network.path().display().to_string();
    let mut args = vec!["notary", "stamp", "--from", "alice", "--network", &dir];
    args.extend(files.iter().map(String::as_str));
    let (ok, text) = eiraku(&args);
    assert!(ok, "stamp failed:\n{text}");
    assert_eq!(text.matches("proof written to").count(), 3, "{text}");

    // The node says where the batch root was anchored.
    let read_proof = |path: &str| -> NotaryProof {
        serde_json::from_str(&std::fs::read_to_string(format!("{path}.proof.json")).unwrap())
            .unwrap()
    };
    let proof = read_proof(&files[0]);
    let anchor_hash = {
        let tx = hex::decode(&proof.anchor.transaction).unwrap();
        eiraku_core::SignedTransaction::from_bytes(&tx).unwrap()
    };
    let eiraku_core::Call::Registry(eiraku_core::registry::RegistryCall::Anchor { root, leaves }) =
        anchor_hash.transaction.call
    else {
        panic!("the proof's transaction anchors the batch");
    };
    assert_eq!(leaves, 3);
    let view = network.client(0).anchor(&root).unwrap();
    assert_eq!(
        view.tx_hash,
        eiraku_core::digest::to_hex(&anchor_hash.hash())
    );

    files_are_found_by_their_own_digest(&network, &files, &root);

    // Stamping the same files again: the state keeps the first anchoring,
    // the second transaction fails naming it, and the new proofs point to
    // the first.
    let first_proof = read_proof(&files[0]);
    let (ok, text) = eiraku(&args);
    assert!(ok, "second stamp failed:\n{text}");
    assert!(text.contains("anchored before"), "{text}");
    let again = read_proof(&files[0]);
    assert_eq!(again.anchor.transaction, first_proof.anchor.transaction);

    // State proofs, fetched now and checked later without the network.
    let alice_proof = work.path().join("alice.state.json").display().to_string();
    let nobody_proof = work.path().join("nobody.state.json").display().to_string();
    let nobody = eiraku_core::Keypair::from_seed(99).account_id().to_string();
    for (account, out) in [("alice", &alice_proof), (nobody.as_str(), &nobody_proof)] {
        let (ok, text) = eiraku(&["proof", "state", account, "--out", out, "--network", &dir]);
        assert!(ok && text.contains("state proof of"), "{text}");
    }

    // No node from here on: only the genesis file.
    let genesis = work.path().join("genesis.json");
    std::fs::copy(network.path().join("genesis.json"), &genesis).unwrap();
    drop(network);
    let genesis = genesis.display().to_string();
    for file in &files {
        let proof = format!("{file}.proof.json");
        let (ok, text) = eiraku(&[
            "proof",
            "verify",
            &proof,
            "--file",
            file,
            "--genesis",
            &genesis,
        ]);
        assert!(ok, "verify failed:\n{text}");
        assert!(text.contains("notarized at"), "{text}");
    }
    let (ok, text) = eiraku(&["proof", "verify", &alice_proof, "--genesis", &genesis]);
    assert!(
        ok && text.contains("balance") && text.contains("nonce 1"),
        "{text}"
    );
    let (ok, text) = eiraku(&["proof", "verify", &nobody_proof, "--genesis", &genesis]);
    assert!(
        ok && text.contains(&format!("account/{nobody}: does not exist")),
        "{text}"
    );
    // A notary proof needs its file.
    let (ok, text) = eiraku(&[
        "proof",
        "verify",
        &format!("{}.proof.json", files[0]),
        "--genesis",
        &genesis,
    ]);
    assert!(!ok && text.contains("--file"), "{text}");

    // A changed file, or a proof for another file, is refused with a reason.
    std::fs::write(&files[1], "document 1: altered").unwrap();
    let proof = format!("{}.proof.json", files[1]);
    let (ok, text) = eiraku(&[
        "proof",
        "verify",
        &proof,
        "--file",
        &files[1],
        "--genesis",
        &genesis,
    ]);
    assert!(!ok && text.contains("SHA-256"), "{text}");
    // A proof moved to another place in the batch does not hold.
    let moved = format!("{}.proof.json", files[2]);
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&moved).unwrap()).unwrap();
    value["batch_position"] = 0.into();
    std::fs::write(&moved, value.to_string()).unwrap();
    let (ok, text) = eiraku(&[
        "proof",
        "verify",
        &moved,
        "--file",
        &files[2],
        "--genesis",
        &genesis,
    ]);
    assert!(!ok && text.contains("not at position 0"), "{text}");
    let other = format!("{}.proof.json", files[0]);
    let (ok, text) = eiraku(&[
        "proof",
        "verify",
        &other,
        "--file",
        &files[2],
        "--genesis",
        &genesis,
    ]);
    assert!(!ok && text.contains("SHA-256"), "{text}");
}

/// Every validator finds each stamped file by its SHA-256 alone (the CLI gave
/// each the batch); a changed file is not found; nobody can make a node
/// claim a file it was never given in an anchored batch.
fn files_are_found_by_their_own_digest(
    network: &TestNetwork,
    files: &[String],
    root: &eiraku_core::Digest,
) {
    let dir = network.path().display().to_string();
    for validator in 0..4 {
        let url = network.client(validator).base().to_string();
        let mut args = vec!["notary", "check", "--node", &url];
        args.extend(files.iter().map(String::as_str));
        let (ok, text) = eiraku(&args);
        assert!(ok, "{text}");
        assert_eq!(text.matches(": notarized at ").count(), 3, "{text}");
    }
    let leaf = eiraku_core::hash(&[std::fs::read(&files[1]).unwrap().as_slice()]);
    let view = network.client(2).anchor(&leaf).unwrap();
    assert_eq!(view.batch_root, Some(eiraku_core::digest::to_hex(root)));
    assert_eq!(view.position, Some(1));

    // A changed file: not notarized, and the command says so and fails.
    let changed = format!("{}.changed", files[1]);
    std::fs::write(&changed, b"document 1: minutes.txt, amended").unwrap();
    let (ok, text) = eiraku(&["notary", "check", "--network", &dir, &files[0], &changed]);
    assert!(!ok, "{text}");
    assert!(text.contains("changed: NOT notarized"), "{text}");
    assert!(text.contains("1 of 2 file(s) are not notarized"), "{text}");

    // An attacker posts digests that do not make the anchored root, or a
    // batch whose root was never anchored: nothing is kept.
    let forged = eiraku_core::hash(&[b"a will nobody signed"]);
    let client = network.client(0);
    let mismatch = client.index_batch(root, &[forged]).unwrap_err();
    assert_eq!(mismatch.code(), Some("bad_request"), "{mismatch}");
    let unanchored = eiraku_core::merkle::root(&[forged]);
    let missing = client.index_batch(&unanchored, &[forged]).unwrap_err();
    assert_eq!(missing.code(), Some("not_found"), "{missing}");
    assert_eq!(
        client.anchor(&forged).unwrap_err().code(),
        Some("not_found")
    );

    // Bob anchors, later, a batch holding the stamped batch's root and a
    // stamped file's digest, and gives it to every node: both still answer
    // with the first anchoring, not with Bob's.
    let before_root = client.anchor(root).unwrap();
    let before_leaf = client.anchor(&leaf).unwrap();
    let later = [*root, leaf];
    let later_root = eiraku_core::merkle::root(&later);
    let call = eiraku_core::Call::Registry(eiraku_core::registry::RegistryCall::Anchor {
        root: later_root,
        leaves: 2,
    });
    let chain_id = client.status().unwrap().chain_id;
    let tx = eiraku::submit::sign_next(&client, &chain_id, &network.key("bob"), call);
    client.notarize(&tx).unwrap();
    client
        .wait_finalized(&tx.hash(), std::time::Duration::from_secs(30))
        .unwrap();
    for validator in 0..4 {
        let node = network.client(validator);
        // Each node takes the batch once it has applied Bob's block.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while node.anchor(&later_root).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "validator {validator} lags"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        node.index_batch(&later_root, &later).unwrap();
        assert_eq!(node.anchor(root).unwrap(), before_root);
        assert_eq!(node.anchor(&leaf).unwrap(), before_leaf);
    }
}
