//! Registries of versioned records on 4 real validators, through the CLI:
//! Japan's registrar creates a company registry (its JSON Schema, itself
//! as writer, a bank and the regulator as its access group), records two
//! versions of a company, and members read them back, checked against the
//! ledger's digests; each version is proven offline. The attacks: a
//! registry created by a non-authority, a record that breaks the schema, a
//! write by a non-writer, a skipped version, a payload fetched by a
//! non-member.

mod common;

use common::{cli::strs, cli::CliSession, run_cli, TestNetwork};

const SCHEMA: &str = r#"{"type":"object","required":["name","address"],
"properties":{"name":{"type":"string"},"address":{"type":"string"},"capital":{"type":"integer"}}}"#;

#[test]
fn records_are_written_in_order_by_writers_and_read_by_members_only() {
    let network = TestNetwork::start_with(4, true);
    let session = CliSession { network: &network };
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let schema = file("company.schema.json", SCHEMA);
    let first = file(
        "v1.json",
        r#"{"name":"Eiraku KK","address":"Chiyoda, Tokyo"}"#,
    );
    let second = file(
        "v2.json",
        r#"{"name":"Eiraku KK","address":"Minato, Tokyo","capital":10000000}"#,
    );
    let broken = file("broken.json", r#"{"name":"No Address KK"}"#);
    let create = |from: &str| {
        vec![
            "registry",
            "create",
            "--from",
            from,
            "--name",
            "companies",
            "--schema",
            &schema,
            "--writers",
            "registrar-jp",
            "--members",
            "bank-jp-1,reg-jp",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    session.refused(&strs(&create("bank-jp-1")), "not_registry_authority");
    session.ok(&strs(&create("registrar-jp")));

    let write = |from: &str, payload: &str| {
        vec![
            "registry",
            "write",
            "--from",
            from,
            "--name",
            "companies",
            "--key",
            "7010001008844",
            "--payload",
            payload,
            "--schema",
            &schema,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let (ok, text) = session.run(&strs(&write("registrar-jp", &broken)));
    assert!(
        !ok && text.contains("does not follow the registry's schema"),
        "{text}"
    );
    session.refused(&strs(&write("bank-jp-2", &first)), "not_writer");
    let mut skipping = write("registrar-jp", &first);
    skipping.extend(["--version".to_string(), "3".to_string()]);
    session.refused(&strs(&skipping), "version_skipped");
    session.ok(&strs(&write("registrar-jp", &first)));
    session.ok(&strs(&write("registrar-jp", &second)));

    let history = session.ok(&[
        "registry",
        "history",
        "--name",
        "companies",
        "--key",
        "7010001008844",
    ]);
    let listed: Vec<serde_json::Value> =
        serde_json::from_str(&history[history.find('[').unwrap()..]).unwrap();
    assert_eq!(listed.len(), 2);
    let read = |from: &str, version: &str| {
        session.run(&[
            "registry",
            "read",
            "--from",
            from,
            "--name",
            "companies",
            "--key",
            "7010001008844",
            "--version",
            version,
        ])
    };
    let (ok, text) = read("bank-jp-1", "2");
    assert!(ok && text.contains("Minato, Tokyo"), "{text}");
    let (ok, text) = read("reg-jp", "1");
    assert!(ok && text.contains("Chiyoda, Tokyo"), "{text}");
    let (ok, text) = read("bank-jp-2", "2");
    assert!(!ok && text.contains("not_a_member"), "{text}");

    // Each version is proven offline, with the genesis file alone.
    let key = listed[1]["state_key"].as_str().unwrap();
    let proof = dir.path().join("v2.proof.json").display().to_string();
    session.ok(&["proof", "state", key, "--out", &proof]);
    let genesis = network.path().join("genesis.json").display().to_string();
    let (ok, text) = run_cli(&["proof", "verify", &proof, "--genesis", &genesis]);
    assert!(
        ok && text.contains("version 2 of companies/7010001008844"),
        "{text}"
    );
}
