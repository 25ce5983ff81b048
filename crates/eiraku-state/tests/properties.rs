//! Property tests: random blocks of valid and invalid transfers never create
//! or destroy value, and a rejected block leaves the state untouched.

use eiraku_core::{
    Amount, Call, ChainId, Genesis, GenesisAccount, Keypair, SignedTransaction, Transaction,
};
use eiraku_state::{BlockEnv, State};
use proptest::prelude::*;

const USERS: u64 = 6;

fn genesis() -> Genesis {
    Genesis {
        chain_id: ChainId::new("prop").unwrap(),
        genesis_time_ms: 0,
        validators: vec![],
        accounts: (0..USERS / 2)
            .map(|i| GenesisAccount {
                id: Keypair::from_seed(i).account_id(),
                balance: Amount(1_000),
                label: format!("user{i}"),
                role: None,
                bank: None,
                travel_key: None,
            })
            .collect(),
        money: None,
        governance: None,
        key_replacement_delay_ms: None,
        epoch_length: None,
        reviewers: vec![],
    }
}

/// (sender seed, nonce offset from the correct one, recipient seed, amount)
fn step() -> impl Strategy<Value = (u64, i8, u64, u128)> {
    (
        0..USERS,
        prop_oneof![8 => Just(0i8), 1 => -1i8..=2],
        0..USERS,
        0u128..1_500,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn supply_is_conserved_and_bad_blocks_change_nothing(blocks in prop::collection::vec(prop::collection::vec(step(), 0..12), 1..8)) {
        let genesis = genesis();
        let mut state = State::from_genesis(&genesis);
        let supply = state.total_supply();
        for (height, block) in blocks.iter().enumerate() {
            let mut nonces = std::collections::BTreeMap::new();
            let txs: Vec<SignedTransaction> = block.iter().map(|(from, offset, to, amount)| {
                let key = Keypair::from_seed(*from);
                let next = nonces.entry(*from).or_insert_with(|| state.account(&key.account_id()).map(|a| a.nonce).unwrap_or(0));
                let nonce = (*next as i64 + *offset as i64).max(0) as u64;
                *next += 1;
                SignedTransaction::sign(Transaction {
                    chain_id: genesis.chain_id.clone(),
                    sender: key.account_id(),
                    nonce,
                    call: Call::Transfer { to: Keypair::from_seed(*to).account_id(), amount: Amount(*amount) },
                }, &key)
            }).collect();
            let before = state.clone();
            let env = BlockEnv { height: height as u64 + 1, timestamp_ms: height as u64 };
            match state.execute_block(&env, &txs) {
                Ok(receipts) => prop_assert_eq!(receipts.len(), txs.len()),
                Err(_) => {
                    prop_assert_eq!(&state, &before);
                    prop_assert!(state.changes_since(&before).is_empty());
                }
            }
            prop_assert_eq!(state.total_supply(), supply);
        }
    }
}
