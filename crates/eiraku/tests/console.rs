//! The web console in a real browser. `eiraku devnet --traffic` runs (four
//! validators with the ASEAN+3 demo and the generator's flows); a payment
//! is made with the CLI and a file stamped with it; then
//! `tests/browser/console_check.py`
//! drives headless Chromium (Debian's chromium and chromedriver, Selenium
//! from PyPI, all installed by `.ci/setup`) through every page: it follows
//! the payment to its block and proof, drops the stamped file and a changed
//! copy on the registries page, checks the payment's proof (and a tampered
//! copy, and against a forged genesis) and the file's notary proof in the
//! in-browser proof checker (the light client in WebAssembly), reads the coin
//! dashboard, a governance proposal with its advice and an attestation,
//! compares what each page shows with the API's answer, opens pages that do
//! not exist, and looks at each page at a phone's width. The proof the
//! page offers for download verifies offline.
//! Screenshots land in the target folder (or `$EIRAKU_SCREENSHOTS`).

mod common;

use common::{devnet_process::DevnetProcess, run_cli, TestNetwork};
use std::{path::PathBuf, process::Command};

#[test]
fn the_console_shows_what_the_api_says_in_a_real_browser() {
    let devnet = DevnetProcess::start_with_traffic(4);
    let network = devnet.path().display().to_string();
    let session = |args: &[&str]| -> String {
        let mut all = args.to_vec();
        all.extend(["--network", &network]);
        let (ok, text) = run_cli(&all);
        assert!(ok, "{args:?} failed:\n{text}");
        text
    };

    let paid = session(&[
        "money", "pay", "--from", "alice", "--to", "bob", "--amount", "1.50",
    ]);
    let tx = paid
        .lines()
        .find_map(|l| l.strip_prefix("submitted "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the payment's hash is printed")
        .to_string();
    let work = tempfile::tempdir().unwrap();
    let minutes = work.path().join("minutes.txt");
    std::fs::write(
        &minutes,
        "Board minutes, 29 November: the budget is adopted.",
    )
    .unwrap();
    session(&[
        "notary",
        "stamp",
        "--from",
        "carol",
        &minutes.display().to_string(),
    ]);

    session(&[
        "gov",
        "propose",
        "--from",
        "cb-jp",
        "--parameter",
        "travel-rule-threshold",
        "--value",
        "2000000",
        "--text",
        "Raise the travel-rule threshold to 20,000 coins.",
    ]);
    session(&[
        "gov",
        "advise",
        "--from",
        "reg-kr",
        "--proposal",
        "0",
        "--stance",
        "object",
        "--text",
        "Above the FATF reference.",
    ]);
    let issued = session(&[
        "attest",
        "issue",
        "--from",
        "kyc-jp",
        "--subject",
        "person-jp",
        "--claim",
        "identity checked in branch",
    ]);
    let attestation = issued
        .lines()
        .find_map(|l| l.strip_prefix("attestation "))
        .expect("the attestation's id is printed")
        .trim()
        .to_string();

    let proof = work.path().join("payment.proof.json");
    let stranger = eiraku_core::Keypair::from_seed(424242)
        .account_id()
        .to_hex();
    let output = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/browser/console_check.py"
        ))
        .args(["--url", &devnet.api_url(0)])
        .args(["--screenshots", &screenshots().display().to_string()])
        .args(["--tx", &tx, "--summary", "money: pay 1.50 ACU to bob"])
        .args(["--account", "alice", "--stranger", &stranger])
        .args(["--attestation", &attestation])
        .args(["--notarized", &minutes.display().to_string()])
        .args(["--proof-out", &proof.display().to_string()])
        .output()
        .expect("python3 runs (bash .ci/setup installs what the browser test needs)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "the browser check failed:\n{report}"
    );
    eprintln!("{report}");
    for step in [
        "follow_transfer",
        "account",
        "front_page",
        "notarized_files",
        "proof_checker",
        "not_found_pages",
        "phone_width",
    ] {
        assert!(
            report.contains(&format!("ok  {step}")),
            "{step} did not run:\n{report}"
        );
    }

    // The proof the transaction page offered checks offline.
    let genesis = devnet.genesis().display().to_string();
    let (ok, text) = run_cli(&[
        "proof",
        "verify",
        &proof.display().to_string(),
        "--genesis",
        &genesis,
    ]);
    assert!(ok, "{text}");
    assert!(text.contains(&tx), "{text}");
    node_checks_agree(&devnet.api_url(0), &proof, &genesis);
}

/// For a browser without the WebAssembly checker, the node checks with the
/// same code: the payment's proof holds, the tampered copy the browser
/// refused does not; and the genesis the page checks against is the file.
fn node_checks_agree(base: &str, proof: &std::path::Path, genesis: &str) {
    let agent = ureq::Agent::new_with_defaults();
    let check = |file: &std::path::Path| -> serde_json::Value {
        let body = std::fs::read(file).unwrap();
        let mut answer = agent
            .post(format!("{base}/v1/proof/check"))
            .send(&body[..])
            .expect("the node checks proofs");
        serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap()
    };
    assert_eq!(check(proof)["valid"], true);
    let tampered = check(&proof.with_file_name("tampered.proof.json"));
    assert_eq!(tampered["valid"], false, "{tampered}");
    let mut served = agent.get(format!("{base}/v1/genesis")).call().unwrap();
    let served: eiraku_core::Genesis =
        serde_json::from_str(&served.body_mut().read_to_string().unwrap()).unwrap();
    let file: eiraku_core::Genesis =
        serde_json::from_str(&std::fs::read_to_string(genesis).unwrap()).unwrap();
    assert_eq!(served, file);
}

/// Where the screenshots go: `$EIRAKU_SCREENSHOTS` (the README's are
/// refreshed with `EIRAKU_SCREENSHOTS=docs/console`), else the target
/// folder.
fn screenshots() -> PathBuf {
    match std::env::var_os("EIRAKU_SCREENSHOTS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots"),
    }
}

/// A validator whose settings turn the console off serves the API alone:
/// its pages are the API's JSON "not found".
#[test]
fn a_node_with_the_console_off_serves_only_the_api() {
    let network = TestNetwork::start_tuned(1, true, |settings| settings.console = false);
    let base = network.client(0).base().to_string();
    let agent = ureq::Agent::new_with_defaults();
    for page in ["/", "/coin", "/blocks/1", "/console/console.css"] {
        let answer = agent.get(format!("{base}{page}")).call();
        let Err(ureq::Error::StatusCode(status)) = answer else {
            panic!("{page} answered: {answer:?}");
        };
        assert_eq!(status, 404, "{page}");
    }
    let mut status = agent.get(format!("{base}/v1/status")).call().unwrap();
    let body = status.body_mut().read_to_string().unwrap();
    assert!(body.contains("finalized_height"), "{body}");
}
