//! Attestations on 4 real validators, through the CLI: Japan's KYC
//! attester attests a person's KYC result; the person's bank moves the
//! person up a tier on it. The credential exported from the ledger verifies
//! offline with only the genesis file, fails once a field is changed, and
//! fails after revocation when checked against a newer state proof. The
//! attacks: an attestation by a non-attester, a revocation by another, an
//! upgrade without an attestation, with a revoked one, with another
//! person's, and by a bank that is not the person's.

mod common;

use common::{cli::CliSession, run_cli, TestNetwork};
use std::path::Path;

/// Attests a KYC result about `subject`; the attestation's name.
fn attest(session: &CliSession<'_>, from: &str, subject: &str) -> String {
    let args = [
        "attest",
        "issue",
        "--from",
        from,
        "--subject",
        subject,
        "--claim",
        "passport seen",
    ];
    session.created("attestation", &args)
}

fn tier_of(network: &TestNetwork, label: &str) -> u64 {
    let account = network.key(label).account_id();
    let view = network.client(0).account(&account).unwrap();
    let role = serde_json::to_value(view.role).unwrap();
    role["tier"].as_u64().expect("a retail role")
}

fn change_tier(attestation: Option<&str>) -> Vec<&str> {
    let mut args = vec![
        "money",
        "change-tier",
        "--from",
        "bank-jp-1",
        "--account",
        "person-jp",
        "--tier",
        "2",
    ];
    if let Some(id) = attestation {
        args.extend(["--attestation", id]);
    }
    args
}

fn verify(credential: &Path, genesis: &Path, newer: Option<&Path>) -> (bool, String) {
    let (credential, genesis) = (credential.to_str().unwrap(), genesis.to_str().unwrap());
    let mut args = vec!["proof", "verify", credential, "--genesis", genesis];
    if let Some(newer) = newer {
        args.extend(["--newer", newer.to_str().unwrap()]);
    }
    run_cli(&args)
}

#[test]
fn a_kyc_attestation_moves_a_person_up_a_tier_and_its_credential_verifies_offline_until_revoked() {
    let network = TestNetwork::start_with(4, true);
    let session = CliSession { network: &network };
    let work = tempfile::tempdir().unwrap();
    let file = |name: &str| work.path().join(name);
    let text = |path: &Path| path.display().to_string();

    session.refused(
        &[
            "attest",
            "issue",
            "--from",
            "bank-jp-1",
            "--subject",
            "person-jp",
            "--claim",
            "x",
        ],
        "not_attester",
    );
    session.refused(&change_tier(None), "kyc_required");
    let about_shop = attest(&session, "kyc-jp", "shop-jp");
    session.refused(&change_tier(Some(&about_shop)), "kyc_required");
    let first = attest(&session, "kyc-jp", "person-jp");
    let shown = session.ok(&["attest", "show", &first]);
    assert!(shown.contains("\"valid_now\": true"), "{shown}");

    // The credential, exported while the attestation holds.
    let credential = file("kyc.credential.json");
    session.ok(&["attest", "export", &first, "--out", &text(&credential)]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&credential).unwrap()).unwrap();
    assert_eq!(json["@context"][0], "https://www.w3.org/ns/credentials/v2");
    assert_eq!(json["type"][0], "VerifiableCredential");
    assert!(json["proof"]["stateProof"]["value"].is_string());

    // Only the attester that issued it revokes it; then it carries no
    // upgrade, and a newer state proof shows the revocation.
    session.refused(
        &["attest", "revoke", &first, "--from", "cb-jp"],
        "not_its_attester",
    );
    session.ok(&["attest", "revoke", &first, "--from", "kyc-jp"]);
    session.refused(
        &["attest", "revoke", &first, "--from", "kyc-jp"],
        "attestation_revoked",
    );
    session.refused(&change_tier(Some(&first)), "kyc_required");
    let newer = file("newer.state.json");
    let key = format!("registry/attestation/{first}");
    session.ok(&["proof", "state", &key, "--out", &text(&newer)]);
    assert_eq!(tier_of(&network, "person-jp"), 1);

    // A second attestation, and the upgrade by the person's bank only.
    let second = attest(&session, "kyc-jp", "person-jp");
    let mut by_another_bank = change_tier(Some(&second));
    by_another_bank[3] = "bank-jp-2";
    session.refused(&by_another_bank, "not_its_bank");
    session.ok(&change_tier(Some(&second)));
    assert_eq!(tier_of(&network, "person-jp"), 2);

    // No node from here on: only the genesis file.
    let genesis = file("genesis.json");
    std::fs::copy(network.path().join("genesis.json"), &genesis).unwrap();
    drop(network);
    let (ok, out) = verify(&credential, &genesis, None);
    assert!(ok && out.contains("not revoked in block"), "{out}");
    let (ok, out) = verify(&credential, &genesis, Some(&newer));
    assert!(!ok && out.contains("revoked at"), "{out}");
    // Each field of the credential is what the ledger holds.
    for (field, value) in [
        ("/credentialSubject/id", "urn:eiraku:eiraku-test:account:00"),
        ("/credentialSubject/claim", "00"),
        ("/issuer", "urn:eiraku:eiraku-test:account:00"),
        ("/validUntil", "2999-01-01T00:00:00Z"),
        ("/id", "urn:eiraku:eiraku-test:attestation:00"),
        ("/proof/created", "2020-01-01T00:00:00Z"),
    ] {
        let mut changed = json.clone();
        *changed.pointer_mut(field).unwrap() = value.into();
        let path = file("changed.json");
        std::fs::write(&path, changed.to_string()).unwrap();
        let (ok, out) = verify(&path, &genesis, None);
        assert!(
            !ok && out.contains("not what the ledger recorded"),
            "{field}: {out}"
        );
    }
    // One spelling of the credential's id: upper-case hex is another.
    let mut shouted = json.clone();
    let id = shouted["id"].as_str().unwrap().to_string();
    let (prefix, hex) = id.rsplit_once(':').unwrap();
    shouted["id"] = format!("{prefix}:{}", hex.to_uppercase()).into();
    let path = file("shouted.json");
    std::fs::write(&path, shouted.to_string()).unwrap();
    let (ok, out) = verify(&path, &genesis, None);
    assert!(!ok && out.contains("not what the ledger recorded"), "{out}");
    // A state proof of another entry is no newer proof of this one.
    let other = file("other.json");
    let mut moved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&newer).unwrap()).unwrap();
    moved["key"] = format!("registry/attestation/{second}").into();
    std::fs::write(&other, moved.to_string()).unwrap();
    let (ok, out) = verify(&credential, &genesis, Some(&other));
    assert!(!ok, "{out}");
}
