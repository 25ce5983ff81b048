//! The proof test vectors in `docs/vectors` (one run of
//! `crates/eiraku/tests/validator_change.rs` with `EIRAKU_WRITE_VECTORS`:
//! a transaction before a validator-set change, one after it, and the new
//! set's state proof after it) verify with their genesis file alone, and
//! every copy with one hex digit of its evidence changed is refused. An
//! independent verifier is checked against the same files.

use eiraku_core::{
    proof::{LightClient, StateProof, TxProof},
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
    let original: Value = serde_json::from_str(proof).unwrap();
    let mut pointers = Vec::new();
    hex_fields(&original, String::new(), &mut pointers);
    let mut copies = Vec::new();
    for pointer in pointers {
        let length = original.pointer(&pointer).unwrap().as_str().unwrap().len();
        for at in [0, length / 2, length - 1] {
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

#[test]
fn the_new_set_is_proven_in_the_state_after_the_change() {
    let text = read("state-after-change.proof.json");
    let proof: StateProof = serde_json::from_str(&text).unwrap();
    let client = client();
    let verified = client.verify_state(&proof).expect("the vector verifies");
    let set = ValidatorSet::from_bytes(&verified.value.unwrap()).unwrap();
    assert_eq!(set.len(), 4);
    let handed_over = hex::decode(&proof.handoffs[0].set).unwrap();
    assert_eq!(set.to_bytes(), handed_over, "the set the handoff names");
    for (what, copy) in tampered(&text) {
        let copy: StateProof = serde_json::from_value(copy).unwrap();
        assert!(
            client.verify_state(&copy).is_err(),
            "{what} changed, still verifies"
        );
    }
}
