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
