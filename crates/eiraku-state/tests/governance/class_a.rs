//! Class A: a whole cycle with an objection, its answer, a send-back, a
//! dissent and the veto window; a veto by two thirds of the advisory seats;
//! the rules themselves changed; an amendment that can no longer apply.

use super::*;
use eiraku_core::governance::{ProposalClass, SeatKind};
use eiraku_state::governance::{AmendmentError, MIN_VOTING_SEATS};

fn propose_a(amendment: Amendment) -> GovernanceCall {
    GovernanceCall::Propose {
        amendment,
        text: text_digest("class A"),
    }
}

fn remark(make: fn(u64, eiraku_core::Digest) -> GovernanceCall) -> GovernanceCall {
    make(0, text_digest("remark"))
}

fn reconsider(proposal: u64, text: eiraku_core::Digest) -> GovernanceCall {
    GovernanceCall::Reconsider { proposal, text }
}

fn veto(proposal: u64, text: eiraku_core::Digest) -> GovernanceCall {
    GovernanceCall::Veto { proposal, text }
}

fn comment(proposal: u64, text: eiraku_core::Digest) -> GovernanceCall {
    GovernanceCall::Comment { proposal, text }
}

/// Every seat but the last votes yes (4 of 5: class A needs two thirds).
fn four_yes_one_no(chain: &mut Chain) {
    for seat in CB..CB + 4 {
        chain.send(seat, vote(Choice::Yes)).unwrap();
    }
    chain.send(CB + 4, vote(Choice::No)).unwrap();
}

#[test]
fn a_class_a_cycle_with_objection_send_back_dissent_and_veto_window_seats_an_adviser() {
    let mut chain = Chain::new();
    let newcomer = id(NEWCOMER);
    let amendment = Amendment::AddSeat {
        account: newcomer,
        kind: SeatKind::Advisory,
    };
    chain.send(CB, propose_a(amendment)).unwrap();
    assert_eq!(chain.proposal(0).class, ProposalClass::A);
    chain.send(REG, advise(Stance::Object)).unwrap();
    chain.send(ISSUER, remark(comment)).unwrap();
    assert_eq!(
        chain.send(OUTSIDER, remark(comment)),
        Err(GovernanceError::NoRole)
    );
    // Two advisory seats send it back: its windows restart from here.
    chain.send(REG + 1, remark(reconsider)).unwrap();
    assert_eq!(
        chain.send(REG + 1, remark(reconsider)),
        Err(GovernanceError::AlreadyRequested { proposal: 0 })
    );
    let first_close = chain.proposal(0).voting_closes_ms();
    chain.send(REG + 2, remark(reconsider)).unwrap();
    let sent_back = chain.proposal(0);
    assert_eq!((sent_back.round, sent_back.opened_ms), (1, chain.now_ms));
    assert!(sent_back.voting_closes_ms() > first_close);
    assert_eq!(
        chain.send(REG + 3, remark(reconsider)),
        Err(GovernanceError::SendBacksUsed { proposal: 0 }),
        "once per proposal"
    );
    // The same seat may advise again in the new round.
    chain.send(REG, advise(Stance::Support)).unwrap();

    chain.at_ms(sent_back.voting_opens_ms());
    assert!(matches!(
        chain.send(CB, vote(Choice::Yes)),
        Err(GovernanceError::UnansweredObjection { objection: 0, .. })
    ));
    chain.send(CB, respond(0)).unwrap();
    four_yes_one_no(&mut chain);
    chain.at_ms(sent_back.voting_closes_ms());
    let passed = chain.proposal(0);
    assert!(matches!(
        passed.outcome,
        ProposalOutcome::Passed { yes: 4, .. }
    ));
    // One veto of five advisers does not stop it.
    chain.send(REG + 4, remark(veto)).unwrap();
    assert_eq!(
        chain.send(REG + 4, remark(veto)),
        Err(GovernanceError::AlreadyVetoed { proposal: 0 })
    );
    chain.at_ms(passed.veto_ends_ms());
    assert!(matches!(
        chain.send(REG + 3, remark(veto)),
        Err(GovernanceError::NotVetoable { .. })
    ));
    assert!(!chain.rules().advisory.contains(&newcomer));
    chain.at_ms(passed.enact_ms());
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    assert!(chain.rules().advisory.contains(&newcomer));
    let record = chain.proposal(0);
    assert_eq!(record.votes[&id(CB + 4)].choice, Choice::No, "dissent kept");
    assert_eq!(
        (
            record.advice.len(),
            record.comments,
            record.reconsider.len()
        ),
        (2, 1, 2)
    );
}

#[test]
fn two_thirds_of_the_advisory_seats_veto_a_passed_class_a_proposal() {
    let mut chain = Chain::new();
    let amendment = Amendment::RemoveSeat {
        account: id(CB + 4),
        kind: SeatKind::Voting,
    };
    chain.send(CB, propose_a(amendment)).unwrap();
    let proposal = chain.proposal(0);
    assert_eq!(
        chain.send(REG, remark(veto)),
        Err(GovernanceError::NotVetoable {
            proposal: 0,
            why: "it has not passed, or is settled".into()
        })
    );
    chain.at_ms(proposal.voting_opens_ms());
    four_yes_one_no(&mut chain);
    chain.at_ms(proposal.voting_closes_ms());
    for seat in REG..REG + 4 {
        chain.send(seat, remark(veto)).unwrap();
    }
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Vetoed { .. }
    ));
    chain.at_ms(proposal.enact_ms() + SECOND);
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Vetoed { .. }
    ));
    assert!(
        chain.rules().voting.contains(&id(CB + 4)),
        "nothing enacted"
    );
}

#[test]
fn class_b_has_no_veto_window() {
    let mut chain = Chain::new();
    chain
        .send(CB, propose(Parameter::TravelRuleThreshold(Amount(9))))
        .unwrap();
    assert!(matches!(
        chain.send(REG, remark(veto)),
        Err(GovernanceError::NotVetoable { .. })
    ));
}

#[test]
fn new_windows_govern_new_proposals_and_running_ones_keep_theirs() {
    let mut chain = Chain::new();
    let mut longer = windows().class_b;
    longer.voting_ms *= 2;
    let amendment = Amendment::SetWindows {
        class: ProposalClass::B,
        windows: longer,
    };
    chain.send(CB, propose_a(amendment)).unwrap();
    chain
        .send(CB + 1, propose(Parameter::MaxRateAgeMs(5)))
        .unwrap();
    let proposal = chain.proposal(0);
    chain.at_ms(proposal.voting_opens_ms());
    four_yes_one_no(&mut chain);
    chain.at_ms(proposal.voting_closes_ms());
    chain.at_ms(proposal.enact_ms());
    assert_eq!(chain.rules().windows.class_b, longer);
    assert_eq!(chain.proposal(1).windows, windows().class_b, "kept");
    chain.send(CB, propose(Parameter::MaxRateAgeMs(6))).unwrap();
    assert_eq!(chain.proposal(2).windows, longer);
}

#[test]
fn amendments_that_cannot_apply_are_refused_when_proposed() {
    let mut chain = Chain::new();
    let refused = |reason| Err(GovernanceError::InvalidAmendment { reason });
    let stranger = Amendment::RemoveSeat {
        account: id(NEWCOMER),
        kind: SeatKind::Voting,
    };
    assert_eq!(
        chain.send(CB, propose_a(stranger)),
        refused(AmendmentError::NotSeated)
    );
    // One seat per account: a regulator cannot also vote.
    let seated = Amendment::AddSeat {
        account: id(REG),
        kind: SeatKind::Voting,
    };
    assert_eq!(
        chain.send(CB, propose_a(seated)),
        refused(AmendmentError::AlreadySeated)
    );
    let bad = [
        Windows {
            voting_ms: 0,
            ..windows().class_a
        },
        Windows {
            veto_ms: 0,
            ..windows().class_a
        },
        Windows {
            advice_ms: u64::MAX / 2,
            ..windows().class_a
        },
    ];
    for windows in bad {
        let amendment = Amendment::SetWindows {
            class: ProposalClass::A,
            windows,
        };
        assert_eq!(
            chain.send(CB, propose_a(amendment)),
            refused(AmendmentError::BadWindows)
        );
    }
    assert!(chain.state.governance().unwrap().proposals().is_empty());
}

#[test]
fn a_seat_change_that_can_no_longer_apply_when_its_time_comes_fails_with_its_reason() {
    let mut chain = Chain::new();
    let seat = Amendment::AddSeat {
        account: id(NEWCOMER),
        kind: SeatKind::Advisory,
    };
    chain.send(CB, propose_a(seat.clone())).unwrap();
    chain.send(CB + 1, propose_a(seat)).unwrap();
    let last = chain.proposal(1);
    chain.at_ms(chain.proposal(0).voting_opens_ms());
    for id in 0..2 {
        yes_from(&mut chain, id, CB..CB + 4);
    }
    chain.at_ms(last.voting_closes_ms());
    chain.at_ms(last.enact_ms());
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    assert_eq!(
        chain.proposal(1).outcome,
        ProposalOutcome::Failed {
            at_ms: chain.now_ms,
            reason: AmendmentError::AlreadySeated
        }
    );
    assert!(chain.rules().advisory.contains(&id(NEWCOMER)));
}

#[test]
fn a_late_count_still_leaves_the_advisory_seats_their_whole_veto_window() {
    let mut chain = Chain::new();
    let amendment = Amendment::AddSeat {
        account: id(NEWCOMER),
        kind: SeatKind::Advisory,
    };
    chain.send(CB, propose_a(amendment)).unwrap();
    let proposal = chain.proposal(0);
    chain.at_ms(proposal.voting_opens_ms());
    four_yes_one_no(&mut chain);
    // The chain stood still past the whole veto window and delay: the
    // first block after counts, and enacts nothing yet.
    chain.at_ms(proposal.enact_ms() + 3600 * SECOND);
    let ProposalOutcome::Passed { veto_ends_ms, .. } = chain.proposal(0).outcome else {
        panic!("counted and passed");
    };
    assert_eq!(veto_ends_ms, chain.now_ms + windows().class_a.veto_ms);
    for seat in REG..REG + 4 {
        chain.send(seat, remark(veto)).unwrap();
    }
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Vetoed { .. }
    ));
    assert!(!chain.rules().advisory.contains(&id(NEWCOMER)));
}

#[test]
fn only_seats_ask_to_reconsider() {
    let mut chain = Chain::new();
    chain
        .send(CB, propose(Parameter::TravelRuleThreshold(Amount(4))))
        .unwrap();
    assert_eq!(
        chain.send(ISSUER, remark(reconsider)),
        Err(GovernanceError::NotASeat)
    );
}

#[test]
fn the_voting_seats_never_fall_below_three() {
    let mut chain = Chain::new();
    for seat in 0..3 {
        let amendment = Amendment::RemoveSeat {
            account: id(CB + 4 - seat),
            kind: SeatKind::Voting,
        };
        chain.send(CB, propose_a(amendment)).unwrap();
    }
    let last = chain.proposal(2);
    chain.at_ms(chain.proposal(0).voting_opens_ms());
    for id in 0..3 {
        yes_from(&mut chain, id, CB..CB + 5);
    }
    chain.at_ms(last.voting_closes_ms());
    chain.at_ms(last.enact_ms());
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    assert!(matches!(
        chain.proposal(1).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    let ProposalOutcome::Failed { reason, .. } = chain.proposal(2).outcome else {
        panic!("the third removal must fail");
    };
    assert_eq!(reason, AmendmentError::TooFewVotingSeats);
    assert_eq!(chain.rules().voting.len(), MIN_VOTING_SEATS);
}

#[test]
fn a_seat_removed_before_the_count_no_longer_counts_but_its_vote_stays_on_record() {
    let mut chain = Chain::new();
    let removed = id(CB + 4);
    let amendment = Amendment::RemoveSeat {
        account: removed,
        kind: SeatKind::Voting,
    };
    chain.send(CB, propose_a(amendment)).unwrap();
    chain.at(12 * SECOND);
    chain
        .send(CB, propose(Parameter::TravelRuleThreshold(Amount(3))))
        .unwrap();
    let (removal, parameter) = (chain.proposal(0), chain.proposal(1));
    chain.at_ms(removal.voting_opens_ms());
    yes_from(&mut chain, 0, CB..CB + 5);
    // The parameter's vote runs while the removal waits for its time.
    chain.at_ms(parameter.voting_opens_ms());
    assert!(parameter.voting_closes_ms() > removal.enact_ms());
    yes_from(&mut chain, 1, [CB, CB + 1, CB + 4]);
    chain.at_ms(parameter.voting_closes_ms());
    assert!(!chain.rules().voting.contains(&removed));
    assert_eq!(
        chain.proposal(1).outcome,
        ProposalOutcome::Rejected { yes: 2, needed: 3 },
        "three of five would pass; two of the four seats left do not"
    );
    assert!(chain.proposal(1).votes.contains_key(&removed));
}

#[test]
fn vetoes_are_counted_again_when_an_advisory_seat_left_before_enactment() {
    let mut chain = Chain::new();
    let leaving = Amendment::RemoveSeat {
        account: id(REG + 4),
        kind: SeatKind::Advisory,
    };
    let newcomer = Amendment::AddSeat {
        account: id(NEWCOMER),
        kind: SeatKind::Advisory,
    };
    chain.send(CB, propose_a(leaving)).unwrap();
    chain.send(CB, propose_a(newcomer)).unwrap();
    let (first, second) = (chain.proposal(0), chain.proposal(1));
    chain.at_ms(first.voting_opens_ms());
    for id in 0..2 {
        yes_from(&mut chain, id, CB..CB + 4);
    }
    chain.at_ms(second.voting_closes_ms());
    // Three of five advisers veto the newcomer: short of two thirds.
    for seat in REG..REG + 3 {
        let veto = GovernanceCall::Veto {
            proposal: 1,
            text: text_digest("no"),
        };
        chain.send(seat, veto).unwrap();
    }
    assert!(matches!(
        chain.proposal(1).outcome,
        ProposalOutcome::Passed { .. }
    ));
    // The removal takes effect first; three of the four advisers left are
    // two thirds, and the newcomer is not seated.
    let ProposalOutcome::Passed { enact_ms, .. } = chain.proposal(1).outcome else {
        unreachable!()
    };
    chain.at_ms(enact_ms);
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    assert!(matches!(
        chain.proposal(1).outcome,
        ProposalOutcome::Vetoed { .. }
    ));
    assert!(!chain.rules().advisory.contains(&id(NEWCOMER)));
}

#[test]
fn governance_gives_an_official_a_new_key_and_never_a_customer() {
    let mut chain = Chain::new();
    let new_key = id(NEWCOMER);
    // Not an official: banks and customers are their opener's to replace.
    let customer = Amendment::ReplaceKey {
        account: id(OUTSIDER),
        new_key,
    };
    assert_eq!(
        chain.send(CB, propose_a(customer)),
        Err(GovernanceError::InvalidAmendment {
            reason: AmendmentError::NotAnOfficial
        })
    );
    let not_a_key = (0u8..=255)
        .map(|b| AccountId::from_bytes([b; 32]))
        .find(|id| id.public_key().is_err())
        .unwrap();
    let garbage = Amendment::ReplaceKey {
        account: id(CB + 4),
        new_key: not_a_key,
    };
    assert_eq!(
        chain.send(CB, propose_a(garbage)),
        Err(GovernanceError::InvalidAmendment {
            reason: AmendmentError::InvalidKey
        })
    );

    // The central bank of SG lost its key: a class-A cycle gives it one.
    let amendment = Amendment::ReplaceKey {
        account: id(CB + 4),
        new_key,
    };
    chain.send(CB, propose_a(amendment)).unwrap();
    let proposal = chain.proposal(0);
    assert_eq!(proposal.class, ProposalClass::A);
    chain.at_ms(proposal.voting_opens_ms());
    yes_from(&mut chain, 0, CB..CB + 4);
    chain.at_ms(proposal.voting_closes_ms());
    assert_eq!(chain.state.keys().key_of(&id(CB + 4)), id(CB + 4));
    chain.at_ms(proposal.enact_ms());
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    assert_eq!(chain.state.keys().key_of(&id(CB + 4)), new_key);
}

#[test]
fn the_key_replacement_time_lock_is_a_class_a_parameter() {
    let mut chain = Chain::new();
    assert_eq!(
        chain.send(CB, propose(Parameter::KeyReplacementDelayMs(0))),
        Err(GovernanceError::InvalidAmendment {
            reason: AmendmentError::BadDelay
        })
    );
    let day = 24 * 60 * 60 * SECOND;
    chain
        .send(CB, propose(Parameter::KeyReplacementDelayMs(3 * day)))
        .unwrap();
    let proposal = chain.proposal(0);
    assert_eq!(proposal.class, ProposalClass::A, "who controls accounts");
    chain.at_ms(proposal.voting_opens_ms());
    yes_from(&mut chain, 0, CB..CB + 4);
    chain.at_ms(proposal.voting_closes_ms());
    chain.at_ms(proposal.enact_ms());
    assert_eq!(chain.state.keys().delay_ms(), 3 * day);
    assert_eq!(
        chain.threshold(),
        Amount(1_000),
        "money's parameters untouched"
    );
}
