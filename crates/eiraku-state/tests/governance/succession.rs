//! Succession (class A): an official's role passes to a successor with
//! everything that names it, and the old key is cut off: no role, no seat,
//! no vote that counts. The attacks: a thief holding a central bank's key
//! votes before the succession lands, then tries to act; a proposer names
//! a successor that holds a role, a seat, or is no key.

use super::*;
use eiraku_core::{governance::ProposalClass, MoneyCall, Role};
use eiraku_state::{authority::GrantRule, MoneyError};

fn succeed(official: u64, successor: AccountId) -> GovernanceCall {
    GovernanceCall::Propose {
        amendment: Amendment::Succeed {
            official: id(official),
            successor,
        },
        text: text_digest("the old key is compromised"),
    }
}

fn refused(reason: AmendmentError) -> Result<(), GovernanceError> {
    Err(GovernanceError::InvalidAmendment { reason })
}

fn vote_yes(proposal: u64) -> GovernanceCall {
    GovernanceCall::Vote {
        proposal,
        choice: Choice::Yes,
        reason: text_digest("yes"),
    }
}

fn post_rate() -> Call {
    Call::Money(MoneyCall::PostRate {
        rate: "1.01".parse().unwrap(),
    })
}

const SG: u64 = 4;

#[test]
fn a_central_bank_passes_its_role_books_and_seat_and_the_thief_is_cut_off() {
    let mut chain = Chain::new();
    let thief = CB + SG;
    let heir = id(NEWCOMER);
    let sg = EconomyCode::new(CODES[SG as usize]).unwrap();
    chain.send(CB, succeed(thief, heir)).unwrap();
    let succession = chain.proposal(0);
    assert_eq!(succession.class, ProposalClass::A);
    chain.at_ms(succession.voting_opens_ms());
    for seat in CB..CB + 4 {
        chain.send(seat, vote_yes(0)).unwrap();
    }
    // A class-B proposal whose voting straddles the enactment: the thief
    // votes for it while it still holds the seat.
    chain.at_ms(succession.enact_ms() - 18 * SECOND);
    chain
        .send(CB + 1, propose(Parameter::MaxRateAgeMs(90 * SECOND)))
        .unwrap();
    let straddling = chain.proposal(1);
    assert!(straddling.voting_opens_ms() < succession.enact_ms());
    assert!(straddling.voting_closes_ms() > succession.enact_ms());
    chain.at_ms(succession.voting_closes_ms());
    chain.at_ms(straddling.voting_opens_ms());
    for seat in [CB + 1, CB + 2, thief] {
        chain.send(seat, vote_yes(1)).unwrap();
    }

    chain.at_ms(succession.enact_ms());
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    let authority = chain.state.authority();
    assert_eq!(authority.role(&id(thief)), None);
    let record = authority.record(&id(thief)).unwrap();
    let revocation = record.revoked.unwrap();
    assert_eq!(
        (record.role, revocation.successor, revocation.revoked_ms),
        (Role::CentralBank { economy: sg }, Some(heir), chain.now_ms)
    );
    let grant = authority.grant(&heir).unwrap();
    assert_eq!(grant.role, Role::CentralBank { economy: sg });
    assert_eq!(
        (grant.rule, grant.granted_by),
        (GrantRule::Succession, Some(id(thief)))
    );
    let books = &chain.state.money().unwrap().economies[&sg];
    assert_eq!(
        books.central_bank, heir,
        "the economy's books name the heir"
    );
    let rules = chain.rules();
    assert!(rules.voting.contains(&heir) && !rules.voting.contains(&id(thief)));

    // The thief's vote stays on record but no longer counts.
    chain.at_ms(straddling.voting_closes_ms());
    let counted = chain.proposal(1);
    assert!(counted.votes.contains_key(&id(thief)));
    assert_eq!(
        counted.outcome,
        ProposalOutcome::Rejected { yes: 2, needed: 3 }
    );

    // The thief can neither act for the central bank nor sit.
    assert_eq!(
        chain.send_any(thief, post_rate()),
        Outcome::Failed(ExecutionError::Money(MoneyError::NotCentralBank))
    );
    assert_eq!(
        chain.send(thief, propose(Parameter::MaxRateAgeMs(1))),
        Err(GovernanceError::NotVotingSeat)
    );
    // Nor be succeeded again: it is no longer an official.
    assert_eq!(
        chain.send(CB, succeed(thief, id(OUTSIDER + 100))),
        refused(AmendmentError::NotAnOfficial)
    );
    // The heir does both.
    assert_eq!(chain.send_any(NEWCOMER, post_rate()), Outcome::Success);
    chain
        .send(NEWCOMER, propose(Parameter::MaxRateAgeMs(90 * SECOND)))
        .unwrap();

    let read_back = chain.read_back(chain.entries()).unwrap();
    assert_eq!(read_back, chain.state, "a restarted node reads it back");
}

#[test]
fn the_issuer_passes_its_role_and_the_emergency_officer_goes_with_it() {
    let mut chain = Chain::new();
    let heir = id(NEWCOMER);
    chain.send(CB, succeed(ISSUER, heir)).unwrap();
    let proposal = chain.proposal(0);
    chain.at_ms(proposal.voting_opens_ms());
    for seat in CB..CB + 4 {
        chain.send(seat, vote_yes(0)).unwrap();
    }
    chain.at_ms(proposal.voting_closes_ms());
    chain.at_ms(proposal.enact_ms());
    assert_eq!(chain.state.money().unwrap().issuer, heir);
    assert_eq!(chain.state.authority().role(&heir), Some(Role::Issuer));
    let consult = GovernanceCall::Emergency(
        eiraku_core::governance::EmergencyCall::RequestConsultation {
            trigger: text_digest("a run on banks"),
        },
    );
    assert_eq!(
        chain.send(ISSUER, consult.clone()),
        Err(GovernanceError::Emergency(
            eiraku_state::governance::EmergencyError::NotEmergencyOfficer
        ))
    );
    chain.send(NEWCOMER, consult).unwrap();
}

#[test]
fn a_succession_must_name_an_official_and_a_fresh_key() {
    let mut chain = Chain::new();
    let fresh = id(NEWCOMER);
    let cases = [
        (succeed(OUTSIDER, fresh), AmendmentError::NotAnOfficial),
        // The successor holds a role already: two offices in one key.
        (
            succeed(CB + 1, id(REG + 1)),
            AmendmentError::SuccessorHoldsRole,
        ),
        (
            succeed(CB + 1, id(CB + 1)),
            AmendmentError::SuccessorHoldsRole,
        ),
        (
            succeed(CB + 1, id(ISSUER)),
            AmendmentError::SuccessorHoldsRole,
        ),
        // A seat without a role (the outside auditor).
        (succeed(CB + 1, id(REVIEWER)), AmendmentError::AlreadySeated),
    ];
    for (call, reason) in cases {
        assert_eq!(chain.send(CB, call), refused(reason));
    }
    let not_a_key = (0u8..=255)
        .map(|b| AccountId::from_bytes([b; 32]))
        .find(|id| id.public_key().is_err())
        .unwrap();
    assert_eq!(
        chain.send(CB, succeed(CB + 1, not_a_key)),
        refused(AmendmentError::InvalidKey)
    );
    assert!(chain.state.governance().unwrap().proposals().is_empty());
}

#[test]
fn a_successor_taken_by_an_earlier_succession_fails_on_the_record() {
    let mut chain = Chain::new();
    let heir = id(NEWCOMER);
    chain.send(CB, succeed(REG + 3, heir)).unwrap();
    chain.send(CB + 1, succeed(REG + 4, heir)).unwrap();
    let second = chain.proposal(1);
    chain.at_ms(second.voting_opens_ms());
    for proposal in [0, 1] {
        for seat in CB..CB + 4 {
            chain.send(seat, vote_yes(proposal)).unwrap();
        }
    }
    chain.at_ms(second.voting_closes_ms());
    chain.at_ms(second.enact_ms());
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    assert!(matches!(
        chain.proposal(1).outcome,
        ProposalOutcome::Failed {
            reason: AmendmentError::SuccessorHoldsRole,
            ..
        }
    ));
    let regulators = chain.rules().advisory;
    assert!(regulators.contains(&heir) && regulators.contains(&id(REG + 4)));
    assert!(!regulators.contains(&id(REG + 3)));
    let th = EconomyCode::new(CODES[3]).unwrap();
    assert_eq!(chain.state.money().unwrap().economies[&th].regulator, heir);
}
