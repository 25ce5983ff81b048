//! A bank suspended by its central bank stands still (no issuance, no
//! payments either way, no redemption, no new customers) until a class-B
//! proposal lifts the suspension. The attacks: another economy's central
//! bank suspending a bank it does not supervise, a suspension of a
//! non-bank or without a reason, the suspended bank moving coins anyway,
//! a lift of a bank that is not suspended.

use super::*;
use eiraku_core::{GenesisContribution, MoneyCall, RetailKind, Role};
use eiraku_state::MoneyError;

/// Japan's bank, opened by its central bank (seed `CB`).
pub(super) const BANK: u64 = 50;
/// A second bank of Japan, which pays and is paid.
const OTHER_BANK: u64 = 51;

fn money(call: MoneyCall) -> Call {
    Call::Money(call)
}

fn refused(error: MoneyError) -> Outcome {
    Outcome::Failed(ExecutionError::Money(error))
}

/// The governance chain with a genesis contribution for Japan, whose
/// central bank opens two banks and issues 1,000 coins to each.
pub(super) fn chain_with_banks() -> Chain {
    let mut genesis = genesis(Some(windows()));
    genesis.money.as_mut().unwrap().economies[0].contribution = Some(GenesisContribution {
        instrument: "JP-GENESIS".into(),
        face: Amount(1_000_000),
        yield_bps: 100,
        maturity_ms: START_MS * 2,
    });
    let mut chain = Chain {
        state: State::from_genesis(&genesis),
        now_ms: START_MS,
    };
    let jp = EconomyCode::new("JP").unwrap();
    for bank in [BANK, OTHER_BANK] {
        let open = MoneyCall::OpenAccount {
            account: id(bank),
            role: Role::Bank { economy: jp },
        };
        assert_eq!(chain.send_any(CB, money(open)), Outcome::Success);
        let issue = MoneyCall::IssueCoins {
            bank: id(bank),
            amount: Amount(1_000),
        };
        assert_eq!(chain.send_any(CB, money(issue)), Outcome::Success);
    }
    chain
}

fn suspend(reason: &str) -> Call {
    money(MoneyCall::SuspendBank {
        bank: id(BANK),
        reason: reason.into(),
    })
}

fn pay(to: u64, amount: u128) -> Call {
    money(MoneyCall::Pay {
        to: id(to),
        amount: Amount(amount),
        travel_rule: None,
    })
}

fn lift() -> GovernanceCall {
    GovernanceCall::Propose {
        amendment: Amendment::LiftSuspension { bank: id(BANK) },
        text: text_digest("capital restored"),
    }
}

#[test]
fn a_suspended_bank_stands_still_until_governance_lifts_the_suspension() {
    let mut chain = chain_with_banks();
    let jp = EconomyCode::new("JP").unwrap();
    // Only its own central bank suspends it, with a reason.
    let not_theirs = MoneyError::NotABankOf {
        account: id(BANK),
        economy: EconomyCode::new("KR").unwrap(),
    };
    assert_eq!(chain.send_any(CB + 1, suspend("no")), refused(not_theirs));
    let regulator = money(MoneyCall::SuspendBank {
        bank: id(REG),
        reason: "not a bank".into(),
    });
    let not_a_bank = MoneyError::NotABankOf {
        account: id(REG),
        economy: jp,
    };
    assert_eq!(chain.send_any(CB, regulator), refused(not_a_bank));
    assert_eq!(
        chain.send_any(CB, suspend("  ")),
        refused(MoneyError::ReasonRequired)
    );
    // Nothing to lift yet.
    assert_eq!(
        chain.send(CB + 1, lift()),
        Err(GovernanceError::InvalidAmendment {
            reason: AmendmentError::NotSuspended
        })
    );

    assert_eq!(
        chain.send_any(CB, suspend("capital ratio")),
        Outcome::Success
    );
    assert_eq!(
        chain.send_any(CB, suspend("again")),
        refused(MoneyError::AlreadySuspended { bank: id(BANK) })
    );
    let suspended = || MoneyError::BankSuspended {
        bank: id(BANK),
        reason: "capital ratio".into(),
    };
    let issue = money(MoneyCall::IssueCoins {
        bank: id(BANK),
        amount: Amount(1),
    });
    let customer = money(MoneyCall::OpenAccount {
        account: id(NEWCOMER),
        role: Role::Retail {
            economy: jp,
            kind: RetailKind::Person,
            tier: 0,
        },
    });
    let redeem = money(MoneyCall::Redeem { amount: Amount(1) });
    assert_eq!(chain.send_any(CB, issue), refused(suspended()));
    assert_eq!(
        chain.send_any(BANK, pay(OTHER_BANK, 1)),
        refused(suspended())
    );
    assert_eq!(
        chain.send_any(OTHER_BANK, pay(BANK, 1)),
        refused(suspended())
    );
    assert_eq!(chain.send_any(BANK, redeem), refused(suspended()));
    assert_eq!(chain.send_any(BANK, customer), refused(suspended()));
    let balance = |chain: &Chain, seed| chain.state.account(&id(seed)).unwrap().balance;
    assert_eq!(balance(&chain, BANK), Amount(1_000));
    // Restarting nodes read the suspension back.
    let read_back = chain.read_back(chain.entries()).unwrap();
    assert_eq!(read_back, chain.state);

    // A class-B proposal lifts it.
    chain.send(CB + 1, lift()).unwrap();
    let proposal = chain.proposal(0);
    assert_eq!(proposal.class, eiraku_core::governance::ProposalClass::B);
    chain.at_ms(proposal.voting_opens_ms());
    yes_from(&mut chain, 0, CB + 1..CB + 4);
    chain.at_ms(proposal.voting_closes_ms());
    chain.at_ms(proposal.enact_ms());
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    assert_eq!(chain.state.money().unwrap().suspension_of(&id(BANK)), None);
    assert_eq!(chain.send_any(BANK, pay(OTHER_BANK, 10)), Outcome::Success);
    assert_eq!(balance(&chain, OTHER_BANK), Amount(1_010));
}

#[test]
fn one_lift_waits_at_a_time_so_none_lifts_a_later_suspension() {
    let mut chain = chain_with_banks();
    assert_eq!(
        chain.send_any(CB, suspend("capital ratio")),
        Outcome::Success
    );
    chain.send(CB + 1, lift()).unwrap();
    assert_eq!(
        chain.send(CB + 2, lift()),
        Err(GovernanceError::InvalidAmendment {
            reason: AmendmentError::LiftWaiting
        })
    );
    pass_all(&mut chain, &[0], CB + 1..CB + 4);
    // Suspended again, for a new reason: only a new vote lifts it.
    assert_eq!(chain.send_any(CB, suspend("fraud")), Outcome::Success);
    chain.send(CB + 2, lift()).unwrap();
    assert_eq!(chain.proposal(1).outcome, ProposalOutcome::Open);
}

#[test]
fn a_suspended_bank_cannot_take_over_its_customers_keys() {
    use eiraku_core::{KeyCall, RetailKind};
    let mut chain = chain_with_banks();
    let customer = MoneyCall::OpenAccount {
        account: id(NEWCOMER),
        role: Role::Retail {
            economy: EconomyCode::new("JP").unwrap(),
            kind: RetailKind::Person,
            tier: 0,
        },
    };
    let tier = MoneyCall::SetTierCaps {
        tier: 0,
        balance_cap: Amount(1_000),
        transfer_cap: Amount(100),
    };
    assert_eq!(chain.send_any(CB, money(tier)), Outcome::Success);
    assert_eq!(chain.send_any(BANK, money(customer)), Outcome::Success);
    let request = Call::Keys(KeyCall::RequestReplacement {
        account: id(NEWCOMER),
        new_key: id(OUTSIDER + 100),
    });
    assert_eq!(chain.send_any(BANK, request.clone()), Outcome::Success);
    assert_eq!(
        chain.send_any(CB, suspend("capital ratio")),
        Outcome::Success
    );
    let effective_ms = (chain.state.keys().replacement(&id(NEWCOMER)))
        .unwrap()
        .effective_ms;
    chain.at_ms(effective_ms);
    let complete = Call::Keys(KeyCall::CompleteReplacement {
        account: id(NEWCOMER),
    });
    let suspended = MoneyError::BankSuspended {
        bank: id(BANK),
        reason: "capital ratio".into(),
    };
    assert_eq!(chain.send_any(BANK, complete), refused(suspended.clone()));
    assert_eq!(chain.send_any(BANK, request), refused(suspended));
    assert_eq!(chain.state.keys().key_of(&id(NEWCOMER)), id(NEWCOMER));
}
