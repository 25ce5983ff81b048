//! The console's in-browser proof checker: `eiraku-core`'s light client
//! compiled to WebAssembly (`wasm32-unknown-unknown`). The node's build
//! script builds it and runs `wasm-bindgen` for the page's glue; the page
//! calls [`check`] with the genesis file, the proof file and, for a notary
//! proof, the notarized file's SHA-256 computed in the browser.

use eiraku_core::{proof::check_proof_file, proof::LightClient, Genesis};

/// The answer to a check, as JSON: a
/// [`ProofVerdict`](eiraku_core::proof::ProofVerdict), or `{"error": …}`
/// when a file is not what it should be.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen::prelude::wasm_bindgen)]
pub fn check(genesis: &str, proof: &str, file_sha256: &str, now_ms: u64) -> String {
    let refusal = |message: String| serde_json::json!({ "error": message }).to_string();
    let genesis = match serde_json::from_str::<Genesis>(genesis) {
        Ok(genesis) => genesis,
        Err(error) => {
            return refusal(format!(
                "this is not the genesis file of an Eiraku network ({error})"
            ))
        }
    };
    let light = match LightClient::from_genesis(&genesis) {
        Ok(light) => light,
        Err(error) => return refusal(format!("the genesis file: {error}")),
    };
    let file = Some(file_sha256).filter(|digest| !digest.is_empty());
    match check_proof_file(&light, proof, file, now_ms) {
        Ok(verdict) => serde_json::to_string(&verdict).expect("a verdict serializes"),
        Err(error) => refusal(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors");

    fn vector(name: &str) -> String {
        std::fs::read_to_string(format!("{VECTORS}/{name}")).unwrap()
    }

    fn answer(genesis: &str, proof: &str, file_sha256: &str) -> Value {
        serde_json::from_str(&check(genesis, proof, file_sha256, 0)).expect("JSON")
    }

    fn sha256_of(name: &str) -> String {
        let file = std::fs::read(format!("{VECTORS}/{name}")).unwrap();
        eiraku_core::digest::to_hex(&eiraku_core::hash(&[&file]))
    }

    #[test]
    fn the_vectors_check_as_the_light_client_says() {
        let genesis = vector("genesis.json");
        for name in ["tx-before-change", "tx-after-change", "state-after-change"] {
            let verdict = answer(&genesis, &vector(&format!("{name}.proof.json")), "");
            assert_eq!(verdict["valid"], true, "{name}: {verdict}");
        }
        let notary = vector("minutes.txt.proof.json");
        let verdict = answer(&genesis, &notary, &sha256_of("minutes.txt"));
        assert_eq!(verdict["kind"], "notary");
        assert_eq!(verdict["valid"], true, "{verdict}");
        let other_file = answer(&genesis, &notary, &sha256_of("contract.txt"));
        assert_eq!(other_file["valid"], false, "{other_file}");
    }

    #[test]
    fn a_changed_proof_or_another_validator_set_is_refused() {
        let genesis = vector("genesis.json");
        let proof = vector("tx-before-change.proof.json");
        let mut tampered: Value = serde_json::from_str(&proof).unwrap();
        let certificate = tampered["certificate"].as_str().unwrap().to_owned();
        let flipped = if certificate.ends_with('0') { '1' } else { '0' };
        let changed = format!("{}{flipped}", &certificate[..certificate.len() - 1]);
        tampered["certificate"] = Value::String(changed);
        let verdict = answer(&genesis, &tampered.to_string(), "");
        assert_eq!(verdict["valid"], false, "{verdict}");

        let mut forged: Value = serde_json::from_str(&genesis).unwrap();
        let validators = forged["validators"].as_array_mut().unwrap();
        validators.remove(0);
        let verdict = answer(&forged.to_string(), &proof, "");
        assert_eq!(verdict["valid"], false, "{verdict}");
    }

    fn error_of(answer: Value) -> String {
        answer["error"].as_str().expect("an error").to_owned()
    }

    #[test]
    fn what_is_not_a_proof_or_a_genesis_is_refused_in_words() {
        let genesis = vector("genesis.json");
        let refused =
            |genesis: &str, proof: &str, file: &str| error_of(answer(genesis, proof, file));
        assert!(refused("{\"hello\": 1}", "{}", "")
            .starts_with("this is not the genesis file of an Eiraku network (missing field"));
        assert_eq!(refused(&genesis, "not json", ""), "this is not JSON");
        let notary = vector("minutes.txt.proof.json");
        assert!(refused(&genesis, &notary, "")
            .contains("choose the file, or send its SHA-256 as file_sha256"));
        assert_eq!(
            refused(&genesis, &notary, "xyz"),
            "a file's SHA-256 is 64 hex characters"
        );
    }
}
