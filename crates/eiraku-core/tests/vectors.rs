//! The proof test vectors in `docs/vectors` (one run of
//! `crates/eiraku/tests/validator_change.rs` with `EIRAKU_WRITE_VECTORS`:
//! a transaction before a validator-set change, one after it, and the new
//! set's state proof after it) verify with their genesis file alone, and
//! every copy with one hex digit of its evidence changed is refused. The
//! independent verifier in `tools/proofcheck` (Python, written from
//! docs/audit.md) must reach the same verdict on every one of them.

use eiraku_core::{
    proof::{LightClient, NotaryProof, ProofError, StateProof, TxProof},
    Genesis, ValidatorSet,
};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn client() -> LightClient {
    let genesis: Genesis = serde_json::from_str(&read("genesis.json")).unwrap();
    LightClient::from_genesis(&genesis).unwrap()
}

/// JSON pointers to every hex string of `value` (the evidence: not the
/// chain's name or the state key's text).
fn hex_fields(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                if name != "chain_id" && name != "key" {
                    hex_fields(field, format!("{at}/{name}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                hex_fields(item, format!("{at}/{i}"), out);
            }
        }
        Value::String(text) if text.len() >= 2 && text.bytes().all(|b| b.is_ascii_hexdigit()) => {
            out.push(at)
        }
        _ => {}
    }
}

/// Copies of `proof` with one hex digit changed: the first, a middle and
/// the last of every evidence field.
fn tampered(proof: &str) -> Vec<(String, Value)> {
    tampered_every(proof, usize::MAX)
}

/// As [`tampered`], and also every `stride`-th digit of every field.
fn tampered_every(proof: &str, stride: usize) -> Vec<(String, Value)> {
    let original: Value = serde_json::from_str(proof).unwrap();
    let mut pointers = Vec::new();
    hex_fields(&original, String::new(), &mut pointers);
    let mut copies = Vec::new();
    for pointer in pointers {
        let length = original.pointer(&pointer).unwrap().as_str().unwrap().len();
        let strided = (0..length).step_by(stride.min(length));
        let mut places: Vec<usize> = [0, length / 2, length - 1]
            .into_iter()
            .chain(strided)
            .collect();
        places.sort_unstable();
        places.dedup();
        for at in places {
            let mut copy = original.clone();
            let Value::String(text) = copy.pointer_mut(&pointer).unwrap() else {
                unreachable!("a hex field")
            };
            let mut bytes = text.clone().into_bytes();
            bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
            *text = String::from_utf8(bytes).unwrap();
            copies.push((format!("{pointer}[{at}]"), copy));
        }
    }
    assert!(copies.len() >= 12, "the proof has its evidence fields");
    copies
}

fn assert_tx_vector(name: &str, handoffs: usize) {
    let text = read(name);
    let proof: TxProof = serde_json::from_str(&text).unwrap();
    assert_eq!(proof.handoffs.len(), handoffs);
    let client = client();
    client.verify_tx(&proof).expect("the vector verifies");
    for (what, copy) in tampered(&text) {
        let copy: TxProof = serde_json::from_value(copy).unwrap();
        assert!(
            client.verify_tx(&copy).is_err(),
            "{name}: {what} changed, still verifies"
        );
    }
}

#[test]
fn a_transaction_before_the_change_verifies_with_the_genesis_set() {
    assert_tx_vector("tx-before-change.proof.json", 0);
}

#[test]
fn a_transaction_after_the_change_verifies_through_its_handoff() {
    assert_tx_vector("tx-after-change.proof.json", 1);
}

/// Verifies the state proof `name` and that every tampered copy fails;
/// returns what it proves.
fn assert_state_vector(name: &str) -> (StateProof, Option<Vec<u8>>) {
    let text = read(name);
    let proof: StateProof = serde_json::from_str(&text).unwrap();
    let client = client();
    let verified = client.verify_state(&proof).expect("the vector verifies");
    for (what, copy) in tampered(&text) {
        let copy: StateProof = serde_json::from_value(copy).unwrap();
        assert!(
            client.verify_state(&copy).is_err(),
            "{name}: {what} changed, still verifies"
        );
    }
    (proof, verified.value)
}

#[test]
fn the_new_set_is_proven_in_the_state_after_the_change() {
    let (proof, value) = assert_state_vector("state-after-change.proof.json");
    let set = ValidatorSet::from_bytes(&value.unwrap()).unwrap();
    assert_eq!(set.len(), 4);
    let handed_over = hex::decode(&proof.handoffs[0].set).unwrap();
    assert_eq!(set.to_bytes(), handed_over, "the set the handoff names");
}

#[test]
fn an_account_and_an_absent_account_are_proven_after_the_change() {
    let (_, value) = assert_state_vector("account-after-change.proof.json");
    assert_eq!(value.map(|v| v.len()), Some(24), "balance and nonce");
    let (_, value) = assert_state_vector("absent-after-change.proof.json");
    assert_eq!(value, None, "an absence proof");
}

#[test]
fn notarized_files_are_proven_after_the_change() {
    let client = client();
    for name in NOTARIZED {
        let text = read(&format!("{name}.proof.json"));
        let file = read(name);
        let proof: NotaryProof = serde_json::from_str(&text).unwrap();
        let notarized = client.verify_notary(&proof, file.as_bytes());
        assert!(notarized.is_ok(), "{name}: {notarized:?}");
        let changed = format!("{file} ");
        assert!(matches!(
            client.verify_notary(&proof, changed.as_bytes()),
            Err(ProofError::FileMismatch { .. })
        ));
        for (what, copy) in tampered(&text) {
            let copy: NotaryProof = serde_json::from_value(copy).unwrap();
            assert!(
                client.verify_notary(&copy, file.as_bytes()).is_err(),
                "{name}: {what} changed, still verifies"
            );
        }
    }
}

/// The files notarized in one batch after the change, each with its proof.
const NOTARIZED: [&str; 3] = ["contract.txt", "minutes.txt", "annex.txt"];

/// A proof file for the second verifier, and the Rust client's verdict.
struct Case {
    proof: std::path::PathBuf,
    file: Option<String>,
    holds: bool,
}

/// Rust's verdict on one proof (of the kind its fields say).
fn rust_verdict(client: &LightClient, proof: &Value, file: Option<&str>) -> bool {
    if let Some(file) = file {
        let proof: NotaryProof = serde_json::from_value(proof.clone()).unwrap();
        client.verify_notary(&proof, read(file).as_bytes()).is_ok()
    } else if proof.get("key").is_some() {
        let proof: StateProof = serde_json::from_value(proof.clone()).unwrap();
        client.verify_state(&proof).is_ok()
    } else {
        let proof: TxProof = serde_json::from_value(proof.clone()).unwrap();
        client.verify_tx(&proof).is_ok()
    }
}

/// Every vector and each of its tampered copies, written to `dir`.
fn cases(dir: &std::path::Path) -> Vec<Case> {
    let client = client();
    let mut proofs: Vec<(String, Option<String>)> = [
        "tx-before-change.proof.json",
        "tx-after-change.proof.json",
        "state-after-change.proof.json",
        "account-after-change.proof.json",
        "absent-after-change.proof.json",
    ]
    .map(|name| (name.to_string(), None))
    .to_vec();
    proofs.extend(NOTARIZED.map(|file| (format!("{file}.proof.json"), Some(file.to_string()))));
    let mut cases = Vec::new();
    for (name, file) in proofs {
        let text = read(&name);
        let original: Value = serde_json::from_str(&text).unwrap();
        let copies = tampered_every(&text, 5).into_iter().map(|(_, copy)| copy);
        for (i, proof) in std::iter::once(original).chain(copies).enumerate() {
            let path = dir.join(format!("{i}-{name}"));
            std::fs::write(&path, serde_json::to_string_pretty(&proof).unwrap()).unwrap();
            cases.push(Case {
                holds: rust_verdict(&client, &proof, file.as_deref()),
                file: file.as_ref().map(|f| format!("{DIR}/{f}")),
                proof: path,
            });
        }
    }
    cases
}

fn python(args: &[&str]) -> std::process::Output {
    std::process::Command::new("python3")
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("python3 runs (the second verifier needs it; `.ci/setup` installs its package)")
}

#[test]
fn the_python_verifier_agrees_on_every_vector_and_tampered_copy() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases(dir.path());
    let manifest: Vec<Value> = (cases.iter())
        .map(|case| serde_json::json!({"proof": case.proof, "file": case.file}))
        .collect();
    let manifest_path = dir.path().join("manifest.json");
    std::fs::write(&manifest_path, serde_json::to_string(&manifest).unwrap()).unwrap();
    let genesis = format!("{DIR}/genesis.json");
    let output = python(&[
        "tools/proofcheck/verify.py",
        "--genesis",
        &genesis,
        "--manifest",
        manifest_path.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let verdicts: Vec<Value> = (stdout.lines())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        verdicts.len(),
        cases.len(),
        "one verdict each; stderr:\n{stderr}"
    );
    assert!(cases.len() > 5_000, "every fifth digit of every field");
    let originals = cases.iter().filter(|case| case.holds).count();
    assert_eq!(
        originals, 8,
        "the eight vectors hold in Rust, no tampered copy does"
    );
    for (case, verdict) in cases.iter().zip(&verdicts) {
        assert_eq!(
            verdict["ok"].as_bool(),
            Some(case.holds),
            "{}: Rust says {}, Python says {verdict}",
            case.proof.display(),
            case.holds
        );
    }
}

#[test]
fn the_python_verifiers_own_tests_pass() {
    let output = python(&["-m", "unittest", "discover", "-s", "tools/proofcheck", "-q"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
