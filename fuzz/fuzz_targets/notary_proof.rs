//! Proof files come from anyone; the light client checks them offline.
#![no_main]

use eiraku_core::{
    proof::{LightClient, NotaryProof},
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
        };
        LightClient::from_genesis(&genesis).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(proof) = serde_json::from_slice::<NotaryProof>(data) {
        // Forged proofs fail with a reason; nothing panics.
        assert!(light_client().verify_notary(&proof, b"file").is_err());
    }
});
