//! Succession (class A): an official's role passes to a successor with
//! everything that names it, and the old key is cut off: no role, no seat,
//! no vote that counts. The attacks: a thief holding a central bank's key
//! votes before the succession lands, then tries to act; a proposer names
//! a successor that holds a role, a seat, or is no key.

use super::*;
use eiraku_core::{governance::ProposalClass, MoneyCall, Role};
use eiraku_state::{authority::GrantRule, MoneyError};

/// A succession of `official` by the key of `successor`, with its consent.
fn succeed(official: u64, successor: u64) -> GovernanceCall {
    let consent = consent_of(successor, genesis_role(official));
    succeed_with(official, id(successor), consent)
}

fn succeed_with(
    official: u64,
    successor: AccountId,
    consent: eiraku_core::governance::RoleConsent,
) -> GovernanceCall {
    GovernanceCall::Propose {
        amendment: Amendment::Succeed {
            official: id(official),
            successor,
            consent,
        },
        text: text_digest("the old key is compromised"),
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
    chain.send(CB, succeed(thief, NEWCOMER)).unwrap();
    let succession = chain.proposal(0);
    assert_eq!(succession.class, ProposalClass::A);
    chain.at_ms(succession.voting_opens_ms());
    yes_from(&mut chain, 0, CB..CB + 4);
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
    yes_from(&mut chain, 1, [CB + 1, CB + 2, thief]);

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
        chain.send(CB, succeed(thief, OUTSIDER + 100)),
        invalid(AmendmentError::NotAnOfficial)
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
    chain.send(CB, succeed(ISSUER, NEWCOMER)).unwrap();
    let proposal = chain.proposal(0);
    chain.at_ms(proposal.voting_opens_ms());
    yes_from(&mut chain, 0, CB..CB + 4);
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
        (succeed(OUTSIDER, NEWCOMER), AmendmentError::NotAnOfficial),
        // The successor holds a role already: two offices in one key.
        (succeed(CB + 1, REG + 1), AmendmentError::SuccessorHoldsRole),
        (succeed(CB + 1, CB + 1), AmendmentError::SuccessorHoldsRole),
        (succeed(CB + 1, ISSUER), AmendmentError::SuccessorHoldsRole),
        // A seat without a role (the outside auditor).
        (succeed(CB + 1, REVIEWER), AmendmentError::AlreadySeated),
        // A key that did not consent: another key signed, or it signed
        // for another role (a typo, or a key nobody holds).
        (
            succeed_with(CB + 1, fresh, consent_of(OUTSIDER, genesis_role(CB + 1))),
            AmendmentError::RoleConsentInvalid,
        ),
        (
            succeed_with(CB + 1, fresh, consent_of(NEWCOMER, genesis_role(CB + 2))),
            AmendmentError::RoleConsentInvalid,
        ),
    ];
    for (call, reason) in cases {
        assert_eq!(chain.send(CB, call), invalid(reason));
    }
    let not_a_key = (0u8..=255)
        .map(|b| AccountId::from_bytes([b; 32]))
        .find(|id| id.public_key().is_err())
        .unwrap();
    assert_eq!(
        chain.send(
            CB,
            succeed_with(CB + 1, not_a_key, consent_of(1, genesis_role(CB + 1)))
        ),
        invalid(AmendmentError::InvalidKey)
    );
    assert!(chain.state.governance().unwrap().proposals().is_empty());
}

#[test]
fn a_successor_named_twice_is_refused_and_one_seated_meanwhile_fails_on_the_record() {
    let mut chain = Chain::new();
    let heir = id(NEWCOMER);
    // A seat for the heir-to-be, then its succession: the seat lands first.
    let seat = Amendment::AddSeat {
        account: heir,
        kind: eiraku_core::governance::SeatKind::Advisory,
    };
    let seat = GovernanceCall::Propose {
        amendment: seat,
        text: text_digest("seat"),
    };
    chain.send(CB, seat).unwrap();
    chain.send(CB, succeed(REG + 3, NEWCOMER)).unwrap();
    // A second proposal naming a successor one already names is refused:
    // the sooner would defeat the other.
    assert_eq!(
        chain.send(CB + 1, succeed(REG + 4, NEWCOMER)),
        invalid(AmendmentError::AccountReserved)
    );
    let attester = Role::Attester {
        economy: EconomyCode::new("JP").unwrap(),
    };
    let registry_role = Amendment::GrantRole {
        account: heir,
        role: attester,
        consent: consent_of(NEWCOMER, attester),
    };
    let grant = GovernanceCall::Propose {
        amendment: registry_role,
        text: text_digest("grant"),
    };
    assert_eq!(
        chain.send(CB + 1, grant),
        invalid(AmendmentError::AccountReserved)
    );
    pass_all(&mut chain, &[0, 1], CB..CB + 4);
    assert_second_failed(&chain, AmendmentError::AlreadySeated);
    let th = EconomyCode::new(CODES[3]).unwrap();
    assert_eq!(
        chain.state.money().unwrap().economies[&th].regulator,
        id(REG + 3)
    );
}

#[test]
fn the_thief_cannot_block_its_succession_by_giving_the_successor_a_role_first() {
    let mut chain = Chain::new();
    let thief = CB + SG;
    let heir = id(NEWCOMER);
    chain.send(CB, succeed(thief, NEWCOMER)).unwrap();
    let sg = EconomyCode::new(CODES[SG as usize]).unwrap();
    let open = Call::Money(MoneyCall::OpenAccount {
        account: heir,
        role: Role::Bank { economy: sg },
    });
    assert_eq!(
        chain.send_any(thief, open),
        Outcome::Failed(ExecutionError::Money(MoneyError::AccountReserved {
            account: heir,
            proposal: 0,
        }))
    );
    pass_enacted(&mut chain, 0, CB..CB + 4);
    assert_eq!(
        chain.state.authority().role(&heir),
        Some(Role::CentralBank { economy: sg })
    );
}

#[test]
fn a_freeze_declared_before_the_successor_took_office_does_not_bind_it() {
    use eiraku_core::governance::{EmergencyCall, Scope};
    let mut chain = Chain::new();
    let heir = id(NEWCOMER);
    chain.send(CB, succeed(CB + SG, NEWCOMER)).unwrap();
    // The issuer's stolen key declares a freeze on the successor-to-be,
    // who holds no role or seat yet.
    let consult = EmergencyCall::RequestConsultation {
        trigger: text_digest("pretext"),
    };
    chain
        .send(ISSUER, GovernanceCall::Emergency(consult))
        .unwrap();
    let answer = EmergencyCall::Consulted {
        consultation: 0,
        text: text_digest("advice"),
    };
    chain.send(REG, GovernanceCall::Emergency(answer)).unwrap();
    let declare = EmergencyCall::Declare {
        consultation: 0,
        scope: Scope {
            pause: vec![],
            freeze: vec![heir],
        },
        minutes: text_digest("minutes"),
    };
    chain
        .send(ISSUER, GovernanceCall::Emergency(declare))
        .unwrap();
    pass_enacted(&mut chain, 0, CB..CB + 4);
    let governance = chain.state.governance().unwrap();
    assert!(governance.emergency().in_force(chain.now_ms).is_some());
    assert_eq!(chain.send_any(NEWCOMER, post_rate()), Outcome::Success);
}

#[test]
fn the_successor_completes_a_key_replacement_its_predecessor_asked_for() {
    use super::suspension::{chain_with_banks, BANK};
    use eiraku_core::KeyCall;
    let mut chain = chain_with_banks();
    let new_key = id(OUTSIDER + 100);
    let request = Call::Keys(KeyCall::RequestReplacement {
        account: id(BANK),
        new_key,
    });
    assert_eq!(chain.send_any(CB, request), Outcome::Success);
    chain.send(CB + 1, succeed(CB, NEWCOMER)).unwrap();
    pass_enacted(&mut chain, 0, CB..CB + 4);
    let effective_ms = (chain.state.keys().replacement(&id(BANK)))
        .unwrap()
        .effective_ms;
    chain.at_ms(effective_ms);
    let complete = Call::Keys(KeyCall::CompleteReplacement { account: id(BANK) });
    assert!(matches!(
        chain.send_any(CB, complete.clone()),
        Outcome::Failed(ExecutionError::Keys(_))
    ));
    assert_eq!(chain.send_any(NEWCOMER, complete), Outcome::Success);
    assert_eq!(chain.state.keys().key_of(&id(BANK)), new_key);
}

#[test]
fn the_predecessors_proposals_and_travel_key_do_not_stay_with_the_old_key() {
    let mut chain = Chain::new();
    let thief = CB + SG;
    let heir = id(NEWCOMER);
    let register = Call::Money(MoneyCall::RegisterTravelKey {
        key: eiraku_core::travel_rule::TravelKey([9; 32]),
    });
    assert_eq!(chain.send_any(REG + SG, register), Outcome::Success);
    chain.send(CB, succeed(REG + SG, NEWCOMER)).unwrap();
    // A proposal of the central bank about to be succeeded, with an
    // objection it must answer.
    chain.send(CB + 1, succeed(thief, OUTSIDER + 100)).unwrap();
    let succession = chain.proposal(1);
    chain.at_ms(succession.voting_opens_ms());
    // Still open when the succession lands.
    let seat = Amendment::AddSeat {
        account: id(OUTSIDER),
        kind: eiraku_core::governance::SeatKind::Advisory,
    };
    let proposal = GovernanceCall::Propose {
        amendment: seat,
        text: text_digest("seat"),
    };
    chain.send(thief, proposal).unwrap();
    let objection = GovernanceCall::Advise {
        proposal: 2,
        stance: Stance::Object,
        text: text_digest("who?"),
    };
    chain.send(REG, objection).unwrap();
    for proposal in [0, 1] {
        yes_from(&mut chain, proposal, CB..CB + 4);
    }
    chain.at_ms(succession.voting_closes_ms());
    chain.at_ms(succession.enact_ms());
    let money = chain.state.money().unwrap();
    assert!(!money.travel_keys.contains_key(&id(REG + SG)));
    assert!(
        !money.travel_keys.contains_key(&heir),
        "the heir registers its own"
    );
    // The open proposal is now the successor's to answer.
    let successor = id(OUTSIDER + 100);
    assert_eq!(chain.proposal(2).proposer, successor);
    let answer = |objection| GovernanceCall::Respond {
        proposal: 2,
        objection,
        text: text_digest("answered"),
    };
    assert_eq!(
        chain.send(thief, answer(0)),
        Err(GovernanceError::NotProposer { proposal: 2 })
    );
    chain.send(OUTSIDER + 100, answer(0)).unwrap();
}
