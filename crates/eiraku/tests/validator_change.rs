//! Governance changes the validator set of real validator processes: a
//! class-A proposal adds a fifth validator (a node that was not in genesis,
//! with its operator's consent) and removes one. The chain keeps finalizing
//! through the epoch boundary; the new validator signs (the chain goes on
//! with one of the others down, which needs its vote); the removed one's
//! votes no longer count; and a transaction proof made after the change
//! verifies offline with only the genesis file.

mod common;

use common::{run_cli, TestNetwork};
use commonware_codec::{Copying, DecodeExt as _};
use eiraku_api::ProposalStatus;
use eiraku_core::{
    governance::{GovernanceGenesis, Windows},
    proof::{LightClient, ProofError, TxProof},
    BlockHeader, Genesis, Validator, ValidatorSet,
};
use std::time::{Duration, Instant};

/// Blocks per epoch here: a couple of seconds.
const EPOCH: u64 = 20;
/// Index of the node that joins (its home is a spare, not in genesis) and
/// of the validator that leaves.
const JOINER: usize = 4;
const LEAVER: usize = 3;
/// Ten of the fourteen central banks: two thirds of the voting seats.
const VOTERS: [&str; 10] = [
    "cb-jp", "cb-cn", "cb-kr", "cb-id", "cb-hk", "cb-sg", "cb-th", "cb-my", "cb-ph", "cb-vn",
];

/// Short epochs and class-A windows of seconds, so the test sees a change
/// enacted and taking effect within a minute.
fn quick_governance(genesis: &mut Genesis) {
    genesis.epoch_length = Some(EPOCH);
    genesis.governance = Some(GovernanceGenesis {
        class_a: Windows::of(1000, [2, 2, 10, 2, 2]),
        class_b: Windows::of(1000, [2, 2, 10, 0, 2]),
    });
}

fn cli(args: &[&str]) -> String {
    let (ok, output) = run_cli(args);
    assert!(ok, "eiraku {} failed: {output}", args.join(" "));
    output
}

/// Waits until proposal 0 reaches `milestone`.
fn wait_for_proposal(net: &str, milestone: &str) {
    let args = [
        "gov",
        "wait",
        "--network",
        net,
        "--proposal",
        "0",
        "--until",
        milestone,
    ];
    cli(&args);
}

/// Waits until `done` holds, polling; panics after `limit`.
fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn governance_adds_a_fifth_validator_and_removes_one_on_real_processes() {
    let mut network = TestNetwork::start_spec(4, 1, true, |_| {}, quick_governance);
    let folder = network.path();
    let net = folder.to_str().unwrap();
    let genesis_file = folder.join("genesis.json");
    let genesis: Genesis =
        serde_json::from_str(&std::fs::read_to_string(&genesis_file).unwrap()).unwrap();

    // The joining operator's consent, and the proposal that names it.
    let joiner_home = network.net.home(JOINER);
    let consent = cli(&["node", "--home", joiner_home.to_str().unwrap(), "--consent"]);
    let consent_file = folder.join("joiner.consent.json");
    std::fs::write(&consent_file, &consent).unwrap();
    let leaving = genesis.validators[LEAVER].public_key.to_hex();
    let proposed = cli(&[
        "gov",
        "propose",
        "--network",
        net,
        "--from",
        "cb-jp",
        "--add-validator",
        consent_file.to_str().unwrap(),
        "--remove-validator",
        &leaving,
        "--text",
        "Add the fifth validator; retire validator 3.",
    ]);
    wait_for_proposal(net, "voting");
    for seat in VOTERS {
        cli(&[
            "gov",
            "vote",
            "--network",
            net,
            "--from",
            seat,
            "--proposal",
            "0",
            "--choice",
            "yes",
            "--reason",
            "More operators, in more economies.",
        ]);
    }
    // The new node follows the chain from genesis; it signs once it is in.
    network.net.start(JOINER).unwrap();
    wait_for_proposal(net, "settled");
    let client = network.client(0);
    let proposal = client.proposal(0).unwrap();
    assert!(
        matches!(proposal.status, ProposalStatus::Enacted { .. }),
        "{:?}",
        proposal.status
    );
    let joiner_key = network.client(0).validators().unwrap().next;
    assert!(joiner_key.iter().all(|v| v.key != leaving));
    assert_eq!(joiner_key.len(), 4);

    // At the next epoch boundary the new set takes over.
    wait_for("the new set to sign", Duration::from_secs(60), || {
        let view = client.validators().unwrap();
        view.active == view.next
    });
    let handover = client.status().unwrap().finalized_height;
    let staying = [0, 1, 2, JOINER];
    for &index in &staying {
        network
            .net
            .wait_for_height(index, handover + EPOCH + 5, Duration::from_secs(120))
            .unwrap();
    }
    network.assert_same_chain(&staying, handover + EPOCH + 5);

    // The removed validator stops; so does validator 2: three of the
    // four remain only with the joiner's votes.
    network.net.stop(LEAVER);
    network.net.stop(2);
    let from = network.min_height(&[0, 1, JOINER]);
    for index in [0, 1, JOINER] {
        network
            .net
            .wait_for_height(index, from + 10, Duration::from_secs(60))
            .unwrap();
    }

    // A transaction after the change, proven with the genesis file alone.
    let node = network.net.api_url(0);
    let raised = cli(&[
        "gov",
        "propose",
        "--network",
        net,
        "--node",
        &node,
        "--from",
        "cb-kr",
        "--parameter",
        "travel-rule-threshold",
        "--value",
        "2000000",
        "--text",
        "Raise the travel-rule threshold.",
    ]);
    let hash = submitted_hash(&raised);
    let proof_file = folder.join("after-change.proof.json");
    let mut proven = false;
    wait_for("a proof of the proposal", Duration::from_secs(30), || {
        proven = run_cli(&[
            "proof",
            "tx",
            &hash,
            "--node",
            &node,
            "--out",
            proof_file.to_str().unwrap(),
        ])
        .0;
        proven
    });
    let verified = cli(&[
        "proof",
        "verify",
        proof_file.to_str().unwrap(),
        "--genesis",
        genesis_file.to_str().unwrap(),
    ]);
    assert!(
        verified.contains(&format!("transaction {hash}: final")),
        "{verified}"
    );
    let proof: TxProof =
        serde_json::from_str(&std::fs::read_to_string(&proof_file).unwrap()).unwrap();
    let client = LightClient::from_genesis(&genesis).unwrap();
    client
        .verify_tx(&proof)
        .expect("verifies through the set change");
    assert_eq!(proof.handoffs.len(), 1, "one set change since genesis");
    // Without the handoff, the genesis set does not sign the new epochs.
    let mut bare = proof.clone();
    bare.handoffs.clear();
    assert_eq!(client.verify_tx(&bare), Err(ProofError::CertificateInvalid));
    // A handoff naming another set does not hold under its block's root.
    let mut forged = proof.clone();
    let genesis_set: Vec<Validator> = genesis
        .validators
        .iter()
        .map(|v| Validator {
            key: v.public_key,
            p2p_address: v.p2p_address,
        })
        .collect();
    forged.handoffs[0].set = hex::encode(ValidatorSet::new(genesis_set).unwrap().to_bytes());
    assert!(matches!(
        client.verify_tx(&forged),
        Err(ProofError::BadHandoff { .. })
    ));
    // The handoff's certificate (of the epoch before the change) for the
    // transaction's block (after it): the epochs differ.
    let header = BlockHeader::decode(Copying(&hex::decode(&proof.header).unwrap()[..])).unwrap();
    let old_certificate = hex::decode(&proof.handoffs[0].certificate).unwrap();
    assert!(matches!(
        client.verify_finality(&header, &old_certificate),
        Err(ProofError::WrongEpoch { .. })
    ));
    // The same handoff twice: each must hand over to a later epoch.
    let mut repeated = proof.clone();
    repeated.handoffs.push(proof.handoffs[0].clone());
    assert!(matches!(
        client.verify_tx(&repeated),
        Err(ProofError::BadHandoff { .. })
    ));

    // `EIRAKU_WRITE_VECTORS=DIR` keeps this run's genesis and proofs as
    // test vectors (docs/vectors holds one run's).
    if let Some(dir) = std::env::var_os("EIRAKU_WRITE_VECTORS") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&genesis_file, dir.join("genesis.json")).unwrap();
        std::fs::copy(&proof_file, dir.join("tx-after-change.proof.json")).unwrap();
        let before = dir.join("tx-before-change.proof.json");
        let first = submitted_hash(&proposed);
        let out = |path: &std::path::Path| path.to_str().unwrap().to_string();
        cli(&[
            "proof",
            "tx",
            &first,
            "--node",
            &node,
            "--out",
            &out(&before),
        ]);
        let state = dir.join("state-after-change.proof.json");
        cli(&[
            "proof",
            "state",
            "validators/active",
            "--node",
            &node,
            "--out",
            &out(&state),
        ]);
        // An account that holds something, and one that does not exist.
        let account = format!("account/{}", genesis.accounts[0].id);
        let held = dir.join("account-after-change.proof.json");
        cli(&[
            "proof",
            "state",
            &account,
            "--node",
            &node,
            "--out",
            &out(&held),
        ]);
        let absent = dir.join("absent-after-change.proof.json");
        let nobody = format!("account/{}", "ab".repeat(32));
        cli(&[
            "proof",
            "state",
            &nobody,
            "--node",
            &node,
            "--out",
            &out(&absent),
        ]);
        // Notarized files, one batch of three: each proof is written beside its file.
        let mut files = Vec::new();
        for name in ["contract.txt", "minutes.txt", "annex.txt"] {
            let file = folder.join(name);
            std::fs::write(
                &file,
                format!("{name}, notarized after the validator-set change.\n"),
            )
            .unwrap();
            files.push(out(&file));
        }
        let mut stamp = vec![
            "notary",
            "stamp",
            "--from",
            "cb-kr",
            "--network",
            net,
            "--node",
            &node,
        ];
        stamp.extend(files.iter().map(String::as_str));
        cli(&stamp);
        for name in ["contract.txt", "minutes.txt", "annex.txt"] {
            let proof = format!("{name}.proof.json");
            std::fs::copy(folder.join(name), dir.join(name)).unwrap();
            std::fs::copy(folder.join(&proof), dir.join(&proof)).unwrap();
        }
    }
}

/// The hash a `submitted <hash>` line of a command's output names.
fn submitted_hash(output: &str) -> String {
    output
        .lines()
        .find_map(|line| line.strip_prefix("submitted "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no transaction hash in: {output}"))
        .to_string()
}
