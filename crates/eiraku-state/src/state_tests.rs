//! Tests of `state`.

use super::*;
use eiraku_core::{Call, GenesisAccount, Keypair, StateKey, Transaction};

fn genesis() -> Genesis {
    Genesis {
        chain_id: ChainId::new("unit").unwrap(),
        genesis_time_ms: 0,
        validators: vec![],
        accounts: vec![GenesisAccount {
            id: Keypair::from_seed(1).account_id(),
            balance: Amount(100),
            label: "alice".into(),
            role: None,
            bank: None,
            travel_key: None,
        }],
        money: None,
        governance: None,
        key_replacement_delay_ms: None,
        epoch_length: None,
        reviewers: vec![],
    }
}

fn transfer(key: &Keypair, chain: &str, nonce: u64, to: u64, amount: u128) -> SignedTransaction {
    SignedTransaction::sign(
        Transaction {
            chain_id: ChainId::new(chain).unwrap(),
            sender: key.account_id(),
            nonce,
            call: Call::Transfer {
                to: Keypair::from_seed(to).account_id(),
                amount: Amount(amount),
            },
        },
        key,
    )
}

const ENV: BlockEnv = BlockEnv {
    height: 1,
    timestamp_ms: 1,
};

#[test]
fn admission_errors_are_typed() {
    let state = State::from_genesis(&genesis());
    let alice = Keypair::from_seed(1);
    let stranger = Keypair::from_seed(5);
    assert!(matches!(
        state.check_admission(&transfer(&alice, "other", 0, 2, 1)),
        Err(AdmissionError::WrongChainId { .. })
    ));
    assert!(matches!(
        state.check_admission(&transfer(&stranger, "unit", 0, 2, 1)),
        Err(AdmissionError::UnknownAccount(_))
    ));
    assert!(matches!(
        state.check_admission(&transfer(&alice, "unit", 1, 2, 1)),
        Err(AdmissionError::NonceGap {
            expected: 0,
            got: 1,
            ..
        })
    ));
    assert_eq!(
        state.check_admission(&transfer(&alice, "unit", 0, 2, 1)),
        Ok(())
    );
}

#[test]
fn replayed_nonce_rejects_the_block_and_changes_nothing() {
    let mut state = State::from_genesis(&genesis());
    let alice = Keypair::from_seed(1);
    let first = transfer(&alice, "unit", 0, 2, 10);
    state
        .execute_block(&ENV, std::slice::from_ref(&first))
        .unwrap();
    let before = state.clone();
    let err = state
        .execute_block(
            &BlockEnv {
                height: 2,
                timestamp_ms: 2,
            },
            &[transfer(&alice, "unit", 1, 3, 5), first],
        )
        .unwrap_err();
    assert_eq!(err.index, 1);
    assert!(matches!(
        err.error,
        AdmissionError::NonceUsed {
            expected: 2,
            got: 0,
            ..
        }
    ));
    assert_eq!(state, before);
}

#[test]
fn overspend_fails_in_its_receipt_and_consumes_the_nonce() {
    let mut state = State::from_genesis(&genesis());
    let alice = Keypair::from_seed(1);
    let receipts = state
        .execute_block(&ENV, &[transfer(&alice, "unit", 0, 2, 101)])
        .unwrap();
    assert_eq!(
        receipts[0].outcome,
        Outcome::Failed(ExecutionError::InsufficientFunds {
            balance: Amount(100),
            needed: Amount(101)
        })
    );
    let account = state.account(&alice.account_id()).unwrap();
    assert_eq!((account.balance, account.nonce), (Amount(100), 1));
    assert_eq!(state.account(&Keypair::from_seed(2).account_id()), None);
}

#[test]
fn a_call_is_checked_before_its_account_writes_land() {
    let state = State::from_genesis(&genesis());
    let alice = Keypair::from_seed(1);
    let env = BlockEnv {
        height: 1,
        timestamp_ms: 1,
    };
    let good = transfer(&alice, "unit", 0, 2, 40);
    let bad = transfer(&alice, "unit", 0, 2, 400);
    state.dry_run(&good).unwrap();
    assert!(state.dry_run(&bad).is_err());
    let mut scratch = state.clone();
    let writes = scratch.run_checked(&good, &env, &mut ()).unwrap();
    assert_eq!(writes.len(), 2, "payer and payee");
    assert!(scratch.run_checked(&bad, &env, &mut ()).is_err());
    assert!(
        scratch.accounts().ptr_eq(state.accounts()),
        "neither a good nor a failed call wrote the shared map"
    );
    scratch.apply_checked(&good, &env, &mut ()).unwrap();
    let bob = Keypair::from_seed(2).account_id();
    assert_eq!(scratch.account(&bob).map(|a| a.balance), Some(Amount(40)));
    assert_eq!(state.account(&bob), None);
}

#[test]
fn a_block_changes_exactly_the_accounts_it_wrote() {
    let genesis_state = State::from_genesis(&genesis());
    let mut state = genesis_state.clone();
    let alice = Keypair::from_seed(1);
    let bob = Keypair::from_seed(2).account_id();
    state
        .execute_block(&ENV, &[transfer(&alice, "unit", 0, 2, 40)])
        .unwrap();
    let keys: Vec<StateKey> = state
        .changes_since(&genesis_state)
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    assert_eq!(
        keys,
        vec![
            StateKey::Account(alice.account_id()).min(StateKey::Account(bob)),
            StateKey::Account(alice.account_id()).max(StateKey::Account(bob)),
        ]
    );
    let rebuilt = State::restore(
        state.chain_id().clone(),
        1,
        1,
        state.accounts().clone(),
        Authority::default(),
        None,
    );
    assert_eq!(rebuilt, state);
    assert_eq!(state.total_supply(), Amount(100));
}
