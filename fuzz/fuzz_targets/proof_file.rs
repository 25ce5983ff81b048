//! Proof files (notary, transaction, state) come from anyone; the light
//! client checks them offline.
#![no_main]

use eiraku_core::{
    proof::{LightClient, NotaryProof, StateProof, TxProof},
    ChainId, Genesis, GenesisValidator, Keypair,
};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn light_client() -> &'static LightClient {
    static CLIENT: OnceLock<LightClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let genesis = Genesis {
            chain_id: ChainId::new("fuzz").unwrap(),
            genesis_time_ms: 0,
            validators: (0..4)
                .map(|i| GenesisValidator {
                    name: format!("v{i}"),
                    public_key: Keypair::from_seed(i).account_id(),
                    p2p_address: "127.0.0.1:1".parse().unwrap(),
                    api_address: "127.0.0.1:2".parse().unwrap(),
                })
                .collect(),
            accounts: vec![],
            money: None,
            governance: None,
            key_replacement_delay_ms: None,
            reviewers: vec![],
            // Epochs, so that handoffs in fuzzed proofs are followed.
            epoch_length: Some(10),
        };
        LightClient::from_genesis(&genesis).unwrap()
    })
}

// No fuzzer input carries a quorum's signatures, so every proof must fail
// with a reason; nothing may panic.
fuzz_target!(|data: &[u8]| {
    let light = light_client();
    if let Ok(proof) = serde_json::from_slice::<NotaryProof>(data) {
        assert!(light.verify_notary(&proof, b"file").is_err());
    }
    if let Ok(proof) = serde_json::from_slice::<TxProof>(data) {
        assert!(light.verify_tx(&proof).is_err());
    }
    if let Ok(proof) = serde_json::from_slice::<StateProof>(data) {
        assert!(light.verify_state(&proof).is_err());
    }
});
