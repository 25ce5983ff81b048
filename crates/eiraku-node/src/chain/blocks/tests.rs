//! A faulty proposer's block, whose state root claims a post-state that
//! breaks a money invariant, is refused by every validator's real check,
//! while the honest block with the same transactions is accepted.

use super::*;
use crate::chain::{open_for_test, test_genesis};
use commonware_parallel::Sequential;
use commonware_runtime::{deterministic, Runner as _};
use eiraku_core::{
    Amount, Call, CoinUnit, CurrencyCode, EconomyCode, GenesisAccount, GenesisContribution,
    GenesisEconomy, Keypair, MoneyGenesis, Role, Transaction,
};
use eiraku_state::invariants::Invariant;

const BANK_A: u64 = 30;
const BANK_B: u64 = 31;

/// One economy (JP) whose genesis contribution backs two banks' opening
/// balances.
fn money_genesis() -> Genesis {
    let bank = |seed: u64| GenesisAccount {
        id: Keypair::from_seed(seed).account_id(),
        balance: Amount(1_000),
        label: String::new(),
        role: Some(Role::Bank {
            economy: EconomyCode::new("JP").unwrap(),
        }),
        bank: None,
        travel_key: None,
    };
    let usd = CurrencyCode::new("USD").unwrap();
    let mut genesis = test_genesis("faulty-proposer", vec![bank(BANK_A), bank(BANK_B)]);
    genesis.money = Some(MoneyGenesis {
        unit: CoinUnit::Single { currency: usd },
        numeraire: usd,
        max_rate_age_ms: 60_000,
        travel_rule_threshold: Amount(1_000_000),
        issuer: Keypair::from_seed(1).account_id(),
        economies: vec![GenesisEconomy {
            code: EconomyCode::new("JP").unwrap(),
            currency: CurrencyCode::new("JPY").unwrap(),
            central_bank: Keypair::from_seed(2).account_id(),
            regulator: Keypair::from_seed(3).account_id(),
            regulator_travel_key: None,
            rate: "0.0067".parse().unwrap(),
            tiers: vec![],
            contribution: Some(GenesisContribution {
                instrument: "JP-GENESIS".into(),
                face: Amount(100_000_000),
                yield_bps: 100,
                maturity_ms: 1_000_000_000,
            }),
        }],
    });
    eiraku_state::validate_genesis(&genesis).expect("opening balances are backed");
    genesis
}

fn payment(genesis: &Genesis) -> SignedTransaction {
    let payer = Keypair::from_seed(BANK_A);
    SignedTransaction::sign(
        Transaction {
            chain_id: genesis.chain_id.clone(),
            sender: payer.account_id(),
            nonce: 0,
            call: Call::Transfer {
                to: Keypair::from_seed(BANK_B).account_id(),
                amount: Amount(10),
            },
        },
        &payer,
    )
}

/// `state` with `coins` more in `holder`'s account and no bonds behind them.
fn minted(state: &State, holder: u64, coins: u128) -> State {
    let mut accounts = state.accounts().clone();
    let id = Keypair::from_seed(holder).account_id();
    accounts.get_mut(&id).expect("a holder").balance.0 += coins;
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

/// What a faulty proposer sends instead of `honest`: its transactions
/// executed on the parent state, then coins minted into a bank, and the
/// state root of that post-state, computed as [`Chain::build`] does.
async fn forge(proposer: &Chain, honest: &Block, parent: &Block, parent_state: &State) -> Block {
    let header = &honest.header;
    let mut state = parent_state.clone();
    let env = BlockEnv {
        height: header.height,
        timestamp_ms: header.timestamp_ms,
    };
    state.execute_block(&env, &honest.transactions).unwrap();
    let forged = minted(&state, BANK_B, 1_000_000);
    let money = forged.money().unwrap();
    let broken = money
        .check_invariants(forged.accounts(), forged.authority())
        .expect_err("coins without bonds");
    assert_eq!(broken.invariant, Invariant::MoneyBacking);
    let (pending, _) = proposer
        .speculate(parent, parent_state, &forged)
        .await
        .unwrap();
    Block::new(
        header.context.clone(),
        header.parent,
        header.height,
        header.timestamp_ms,
        pending.root(),
        honest.transactions.clone(),
    )
}

#[test]
fn a_block_claiming_coins_without_bonds_is_refused_and_the_honest_one_accepted() {
    deterministic::Runner::default().start(|context| async move {
        let genesis = money_genesis();
        let dirs: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
        let proposer = open_for_test(&context, "proposer", dirs[0].path(), &genesis).await;
        let mut validators = Vec::new();
        for (name, dir) in ["v1", "v2", "v3"].into_iter().zip(&dirs[1..]) {
            validators.push(open_for_test(&context, name, dir.path(), &genesis).await);
        }
        assert!(proposer.admit(vec![payment(&genesis)], &Sequential)[0].is_ok());
        let parent = proposer.genesis_block().clone();
        let parent_state = proposer.finalized_state();
        let honest = proposer
            .build(parent.header.context.clone(), &parent, &parent_state, 5)
            .await
            .unwrap();
        assert_eq!(honest.transactions, vec![payment(&genesis)]);
        let forged = forge(&proposer, &honest, &parent, &parent_state).await;
        assert_ne!(forged.header.state_root, honest.header.state_root);

        for validator in &validators {
            assert!(
                !validator
                    .check(&forged, &parent, &parent_state, &Sequential)
                    .await
            );
            assert!(validator.state_after(&forged.hash()).is_none());
            let refusal = validator
                .verdict(&forged, &parent, &parent_state, &Sequential)
                .await;
            assert!(
                matches!(refusal, Err(Refusal::StateRootDiffers { claimed, computed })
                    if claimed == forged.header.state_root && computed == honest.header.state_root),
                "{refusal:?}"
            );
            assert!(
                validator
                    .check(&honest, &parent, &parent_state, &Sequential)
                    .await
            );
            let paid = validator.state_after(&honest.hash()).unwrap();
            let payee = Keypair::from_seed(BANK_B).account_id();
            assert_eq!(paid.account(&payee).unwrap().balance, Amount(1_010));
        }
    });
}
