//! The `keys` module through signed transactions in blocks, read as the
//! people who hold the rules would attack them: a thief with an old key, a
//! bank that did not open the account, a bank completing early, a holder
//! cancelling too late.

use eiraku_core::{
    keys::KeyCall, AccountId, Amount, Call, ChainId, CoinUnit, CurrencyCode, EconomyCode, Genesis,
    GenesisAccount, GenesisEconomy, Keypair, MoneyCall, MoneyGenesis, RetailKind, Role,
    SignedTransaction, TierCaps, Transaction,
};
use eiraku_state::{keys::KeysError, AdmissionError, BlockEnv, ExecutionError, Outcome, State};

const START_MS: u64 = 1_800_000_000_000;
const DELAY_MS: u64 = 60_000;
const CB_JP: u64 = 10;
const CB_PH: u64 = 11;
const BANK_JP: u64 = 30;
const OTHER_BANK_JP: u64 = 31;
const ALICE: u64 = 40;
const PLAIN: u64 = 50;
const NEW_KEY: u64 = 60;
const THIEF_KEY: u64 = 61;

fn id(seed: u64) -> AccountId {
    Keypair::from_seed(seed).account_id()
}

fn genesis() -> Genesis {
    let usd = CurrencyCode::new("USD").unwrap();
    let member = |code: &str, cb: u64| GenesisEconomy {
        code: EconomyCode::new(code).unwrap(),
        currency: usd,
        central_bank: id(cb),
        regulator: id(cb + 100),
        regulator_travel_key: None,
        rate: "1".parse().unwrap(),
        tiers: vec![TierCaps {
            tier: 1,
            balance_cap: Amount(1_000_000),
            transfer_cap: Amount(1_000_000),
        }],
        contribution: None,
    };
    Genesis {
        chain_id: ChainId::new("keys").unwrap(),
        genesis_time_ms: START_MS,
        validators: vec![],
        accounts: vec![GenesisAccount {
            id: id(PLAIN),
            balance: Amount(0),
            label: "plain".into(),
            role: None,
            bank: None,
            travel_key: None,
        }],
        money: Some(MoneyGenesis {
            unit: CoinUnit::Single { currency: usd },
            numeraire: usd,
            max_rate_age_ms: 60_000,
            travel_rule_threshold: Amount(1_000),
            issuer: id(1),
            economies: vec![member("JP", CB_JP), member("PH", CB_PH)],
        }),
        governance: None,
        key_replacement_delay_ms: Some(DELAY_MS),
        epoch_length: None,
        reviewers: vec![],
    }
}

/// A chain run one block at a time, one millisecond apart unless told.
struct Chain {
    state: State,
    now_ms: u64,
}

impl Chain {
    /// Two banks of JP opened by its central bank, Alice opened by the first.
    fn opened() -> Self {
        let mut chain = Self {
            state: State::from_genesis(&genesis()),
            now_ms: START_MS,
        };
        let jp = EconomyCode::new("JP").unwrap();
        for bank in [BANK_JP, OTHER_BANK_JP] {
            let open = MoneyCall::OpenAccount {
                account: id(bank),
                role: Role::Bank { economy: jp },
            };
            chain.send(CB_JP, Call::Money(open)).unwrap();
        }
        let retail = Role::Retail {
            economy: jp,
            kind: RetailKind::Person,
            tier: 1,
        };
        let open = MoneyCall::OpenAccount {
            account: id(ALICE),
            role: retail,
        };
        chain.send(BANK_JP, Call::Money(open)).unwrap();
        chain
    }

    /// `call` from account `sender`, signed by the key of seed `signer`.
    fn signed(&self, sender: u64, signer: u64, call: Call) -> SignedTransaction {
        let nonce = self.state.account(&id(sender)).map_or(0, |a| a.nonce);
        let body = Transaction {
            chain_id: self.state.chain_id().clone(),
            sender: id(sender),
            nonce,
            call,
        };
        SignedTransaction::sign(body, &Keypair::from_seed(signer))
    }

    fn env(&mut self) -> BlockEnv {
        self.now_ms += 1;
        BlockEnv {
            height: self.state.height() + 1,
            timestamp_ms: self.now_ms,
        }
    }

    /// Runs a block of `txs`; a refused block leaves the state as it was.
    fn block(&mut self, txs: &[SignedTransaction]) -> Result<Vec<Outcome>, AdmissionError> {
        let env = self.env();
        let before = self.state.clone();
        match self.state.execute_block(&env, txs) {
            Ok(receipts) => Ok(receipts.into_iter().map(|r| r.outcome).collect()),
            Err(refused) => {
                assert_eq!(self.state, before, "a refused block changes nothing");
                Err(refused.error)
            }
        }
    }

    /// `call` from `sender`, signed by the key of seed `signer`, alone in a
    /// block that must be admitted.
    fn send_signed(&mut self, sender: u64, signer: u64, call: Call) -> Result<(), KeysError> {
        let tx = self.signed(sender, signer, call);
        match self.block(&[tx]).expect("admitted").remove(0) {
            Outcome::Success => Ok(()),
            Outcome::Failed(ExecutionError::Keys(error)) => Err(error),
            Outcome::Failed(other) => panic!("not a key error: {other}"),
        }
    }

    fn send(&mut self, sender: u64, call: Call) -> Result<(), KeysError> {
        self.send_signed(sender, sender, call)
    }

    fn key_of(&self, seed: u64) -> AccountId {
        self.state.keys().key_of(&id(seed))
    }
}

fn rotate(to: u64) -> Call {
    Call::Keys(KeyCall::Rotate { new_key: id(to) })
}

fn request(account: u64, new_key: u64) -> Call {
    Call::Keys(KeyCall::RequestReplacement {
        account: id(account),
        new_key: id(new_key),
    })
}

fn complete(account: u64) -> Call {
    Call::Keys(KeyCall::CompleteReplacement {
        account: id(account),
    })
}

const CANCEL: Call = Call::Keys(KeyCall::CancelReplacement);

fn transfer_to(to: u64) -> Call {
    Call::Transfer {
        to: id(to),
        amount: Amount(1),
    }
}

/// Bytes that do not decode as an Ed25519 point.
fn not_a_key() -> AccountId {
    (0u8..=255)
        .map(|b| AccountId::from_bytes([b; 32]))
        .find(|id| id.public_key().is_err())
        .expect("some byte pattern is not a point")
}

#[test]
fn after_a_rotation_only_the_new_key_signs() {
    let mut chain = Chain::opened();
    chain.send(ALICE, rotate(NEW_KEY)).unwrap();
    assert_eq!(chain.key_of(ALICE), id(NEW_KEY));

    // The old key (a thief's copy) no longer signs: the block is refused.
    let old = chain.signed(ALICE, ALICE, CANCEL);
    assert_eq!(
        chain.block(&[old]),
        Err(AdmissionError::WrongKey {
            sender: id(ALICE),
            signer: id(ALICE),
            expected: id(NEW_KEY),
        })
    );
    // Nor does a key that never signed for Alice, before or after.
    let stranger = chain.signed(BANK_JP, THIEF_KEY, CANCEL);
    assert!(matches!(
        chain.block(&[stranger]),
        Err(AdmissionError::WrongKey { .. })
    ));
    // The new key signs for Alice's account, whose id stays the same.
    assert_eq!(
        chain.send_signed(ALICE, NEW_KEY, CANCEL),
        Err(KeysError::NoReplacement { account: id(ALICE) })
    );
    // Rotating back to its own key removes the entry.
    chain.send_signed(ALICE, NEW_KEY, rotate(ALICE)).unwrap();
    assert_eq!(chain.key_of(ALICE), id(ALICE));
    assert_eq!(
        chain.send(ALICE, rotate(ALICE)),
        Err(KeysError::SameKey { key: id(ALICE) })
    );
}

#[test]
fn a_rotation_to_bytes_that_are_no_key_is_refused() {
    let mut chain = Chain::opened();
    let call = Call::Keys(KeyCall::Rotate {
        new_key: not_a_key(),
    });
    assert_eq!(
        chain.send(ALICE, call),
        Err(KeysError::InvalidKey { key: not_a_key() })
    );
    assert_eq!(chain.key_of(ALICE), id(ALICE));
}

#[test]
fn a_proposer_leaves_out_what_a_rotation_earlier_in_its_block_made_inadmissible() {
    let mut chain = Chain::opened();
    // Alice rotates, and a transfer she signed with the old key waits
    // behind it: the proposer keeps the rotation and leaves the rest out.
    let rotation = chain.signed(ALICE, ALICE, rotate(NEW_KEY));
    let mut stale = chain.signed(ALICE, ALICE, transfer_to(PLAIN));
    stale.transaction.nonce += 1;
    let stale = SignedTransaction::sign(stale.transaction, &Keypair::from_seed(ALICE));
    let other = chain.signed(BANK_JP, BANK_JP, CANCEL);
    let env = chain.env();
    let mut proposer = chain.state.clone();
    let candidates = vec![rotation.clone(), stale, other.clone()];
    let (kept, receipts) = proposer.execute_admissible(&env, candidates, &mut ());
    assert_eq!(kept, vec![rotation, other]);
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[1].index, 1);
    // A verifier running the kept block reaches the same state.
    chain.state.execute_block(&env, &kept).unwrap();
    assert_eq!(chain.state, proposer);
}

#[test]
fn the_opening_bank_replaces_a_lost_key_after_the_time_lock_unless_the_holder_cancels() {
    let mut chain = Chain::opened();
    // Only the bank that opened Alice may ask.
    assert_eq!(
        chain.send(OTHER_BANK_JP, request(ALICE, NEW_KEY)),
        Err(KeysError::NotAuthorityOf {
            account: id(ALICE),
            authority: id(BANK_JP).to_string(),
        })
    );
    // A thief who talked the bank into it is stopped by Alice's own key.
    chain.send(BANK_JP, request(ALICE, THIEF_KEY)).unwrap();
    let effective_ms = chain.now_ms + DELAY_MS;
    assert_eq!(
        chain.send(BANK_JP, request(ALICE, NEW_KEY)),
        Err(KeysError::ReplacementPending {
            account: id(ALICE),
            effective_ms,
        })
    );
    assert!(matches!(
        chain.send(BANK_JP, complete(ALICE)),
        Err(KeysError::TimeLocked { .. })
    ));
    chain.send(ALICE, CANCEL).unwrap();
    assert_eq!(
        chain.send(BANK_JP, complete(ALICE)),
        Err(KeysError::NoReplacement { account: id(ALICE) })
    );
    assert_eq!(chain.key_of(ALICE), id(ALICE));

    // Alice really lost her key: the lock runs out, and then it is too late
    // to cancel.
    chain.send(BANK_JP, request(ALICE, NEW_KEY)).unwrap();
    let effective_ms = chain
        .state
        .keys()
        .replacement(&id(ALICE))
        .unwrap()
        .effective_ms;
    chain.now_ms = effective_ms;
    assert_eq!(
        chain.send(ALICE, CANCEL),
        Err(KeysError::TooLateToCancel {
            account: id(ALICE),
            effective_ms,
        })
    );
    // Only the bank that asked completes it.
    assert_eq!(
        chain.send(OTHER_BANK_JP, complete(ALICE)),
        Err(KeysError::NotRequester {
            account: id(ALICE),
            requested_by: id(BANK_JP),
        })
    );
    chain.send(BANK_JP, complete(ALICE)).unwrap();
    assert_eq!(chain.key_of(ALICE), id(NEW_KEY));
    assert!(chain.state.keys().replacement(&id(ALICE)).is_none());
    assert!(matches!(
        chain.block(&[chain.signed(ALICE, ALICE, CANCEL)]),
        Err(AdmissionError::WrongKey { .. })
    ));
}

#[test]
fn a_bank_key_is_its_central_banks_to_replace_and_an_officials_is_governances() {
    let mut chain = Chain::opened();
    assert_eq!(
        chain.send(CB_PH, request(BANK_JP, NEW_KEY)),
        Err(KeysError::NotAuthorityOf {
            account: id(BANK_JP),
            authority: "the central bank of JP".into(),
        })
    );
    chain.send(CB_JP, request(BANK_JP, NEW_KEY)).unwrap();
    assert_eq!(
        chain.send(BANK_JP, request(CB_JP, NEW_KEY)),
        Err(KeysError::GovernanceReplaces { account: id(CB_JP) })
    );
    assert_eq!(
        chain.send(BANK_JP, request(PLAIN, NEW_KEY)),
        Err(KeysError::NoAuthority { account: id(PLAIN) })
    );
    let call = Call::Keys(KeyCall::RequestReplacement {
        account: id(ALICE),
        new_key: not_a_key(),
    });
    assert_eq!(
        chain.send(BANK_JP, call),
        Err(KeysError::InvalidKey { key: not_a_key() })
    );
}

#[test]
fn keys_and_replacements_are_entries_a_restarting_node_reads_back() {
    let mut chain = Chain::opened();
    let before = chain.state.clone();
    chain.send(ALICE, rotate(NEW_KEY)).unwrap();
    chain.send(CB_JP, request(BANK_JP, THIEF_KEY)).unwrap();
    let changed: Vec<String> = chain
        .state
        .changes_since(&before)
        .iter()
        .map(|(key, _)| key.to_string())
        .filter(|key| key.starts_with("keys/"))
        .collect();
    assert_eq!(
        changed,
        vec![
            format!("keys/key/{}", id(ALICE)),
            format!("keys/replacement/{}", id(BANK_JP)),
        ]
    );
    let entries = chain
        .state
        .all_entries()
        .into_iter()
        .map(|(key, value)| (key, value.unwrap()));
    let rebuilt = State::from_entries(
        chain.state.chain_id().clone(),
        chain.state.height(),
        chain.state.timestamp_ms(),
        entries,
    )
    .unwrap();
    assert_eq!(rebuilt.keys(), chain.state.keys());
    assert_eq!(rebuilt.keys().delay_ms(), DELAY_MS);
}

#[test]
fn a_genesis_time_lock_out_of_range_is_refused() {
    let mut short = genesis();
    short.key_replacement_delay_ms = Some(0);
    assert!(short
        .validate()
        .unwrap_err()
        .contains("key_replacement_delay_ms"));
}
