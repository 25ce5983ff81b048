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
    /// Passed, but could no longer apply when its time came.
    Failed {
        /// Block time it was tried.
        at_ms: u64,
        /// Why it could not apply.
        reason: String,
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
    /// Its class's windows when it was proposed (later rule changes do not
    /// move a running proposal's deadlines).
    pub windows: Windows,
    /// Advice in the order it arrived.
    pub advice: Vector<Advice>,
    /// Votes by seat.
    pub votes: OrdMap<AccountId, Ballot>,
    /// Where it stands.
    pub outcome: Outcome,
}

impl Proposal {
    /// End of the advice window (block time).
    pub fn advice_ends_ms(&self) -> u64 {
        self.proposed_ms.saturating_add(self.windows.advice_ms)
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

    /// The first objection the proposer has not answered, by index.
    pub fn unanswered_objection(&self) -> Option<u32> {
        self.advice
            .iter()
            .position(|a| a.stance == Stance::Object && a.response.is_none())
            .map(|index| index as u32)
    }

    /// Yes votes so far.
    pub fn yes_votes(&self) -> u32 {
        self.votes
            .values()
            .filter(|ballot| ballot.choice == Choice::Yes)
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
}
