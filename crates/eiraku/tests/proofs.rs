//! Transaction and state proofs, fetched once from a running network, verify
//! with nothing but the genesis file: a transaction's inclusion, an
//! account's state and an anchor (key-value proofs under the state root),
//! and the absence of an account and of an anchor. Flipping any byte of a
//! proof's header, certificate, transaction, path, key-value proof or value
//! makes it fail with a reason (every byte for the transaction proof; a
//! property test over random flips for the state and notary proofs). A
//! transaction proof also holds through a certified descendant's
//! certificate and the headers linking to it.

mod common;

use common::TestNetwork;
use commonware_codec::Encode;
use eiraku_core::RegistryKey;
use eiraku_core::{
    merkle,
    proof::{LightClient, NotaryProof, ProofError, StateProof, TxProof},
    registry::RegistryCall,
    AccountId, Call, Genesis, Keypair, SignedTransaction, StateKey, Transaction,
};
use eiraku_node::store::decode_block;
use proptest::{prelude::*, sample::Index, test_runner::TestRunner};
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

/// Polls `fetch` until it succeeds: certificates are stored just after
/// their block is applied.
fn eventually<T, E: std::fmt::Display>(mut fetch: impl FnMut() -> Result<T, E>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match fetch() {
            Ok(value) => return value,
            Err(error) => {
                assert!(Instant::now() < deadline, "no proof: {error}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// The hex fields of a state proof that hold evidence (not the question).
fn evidence(proof: &mut StateProof) -> Vec<&mut String> {
    let mut fields = vec![&mut proof.header, &mut proof.certificate, &mut proof.proof];
    fields.extend(proof.value.iter_mut());
    fields
}

#[test]
fn transaction_state_and_notary_proofs_verify_offline_and_flipped_bytes_fail() {
    let network = TestNetwork::start(4);
    let (alice, bob) = (network.key("alice"), network.key("bob"));
    let tx = network.transfer(&alice, 0, &bob, 5);
    let client = network.client(1);
    client.submit(&tx).unwrap();
    let tx_height = client
        .wait_finalized(&tx.hash(), Duration::from_secs(60))
        .unwrap()
        .receipt
        .unwrap()
        .height;
    let proof = eventually(|| client.tx_proof(&tx.hash()));
    // The headers after the transaction's block up to a certified one, and
    // that one's certificate: how a block finalized only through a
    // descendant (consensus finalizes ancestors with a block) is proven.
    let (descendants, descendant_certificate) = {
        let mut headers = Vec::new();
        let mut at = tx_height + 1;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(
                Instant::now() < deadline,
                "no certified block after {tx_height}"
            );
            let view = client.audit_blocks(at, 1).unwrap();
            let Some(item) = view.blocks.first() else {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            };
            let block = decode_block(&hex::decode(&item.block).unwrap()).unwrap();
            headers.push(hex::encode(block.header.encode()));
            if let Some(certificate) = &item.certificate {
                break (headers, certificate.clone());
            }
            at += 1;
        }
    };
    // Bob notarizes a batch of three documents; the proof is for the second.
    let documents: Vec<Vec<u8>> = (0..3)
        .map(|i| format!("document {i}").into_bytes())
        .collect();
    let digests: Vec<_> = documents.iter().map(|d| eiraku_core::hash(&[d])).collect();
    let anchor = SignedTransaction::sign(
        Transaction {
            chain_id: network.net.genesis().chain_id.clone(),
            sender: bob.account_id(),
            nonce: 0,
            call: Call::Registry(RegistryCall::Anchor {
                root: merkle::root(&digests),
                leaves: 3,
            }),
        },
        &bob,
    );
    client.notarize(&anchor).unwrap();
    client
        .wait_finalized(&anchor.hash(), Duration::from_secs(60))
        .unwrap();
    let notary =
        NotaryProof::build(&digests, 1, eventually(|| client.tx_proof(&anchor.hash()))).unwrap();
    // Entries of the ledger and registry modules, present and absent.
    let anchored = StateKey::Registry(RegistryKey::Anchor(merkle::root(&digests)));
    let asked = [
        StateKey::Account(alice.account_id()),
        StateKey::Account(AccountId::from_bytes([0x5a; 32])),
        anchored,
        StateKey::Registry(RegistryKey::Anchor(eiraku_core::hash(&[b"never anchored"]))),
    ];
    let state_proofs: Vec<StateProof> = asked
        .iter()
        .map(|key| eventually(|| client.state_proof(key)))
        .collect();
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
    // The same transaction, proven through a descendant's certificate.
    let mut through = proof.clone();
    through.descendants = descendants;
    through.certificate = descendant_certificate;
    assert_eq!(light.verify_tx(&through).unwrap().height, verified.height);
    let mut unlinked = through.clone();
    unlinked.descendants.clear();
    assert_eq!(
        light.verify_tx(&unlinked),
        Err(ProofError::CertificateForAnotherBlock)
    );
    for index in 0..through.descendants[0].len() / 2 {
        let mut bad = through.clone();
        let mut bytes = hex::decode(&bad.descendants[0]).unwrap();
        bytes[index] ^= 0x01;
        bad.descendants[0] = hex::encode(bytes);
        assert!(
            light.verify_tx(&bad).is_err(),
            "flipped descendant byte {index}"
        );
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
    let stranger_set = LightClient::from_genesis(&other_validators).unwrap();
    assert_eq!(
        stranger_set.verify_tx(&proof),
        Err(ProofError::CertificateInvalid),
        "another validator set did not sign it"
    );

    // State proofs: alice's account after her payment, the anchor, and
    // two absences.
    let [alice_proof, nobody, anchor_proof, no_anchor] = state_proofs.as_slice() else {
        unreachable!()
    };
    let alice_state = light.verify_state(alice_proof).unwrap();
    assert_eq!(alice_state.key, StateKey::Account(alice.account_id()));
    let alice_state = eiraku_core::Account::from_bytes(&alice_state.value.expect("alice exists"))
        .expect("an account's value");
    assert_eq!(alice_state.nonce, 1);
    assert!(alice_state.balance.0 > 0);
    let first = light.verify_state(anchor_proof).unwrap();
    let first = eiraku_state::registry::FirstAnchor::from_bytes(&first.value.unwrap()).unwrap();
    assert_eq!(
        first.tx_hash,
        anchor.hash(),
        "the state names the first anchoring"
    );
    for (proof, key) in [(nobody, asked[1]), (no_anchor, asked[3])] {
        let verified = light.verify_state(proof).unwrap();
        assert_eq!((verified.key, verified.value), (key, None));
    }
    // A proof of absence cannot be turned into one of presence, nor moved
    // to a key that is present (it may hold for another absent key in the
    // same gap between neighbouring keys: that is true, not a forgery); a
    // presence proof does not hold another value.
    let mut claims_value = nobody.clone();
    claims_value.value = Some(alice_proof.value.clone().unwrap());
    assert_eq!(
        light.verify_state(&claims_value),
        Err(ProofError::NotInState)
    );
    let mut asks_another = nobody.clone();
    asks_another.key = asked[0].to_string();
    assert_eq!(
        light.verify_state(&asks_another),
        Err(ProofError::NotInState)
    );
    let mut another_value = alice_proof.clone();
    another_value.value = Some(hex::encode([0u8; 24]));
    assert_eq!(
        light.verify_state(&another_value),
        Err(ProofError::NotInState)
    );
    assert_eq!(
        stranger_set.verify_state(alice_proof).map(|v| v.value),
        Err(ProofError::CertificateInvalid)
    );

    // Property: any flipped evidence byte of any state proof fails.
    let mut runner = TestRunner::default();
    runner
        .run(
            &(0..state_proofs.len(), any::<Index>(), any::<Index>(), 1u8..),
            |(which, field, byte, mask)| {
                let mut bad = state_proofs[which].clone();
                let mut fields = evidence(&mut bad);
                let text = fields.swap_remove(field.index(fields.len()));
                let mut bytes = hex::decode(&*text).unwrap();
                let index = byte.index(bytes.len());
                bytes[index] ^= mask;
                *text = hex::encode(bytes);
                let result = light.verify_state(&bad);
                prop_assert!(result.is_err(), "a flipped byte verified: {:?}", result);
                prop_assert!(!result.unwrap_err().to_string().is_empty());
                Ok(())
            },
        )
        .unwrap();
    // The notary proof: valid for its document only, and any flipped byte
    // of any of its fields (its anchor's included) fails.
    assert!(light.verify_notary(&notary, &documents[1]).is_ok());
    assert!(light.verify_notary(&notary, &documents[0]).is_err());
    runner
        .run(
            &(any::<Index>(), any::<Index>(), 1u8..),
            |(field, byte, mask)| {
                let mut bad = notary.clone();
                let mut fields = vec![
                    &mut bad.file_sha256,
                    &mut bad.batch_path,
                    &mut bad.anchor.header,
                    &mut bad.anchor.transaction,
                    &mut bad.anchor.path,
                    &mut bad.anchor.certificate,
                ];
                let text = fields.swap_remove(field.index(fields.len()));
                let mut bytes = hex::decode(&*text).unwrap();
                let index = byte.index(bytes.len());
                bytes[index] ^= mask;
                *text = hex::encode(bytes);
                let result = light.verify_notary(&bad, &documents[1]);
                prop_assert!(result.is_err(), "a flipped byte verified: {:?}", result);
                Ok(())
            },
        )
        .unwrap();

    // Every byte of every state proof's key-value proof, flipped in turn.
    for proof in &state_proofs {
        for index in 0..proof.proof.len() / 2 {
            let mut bad = proof.clone();
            let mut bytes = hex::decode(&bad.proof).unwrap();
            bytes[index] ^= 0x01;
            bad.proof = hex::encode(bytes);
            assert!(
                light.verify_state(&bad).is_err(),
                "flipped proof byte {index}"
            );
        }
    }
}
