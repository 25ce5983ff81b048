//! `eiraku verify --home` names the money invariant a stored block breaks.
//! A faulty validator's data folder holds, on top of a real money chain, a
//! block whose state root claims coins minted without bonds behind them
//! (`money.backing`), with that state kept as its own: verify reports the
//! root it cannot reproduce and the invariant the kept state breaks.

mod common;

use common::TestNetwork;
use eiraku::state_roots::StateRoots;
use eiraku_core::{AccountId, Block, Digest, Genesis, SignedTransaction, StateKey};
use eiraku_node::store::{FinalizedBlock, Store};
use eiraku_state::{BlockEnv, Outcome, State};
use std::{path::Path, time::Duration};

fn verify(home: &Path) -> (bool, String) {
    common::run_cli(&["verify", "--home", &home.display().to_string()])
}

/// `state` with `coins` more in `holder`'s account and no bonds behind them.
fn minted(state: &State, holder: &AccountId, coins: u128) -> State {
    let mut accounts = state.accounts().clone();
    accounts.get_mut(holder).expect("a holder").balance.0 += coins;
    State::restore(
        state.chain_id().clone(),
        state.height(),
        state.timestamp_ms(),
        accounts,
        state.authority().clone(),
        state.money().cloned(),
    )
    .with_registry(state.registry().clone())
}

/// The state root of `forged` as the block after the stored chain's top,
/// computed as validators compute roots: the chain replayed from genesis
/// into a fresh authenticated state (each root checked against its block's
/// header), then `forged`'s changes written on top.
fn root_after_chain(store: &Store, genesis: &Genesis, forged: &State) -> Digest {
    let roots = StateRoots::start().unwrap();
    let mut state = State::from_genesis(genesis);
    roots.root_after(0, state.all_entries()).unwrap();
    for height in 1..forged.height() {
        let block = store.block(height).unwrap().unwrap();
        let before = state.clone();
        let env = BlockEnv {
            height,
            timestamp_ms: block.header.timestamp_ms,
        };
        state.execute_block(&env, &block.transactions).unwrap();
        let root = roots.root_after(height, state.changes_since(&before));
        assert_eq!(
            root.unwrap(),
            block.header.state_root,
            "replay as the chain"
        );
    }
    roots
        .root_after(forged.height(), forged.changes_since(&state))
        .unwrap()
}

/// Applies the blocks marshal stored above the applied height (finalized
/// but not yet applied when the node stopped), as the node does when it
/// starts again: the forged block then comes after every stored one, and
/// takes no honest block's place (nor its certificate).
fn apply_stored_blocks(store: &Store, genesis: &Genesis) {
    let mut state = store.load_state(genesis.chain_id.clone()).unwrap().unwrap();
    while let Some(block) = store.block(state.height() + 1).unwrap() {
        let env = BlockEnv {
            height: block.header.height,
            timestamp_ms: block.header.timestamp_ms,
        };
        let before = state.clone();
        let receipts = state.execute_block(&env, &block.transactions).unwrap();
        store
            .commit(&[FinalizedBlock {
                block: &block,
                receipts: &receipts,
                changes: &state.changes_since(&before),
            }])
            .unwrap();
    }
}

/// What a faulty validator persists after applying a faulty proposer's
/// block: `payment` executed on the applied state, then `coins` minted into
/// `holder`; the header's state root is that post-state's, which its store
/// then keeps. No certificate: honest validators never sign such a block.
/// (Its authenticated state, which verify does not read, is left alone.)
/// Returns the block's height.
fn persist_forged_block(
    home: &Path,
    network: &TestNetwork,
    payment: SignedTransaction,
    holder: &AccountId,
    coins: u128,
) -> u64 {
    let store = Store::open(&home.join("data").join("store")).unwrap();
    apply_stored_blocks(&store, network.net.genesis());
    let top = store.applied_height().unwrap().unwrap();
    let parent = store.block(top).unwrap().unwrap();
    let genesis = network.net.genesis();
    let parent_state = store.load_state(genesis.chain_id.clone()).unwrap().unwrap();
    let env = BlockEnv {
        height: top + 1,
        timestamp_ms: parent.header.timestamp_ms + 1,
    };
    let mut state = parent_state.clone();
    let receipts = state
        .execute_block(&env, std::slice::from_ref(&payment))
        .unwrap();
    assert_eq!(receipts[0].outcome, Outcome::Success);
    let forged = minted(&state, holder, coins);
    let root = root_after_chain(&store, genesis, &forged);
    let block = Block::new(
        parent.header.context.clone(),
        parent.hash(),
        env.height,
        env.timestamp_ms,
        root,
        vec![payment],
    );
    // The payment's writes, then the minted account's forged balance.
    let mut changes = state.changes_since(&parent_state);
    let minted_account = forged.account(holder).unwrap().to_bytes().to_vec();
    changes.push((StateKey::Account(*holder), Some(minted_account)));
    store.put_block(&block.hash(), &block).unwrap();
    store
        .commit(&[FinalizedBlock {
            block: &block,
            receipts: &receipts,
            changes: &changes,
        }])
        .unwrap();
    env.height
}

#[test]
fn verify_names_the_invariant_a_stored_block_breaks() {
    let mut network = TestNetwork::start_with(1, true);
    let (payer, payee) = (network.key("bank-jp-1"), network.key("bank-jp-2"));
    let paid = network.transfer(&payer, 0, &payee, 5);
    let client = network.client(0);
    client.submit(&paid).unwrap();
    let receipt = client
        .wait_finalized(&paid.hash(), Duration::from_secs(60))
        .unwrap()
        .receipt
        .unwrap();
    assert_eq!(
        receipt.outcome,
        eiraku_api::Outcome::Success,
        "{:?}",
        receipt.error
    );
    network.net.stop_all();
    let home = network.path().join("node0");
    let (ok, text) = verify(&home);
    assert!(ok, "the honest chain verifies:\n{text}");

    let payment = network.transfer(&payer, 1, &payee, 5);
    let height = persist_forged_block(&home, &network, payment, &payee.account_id(), 1_000);
    let (ok, text) = verify(&home);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!(
            "block {height}: state_root differs from re-execution; the node's kept state (block {height}): invariant broken: money.backing: "
        )),
        "names the block, the root and the invariant:\n{text}"
    );
}
