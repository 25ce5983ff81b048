//! Consent with its access log, and rights with licences paid in coins, on
//! 4 real validators through the CLI. An information bank's data user logs
//! accesses to a person's data only under the person's consent, and the
//! person lists every one; a data user proves an access was consented by
//! its entry's state proof, checked offline. A song's holder sells a
//! licence; its resale pays the holder a royalty. The attacks: an access
//! by another data user, for another purpose or category, and after
//! revocation; a licence bought at a changed price, with insufficient
//! funds, or resold without an offer.

mod common;

use common::{cli::assert_chain_verifies, cli::CliSession, run_cli, TestNetwork};

fn balance(network: &TestNetwork, label: &str) -> u128 {
    let account = network.key(label).account_id();
    network.client(0).account(&account).unwrap().balance.0
}

#[test]
fn accesses_are_logged_only_under_consent_and_licences_are_paid_with_royalties() {
    let network = TestNetwork::start_with(4, true);
    let session = CliSession { network: &network };
    let work_dir = tempfile::tempdir().unwrap();
    let record = work_dir.path().join("payslip.pdf");
    std::fs::write(&record, "salary 2026-10: 350,000 JPY").unwrap();
    let record = record.display().to_string();

    // Consent: Alice lets bank-jp-1 read her income for credit scoring.
    let consent = session.created(
        "consent",
        &[
            "consent",
            "grant",
            "--from",
            "alice",
            "--to",
            "bank-jp-1",
            "--purpose",
            "credit scoring",
            "--categories",
            "income,purchase-history",
        ],
    );
    let access = |from: &str, purpose: &str, category: &str| {
        vec![
            "consent".to_string(),
            "access".into(),
            consent.clone(),
            "--from".into(),
            from.into(),
            "--purpose".into(),
            purpose.into(),
            "--category".into(),
            category.into(),
            "--record".into(),
            record.clone(),
        ]
    };
    let refused = |args: Vec<String>, code: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        session.refused(&args, code);
    };
    let ok = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        session.ok(&args);
    };
    refused(
        access("bank-jp-2", "credit scoring", "income"),
        "not_consent_data_user",
    );
    refused(
        access("bank-jp-1", "marketing", "income"),
        "purpose_not_consented",
    );
    refused(
        access("bank-jp-1", "credit scoring", "health"),
        "category_not_consented",
    );
    ok(access("bank-jp-1", "credit scoring", "income"));
    let listed = session.ok(&["consent", "list", "--subject", "alice"]);
    assert!(listed.contains("\"category\": \"income\""), "{listed}");
    assert!(listed.contains("\"accesses\": 1"), "{listed}");

    // The data user proves the access was consented: the entry exists only
    // because the ledger accepted it under the consent.
    let proof = work_dir.path().join("access.json").display().to_string();
    let key = format!("registry/access/{consent}/0");
    session.ok(&["proof", "state", &key, "--out", &proof]);
    let genesis = network.path().join("genesis.json").display().to_string();
    let (verified, text) = run_cli(&["proof", "verify", &proof, "--genesis", &genesis]);
    assert!(verified && text.contains("access 0 to income"), "{text}");

    session.refused(
        &["consent", "revoke", &consent, "--from", "bank-jp-1"],
        "not_consent_subject",
    );
    session.ok(&["consent", "revoke", &consent, "--from", "alice"]);
    refused(
        access("bank-jp-1", "credit scoring", "income"),
        "consent_revoked",
    );

    // Rights: carol's song, 1,000 a licence, 15 % royalty on resales.
    let song = work_dir.path().join("song.flac");
    std::fs::write(&song, "la la la").unwrap();
    let registered = session.ok(&[
        "work",
        "register",
        "--from",
        "carol",
        "--file",
        &song.display().to_string(),
        "--price",
        "10",
        "--royalty-bps",
        "1500",
    ]);
    let work = registered
        .lines()
        .find_map(|l| l.strip_prefix("work "))
        .expect("the work's digest is printed")
        .trim()
        .to_string();
    session.refused(
        &["work", "buy", &work, "--from", "alice", "--price", "9"],
        "price_changed",
    );
    // A film dearer than all Alice holds (10,000 ACU).
    let film = work_dir.path().join("film.mkv");
    std::fs::write(&film, "frames").unwrap();
    let film = film.display().to_string();
    let registered = session.ok(&[
        "work", "register", "--from", "carol", "--file", &film, "--price", "20000",
    ]);
    let film = registered
        .lines()
        .find_map(|l| l.strip_prefix("work "))
        .unwrap()
        .trim();
    session.refused(
        &["work", "buy", film, "--from", "alice", "--price", "20000"],
        "insufficient_funds",
    );
    let (carol, alice) = (balance(&network, "carol"), balance(&network, "alice"));
    session.ok(&["work", "buy", &work, "--from", "alice", "--price", "10"]);
    assert_eq!(balance(&network, "carol"), carol + 1000);
    assert_eq!(balance(&network, "alice"), alice - 1000);
    session.refused(
        &[
            "work",
            "buy",
            &work,
            "--from",
            "bob",
            "--seller",
            "alice",
            "--price",
            "20.00 ACU",
        ],
        "not_offered",
    );
    session.ok(&[
        "work",
        "offer",
        &work,
        "--from",
        "alice",
        "--price",
        "20.00 ACU",
    ]);
    let (carol, alice) = (balance(&network, "carol"), balance(&network, "alice"));
    session.ok(&[
        "work",
        "buy",
        &work,
        "--from",
        "bob",
        "--seller",
        "alice",
        "--price",
        "20.00 ACU",
    ]);
    assert_eq!(balance(&network, "carol"), carol + 300);
    assert_eq!(balance(&network, "alice"), alice + 1700);
    let held = session.ok(&["work", "show", &work, "--licensee", "bob"]);
    assert!(held.contains("\"valid_now\": true"), "{held}");
    assert_chain_verifies(&network);
}
