//! Property tests over untrusted bytes: the decoders never panic, and
//! whatever they accept re-encodes to exactly the input (one encoding per
//! value).

use commonware_codec::{Copying, DecodeExt, Encode};
use eiraku_core::{
    Amount, Block, Call, ChainId, Keypair, SignedTransaction, Transaction, Validator,
    ValidatorChange, ValidatorSet,
};
use proptest::prelude::*;

fn valid_transaction(nonce: u64, amount: u128) -> Vec<u8> {
    let key = Keypair::from_seed(nonce % 5);
    SignedTransaction::sign(
        Transaction {
            chain_id: ChainId::new("prop").unwrap(),
            sender: key.account_id(),
            nonce,
            call: Call::Transfer {
                to: Keypair::from_seed(9).account_id(),
                amount: Amount(amount),
            },
        },
        &key,
    )
    .to_bytes()
}

fn valid_set(seed: u64) -> Vec<u8> {
    let validators = (seed..seed + 4).map(|i| Validator {
        key: Keypair::from_seed(i).account_id(),
        p2p_address: std::net::SocketAddr::from(([10, 0, 0, i as u8], 9000)),
    });
    ValidatorSet::new(validators.collect()).unwrap().to_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic_and_accepted_bytes_are_canonical(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(tx) = SignedTransaction::from_bytes(&bytes) {
            prop_assert_eq!(tx.to_bytes(), bytes.clone());
        }
        if let Ok(block) = Block::decode(Copying(&bytes)) {
            prop_assert_eq!(block.encode().to_vec(), bytes.clone());
        }
        // Validator sets arrive in light-client handoffs; changes in proposals.
        if let Some(set) = ValidatorSet::from_bytes(&bytes) {
            prop_assert_eq!(set.to_bytes(), bytes.clone());
        }
        if let Ok(change) = ValidatorChange::decode(Copying(&bytes)) {
            prop_assert_eq!(change.encode().to_vec(), bytes);
        }
    }

    #[test]
    fn mutated_validator_sets_decode_canonically_or_not_at_all(
        seed in 0u64..1000,
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = valid_set(seed);
        for (index, value) in flips {
            let i = index.index(bytes.len());
            bytes[i] ^= value;
        }
        if let Some(set) = ValidatorSet::from_bytes(&bytes) {
            prop_assert_eq!(set.to_bytes(), bytes);
        }
    }

    #[test]
    fn mutated_transactions_decode_canonically_or_not_at_all(
        nonce in any::<u64>(),
        amount in any::<u128>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = valid_transaction(nonce, amount);
        for (index, value) in flips {
            let i = index.index(bytes.len());
            bytes[i] ^= value;
        }
        match SignedTransaction::from_bytes(&bytes) {
            Ok(tx) => prop_assert_eq!(tx.to_bytes(), bytes.clone()),
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
        let truncated = &bytes[..cut.index(bytes.len())];
        prop_assert!(SignedTransaction::from_bytes(truncated).is_err());
    }
}
