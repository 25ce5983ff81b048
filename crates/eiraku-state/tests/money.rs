//! The money module through the state machine's public door: signed
//! transactions executed in blocks. The life cycle of seed 004 step by step,
//! every role rule's refusal, the AML rules, and a property test that random
//! calls never break an invariant and that every refused call changes
//! nothing but its sender's nonce.

use eiraku_core::MoneyKey;
use eiraku_core::{
    hash, AccountId, Amount, BasketPart, Call, ChainId, CoinUnit, CurrencyCode, EconomyCode,
    Genesis, GenesisEconomy, Keypair, MoneyCall, MoneyGenesis, RetailKind, Role, SignedTransaction,
    StateKey, TierCaps, Transaction,
};
use eiraku_core::{travel_rule::TravelKey, GenesisAccount, GenesisContribution, GenesisValidator};
use eiraku_state::{
    accounts_touched_by,
    authority::{Authority, GrantRule},
    invariants::{check_money_change, Invariant},
    money::{Money, YEAR_MS},
    validate_genesis, Accounts, BlockEnv, Change, ExecutionError, ExecutionProbe, MoneyError,
    Outcome, State,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[path = "money/cash.rs"]
mod cash;
#[path = "money/kyc.rs"]
mod kyc;
#[path = "money/purse.rs"]
mod purse;
#[path = "money/registries.rs"]
mod registries;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const START_MS: u64 = 1_800_000_000_000;

/// Who is who: fixed seeds.
const ISSUER: u64 = 1;
const CB_JP: u64 = 10;
const CB_PH: u64 = 11;
const CB_TH: u64 = 12;
const REG_JP: u64 = 20;
const REG_PH: u64 = 21;
const REG_TH: u64 = 22;
const BANK_JP: u64 = 30;
const BANK_PH: u64 = 31;
const BANK_TH: u64 = 32;
const ALICE_JP: u64 = 40;
const MARIA_PH: u64 = 41;
const SHOP_TH: u64 = 42;

fn id(seed: u64) -> AccountId {
    Keypair::from_seed(seed).account_id()
}

fn economy(code: &str) -> EconomyCode {
    EconomyCode::new(code).unwrap()
}

fn currency(code: &str) -> CurrencyCode {
    CurrencyCode::new(code).unwrap()
}

/// Tier 1: balance cap 200,000, transfer cap 80,000 (coin minor units).
fn tier1() -> TierCaps {
    TierCaps {
        tier: 1,
        balance_cap: Amount(200_000),
        transfer_cap: Amount(80_000),
    }
}

/// Three economies; one ACU = 50 JPY + 10 PHP + 5 THB; rates in USD.
fn genesis() -> Genesis {
    let member = |code: &str, cur: &str, cb: u64, reg: u64, rate: &str| GenesisEconomy {
        code: economy(code),
        currency: currency(cur),
        central_bank: id(cb),
        regulator: id(reg),
        regulator_travel_key: None,
        rate: rate.parse().unwrap(),
        tiers: vec![tier1()],
        contribution: None,
    };
    let part = |cur: &str, quantity: &str| BasketPart {
        currency: currency(cur),
        quantity: quantity.parse().unwrap(),
    };
    Genesis {
        chain_id: ChainId::new("amro").unwrap(),
        genesis_time_ms: START_MS,
        validators: vec![],
        accounts: vec![],
        money: Some(MoneyGenesis {
            unit: CoinUnit::Basket {
                basket: vec![part("JPY", "50"), part("PHP", "10"), part("THB", "5")],
            },
            numeraire: currency("USD"),
            max_rate_age_ms: DAY_MS,
            travel_rule_threshold: Amount(50_000),
            issuer: id(ISSUER),
            economies: vec![
                member("JP", "JPY", CB_JP, REG_JP, "0.0067"),
                member("PH", "PHP", CB_PH, REG_PH, "0.0175"),
                member("TH", "THB", CB_TH, REG_TH, "0.028"),
            ],
        }),
        governance: None,
        key_replacement_delay_ms: None,
        epoch_length: None,
        reviewers: vec![],
    }
}

/// A chain executed one transaction per block.
struct Chain {
    state: State,
    now_ms: u64,
}

impl Chain {
    fn new() -> Self {
        Self::on(genesis())
    }

    fn on(genesis: Genesis) -> Self {
        genesis.money.as_ref().unwrap().validate().unwrap();
        Self {
            state: State::from_genesis(&genesis),
            now_ms: START_MS,
        }
    }

    fn tx(&self, seed: u64, call: Call) -> SignedTransaction {
        let key = Keypair::from_seed(seed);
        let nonce = self
            .state
            .account(&key.account_id())
            .map(|a| a.nonce)
            .unwrap_or(0);
        SignedTransaction::sign(
            Transaction {
                chain_id: self.state.chain_id().clone(),
                sender: key.account_id(),
                nonce,
                call,
            },
            &key,
        )
    }

    fn advance(&mut self, ms: u64) {
        self.now_ms += ms;
    }

    /// Executes one call in its own block; returns its outcome.
    fn send(&mut self, seed: u64, call: MoneyCall) -> Result<(), MoneyError> {
        self.send_call(seed, Call::Money(call))
    }

    fn send_call(&mut self, seed: u64, call: Call) -> Result<(), MoneyError> {
        let tx = self.tx(seed, call);
        self.now_ms += 1;
        let env = BlockEnv {
            height: self.state.height() + 1,
            timestamp_ms: self.now_ms,
        };
        let before = self.state.clone();
        let declared = accounts_touched_by(std::slice::from_ref(&tx));
        let receipts = self.state.execute_block(&env, &[tx]).expect("admissible");
        // A call writes only the accounts its module declares.
        for (key, _) in self.state.changes_since(&before) {
            if let StateKey::Account(account) = key {
                assert!(
                    declared.contains(&account),
                    "{account} written, not declared"
                );
            }
        }
        self.state
            .money()
            .unwrap()
            .check_invariants(self.state.accounts(), self.state.authority())
            .expect("invariants hold after every block");
        match &receipts[0].outcome {
            Outcome::Success => Ok(()),
            Outcome::Failed(ExecutionError::Money(error)) => Err(error.clone()),
            Outcome::Failed(other) => panic!("not a money error: {other}"),
        }
    }

    fn balance(&self, seed: u64) -> Amount {
        self.state
            .account(&id(seed))
            .map(|a| a.balance)
            .unwrap_or_default()
    }

    fn books(&self, code: &str) -> (Amount, Amount) {
        let books = &self.state.money().unwrap().economies[&economy(code)];
        (books.own_bonds, books.issued_bonds)
    }

    fn claim(&self, creditor: &str, debtor: &str) -> Amount {
        self.state
            .money()
            .unwrap()
            .claims
            .get(&(economy(creditor), economy(debtor)))
            .copied()
            .unwrap_or_default()
    }
}

fn retail(code: &str, kind: RetailKind) -> Role {
    Role::Retail {
        economy: economy(code),
        kind,
        tier: 1,
    }
}

fn pay(to: u64, amount: u128) -> MoneyCall {
    MoneyCall::Pay {
        to: id(to),
        amount: Amount(amount),
        travel_rule: None,
    }
}

fn contribute_jpy(face: u128) -> MoneyCall {
    MoneyCall::Contribute {
        instrument: "JP1051161J11".into(),
        currency: currency("JPY"),
        face: Amount(face),
        yield_bps: 100,
        maturity_ms: START_MS + 10 * YEAR_MS as u64,
    }
}

/// Banks and retail accounts of the three economies, opened by the rules.
fn opened() -> Chain {
    open_all(Chain::new())
}

/// Opens the three banks and their customers on `chain`.
fn open_all(mut chain: Chain) -> Chain {
    for (cb, bank, code) in [
        (CB_JP, BANK_JP, "JP"),
        (CB_PH, BANK_PH, "PH"),
        (CB_TH, BANK_TH, "TH"),
    ] {
        chain
            .send(
                cb,
                MoneyCall::OpenAccount {
                    account: id(bank),
                    role: Role::Bank {
                        economy: economy(code),
                    },
                },
            )
            .unwrap();
    }
    for (bank, account, code, kind) in [
        (BANK_JP, ALICE_JP, "JP", RetailKind::Person),
        (BANK_PH, MARIA_PH, "PH", RetailKind::Person),
        (BANK_TH, SHOP_TH, "TH", RetailKind::MERCHANT),
    ] {
        chain
            .send(
                bank,
                MoneyCall::OpenAccount {
                    account: id(account),
                    role: retail(code, kind),
                },
            )
            .unwrap();
    }
    chain
}

/// `opened`, plus 1,000,000 JPY contributed and accepted and 500,000 coins
/// issued to the Japanese bank.
fn funded() -> Chain {
    fund(opened())
}

/// 1,000,000 JPY contributed and accepted on `chain`, and 500,000 coins
/// issued to the Japanese bank.
fn fund(mut chain: Chain) -> Chain {
    chain.send(CB_JP, contribute_jpy(100_000_000)).unwrap();
    chain
        .send(ISSUER, MoneyCall::AcceptContribution { id: 0 })
        .unwrap();
    chain
        .send(
            CB_JP,
            MoneyCall::IssueCoins {
                bank: id(BANK_JP),
                amount: Amount(500_000),
            },
        )
        .unwrap();
    chain
}

#[test]
fn the_whole_life_cycle_keeps_the_books() {
    let mut chain = opened();
    // Contribute 1,000,000.00 JPY (face in sen). One ACU is
    // 50×0.0067 + 10×0.0175 + 5×0.028 = 0.65 USD, so the bonds are worth
    // 6,700 / 0.65 = 10,307.69 ACU (1,030,769 minor units, rounded down).
    chain.send(CB_JP, contribute_jpy(100_000_000)).unwrap();
    assert_eq!(
        chain.books("JP"),
        (Amount(0), Amount(0)),
        "nothing before acceptance"
    );
    chain
        .send(ISSUER, MoneyCall::AcceptContribution { id: 0 })
        .unwrap();
    assert_eq!(chain.books("JP"), (Amount(1_030_769), Amount(0)));

    // Issue coins to the bank: own → issued.
    chain
        .send(
            CB_JP,
            MoneyCall::IssueCoins {
                bank: id(BANK_JP),
                amount: Amount(500_000),
            },
        )
        .unwrap();
    assert_eq!(chain.books("JP"), (Amount(530_769), Amount(500_000)));
    assert_eq!(chain.balance(BANK_JP), Amount(500_000));

    // Bank → person → cross-border payment to a Thai shop (below the
    // travel-rule threshold, then above it with its data digest).
    chain.send(BANK_JP, pay(ALICE_JP, 150_000)).unwrap();
    chain.send(ALICE_JP, pay(SHOP_TH, 30_000)).unwrap();
    chain
        .send(
            ALICE_JP,
            MoneyCall::Pay {
                to: id(SHOP_TH),
                amount: Amount(60_000),
                travel_rule: Some(hash(&[b"sealed originator/beneficiary data"])),
            },
        )
        .unwrap();
    assert_eq!(chain.balance(ALICE_JP), Amount(60_000));
    assert_eq!(chain.balance(SHOP_TH), Amount(90_000));

    // Redeem in another economy: the shop cashes out at its bank, the bank
    // at the Thai central bank. Thailand issued nothing, so all 90,000 coins
    // are repatriated: Japan's issued bonds move back to its own account and
    // Thailand holds a claim on Japan.
    // (Two payments: the shop's tier caps a single transfer at 80,000.)
    chain.send(SHOP_TH, pay(BANK_TH, 80_000)).unwrap();
    chain.send(SHOP_TH, pay(BANK_TH, 10_000)).unwrap();
    chain
        .send(
            BANK_TH,
            MoneyCall::Redeem {
                amount: Amount(90_000),
            },
        )
        .unwrap();
    assert_eq!(chain.balance(BANK_TH), Amount(0));
    assert_eq!(chain.books("TH"), (Amount(0), Amount(0)));
    assert_eq!(chain.books("JP"), (Amount(620_769), Amount(410_000)));
    assert_eq!(chain.claim("TH", "JP"), Amount(90_000));
    assert_eq!(chain.state.money().unwrap().circulation(), Amount(410_000));

    // Settle: Japan records it, Thailand confirms, the claim clears.
    chain
        .send(
            CB_JP,
            MoneyCall::ProposeSettlement {
                creditor: economy("TH"),
                amount: Amount(90_000),
            },
        )
        .unwrap();
    assert_eq!(
        chain.claim("TH", "JP"),
        Amount(90_000),
        "not before confirmation"
    );
    assert_eq!(
        chain.send(CB_JP, MoneyCall::ConfirmSettlement { id: 0 }),
        Err(MoneyError::NotCreditor { id: 0 }),
        "the debtor cannot confirm its own settlement"
    );
    assert_eq!(
        chain.send(
            CB_JP,
            MoneyCall::ProposeSettlement {
                creditor: economy("TH"),
                amount: Amount(1),
            }
        ),
        Err(MoneyError::SettlementExceedsClaim {
            claim: Amount(0),
            amount: Amount(1)
        }),
        "a recorded settlement already covers the whole claim"
    );
    chain
        .send(CB_TH, MoneyCall::ConfirmSettlement { id: 0 })
        .unwrap();
    assert_eq!(chain.claim("TH", "JP"), Amount(0));

    // Seigniorage over one year of block time: 1% of 1,030,769 = 10,307
    // (rounded down), less 1,000 operating cost and 307 reserve, all to
    // Japan, the only contributor. No coin is minted.
    let accepted_ms = chain.state.money().unwrap().contributions[0]
        .accepted
        .unwrap()
        .accepted_ms;
    let closed_ms = chain.state.money().unwrap().seigniorage_closed_ms;
    chain.now_ms = accepted_ms + YEAR_MS as u64 - 1;
    chain
        .send(
            ISSUER,
            MoneyCall::CloseSeigniorage {
                operating_cost: Amount(1_000),
                reserve: Amount(307),
            },
        )
        .unwrap();
    let money = chain.state.money().unwrap();
    let period = money.seigniorage_periods.last().unwrap();
    assert_eq!(
        (period.from_ms, period.to_ms),
        (closed_ms, accepted_ms + YEAR_MS as u64)
    );
    assert_eq!(period.income, Amount(10_307));
    assert_eq!(period.shares[&economy("JP")], Amount(9_000));
    assert_eq!(money.economies[&economy("JP")].seigniorage, Amount(9_000));
    assert_eq!(
        money.circulation(),
        Amount(410_000),
        "seigniorage mints nothing"
    );
}

#[test]
fn redemption_within_the_economy_moves_bonds_back_without_claims() {
    let mut chain = funded();
    chain
        .send(
            BANK_JP,
            MoneyCall::Redeem {
                amount: Amount(200_000),
            },
        )
        .unwrap();
    assert_eq!(chain.books("JP"), (Amount(730_769), Amount(300_000)));
    assert!(chain.state.money().unwrap().claims.is_empty());
}

#[test]
fn repatriation_is_shared_pro_rata_among_issuing_economies() {
    let mut chain = funded();
    // The Philippines contributes and issues too: 300,000 out against
    // Japan's 500,000.
    chain
        .send(
            CB_PH,
            MoneyCall::Contribute {
                instrument: "PH-TBILL-1".into(),
                currency: currency("PHP"),
                face: Amount(20_000_000),
                yield_bps: 500,
                maturity_ms: START_MS + YEAR_MS as u64,
            },
        )
        .unwrap();
    chain
        .send(ISSUER, MoneyCall::AcceptContribution { id: 1 })
        .unwrap();
    chain
        .send(
            CB_PH,
            MoneyCall::IssueCoins {
                bank: id(BANK_PH),
                amount: Amount(300_000),
            },
        )
        .unwrap();
    chain.send(BANK_JP, pay(BANK_TH, 50_000)).unwrap_err();
    chain
        .send(
            BANK_JP,
            MoneyCall::Pay {
                to: id(BANK_TH),
                amount: Amount(50_000),
                travel_rule: Some(hash(&[b"data"])),
            },
        )
        .unwrap();
    chain.send(BANK_PH, pay(BANK_TH, 30_000)).unwrap();
    chain
        .send(
            BANK_TH,
            MoneyCall::Redeem {
                amount: Amount(80_001),
            },
        )
        .unwrap_err();
    chain
        .send(
            BANK_TH,
            MoneyCall::Redeem {
                amount: Amount(80_000),
            },
        )
        .unwrap();
    // 80,000 shared 5:3 → 50,000 from Japan, 30,000 from the Philippines.
    assert_eq!(chain.claim("TH", "JP"), Amount(50_000));
    assert_eq!(chain.claim("TH", "PH"), Amount(30_000));
    assert_eq!(chain.books("JP").1, Amount(450_000));
    assert_eq!(chain.books("PH").1, Amount(270_000));
}

#[test]
fn role_rules_refuse_everyone_else() {
    let mut chain = funded();
    let issue = |bank: u64| MoneyCall::IssueCoins {
        bank: id(bank),
        amount: Amount(1),
    };
    // Only central banks issue coins, and only to their own banks.
    assert_eq!(
        chain.send(BANK_JP, issue(BANK_JP)),
        Err(MoneyError::NotCentralBank)
    );
    assert_eq!(
        chain.send(ISSUER, issue(BANK_JP)),
        Err(MoneyError::NotCentralBank)
    );
    assert_eq!(
        chain.send(CB_JP, issue(BANK_TH)),
        Err(MoneyError::NotABankOf {
            account: id(BANK_TH),
            economy: economy("JP")
        })
    );
    // Persons and central banks do not open retail accounts; banks do not
    // open banks; no one opens a central bank.
    let open = |role: Role| MoneyCall::OpenAccount {
        account: id(99),
        role,
    };
    assert_eq!(
        chain.send(ALICE_JP, open(retail("JP", RetailKind::Person))),
        Err(MoneyError::OnlyBankOpensRetail)
    );
    assert_eq!(
        chain.send(CB_JP, open(retail("JP", RetailKind::Person))),
        Err(MoneyError::OnlyBankOpensRetail)
    );
    assert_eq!(
        chain.send(BANK_TH, open(retail("JP", RetailKind::MERCHANT))),
        Err(MoneyError::OnlyBankOpensRetail),
        "a Thai bank cannot open a Japanese account"
    );
    assert_eq!(
        chain.send(
            BANK_JP,
            open(Role::Bank {
                economy: economy("JP")
            })
        ),
        Err(MoneyError::OnlyCentralBankOpensBanks)
    );
    assert_eq!(
        chain.send(
            CB_TH,
            open(Role::Bank {
                economy: economy("JP")
            })
        ),
        Err(MoneyError::OnlyCentralBankOpensBanks)
    );
    assert_eq!(
        chain.send(
            CB_JP,
            open(Role::CentralBank {
                economy: economy("JP")
            })
        ),
        Err(MoneyError::RoleNotGrantable)
    );
    assert_eq!(
        chain.send(
            BANK_JP,
            MoneyCall::OpenAccount {
                account: id(99),
                role: Role::Retail {
                    economy: economy("JP"),
                    kind: RetailKind::Person,
                    tier: 7
                }
            }
        ),
        Err(MoneyError::UnknownTier {
            economy: economy("JP"),
            tier: 7
        })
    );
    assert_eq!(
        chain.send(BANK_JP, open(retail("JP", RetailKind::Person)).clone()),
        Ok(())
    );
    assert_eq!(
        chain.send(BANK_JP, open(retail("JP", RetailKind::Person))),
        Err(MoneyError::AccountExists { account: id(99) })
    );
    // Only the issuer accepts contributions and closes seigniorage periods.
    chain.send(CB_JP, contribute_jpy(1_000)).unwrap();
    assert_eq!(
        chain.send(CB_JP, MoneyCall::AcceptContribution { id: 1 }),
        Err(MoneyError::NotIssuer)
    );
    assert_eq!(
        chain.send(
            CB_JP,
            MoneyCall::CloseSeigniorage {
                operating_cost: Amount(0),
                reserve: Amount(0)
            }
        ),
        Err(MoneyError::NotIssuer)
    );
    // Only central banks contribute, post rates and set tiers.
    assert_eq!(
        chain.send(BANK_JP, contribute_jpy(1)),
        Err(MoneyError::NotCentralBank)
    );
    assert_eq!(
        chain.send(
            REG_JP,
            MoneyCall::PostRate {
                rate: "1".parse().unwrap()
            }
        ),
        Err(MoneyError::NotCentralBank)
    );
    // Only banks redeem.
    assert_eq!(
        chain.send(ALICE_JP, MoneyCall::Redeem { amount: Amount(1) }),
        Err(MoneyError::NotBank)
    );
    // The regulator of X cannot freeze in Y; a central bank cannot freeze.
    let freeze = |account: u64| MoneyCall::Freeze {
        account: id(account),
        reason: "investigation 7".into(),
    };
    assert_eq!(
        chain.send(REG_TH, freeze(ALICE_JP)),
        Err(MoneyError::NotRegulatorOf {
            account: id(ALICE_JP),
            economy: economy("TH")
        })
    );
    assert_eq!(
        chain.send(CB_JP, freeze(ALICE_JP)),
        Err(MoneyError::NotRegulator)
    );
    // Only the creditor confirms a settlement.
    assert_eq!(
        chain.send(CB_TH, MoneyCall::ConfirmSettlement { id: 0 }),
        Err(MoneyError::UnknownSettlement { id: 0 })
    );
}

#[test]
fn aml_rules_refuse_with_typed_errors() {
    let mut chain = funded();
    chain.send(BANK_JP, pay(ALICE_JP, 150_000)).unwrap();
    // Caps of tier 1: transfers up to 80,000, balances up to 200,000.
    assert_eq!(
        chain.send(ALICE_JP, pay(MARIA_PH, 80_001)),
        Err(MoneyError::TransferCapExceeded {
            cap: Amount(80_000),
            amount: Amount(80_001)
        })
    );
    assert_eq!(
        chain.send(BANK_JP, pay(ALICE_JP, 50_001)),
        Err(MoneyError::BalanceCapExceeded {
            account: id(ALICE_JP),
            cap: Amount(200_000),
            would_be: Amount(200_001)
        })
    );
    // The central bank tightens the tier; the regulator freezes.
    chain
        .send(
            CB_JP,
            MoneyCall::SetTierCaps {
                tier: 1,
                balance_cap: Amount(200_000),
                transfer_cap: Amount(10_000),
            },
        )
        .unwrap();
    assert!(matches!(
        chain.send(ALICE_JP, pay(BANK_JP, 10_001)),
        Err(MoneyError::TransferCapExceeded { .. })
    ));
    // Travel rule: cross-border from 50,000 needs the data digest.
    assert_eq!(
        chain.send(BANK_JP, pay(MARIA_PH, 50_000)),
        Err(MoneyError::TravelRuleRequired {
            threshold: Amount(50_000)
        })
    );
    chain.send(BANK_JP, pay(MARIA_PH, 49_999)).unwrap();
    assert_eq!(
        chain.send(
            REG_JP,
            MoneyCall::Freeze {
                account: id(ALICE_JP),
                reason: " ".into()
            }
        ),
        Err(MoneyError::ReasonRequired)
    );
    chain
        .send(
            REG_JP,
            MoneyCall::Freeze {
                account: id(ALICE_JP),
                reason: "court order 2026-113".into(),
            },
        )
        .unwrap();
    let frozen = MoneyError::AccountFrozen {
        account: id(ALICE_JP),
        reason: "court order 2026-113".into(),
    };
    assert_eq!(chain.send(ALICE_JP, pay(BANK_JP, 1)), Err(frozen.clone()));
    assert_eq!(chain.send(BANK_JP, pay(ALICE_JP, 1)), Err(frozen));
    // A plain transfer is a payment under the same rules.
    assert_eq!(
        chain.send_call(
            ALICE_JP,
            Call::Transfer {
                to: id(BANK_JP),
                amount: Amount(1)
            }
        ),
        Err(MoneyError::AccountFrozen {
            account: id(ALICE_JP),
            reason: "court order 2026-113".into(),
        })
    );
    chain
        .send(
            REG_JP,
            MoneyCall::Unfreeze {
                account: id(ALICE_JP),
                reason: "order lifted".into(),
            },
        )
        .unwrap();
    chain.send(ALICE_JP, pay(BANK_JP, 1)).unwrap();
    // Officials hold no coins.
    assert_eq!(
        chain.send(BANK_JP, pay(CB_JP, 1)),
        Err(MoneyError::NotCoinHolder { account: id(CB_JP) })
    );
}

#[test]
fn stale_rates_stop_valuation_until_posted_again() {
    let mut chain = opened();
    chain.send(CB_JP, contribute_jpy(1_000_000)).unwrap();
    chain.advance(DAY_MS + 1);
    assert_eq!(
        chain.send(ISSUER, MoneyCall::AcceptContribution { id: 0 }),
        Err(MoneyError::StaleRate {
            currency: currency("JPY"),
            posted_ms: START_MS,
            max_age_ms: DAY_MS
        })
    );
    for cb in [CB_JP, CB_PH] {
        let rate = if cb == CB_JP { "0.0067" } else { "0.0175" };
        chain
            .send(
                cb,
                MoneyCall::PostRate {
                    rate: rate.parse().unwrap(),
                },
            )
            .unwrap();
    }
    assert!(
        matches!(
            chain.send(ISSUER, MoneyCall::AcceptContribution { id: 0 }),
            Err(MoneyError::StaleRate { currency, .. }) if currency == CurrencyCode::new("THB").unwrap()
        ),
        "every basket rate must be fresh"
    );
    chain
        .send(
            CB_TH,
            MoneyCall::PostRate {
                rate: "0.028".parse().unwrap(),
            },
        )
        .unwrap();
    chain
        .send(ISSUER, MoneyCall::AcceptContribution { id: 0 })
        .unwrap();
    assert_eq!(
        chain.send(ISSUER, MoneyCall::AcceptContribution { id: 0 }),
        Err(MoneyError::AlreadyAccepted { id: 0 })
    );
}

#[test]
fn the_money_state_round_trips_and_roots_change_with_it() {
    let chain = funded();
    let money = chain.state.money().unwrap();
    let bytes = money.to_bytes();
    assert_eq!(
        &eiraku_state::money::Money::from_bytes(&bytes).unwrap(),
        money
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(eiraku_state::money::Money::from_bytes(&longer).is_err());
    assert!(eiraku_state::money::Money::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let before = chain.state.clone();
    let mut next = funded();
    next.send(
        CB_JP,
        MoneyCall::PostRate {
            rate: "0.0068".parse().unwrap(),
        },
    )
    .unwrap();
    let changed: Vec<StateKey> = next
        .state
        .changes_since(&before)
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    assert!(
        changed.contains(&StateKey::Money(MoneyKey::Economy(economy("JP")))),
        "{changed:?}"
    );
}

fn entries(changes: &[Change]) -> BTreeMap<StateKey, Vec<u8>> {
    changes
        .iter()
        .map(|(key, value)| (*key, value.clone().expect("a whole state has no removals")))
        .collect()
}

/// Actors the property test draws from.
const ACTORS: [u64; 13] = [
    ISSUER, CB_JP, CB_PH, CB_TH, REG_JP, REG_PH, REG_TH, BANK_JP, BANK_PH, BANK_TH, ALICE_JP,
    MARIA_PH, SHOP_TH,
];

fn any_call() -> impl Strategy<Value = (usize, MoneyCall)> {
    let actor = 0..ACTORS.len();
    let target = (0..ACTORS.len()).prop_map(|i| id(ACTORS[i]));
    let amount =
        prop_oneof![0u128..200_000, Just(0u128), 1_000_000u128..2_000_000].prop_map(Amount);
    let code = prop_oneof![Just("JP"), Just("PH"), Just("TH")].prop_map(economy);
    let call = prop_oneof![
        (target.clone(), amount.clone(), any::<bool>()).prop_map(|(to, amount, data)| {
            MoneyCall::Pay {
                to,
                amount,
                travel_rule: data.then(|| hash(&[b"data"])),
            }
        }),
        (target.clone(), amount.clone())
            .prop_map(|(bank, amount)| MoneyCall::IssueCoins { bank, amount }),
        amount
            .clone()
            .prop_map(|amount| MoneyCall::Redeem { amount }),
        (0u64..4).prop_map(|id| MoneyCall::AcceptContribution { id }),
        (0u64..4).prop_map(|id| MoneyCall::WithdrawContribution { id }),
        (
            amount.clone(),
            prop_oneof![Just("JPY"), Just("THB"), Just("USD"), Just("EUR")]
        )
            .prop_map(|(face, cur)| MoneyCall::Contribute {
                instrument: "BOND".into(),
                currency: currency(cur),
                face: Amount(face.0 * 100),
                yield_bps: 300,
                maturity_ms: START_MS + YEAR_MS as u64,
            }),
        (target.clone(), any::<bool>()).prop_map(|(account, on)| if on {
            MoneyCall::Freeze {
                account,
                reason: "r".into(),
            }
        } else {
            MoneyCall::Unfreeze {
                account,
                reason: "r".into(),
            }
        }),
        (code.clone(), amount.clone())
            .prop_map(|(creditor, amount)| MoneyCall::ProposeSettlement { creditor, amount }),
        (0u64..3).prop_map(|id| MoneyCall::ConfirmSettlement { id }),
        (amount.clone(), amount.clone()).prop_map(|(operating_cost, reserve)| {
            MoneyCall::CloseSeigniorage {
                operating_cost,
                reserve,
            }
        }),
        (target.clone(), 0u8..3).prop_map(|(account, tier)| MoneyCall::ChangeTier {
            account,
            tier,
            attestation: None,
        }),
        (target, any::<bool>()).prop_map(|(account, bank)| MoneyCall::OpenAccount {
            account,
            role: if bank {
                Role::Bank {
                    economy: economy("JP"),
                }
            } else {
                retail("JP", RetailKind::Person)
            },
        }),
    ];
    (actor, call)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_calls_never_break_an_invariant(calls in prop::collection::vec(any_call(), 1..40)) {
        let mut chain = funded();
        // A store fed only each block's changes holds every entry of the
        // state after it: the write-set misses nothing.
        let mut store = entries(&chain.state.all_entries());
        for (actor, call) in calls {
            let sender = id(ACTORS[actor]);
            let before = chain.state.clone();
            chain.advance(60_000);
            // `send` checks every invariant after the block.
            let outcome = chain.send(ACTORS[actor], call);
            // The rules refuse before writing: the per-transaction
            // invariant check never has to undo a legitimate call.
            prop_assert!(
                !matches!(outcome, Err(MoneyError::InvariantBroken { .. })),
                "{:?}", outcome
            );
            for (key, value) in chain.state.changes_since(&before) {
                match value {
                    Some(value) => store.insert(key, value),
                    None => store.remove(&key),
                };
            }
            prop_assert_eq!(&store, &entries(&chain.state.all_entries()));
            if outcome.is_err() {
                // Nothing changed but the sender's nonce.
                prop_assert_eq!(chain.state.money(), before.money());
                for (account, after) in chain.state.accounts() {
                    let was = before.account(account).copied().unwrap_or_default();
                    prop_assert_eq!(after.balance, was.balance);
                    let nonce = if *account == sender { was.nonce + 1 } else { was.nonce };
                    prop_assert_eq!(after.nonce, nonce);
                }
                prop_assert_eq!(chain.state.accounts().len(), before.accounts().len());
            }
        }
        // What a restarting node reads back from such a store is the state.
        prop_assert_eq!(&rebuilt_from(&store, &chain.state).unwrap(), &chain.state);
    }
}

/// `state`'s chain and height rebuilt from `entries` alone (accounts, roles
/// and every module's, in reverse key order: any order will do).
fn rebuilt_from(
    entries: &BTreeMap<StateKey, Vec<u8>>,
    state: &State,
) -> Result<State, eiraku_state::EntryError> {
    State::from_entries(
        state.chain_id().clone(),
        state.height(),
        state.timestamp_ms(),
        entries
            .iter()
            .rev()
            .map(|(key, value)| (*key, value.clone())),
    )
}

#[test]
fn a_state_is_rebuilt_from_its_entries_and_a_damaged_entry_is_named() {
    let mut chain = funded();
    chain.send(CB_JP, contribute_jpy(1_000)).unwrap();
    chain.send(CB_JP, contribute_jpy(2_000)).unwrap();
    let state = &chain.state;
    let whole = entries(&state.all_entries());
    assert_eq!(&rebuilt_from(&whole, state).unwrap(), state);

    let mut gap = whole.clone();
    gap.remove(&StateKey::Money(MoneyKey::Contribution(1)));
    let error = rebuilt_from(&gap, state).unwrap_err();
    assert_eq!(
        error.key,
        StateKey::Money(MoneyKey::Contribution(1)),
        "{error}"
    );

    let mut damaged = whole.clone();
    let jp = StateKey::Money(MoneyKey::Economy(economy("JP")));
    damaged.get_mut(&jp).unwrap().push(0);
    let error = rebuilt_from(&damaged, state).unwrap_err();
    assert_eq!(error.key, jp);
    assert!(error.to_string().contains("trailing bytes"), "{error}");

    let mut truncated = whole.clone();
    let config = truncated
        .get_mut(&StateKey::Money(MoneyKey::Config))
        .unwrap();
    config.pop();
    assert_eq!(
        rebuilt_from(&truncated, state).unwrap_err().key,
        StateKey::Money(MoneyKey::Config)
    );

    for kind in [
        StateKey::Account(id(ALICE_JP)),
        StateKey::Role(id(ALICE_JP)),
    ] {
        let mut damaged = whole.clone();
        damaged.get_mut(&kind).unwrap().push(0);
        assert_eq!(rebuilt_from(&damaged, state).unwrap_err().key, kind);
    }
}

#[test]
fn genesis_contributions_back_opening_balances() {
    let mut genesis = genesis();
    genesis.validators = vec![GenesisValidator {
        name: "v".into(),
        public_key: id(900),
        p2p_address: "127.0.0.1:1".parse().unwrap(),
        api_address: "127.0.0.1:2".parse().unwrap(),
    }];
    // 1,000,000.00 JPY is worth 1,030,769 coin minor units at genesis rates.
    genesis.money.as_mut().unwrap().economies[0].contribution = Some(GenesisContribution {
        instrument: "JP-GENESIS".into(),
        face: Amount(100_000_000),
        yield_bps: 100,
        maturity_ms: START_MS + YEAR_MS as u64,
    });
    let account = |seed: u64, balance: u128, role: Role| GenesisAccount {
        id: id(seed),
        balance: Amount(balance),
        label: String::new(),
        role: Some(role),
        bank: matches!(role, Role::Retail { .. }).then(|| id(BANK_JP)),
        travel_key: None,
    };
    genesis.accounts = vec![
        account(
            BANK_JP,
            1_000_000,
            Role::Bank {
                economy: economy("JP"),
            },
        ),
        account(ALICE_JP, 30_769, retail("JP", RetailKind::Person)),
    ];
    validate_genesis(&genesis).unwrap();
    let state = State::from_genesis(&genesis);
    let books = &state.money().unwrap().economies[&economy("JP")];
    assert_eq!(
        (books.own_bonds, books.issued_bonds),
        (Amount(0), Amount(1_030_769))
    );

    // One unit more than the contribution is worth: refused.
    genesis.accounts[1].balance = Amount(30_770);
    let error = validate_genesis(&genesis).unwrap_err();
    assert!(error.contains("not backed"), "{error}");

    // A retail balance above its tier's cap: refused.
    genesis.accounts[0].balance = Amount(800_000);
    genesis.accounts[1].balance = Amount(200_001);
    let error = validate_genesis(&genesis).unwrap_err();
    assert!(error.contains("balance cap"), "{error}");

    // A balance on an account without a coin-holding role: refused.
    genesis.accounts[1].balance = Amount(1);
    genesis.accounts[1].role = None;
    let error = validate_genesis(&genesis).unwrap_err();
    assert!(error.contains("no bank or retail role"), "{error}");
}

#[test]
fn travel_rule_data_goes_to_both_banks_and_both_regulators() {
    let mut chain = opened();
    let register = |n: u8| MoneyCall::RegisterTravelKey {
        key: TravelKey([n; 32]),
    };
    assert_eq!(
        chain.send(ALICE_JP, register(1)),
        Err(MoneyError::NotBankOrRegulator)
    );
    assert_eq!(
        chain.send(CB_JP, register(1)),
        Err(MoneyError::NotBankOrRegulator)
    );
    let money = |chain: &Chain| chain.state.money().unwrap().clone();
    assert_eq!(
        money(&chain).travel_rule_recipients(chain.state.authority(), &id(ALICE_JP), &id(SHOP_TH)),
        Err(MoneyError::NoTravelKey {
            account: id(BANK_JP)
        })
    );
    for (n, seed) in [(1, BANK_JP), (2, BANK_TH), (3, REG_JP), (4, REG_TH)] {
        chain.send(seed, register(n)).unwrap();
    }
    let recipients = money(&chain)
        .travel_rule_recipients(chain.state.authority(), &id(ALICE_JP), &id(SHOP_TH))
        .unwrap();
    assert_eq!(
        recipients,
        vec![
            (id(BANK_JP), TravelKey([1; 32])),
            (id(BANK_TH), TravelKey([2; 32])),
            (id(REG_JP), TravelKey([3; 32])),
            (id(REG_TH), TravelKey([4; 32])),
        ],
        "the person's bank is the bank that opened it"
    );
    let domestic = money(&chain)
        .travel_rule_recipients(chain.state.authority(), &id(ALICE_JP), &id(BANK_JP))
        .unwrap();
    assert_eq!(domestic.len(), 2, "one bank and one regulator, each once");
    assert!(matches!(
        money(&chain).travel_rule_recipients(chain.state.authority(), &id(CB_JP), &id(BANK_JP)),
        Err(MoneyError::NotCoinHolder { .. })
    ));
}

#[test]
fn the_remaining_role_rules_refuse_too() {
    let mut chain = funded();
    let caps = MoneyCall::SetTierCaps {
        tier: 1,
        balance_cap: Amount(1),
        transfer_cap: Amount(1),
    };
    assert_eq!(
        chain.send(BANK_JP, caps.clone()),
        Err(MoneyError::NotCentralBank)
    );
    assert_eq!(chain.send(REG_JP, caps), Err(MoneyError::NotCentralBank));
    let settle = MoneyCall::ProposeSettlement {
        creditor: economy("TH"),
        amount: Amount(1),
    };
    assert_eq!(
        chain.send(BANK_JP, settle.clone()),
        Err(MoneyError::NotCentralBank)
    );
    assert_eq!(chain.send(ISSUER, settle), Err(MoneyError::NotCentralBank));
    chain
        .send(
            REG_JP,
            MoneyCall::Freeze {
                account: id(ALICE_JP),
                reason: "inquiry".into(),
            },
        )
        .unwrap();
    let unfreeze = MoneyCall::Unfreeze {
        account: id(ALICE_JP),
        reason: "done".into(),
    };
    assert_eq!(
        chain.send(REG_TH, unfreeze.clone()),
        Err(MoneyError::NotRegulatorOf {
            account: id(ALICE_JP),
            economy: economy("TH")
        }),
        "only the regulator of the account's economy lifts a freeze"
    );
    assert_eq!(
        chain.send(BANK_JP, unfreeze.clone()),
        Err(MoneyError::NotRegulator)
    );
    chain.send(REG_JP, unfreeze.clone()).unwrap();
    assert_eq!(
        chain.send(REG_JP, unfreeze),
        Err(MoneyError::NotFrozen {
            account: id(ALICE_JP)
        })
    );
    // Issuing beyond the own account's bonds.
    let own = chain.books("JP").0;
    assert_eq!(
        chain.send(
            CB_JP,
            MoneyCall::IssueCoins {
                bank: id(BANK_JP),
                amount: Amount(own.0 + 1),
            }
        ),
        Err(MoneyError::InsufficientOwnBonds {
            available: own,
            needed: Amount(own.0 + 1)
        })
    );
}

#[test]
fn a_single_currency_unit_values_contributions_at_its_rate() {
    let mut genesis = genesis();
    let money = genesis.money.as_mut().unwrap();
    money.unit = CoinUnit::Single {
        currency: currency("USD"),
    };
    money.validate().unwrap();
    let state = State::from_genesis(&genesis);
    let money = state.money().unwrap();
    // 1,000,000.00 JPY at 0.0067 USD = 6,700.00 USD-coins.
    assert_eq!(
        money.coin_value(&currency("JPY"), Amount(100_000_000), START_MS),
        Ok(Amount(670_000))
    );
    // The numeraire is worth one; an unknown currency is refused.
    assert_eq!(
        money.coin_value(&currency("USD"), Amount(5), START_MS),
        Ok(Amount(5))
    );
    assert_eq!(
        money.coin_value(&currency("EUR"), Amount(5), START_MS),
        Err(MoneyError::UnknownCurrency {
            currency: currency("EUR")
        })
    );
    // A unit currency that is neither a member's nor the numeraire.
    let mut bad = genesis.money.clone().unwrap();
    bad.unit = CoinUnit::Single {
        currency: currency("EUR"),
    };
    assert!(bad.validate().is_err());
}

#[test]
fn no_contribution_stays_pending_for_ever() {
    let mut chain = opened();
    // A face no rate could value is refused at once, not left for an
    // acceptance that would always fail.
    assert_eq!(
        chain.send(CB_JP, contribute_jpy(u128::MAX)),
        Err(MoneyError::AmountTooLarge)
    );
    chain.send(CB_JP, contribute_jpy(100_000_000)).unwrap();
    chain.send(CB_JP, contribute_jpy(200_000_000)).unwrap();
    // Only the central bank that offered it withdraws it.
    assert_eq!(
        chain.send(CB_PH, MoneyCall::WithdrawContribution { id: 0 }),
        Err(MoneyError::NotYourContribution { id: 0 })
    );
    assert_eq!(
        chain.send(BANK_JP, MoneyCall::WithdrawContribution { id: 0 }),
        Err(MoneyError::NotCentralBank)
    );
    assert_eq!(
        chain.send(CB_JP, MoneyCall::WithdrawContribution { id: 9 }),
        Err(MoneyError::UnknownContribution { id: 9 })
    );
    chain
        .send(CB_JP, MoneyCall::WithdrawContribution { id: 0 })
        .unwrap();
    let withdrawn = &chain.state.money().unwrap().contributions[0];
    assert_eq!(withdrawn.withdrawn_ms, Some(chain.now_ms));
    // Withdrawn is final: neither accepted nor withdrawn again.
    assert_eq!(
        chain.send(ISSUER, MoneyCall::AcceptContribution { id: 0 }),
        Err(MoneyError::ContributionWithdrawn { id: 0 })
    );
    assert_eq!(
        chain.send(CB_JP, MoneyCall::WithdrawContribution { id: 0 }),
        Err(MoneyError::ContributionWithdrawn { id: 0 })
    );
    assert_eq!(chain.books("JP"), (Amount(0), Amount(0)));
    // An accepted contribution backs coins and cannot be withdrawn.
    chain
        .send(ISSUER, MoneyCall::AcceptContribution { id: 1 })
        .unwrap();
    assert_eq!(
        chain.send(CB_JP, MoneyCall::WithdrawContribution { id: 1 }),
        Err(MoneyError::AlreadyAccepted { id: 1 })
    );
    assert_eq!(chain.books("JP"), (Amount(2_061_538), Amount(0)));
}

#[test]
fn every_role_records_who_granted_it_when_and_under_which_rule() {
    let chain = opened();
    let authority = chain.state.authority();
    let central_bank = authority.grant(&id(CB_JP)).unwrap();
    assert_eq!(
        (
            central_bank.granted_by,
            central_bank.granted_ms,
            central_bank.rule
        ),
        (None, START_MS, GrantRule::Genesis)
    );
    let bank = authority.grant(&id(BANK_PH)).unwrap();
    assert_eq!(
        (bank.role, bank.granted_by, bank.rule),
        (
            Role::Bank {
                economy: economy("PH")
            },
            Some(id(CB_PH)),
            GrantRule::CentralBankOpensBank
        )
    );
    let shop = authority.grant(&id(SHOP_TH)).unwrap();
    assert_eq!(
        (shop.granted_by, shop.granted_ms, shop.rule),
        (Some(id(BANK_TH)), chain.now_ms, GrantRule::BankOpensRetail)
    );
    assert_eq!(authority.role(&id(99)), None);
}

#[test]
fn a_grant_is_a_state_entry_of_its_own() {
    let mut chain = opened();
    let before = chain.state.clone();
    chain
        .send(
            BANK_JP,
            MoneyCall::OpenAccount {
                account: id(77),
                role: retail("JP", RetailKind::Person),
            },
        )
        .unwrap();
    let changes = chain.state.changes_since(&before);
    let grant = changes
        .iter()
        .find(|(key, _)| *key == StateKey::Role(id(77)))
        .and_then(|(_, value)| value.clone())
        .expect("the grant is written under its own key");
    assert_eq!(
        eiraku_state::authority::RoleGrant::from_bytes(&grant).unwrap(),
        *chain.state.authority().grant(&id(77)).unwrap()
    );
    assert!(changes.contains(&(
        StateKey::Account(id(77)),
        Some(eiraku_core::Account::default().to_bytes().to_vec())
    )));
}

/// A fault in a module's rules, played by hand: states that differ from a
/// good one only where the fault wrote. The per-transaction check names
/// each broken invariant, reading only what changed.
#[test]
fn invariant_checks_catch_each_kind_of_fault_by_name() {
    let chain = funded();
    let good = &chain.state;
    let books = |state: &State| {
        (
            state.accounts().clone(),
            state.authority().clone(),
            state.money().unwrap().clone(),
        )
    };
    // What the fault wrote: every account whose balance differs from the
    // good state's.
    let check = |accounts: &Accounts, authority: &Authority, money: &Money| {
        let balance = |account: Option<&eiraku_state::Account>| {
            account.map(|a| a.balance).unwrap_or_default()
        };
        let written: Vec<(&AccountId, Amount, Amount)> = accounts
            .iter()
            .map(|(id, is)| (id, balance(good.accounts().get(id)), is.balance))
            .filter(|(_, was, is)| was != is)
            .collect();
        check_money_change(written, authority, good.money().unwrap(), money)
            .map_err(|broken| broken.invariant)
    };
    let (accounts, authority, money) = books(good);
    assert_eq!(check(&accounts, &authority, &money), Ok(()));

    // Coins conjured: a bank's balance grows with no bonds behind it.
    let mut conjured = accounts.clone();
    conjured.get_mut(&id(BANK_JP)).unwrap().balance.0 += 1;
    assert_eq!(
        check(&conjured, &authority, &money),
        Err(Invariant::MoneyBacking)
    );

    // Coins slipped to an official: the total is right, the holder is not.
    let mut slipped = accounts.clone();
    slipped.get_mut(&id(BANK_JP)).unwrap().balance.0 -= 1;
    slipped.get_mut(&id(CB_JP)).unwrap().balance.0 += 1;
    assert_eq!(
        check(&slipped, &authority, &money),
        Err(Invariant::MoneyHolders)
    );

    // Bonds conjured: own bonds and contributed value grow together with
    // no contribution accepted.
    let mut inflated = money.clone();
    let books_jp = inflated.economies.get_mut(&economy("JP")).unwrap();
    books_jp.own_bonds.0 += 7;
    books_jp.contributed.0 += 7;
    assert_eq!(
        check(&accounts, &authority, &inflated),
        Err(Invariant::MoneyContributions)
    );

    // Bonds lost: own + issued no longer add up to what was contributed.
    let mut lost = money.clone();
    lost.economies.get_mut(&economy("JP")).unwrap().own_bonds.0 -= 1;
    assert_eq!(
        check(&accounts, &authority, &lost),
        Err(Invariant::MoneyContributions)
    );
}

#[test]
fn the_whole_state_check_names_the_invariant_too() {
    let chain = funded();
    let state = &chain.state;
    let money = state.money().unwrap();
    assert_eq!(
        money.check_invariants(state.accounts(), state.authority()),
        Ok(())
    );
    let mut conjured = state.accounts().clone();
    conjured.get_mut(&id(ALICE_JP)).unwrap().balance.0 += 1;
    let broken = money
        .check_invariants(&conjured, state.authority())
        .unwrap_err();
    assert_eq!(broken.invariant, Invariant::MoneyBacking);
    assert!(broken.to_string().starts_with("money.backing: "));
}

/// Counts what execution tells it.
#[derive(Default)]
struct CountingProbe {
    started: u32,
    finished: u32,
}

impl ExecutionProbe for CountingProbe {
    fn invariant_check_started(&mut self) {
        assert_eq!(self.started, self.finished, "checks do not nest");
        self.started += 1;
    }

    fn invariant_check_finished(&mut self) {
        self.finished += 1;
    }
}

#[test]
fn a_probe_is_told_of_each_invariant_check_in_a_block() {
    let mut chain = funded();
    let paid = chain.tx(BANK_JP, Call::Money(pay(ALICE_JP, 10)));
    // Refused by the rules before it changes anything: nothing to check.
    let refused = chain.tx(ALICE_JP, Call::Money(pay(BANK_JP, 0)));
    let env = BlockEnv {
        height: chain.state.height() + 1,
        timestamp_ms: chain.now_ms + 1,
    };
    let mut probe = CountingProbe::default();
    let receipts = chain
        .state
        .execute_block_observed(&env, &[paid, refused], &mut probe)
        .unwrap();
    assert_eq!(receipts[0].outcome, Outcome::Success);
    assert!(matches!(receipts[1].outcome, Outcome::Failed(_)));
    assert_eq!((probe.started, probe.finished), (1, 1));
}
