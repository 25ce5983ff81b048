//! The emergency procedure: consultation, a declaration that pauses calls
//! and freezes accounts at once, refusals of every scope that would reach
//! roles, ratification, lapse by itself, minutes, and the review whose
//! overdue blocks the next declaration.

use super::*;
use eiraku_core::governance::{
    emergency::{CONSULTATION_WAIT_MS, LAPSE_MS, RATIFIED_FOR_MS, REVIEW_DUE_MS},
    EmergencyCall, Scope,
};
use eiraku_state::governance::{Declaration, EmergencyError};

fn step(call: EmergencyCall) -> GovernanceCall {
    GovernanceCall::Emergency(call)
}

fn consult() -> GovernanceCall {
    step(EmergencyCall::RequestConsultation {
        trigger: text_digest("a run on banks"),
    })
}

fn answer(consultation: u64) -> GovernanceCall {
    step(EmergencyCall::Consulted {
        consultation,
        text: text_digest("pause payments"),
    })
}

fn declare(consultation: u64, pause: &[&str], freeze: &[u64]) -> GovernanceCall {
    let mut freeze: Vec<AccountId> = freeze.iter().map(|seed| id(*seed)).collect();
    freeze.sort();
    step(EmergencyCall::Declare {
        consultation,
        scope: Scope {
            pause: pause.iter().map(|p| p.to_string()).collect(),
            freeze,
        },
        minutes: text_digest("minutes"),
    })
}

fn ratify(declaration: u64) -> GovernanceCall {
    step(EmergencyCall::Ratify { declaration })
}

fn review(declaration: u64) -> GovernanceCall {
    step(EmergencyCall::Review {
        declaration,
        report: text_digest("review"),
    })
}

fn refused(error: EmergencyError) -> Result<(), GovernanceError> {
    Err(GovernanceError::Emergency(error))
}

impl Chain {
    fn declaration(&self, id: u64) -> Declaration {
        let emergency = self.state.governance().unwrap().emergency();
        emergency.declarations()[&id].clone()
    }
}

/// A transfer from the outsider, which a declaration may pause or freeze.
fn transfer() -> Call {
    Call::Transfer {
        to: id(REVIEWER),
        amount: Amount(1),
    }
}

fn paused_or_frozen(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Failed(ExecutionError::Governance(GovernanceError::Emergency(
            EmergencyError::Paused { .. } | EmergencyError::FrozenByDeclaration { .. }
        )))
    )
}

#[test]
fn a_declaration_pauses_at_once_lapses_by_itself_and_an_overdue_review_blocks_the_next() {
    let mut chain = Chain::new();
    assert_eq!(
        chain.send(OUTSIDER, consult()),
        refused(EmergencyError::NotEmergencyOfficer)
    );
    chain.send(ISSUER, consult()).unwrap();
    let requested_ms = chain.now_ms;
    assert_eq!(
        chain.send(ISSUER, declare(0, &["transfer"], &[])),
        refused(EmergencyError::NotConsulted {
            consultation: 0,
            until_ms: requested_ms + CONSULTATION_WAIT_MS
        })
    );
    assert_eq!(
        chain.send(CB, answer(0)),
        Err(GovernanceError::NotAdvisorySeat)
    );
    chain.send(REG, answer(0)).unwrap();
    assert_eq!(
        chain.send(REG + 1, answer(0)),
        refused(EmergencyError::AlreadyConsulted { consultation: 0 })
    );

    // Nothing in the scope may reach roles.
    for (pause, freeze, what) in [
        (
            &["governance.vote"][..],
            &[][..],
            "governance.vote".to_string(),
        ),
        (&["keys"][..], &[][..], "keys".to_string()),
        (&["money"][..], &[][..], "money".to_string()),
        (
            &["money.post_rate"][..],
            &[][..],
            "money.post_rate".to_string(),
        ),
        (&["money.freeze"][..], &[][..], "money.freeze".to_string()),
        (&[][..], &[CB][..], id(CB).to_string()),
        (&[][..], &[ISSUER][..], id(ISSUER).to_string()),
        (&[][..], &[REVIEWER][..], id(REVIEWER).to_string()),
    ] {
        assert_eq!(
            chain.send(ISSUER, declare(0, pause, freeze)),
            refused(EmergencyError::TouchesRoles { what })
        );
    }
    for unknown in ["validators", "money.pya"] {
        assert_eq!(
            chain.send(ISSUER, declare(0, &[unknown], &[])),
            refused(EmergencyError::UnknownScope {
                what: unknown.into()
            })
        );
    }
    assert_eq!(
        chain.send(ISSUER, declare(0, &[], &[])),
        refused(EmergencyError::EmptyScope)
    );

    // The declaration pauses transfers from its own block on.
    assert!(!paused_or_frozen(&chain.send_any(OUTSIDER, transfer())));
    chain.send(ISSUER, declare(0, &["transfer"], &[])).unwrap();
    let declared_ms = chain.now_ms;
    assert_eq!(
        chain.send_any(OUTSIDER, transfer()),
        Outcome::Failed(ExecutionError::Governance(GovernanceError::Emergency(
            EmergencyError::Paused {
                declaration: 0,
                by: "transfer".into()
            }
        )))
    );
    assert_eq!(
        chain.send(ISSUER, declare(0, &["money.redeem"], &[])),
        refused(EmergencyError::DeclarationInForce { declaration: 0 })
    );

    // Nobody ratifies: it lapses by itself after 72 hours.
    chain.at_ms(declared_ms + LAPSE_MS - 2);
    assert!(paused_or_frozen(&chain.send_any(OUTSIDER, transfer())));
    chain.at_ms(declared_ms + LAPSE_MS);
    assert!(!paused_or_frozen(&chain.send_any(OUTSIDER, transfer())));
    assert_eq!(
        chain.send(CB, ratify(0)),
        refused(EmergencyError::NotInForce { declaration: 0 })
    );

    // Its review is due in 90 days; overdue, it blocks the next one.
    chain.send(ISSUER, consult()).unwrap();
    chain.send(REG, answer(1)).unwrap();
    chain.at_ms(declared_ms + REVIEW_DUE_MS);
    assert!(chain.declaration(0).review_overdue(chain.now_ms));
    assert_eq!(
        chain.send(ISSUER, declare(1, &["money.pay"], &[OUTSIDER])),
        refused(EmergencyError::ReviewOverdue { declaration: 0 })
    );
    assert_eq!(
        chain.send(CB, review(0)),
        refused(EmergencyError::NotReviewer)
    );
    chain.send(REVIEWER, review(0)).unwrap();
    assert_eq!(
        chain.send(REVIEWER, review(0)),
        refused(EmergencyError::AlreadyReviewed { declaration: 0 })
    );
    // Consultation 1 is months old by now: good for no declaration.
    assert_eq!(
        chain.send(ISSUER, declare(1, &["money.pay"], &[OUTSIDER])),
        refused(EmergencyError::ConsultationStale { consultation: 1 })
    );
    chain.send(ISSUER, consult()).unwrap();
    chain.send(REG, answer(2)).unwrap();
    chain
        .send(ISSUER, declare(2, &["money.pay"], &[OUTSIDER]))
        .unwrap();
    // A frozen account is refused whatever it sends, but governance and
    // its own keys: a freeze never stops a holder from cancelling a
    // replacement of its key.
    assert_eq!(
        chain.send_any(OUTSIDER, transfer()),
        Outcome::Failed(ExecutionError::Governance(GovernanceError::Emergency(
            EmergencyError::FrozenByDeclaration { declaration: 1 }
        )))
    );
    assert!(!paused_or_frozen(
        &chain.send_any(OUTSIDER, Call::Governance(ratify(1)))
    ));
    let cancel = Call::Keys(eiraku_core::KeyCall::CancelReplacement);
    assert!(!paused_or_frozen(&chain.send_any(OUTSIDER, cancel)));
    assert_eq!(
        chain.send(ISSUER, declare(0, &["money.redeem"], &[])),
        refused(EmergencyError::DeclarationInForce { declaration: 1 })
    );
}

#[test]
fn a_majority_of_voting_seats_keeps_a_declaration_thirty_days_at_a_time() {
    let mut chain = Chain::new();
    chain.send(ISSUER, consult()).unwrap();
    chain.send(REG, answer(0)).unwrap();
    chain.send(ISSUER, declare(0, &["registry"], &[])).unwrap();
    let declared_ms = chain.now_ms;
    assert_eq!(
        chain.send(REG, ratify(0)),
        Err(GovernanceError::NotVotingSeat)
    );
    chain.send(CB, ratify(0)).unwrap();
    assert_eq!(
        chain.send(CB, ratify(0)),
        refused(EmergencyError::AlreadyRatified { declaration: 0 })
    );
    chain.send(CB + 1, ratify(0)).unwrap();
    assert_eq!(
        chain.declaration(0).expires_ms,
        declared_ms + LAPSE_MS,
        "2 of 5"
    );
    chain.send(CB + 2, ratify(0)).unwrap();
    let ratified = chain.declaration(0);
    assert_eq!(
        ratified.expires_ms,
        chain.now_ms + RATIFIED_FOR_MS,
        "3 of 5"
    );
    assert_eq!(ratified.ratifications, 1);
    assert!(ratified.ratified_by.is_empty(), "a new round");
    chain.send(CB, ratify(0)).unwrap();

    // The officer appends minutes; nobody else does.
    let minutes = step(EmergencyCall::AppendMinutes {
        declaration: 0,
        minutes: text_digest("day 2"),
    });
    assert_eq!(
        chain.send(CB, minutes.clone()),
        refused(EmergencyError::NotEmergencyOfficer)
    );
    chain.send(ISSUER, minutes).unwrap();
    assert_eq!(chain.declaration(0).minutes.len(), 2);

    // The record is in the state's entries and reads back whole.
    let back = chain.read_back(chain.entries()).unwrap();
    assert_eq!(back.governance(), chain.state.governance());
}

#[test]
fn without_an_answer_the_officer_declares_after_an_hour_on_the_record() {
    let mut chain = Chain::new();
    chain.send(ISSUER, consult()).unwrap();
    let requested_ms = chain.now_ms;
    chain.at_ms(requested_ms + CONSULTATION_WAIT_MS - 2);
    assert!(matches!(
        chain.send(ISSUER, declare(0, &["money.redeem"], &[])),
        Err(GovernanceError::Emergency(
            EmergencyError::NotConsulted { .. }
        ))
    ));
    chain
        .send(ISSUER, declare(0, &["money.redeem"], &[]))
        .unwrap();
    assert!(chain.declaration(0).unanswered);
    assert_eq!(
        chain.send(REG, answer(0)),
        refused(EmergencyError::AlreadyConsulted { consultation: 0 })
    );
    assert_eq!(
        chain.send(ISSUER, declare(0, &["money.redeem"], &[])),
        refused(EmergencyError::DeclarationInForce { declaration: 0 })
    );

    // A consultation asked while a declaration ran cannot chain the next
    // one past its lapse.
    let declared_ms = chain.declaration(0).declared_ms;
    chain.at_ms(declared_ms + LAPSE_MS - CONSULTATION_WAIT_MS);
    chain.send(ISSUER, consult()).unwrap();
    chain.send(REG, answer(1)).unwrap();
    chain.at_ms(declared_ms + LAPSE_MS);
    assert_eq!(
        chain.send(ISSUER, declare(1, &["money.redeem"], &[])),
        refused(EmergencyError::ConsultationStale { consultation: 1 })
    );
}
