//! A proposal and its record: who proposed what, the advice and the
//! proposer's responses, the votes with their reasons, and the outcome.
//! Nothing is ever removed: dissent and objections stay on record.

use eiraku_core::{
    governance::{Amendment, Choice, ProposalClass, Stance, Windows},
    AccountId, Digest,
};
use imbl::{OrdMap, Vector};

/// An advisory seat's advice, and the proposer's response to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advice {
    /// The round it was given in (0, or 1 after the proposal was sent
    /// back).
    pub round: u32,
    /// The advisory seat.
    pub by: AccountId,
    /// For or against.
    pub stance: Stance,
    /// Digest of the advice.
    pub text: Digest,
    /// Block time it was given.
    pub at_ms: u64,
    /// Digest of the proposer's response, once given.
    pub response: Option<Digest>,
}

/// A comment, a request to reconsider, or a veto: who, what, when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Remark {
    /// The round it was made in.
    pub round: u32,
    /// Who made it.
    pub by: AccountId,
    /// Digest of its text.
    pub text: Digest,
    /// Block time.
    pub at_ms: u64,
}

/// A voting seat's vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ballot {
    /// Yes, no or abstain.
    pub choice: Choice,
    /// Digest of the reason.
    pub reason: Digest,
    /// Block time it was cast.
    pub at_ms: u64,
}

/// Where a proposal stands once its windows allow no more calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Windows still open (advice, review or voting).
    Open,
    /// Passed; enacted by the state machine at `enact_ms`.
    Passed {
        /// Yes votes.
        yes: u32,
        /// End of the veto window, counted from the count (class A; the
        /// count itself for class B).
        veto_ends_ms: u64,
        /// Block time of enactment.
        enact_ms: u64,
    },
    /// Voting closed without the threshold.
    Rejected {
        /// Yes votes.
        yes: u32,
        /// Yes votes it needed.
        needed: u32,
    },
    /// Enacted: the change is in the state.
    Enacted {
        /// Block time of enactment.
        at_ms: u64,
    },
    /// Vetoed by the advisory seats during its veto window.
    Vetoed {
        /// Block time of the veto that reached two thirds.
        at_ms: u64,
    },
    /// Passed, but could no longer apply when its time came.
    Failed {
        /// Block time it was tried.
        at_ms: u64,
        /// Why it could not apply.
        reason: super::AmendmentError,
    },
}

/// Which window a proposal is in at a block time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Advisory seats advise.
    Advice,
    /// Everyone reads; the proposer answers objections.
    Review,
    /// Voting seats vote.
    Voting,
    /// Voting closed.
    Closed,
}

/// How many times a proposal may be sent back: once, so a minority can
/// make the seats think again but never block a proposal for ever.
pub const MAX_SEND_BACKS: u32 = 1;

/// A proposal and its whole record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Its number, from 0.
    pub id: u64,
    /// Its class (from the amendment).
    pub class: ProposalClass,
    /// The voting seat that proposed it.
    pub proposer: AccountId,
    /// What it changes, exactly.
    pub amendment: Amendment,
    /// Digest of the rationale.
    pub text: Digest,
    /// Block time it was proposed.
    pub proposed_ms: u64,
    /// How many times it was sent back (its windows restarted).
    pub round: u32,
    /// Block time its current windows started: when it was proposed, or
    /// last sent back.
    pub opened_ms: u64,
    /// Its class's windows when it was proposed (later rule changes do not
    /// move a running proposal's deadlines).
    pub windows: Windows,
    /// Advice in the order it arrived.
    pub advice: Vector<Advice>,
    /// Votes by seat.
    pub votes: OrdMap<AccountId, Ballot>,
    /// Comments made (each its own entry: see [`super::Governance::comments`]).
    pub comments: u32,
    /// Requests to reconsider, in order (every round's).
    pub reconsider: Vector<Remark>,
    /// Vetoes, in order.
    pub vetoes: Vector<Remark>,
    /// Where it stands.
    pub outcome: Outcome,
}

impl Proposal {
    /// End of the advice window (block time).
    pub fn advice_ends_ms(&self) -> u64 {
        self.opened_ms.saturating_add(self.windows.advice_ms)
    }

    /// End of the review window, when voting opens.
    pub fn voting_opens_ms(&self) -> u64 {
        self.advice_ends_ms().saturating_add(self.windows.review_ms)
    }

    /// End of the voting window.
    pub fn voting_closes_ms(&self) -> u64 {
        self.voting_opens_ms()
            .saturating_add(self.windows.voting_ms)
    }

    /// End of the veto window (the close of voting for class B).
    pub fn veto_ends_ms(&self) -> u64 {
        let veto = match self.class {
            ProposalClass::A => self.windows.veto_ms,
            ProposalClass::B => 0,
        };
        self.voting_closes_ms().saturating_add(veto)
    }

    /// When it takes effect, if it passes.
    pub fn enact_ms(&self) -> u64 {
        self.veto_ends_ms().saturating_add(self.windows.delay_ms)
    }

    /// The window it is in at `now_ms`.
    pub fn phase(&self, now_ms: u64) -> Phase {
        if now_ms < self.advice_ends_ms() {
            Phase::Advice
        } else if now_ms < self.voting_opens_ms() {
            Phase::Review
        } else if now_ms < self.voting_closes_ms() {
            Phase::Voting
        } else {
            Phase::Closed
        }
    }

    /// This round's requests to reconsider from seats in `seats`.
    pub fn requests_from(&self, seats: &imbl::OrdSet<AccountId>) -> u32 {
        self.reconsider
            .iter()
            .filter(|r| r.round == self.round && seats.contains(&r.by))
            .count() as u32
    }

    /// Vetoes from seats in `seats`.
    pub fn vetoes_from(&self, seats: &imbl::OrdSet<AccountId>) -> u32 {
        self.vetoes.iter().filter(|v| seats.contains(&v.by)).count() as u32
    }

    /// The first objection the proposer has not answered, by index.
    pub fn unanswered_objection(&self) -> Option<u32> {
        self.advice
            .iter()
            .position(|a| a.stance == Stance::Object && a.response.is_none())
            .map(|index| index as u32)
    }

    /// Yes votes so far from seats in `seats` (a seat removed meanwhile
    /// no longer counts; its vote stays on record).
    pub fn yes_votes(&self, seats: &imbl::OrdSet<AccountId>) -> u32 {
        self.votes
            .iter()
            .filter(|(seat, ballot)| ballot.choice == Choice::Yes && seats.contains(*seat))
            .count() as u32
    }
}

/// Yes votes a proposal of `class` needs among `seats` voting seats: at
/// least two thirds for class A, more than half for class B.
pub fn votes_needed(class: ProposalClass, seats: u32) -> u32 {
    match class {
        ProposalClass::A => (2 * seats).div_ceil(3),
        ProposalClass::B => seats / 2 + 1,
    }
}

/// Whether requests to reconsider from `voting` of `voting_seats` voting
/// seats and `advisory` advisory seats send a proposal back: a third of the
/// voting seats, or two advisory seats.
pub fn sends_back(voting: u32, voting_seats: u32, advisory: u32) -> bool {
    3 * voting >= voting_seats || advisory >= 2
}

/// Whether `vetoes` of `advisory_seats` advisory seats stop a proposal:
/// two thirds of them.
pub fn vetoed(vetoes: u32, advisory_seats: u32) -> bool {
    3 * vetoes >= 2 * advisory_seats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_two_thirds_and_a_majority_of_all_seats() {
        assert_eq!(votes_needed(ProposalClass::A, 14), 10);
        assert_eq!(votes_needed(ProposalClass::A, 3), 2);
        assert_eq!(votes_needed(ProposalClass::A, 4), 3);
        assert_eq!(votes_needed(ProposalClass::B, 14), 8);
        assert_eq!(votes_needed(ProposalClass::B, 3), 2);
        assert_eq!(votes_needed(ProposalClass::B, 4), 3);
    }

    #[test]
    fn a_third_of_voting_seats_or_two_advisers_send_back_two_thirds_of_advisers_veto() {
        assert!(!sends_back(4, 14, 1));
        assert!(sends_back(5, 14, 0));
        assert!(sends_back(0, 14, 2));
        assert!(!vetoed(9, 14));
        assert!(vetoed(10, 14));
        assert!(vetoed(2, 3));
    }
}
