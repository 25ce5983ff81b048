//! A transaction's proof, fetched once from a running network, verifies with
//! nothing but the genesis file; flipping any byte of its header,
//! transaction, Merkle path or certificate makes it fail with a reason.

mod common;

use common::TestNetwork;
use eiraku_core::{
    proof::{LightClient, ProofError, TxProof},
    Genesis, Keypair,
};
use std::time::{Duration, Instant};

/// The proof with one byte of one hex field flipped.
fn flipped(proof: &TxProof, field: usize, index: usize) -> TxProof {
    let mut proof = proof.clone();
    let text = match field {
        0 => &mut proof.header,
        1 => &mut proof.transaction,
        2 => &mut proof.path,
        _ => &mut proof.certificate,
    };
    let mut bytes = hex::decode(&*text).unwrap();
    bytes[index] ^= 0x01;
    *text = hex::encode(bytes);
    proof
}

fn field_len(proof: &TxProof, field: usize) -> usize {
    let text = [
        &proof.header,
        &proof.transaction,
        &proof.path,
        &proof.certificate,
    ][field];
    text.len() / 2
}

#[test]
fn a_transaction_proof_verifies_offline_and_every_flipped_byte_fails() {
    let network = TestNetwork::start(4);
    let (alice, bob) = (network.key("alice"), network.key("bob"));
    let tx = network.transfer(&alice, 0, &bob, 5);
    let client = network.client(1);
    client.submit(&tx).unwrap();
    client
        .wait_finalized(&tx.hash(), Duration::from_secs(60))
        .unwrap();
    // The certificate is stored just after the block is applied.
    let deadline = Instant::now() + Duration::from_secs(30);
    let proof = loop {
        match client.tx_proof(&tx.hash()) {
            Ok(proof) => break proof,
            Err(error) => {
                assert!(Instant::now() < deadline, "no proof: {error}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    let genesis: Genesis = serde_json::from_str(
        &std::fs::read_to_string(network.path().join("genesis.json")).unwrap(),
    )
    .unwrap();
    drop(network); // from here on, no node: only the genesis file and the proof

    let light = LightClient::from_genesis(&genesis).unwrap();
    let verified = light.verify_tx(&proof).unwrap();
    assert_eq!(verified.transaction, tx);
    assert!(verified.height >= 1);
    assert!(verified.timestamp_ms >= genesis.genesis_time_ms);

    for field in 0..4 {
        for index in 0..field_len(&proof, field) {
            let bad = flipped(&proof, field, index);
            let error = light
                .verify_tx(&bad)
                .expect_err("a flipped byte must not verify");
            assert!(!error.to_string().is_empty());
        }
    }
    // The reasons name what is wrong.
    let mut moved = proof.clone();
    moved.position += 1;
    assert!(matches!(
        light.verify_tx(&moved),
        Err(ProofError::NotInBlock(_))
    ));
    let mut other_chain = proof.clone();
    other_chain.chain_id = "another".into();
    assert!(matches!(
        light.verify_tx(&other_chain),
        Err(ProofError::WrongChain { .. })
    ));
    let mut other_validators = genesis.clone();
    // Replace every key: a quorum of the real set may not include any single one of them.
    for (i, validator) in other_validators.validators.iter_mut().enumerate() {
        validator.public_key = Keypair::from_seed(77 + i as u64).account_id();
    }
    let stranger = LightClient::from_genesis(&other_validators).unwrap();
    assert_eq!(
        stranger.verify_tx(&proof),
        Err(ProofError::CertificateInvalid),
        "another validator set did not sign it"
    );
}
