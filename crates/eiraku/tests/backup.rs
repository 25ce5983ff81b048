//! Backup and restore: a backup taken from a running validator under load
//! restores into another validator's emptied data folder; that validator
//! starts as usual, takes the later blocks from the others, has every
//! transfer the load made final, and its store passes `eiraku verify`.
//! A backup changed in one byte, or of another chain, is refused.
//!
//! CI runs it with 20,000 genesis accounts on a debug build;
//! `scripts/state_sync.sh` runs it with 100,000 on a release build for the
//! README's recovery figures.

mod common;

use common::{
    accounts::many_accounts,
    load::{wait_for_nonces, SteadyLoad},
    run_cli, TestNetwork,
};
use std::time::{Duration, Instant};

#[test]
fn a_backup_taken_under_load_restores_into_a_node_that_verifies_and_rejoins() {
    let mut network = TestNetwork::start_spec(4, 0, false, |_| {}, many_accounts);
    let load = SteadyLoad::start(
        (0..3).map(|v| network.client(v)).collect(),
        network.chain_id.clone(),
        &network.key("faucet"),
        50,
        300,
    );
    std::thread::sleep(Duration::from_secs(5));

    let file = network.dir.path().join("node1.backup");
    let backing_up = Instant::now();
    let (ok, output) = run_cli(&[
        "backup",
        "--home",
        network.net.home(1).to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(ok, "backup failed:\n{output}");
    let backup_took = backing_up.elapsed();
    let backup: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).expect("JSON");
    let backed_up_at = backup["target"]["height"].as_u64().expect("a height");

    // Validator 3 loses its disk and is restored from validator 1's backup.
    network.net.kill(3);
    let data = network.net.home(3).join("data");
    std::fs::remove_dir_all(&data).expect("data folder removed");
    refused_when_changed(&network, &backup);
    let home = network.net.home(3);
    let restoring = Instant::now();
    let (ok, output) = run_cli(&[
        "restore",
        "--home",
        home.to_str().unwrap(),
        "--from",
        file.to_str().unwrap(),
    ]);
    assert!(ok, "restore failed:\n{output}");
    let restore_took = restoring.elapsed();
    let tip_at_restore = network.min_height(&[0, 1, 2]);
    network.net.start(3).expect("the restored validator starts");
    let target = network.min_height(&[0, 1, 2]);
    network
        .net
        .wait_for_height(3, target, Duration::from_secs(120))
        .expect("the restored validator catches up");
    let recovered = restoring.elapsed();
    let size = std::fs::metadata(&file).unwrap().len();
    eprintln!(
        "{} accounts: backup of block {backed_up_at} ({size} bytes) in {backup_took:?}; restored in {restore_took:?} \
         while the chain was at {tip_at_restore}; caught up {recovered:?} after the restore began",
        common::accounts::accounts()
    );

    let report = load.stop();
    assert_eq!(report.server_errors, 0, "the load met 5xx answers");
    for validator in 0..4 {
        wait_for_nonces(&network, validator, &report.senders);
    }
    let later = network.min_height(&[0, 1, 2, 3]);
    network.assert_same_chain(&[0, 3], later);
    network.net.stop_all();
    common::assert_stores_verify(&network, &[3]);
}

/// A backup changed in one byte of an answer or of a block, or of another
/// chain, is refused.
fn refused_when_changed(network: &TestNetwork, backup: &serde_json::Value) {
    let home = network.net.home(3);
    let try_restore = |changed: &serde_json::Value, name: &str| {
        let file = network.dir.path().join(name);
        std::fs::write(&file, serde_json::to_vec(changed).unwrap()).unwrap();
        let result = run_cli(&[
            "restore",
            "--home",
            home.to_str().unwrap(),
            "--from",
            file.to_str().unwrap(),
        ]);
        std::fs::remove_dir_all(home.join("data")).ok();
        result
    };
    let mut changed = backup.clone();
    let answer = changed["operations"][1][1].as_str().unwrap().to_string();
    let mut bytes = answer.into_bytes();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
    changed["operations"][1][1] = serde_json::Value::String(String::from_utf8(bytes).unwrap());
    let (ok, output) = try_restore(&changed, "changed.backup");
    assert!(!ok, "a changed backup was restored:\n{output}");
    assert!(output.contains("the backup's state"), "{output}");

    let mut forged = backup.clone();
    let block = forged["blocks"][1]["block"].as_str().unwrap().to_string();
    let mut bytes = block.into_bytes();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
    forged["blocks"][1]["block"] = serde_json::Value::String(String::from_utf8(bytes).unwrap());
    let (ok, output) = try_restore(&forged, "forged.backup");
    assert!(!ok, "a backup with a changed block was restored:\n{output}");
    assert!(output.contains("block 1 of the backup"), "{output}");

    let mut other = backup.clone();
    other["chain_id"] = serde_json::Value::String("another-chain".into());
    let (ok, output) = try_restore(&other, "other.backup");
    assert!(!ok, "another chain's backup was restored:\n{output}");
    assert!(output.contains("another-chain"), "{output}");
}
