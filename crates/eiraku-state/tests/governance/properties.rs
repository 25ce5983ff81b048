//! Random governance: seats and outsiders sending every kind of call, in
//! any order, while block time jumps by random steps. Whatever happens, no
//! call panics, the module read back from its entries is the module itself
//! (its queue of due steps included), and no proposal leaves a settled
//! outcome.

use super::*;
use eiraku_core::governance::{ProposalClass, SeatKind};
use proptest::prelude::*;

/// Who may send: the five central banks, the five regulators, the issuer.
const SENDERS: [u64; 11] = [
    CB,
    CB + 1,
    CB + 2,
    CB + 3,
    CB + 4,
    REG,
    REG + 1,
    REG + 2,
    REG + 3,
    REG + 4,
    ISSUER,
];

#[derive(Clone, Debug)]
enum Step {
    /// Block time moves on by this many milliseconds.
    Wait(u64),
    /// A sender sends a call of this kind on this proposal.
    Send {
        sender: usize,
        kind: u8,
        proposal: u64,
        pick: u8,
    },
}

fn step() -> impl Strategy<Value = Step> {
    // Mostly calls, and mostly votes among them, on few proposals, so
    // proposals pass, are vetoed and are enacted, not only rejected.
    prop_oneof![
        1 => (1u64..5_000).prop_map(Step::Wait),
        5 => (0..SENDERS.len(), 0u8..16, prop_oneof![3 => Just(0u64), 1 => Just(1u64)], 0u8..4).prop_map(|(sender, kind, proposal, pick)| {
            Step::Send {
                sender,
                kind,
                proposal,
                pick,
            }
        }),
    ]
}

fn amendment(pick: u8) -> Amendment {
    match pick {
        0 => Amendment::SetParameter(Parameter::TravelRuleThreshold(Amount(7))),
        1 => Amendment::AddSeat {
            account: id(NEWCOMER),
            kind: SeatKind::Advisory,
        },
        2 => Amendment::RemoveSeat {
            account: id(CB + 4),
            kind: SeatKind::Voting,
        },
        _ => Amendment::SetWindows {
            class: ProposalClass::B,
            windows: Windows::of(SECOND, [3, 2, 3, 0, 1]),
        },
    }
}

fn call(kind: u8, proposal: u64, pick: u8) -> GovernanceCall {
    let text = text_digest("random");
    match kind {
        0 => GovernanceCall::Propose {
            amendment: amendment(pick),
            text,
        },
        1 => GovernanceCall::Advise {
            proposal,
            stance: [Stance::Object, Stance::Support][usize::from(pick > 0)],
            text,
        },
        2 => GovernanceCall::Respond {
            proposal,
            objection: u32::from(pick % 3),
            text,
        },
        3..=12 => GovernanceCall::Vote {
            proposal,
            choice: [Choice::Yes, Choice::Yes, Choice::Yes, Choice::No][pick as usize],
            reason: text,
        },
        13 => GovernanceCall::Comment { proposal, text },
        14 => GovernanceCall::Reconsider { proposal, text },
        _ => GovernanceCall::Veto { proposal, text },
    }
}

fn settled(outcome: &ProposalOutcome) -> bool {
    matches!(
        outcome,
        ProposalOutcome::Rejected { .. }
            | ProposalOutcome::Enacted { .. }
            | ProposalOutcome::Vetoed { .. }
            | ProposalOutcome::Failed { .. }
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_calls_at_any_times_keep_the_module_whole(steps in prop::collection::vec(step(), 1..200)) {
        let mut chain = Chain::new();
        for step in steps {
            let before = chain.state.governance().unwrap().proposals().clone();
            match step {
                Step::Wait(ms) => chain.at_ms(chain.now_ms + ms),
                Step::Send { sender, kind, proposal, pick } => {
                    // Votes come from the voting seats (outsiders' are tried too,
                    // by the other kinds of call).
                    let sender = if (3..=12).contains(&kind) { sender % 5 } else { sender };
                    let _ = chain.send(SENDERS[sender], call(kind, proposal, pick));
                }
            }
            let after = chain.state.governance().unwrap().proposals();
            for (id, was) in &before {
                if settled(&was.outcome) {
                    prop_assert_eq!(&after[id].outcome, &was.outcome, "settled stays settled");
                }
            }
            let restored = chain.read_back(chain.entries()).unwrap();
            prop_assert!(restored == chain.state, "read back whole");
        }
    }
}
