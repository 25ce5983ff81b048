use super::*;
use eiraku_core::{Amount, Call, Genesis, GenesisAccount, Keypair, SignedTransaction, Transaction};
use eiraku_state::{BlockEnv, ExecutionError};

#[test]
fn batched_commit_indexes_every_receipt_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let alice = Keypair::from_seed(1);
    let bob = Keypair::from_seed(2);
    let genesis = Genesis {
        chain_id: ChainId::new("store-test").unwrap(),
        genesis_time_ms: 0,
        validators: vec![],
        accounts: vec![GenesisAccount {
            id: alice.account_id(),
            balance: Amount(10),
            label: String::new(),
            role: None,
            bank: None,
            travel_key: None,
        }],
        money: None,
        governance: None,
        key_replacement_delay_ms: None,
        epoch_length: None,
        reviewers: vec![],
    };
    let transfer = |nonce, amount| {
        SignedTransaction::sign(
            Transaction {
                chain_id: genesis.chain_id.clone(),
                sender: alice.account_id(),
                nonce,
                call: Call::Transfer {
                    to: bob.account_id(),
                    amount: Amount(amount),
                },
            },
            &alice,
        )
    };
    let mut state = State::from_genesis(&genesis);
    let mut blocks = Vec::new();
    let mut receipts = Vec::new();
    let mut states = Vec::new();
    let mut changes = Vec::new();
    let mut parent = Block::genesis(alice.public_key(), 0, eiraku_core::hash(&[b"root 0"]));
    for (height, amounts) in [(1u64, vec![4, 100]), (2, vec![6])] {
        let txs: Vec<SignedTransaction> = amounts
            .iter()
            .enumerate()
            .map(|(i, amount)| transfer(blocks.len() as u64 * 2 + i as u64, *amount))
            .collect();
        let env = BlockEnv {
            height,
            timestamp_ms: height,
        };
        let before = state.clone();
        receipts.push(state.execute_block(&env, &txs).unwrap());
        changes.push(state.changes_since(&before));
        let block = Block::new(
            parent.header.context.clone(),
            parent.hash(),
            height,
            height,
            eiraku_core::hash(&[b"root", &height.to_be_bytes()]),
            txs,
        );
        parent = block.clone();
        blocks.push(block);
        states.push(state.clone());
    }
    // Block 2 uses nonce 2 (block 1 used 0 and 1).
    assert_eq!(blocks[1].transactions[0].transaction.nonce, 2);
    let batch: Vec<FinalizedBlock<'_>> = (0..2)
        .map(|i| FinalizedBlock {
            block: &blocks[i],
            receipts: &receipts[i],
            changes: &changes[i],
        })
        .collect();
    let store = Store::open(&path).unwrap();
    for block in &blocks {
        store.put_block(&block.hash(), block).unwrap();
    }
    store.commit(&batch).unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.applied_height().unwrap(), Some(2));
    for block_receipts in &receipts {
        for receipt in block_receipts {
            assert_eq!(
                store.receipt(&receipt.tx_hash).unwrap().as_ref(),
                Some(receipt)
            );
        }
    }
    assert_eq!(
        receipts[0][1].outcome,
        Outcome::Failed(ExecutionError::InsufficientFunds {
            balance: Amount(6),
            needed: Amount(100)
        })
    );
    assert_eq!(store.block(2).unwrap().as_ref(), Some(&blocks[1]));
    let loaded = store.load_state(genesis.chain_id.clone()).unwrap().unwrap();
    assert_eq!(loaded, states[1]);
    assert_eq!(store.receipt(&[7u8; 32].into()).unwrap(), None);
    // A hash sharing only the indexed first half is not found.
    let mut lookalike: [u8; 32] = receipts[0][0].tx_hash.as_ref().try_into().unwrap();
    lookalike[31] ^= 1;
    assert_eq!(store.receipt(&lookalike.into()).unwrap(), None);

    // A node serving the console indexes each account's transactions:
    // the blocks it already holds when the index is turned on, newest
    // first, paged by place.
    let (alice_id, bob_id) = (alice.account_id(), bob.account_id());
    assert_eq!(store.account_history_through().unwrap(), 0);
    assert!(store.account_history(&bob_id, None, 10).unwrap().is_empty());
    assert_eq!(store.index_account_history(100).unwrap(), (2, 2));
    assert_eq!(
        store.account_history(&bob_id, None, 10).unwrap(),
        [(2, 0), (1, 1), (1, 0)]
    );
    assert_eq!(
        store.account_history(&alice_id, None, 2).unwrap(),
        [(2, 0), (1, 1)]
    );
    assert_eq!(
        store.account_history(&alice_id, Some((1, 1)), 10).unwrap(),
        [(1, 0)]
    );
    // It records how far it went: the next call (or a restart) resumes
    // there; a small step stops after the block that filled it.
    assert_eq!(store.account_history_through().unwrap(), 2);
    assert_eq!(store.index_account_history(100).unwrap(), (2, 2));
    store.stop_account_history().unwrap();
    assert_eq!(store.index_account_history(1).unwrap(), (1, 2));
    assert_eq!(store.account_history_through().unwrap(), 1);
    let stranger = Keypair::from_seed(3).account_id();
    assert!(store
        .account_history(&stranger, None, 10)
        .unwrap()
        .is_empty());
    // A node whose console is turned off forgets how far it went, and
    // indexes every block anew when it is on again.
    store.stop_account_history().unwrap();
    assert_eq!(store.account_history_through().unwrap(), 0);
    assert_eq!(store.index_account_history(100).unwrap(), (2, 2));
    assert_eq!(
        store.account_history(&bob_id, Some((2, 0)), 10).unwrap(),
        [(1, 1), (1, 0)]
    );

    // A clean stop moves the blocks from the journal into sorted tables.
    assert_eq!(store.blocks.segment_count(), 0);
    let guard = store.close().unwrap();
    assert!(store.blocks.segment_count() >= 1);
    drop(guard);
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.block(2).unwrap().as_ref(), Some(&blocks[1]));
    assert_eq!(store.applied_height().unwrap(), Some(2));
    drop(store);

    // After a crash the commits live in the journal: damage there is
    // refused at open with a typed error, not read as data.
    let crashed = dir.path().join("crashed");
    {
        let store = Store::open(&crashed).unwrap();
        for item in &batch {
            store.put_block(&item.block.hash(), item.block).unwrap();
            store.commit(std::slice::from_ref(item)).unwrap();
        }
    }
    let needle = blocks[0].encode().to_vec();
    let journal = std::fs::read_dir(crashed.join(JOURNALS))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            std::fs::read(path)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle.as_slice())
        })
        .expect("block 1 is in the journal");
    let mut bytes = std::fs::read(&journal).unwrap();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
        .unwrap();
    bytes[at + 10] ^= 0x01;
    std::fs::write(&journal, bytes).unwrap();
    assert!(matches!(Store::open(&crashed), Err(StoreError::Journal(_))));
    // Its tables hold nothing yet; the cleanly closed store's hold all.
    let copy = Store::open_tables_only(&crashed, &dir.path().join("copy1")).unwrap();
    assert_eq!(copy.last_block_height().unwrap(), None);
    let copy = Store::open_tables_only(&path, &dir.path().join("copy2")).unwrap();
    assert_eq!(copy.last_block_height().unwrap(), Some(2));
    assert_eq!(copy.block(2).unwrap().as_ref(), Some(&blocks[1]));
}

#[test]
fn a_folder_of_the_old_layout_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let old = engine_config(dir.path()).open().unwrap();
    old.open_partition("accounts", PartitionCreateOptions::default())
        .unwrap();
    drop(old);
    let error = Store::open(dir.path()).err().expect("refused");
    assert!(matches!(error, StoreError::Outdated), "{error}");
    assert!(error.to_string().contains("start a new chain"), "{error}");
}

#[test]
fn the_money_state_and_money_receipts_survive_reopen() {
    use eiraku_core::{
        CoinUnit, CurrencyCode, EconomyCode, GenesisEconomy, MoneyCall, MoneyGenesis,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let (issuer, central_bank) = (Keypair::from_seed(1), Keypair::from_seed(2));
    let usd = CurrencyCode::new("USD").unwrap();
    let genesis = Genesis {
        chain_id: ChainId::new("store-money").unwrap(),
        genesis_time_ms: 1_000,
        validators: vec![],
        accounts: vec![],
        money: Some(MoneyGenesis {
            unit: CoinUnit::Single { currency: usd },
            numeraire: usd,
            max_rate_age_ms: 60_000,
            travel_rule_threshold: Amount(100),
            issuer: issuer.account_id(),
            economies: vec![GenesisEconomy {
                code: EconomyCode::new("JP").unwrap(),
                currency: CurrencyCode::new("JPY").unwrap(),
                central_bank: central_bank.account_id(),
                regulator: Keypair::from_seed(3).account_id(),
                regulator_travel_key: None,
                rate: "0.0067".parse().unwrap(),
                tiers: vec![],
                contribution: None,
            }],
        }),
        governance: None,
        key_replacement_delay_ms: None,
        epoch_length: None,
        reviewers: vec![],
    };
    let call = |key: &Keypair, nonce, call| {
        SignedTransaction::sign(
            Transaction {
                chain_id: genesis.chain_id.clone(),
                sender: key.account_id(),
                nonce,
                call: Call::Money(call),
            },
            key,
        )
    };
    let txs = vec![
        call(
            &central_bank,
            0,
            MoneyCall::PostRate {
                rate: "0.007".parse().unwrap(),
            },
        ),
        // Refused: the issuer is not a central bank.
        call(
            &issuer,
            0,
            MoneyCall::PostRate {
                rate: "1".parse().unwrap(),
            },
        ),
        SignedTransaction::sign(
            Transaction {
                chain_id: genesis.chain_id.clone(),
                sender: issuer.account_id(),
                nonce: 1,
                call: Call::Registry(eiraku_core::registry::RegistryCall::Anchor {
                    root: eiraku_core::hash(&[b"minutes"]),
                    leaves: 1,
                }),
            },
            &issuer,
        ),
    ];
    let mut state = State::from_genesis(&genesis);
    let genesis_block = Block::genesis(issuer.public_key(), 1_000, eiraku_core::hash(&[b"root 0"]));
    let env = BlockEnv {
        height: 1,
        timestamp_ms: 2_000,
    };
    let receipts = state.execute_block(&env, &txs).unwrap();
    let block = Block::new(
        genesis_block.header.context.clone(),
        genesis_block.hash(),
        1,
        2_000,
        eiraku_core::hash(&[b"root 1"]),
        txs,
    );
    // As at a node's first commit: every entry (the regulator's account
    // included, which no transaction touched).
    let store = Store::open(&path).unwrap();
    store.put_block(&block.hash(), &block).unwrap();
    store
        .commit(&[FinalizedBlock {
            block: &block,
            receipts: &receipts,
            changes: &state.all_entries(),
        }])
        .unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    let loaded = store.load_state(genesis.chain_id.clone()).unwrap().unwrap();
    assert_eq!(state.registry().anchors().len(), 1);
    assert!(state.authority().len() >= 3);
    assert_eq!(
        loaded, state,
        "accounts, roles, anchors, money state and block time come back"
    );
    assert_eq!(loaded.timestamp_ms(), 2_000);
    let refused = store.receipt(&receipts[1].tx_hash).unwrap().unwrap();
    assert_eq!(
        refused.outcome,
        Outcome::Failed(ExecutionError::Money(
            eiraku_state::MoneyError::NotCentralBank
        ))
    );
}

#[test]
fn the_last_handoff_before_a_height_is_read_alone_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.last_handoff_before(u64::MAX).unwrap(), None);
        store.put_handoff(19, b"set-a", b"proof-a").unwrap();
        store.put_handoff(39, b"set-b", b"proof-b").unwrap();
    }
    let store = Store::open(&path).unwrap();
    let b = (39, b"set-b".to_vec(), b"proof-b".to_vec());
    assert_eq!(
        store.last_handoff_before(u64::MAX).unwrap(),
        Some(b.clone())
    );
    assert_eq!(store.last_handoff_before(40).unwrap(), Some(b.clone()));
    let a = (19, b"set-a".to_vec(), b"proof-a".to_vec());
    assert_eq!(store.last_handoff_before(39).unwrap(), Some(a.clone()));
    assert_eq!(store.last_handoff_before(19).unwrap(), None);
    assert_eq!(store.handoffs_before(u64::MAX).unwrap(), vec![a, b]);
}

#[test]
fn supply_points_live_beside_the_envelopes_without_meeting_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for height in [3u64, 1, 7, 5] {
        store
            .put_supply_point(height, &height.to_be_bytes())
            .unwrap();
    }
    // An envelope whose digest starts like a supply key is not a point.
    let mut lookalike = [0u8; 32];
    lookalike[..SUPPLY_PREFIX.len()].copy_from_slice(SUPPLY_PREFIX);
    store
        .put_travel_envelope(&Digest::from(lookalike), b"sealed")
        .unwrap();
    let heights = |limit| -> Vec<u64> {
        let points = store.supply_points(limit).unwrap();
        points.into_iter().map(|(h, _)| h).collect()
    };
    assert_eq!(heights(10), [1, 3, 5, 7]);
    assert_eq!(heights(2), [5, 7]);
    store.delete_supply_point(3).unwrap();
    assert_eq!(heights(10), [1, 5, 7]);

    // A batch whose root is not anchored is not kept.
    let (leaf, root) = (
        eiraku_core::hash(&[b"minutes"]),
        eiraku_core::hash(&[b"root"]),
    );
    store.put_notary_batch(&root, &[leaf]).unwrap();
    assert_eq!(store.notary_leaf(&leaf).unwrap(), None);
}
