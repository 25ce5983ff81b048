//! The governance module (seed 003, DESIGN.md §6): seats, proposals,
//! advice and responses, votes with reasons, and enactment by the state
//! machine at the proposal's time.
//!
//! A proposal's windows run one after another from the block time it was
//! proposed: advice, review, voting. When voting closes, the first block at
//! or after that time counts the votes; a proposal that passed is enacted by
//! the first block at or after the close plus its class's delay. Both are
//! found in a queue ordered by time, so a block pays only for what is due.

mod codec;
mod emergency;
mod emergency_codec;
mod emergency_error;
mod enactment;
mod error;
mod module;
pub mod proposal;
mod remarks;

pub use eiraku_core::governance::MIN_VOTING_SEATS;
pub use emergency::{Answer, Consultation, Declaration, Emergency, Review, MAX_MINUTES};
pub use emergency_error::EmergencyError;
pub(crate) use enactment::check_parameter;
pub use error::{AmendmentError, GovernanceError};
pub use proposal::{Advice, Ballot, Outcome, Phase, Proposal, Remark};

use eiraku_core::{
    governance::{Amendment, Choice, GovernanceCall, SeatKind, Stance},
    AccountId, Digest, Genesis, GovernanceGenesis,
};
use enactment::next_step_ms;
use imbl::{OrdMap, OrdSet, Vector};

/// Most proposals one voting seat may have open or waiting for enactment:
/// a seat cannot flood the advisory seats with proposals.
pub const MAX_OPEN_PER_SEAT: usize = 4;

/// Who sits where, and the windows of each class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Voting seats: each economy's central bank (one economy, one vote).
    pub voting: OrdSet<AccountId>,
    /// Advisory seats: each economy's regulator.
    pub advisory: OrdSet<AccountId>,
    /// The windows of class A and class B.
    pub windows: GovernanceGenesis,
    /// Reviewers: outside auditors who review emergency declarations.
    pub reviewers: OrdSet<AccountId>,
}

/// The governance module's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Governance {
    rules: Rules,
    proposals: OrdMap<u64, Proposal>,
    /// Comments by (proposal, number): entries of their own, so a
    /// proposal's record does not grow with them.
    comments: OrdMap<(u64, u32), Remark>,
    /// Open and passed proposals by the block time of their next step
    /// (counting the votes, or enactment). Derived from `proposals`.
    due: OrdMap<(u64, u64), ()>,
    /// The emergency procedure's consultations and declarations.
    emergency: Emergency,
}

/// A governance call's sender and block time.
pub(crate) struct Caller<'a> {
    pub sender: &'a AccountId,
    /// Whether the sender holds a role (who may comment).
    pub has_role: bool,
    pub now_ms: u64,
    /// Every role (whose key a proposal may replace).
    pub authority: &'a crate::authority::Authority,
}

impl Governance {
    /// The module a genesis file sets up, when it has a governance section
    /// (its seats come from the money section's economies).
    pub fn from_genesis(genesis: &Genesis) -> Option<Self> {
        let windows = genesis.governance?;
        let economies = genesis.money.as_ref().map(|m| m.economies.as_slice());
        let economies = economies.unwrap_or_default();
        let rules = Rules {
            voting: economies.iter().map(|e| e.central_bank).collect(),
            advisory: economies.iter().map(|e| e.regulator).collect(),
            windows,
            reviewers: genesis.reviewers.iter().copied().collect(),
        };
        Some(Self::restore(rules, OrdMap::new(), OrdMap::new()))
    }

    /// Rebuilds the module from its rules, proposals and comments.
    pub fn restore(
        rules: Rules,
        proposals: OrdMap<u64, Proposal>,
        comments: OrdMap<(u64, u32), Remark>,
    ) -> Self {
        let due = proposals
            .values()
            .filter_map(|p| next_step_ms(p).map(|at| ((at, p.id), ())))
            .collect();
        Self {
            rules,
            proposals,
            comments,
            due,
            emergency: Emergency::default(),
        }
    }

    /// The emergency procedure's record.
    pub fn emergency(&self) -> &Emergency {
        &self.emergency
    }

    /// Proposal `id`'s comments from number `from` on, at most `count`.
    pub fn comments(&self, id: u64, from: u32, count: usize) -> Vec<Remark> {
        let range = (id, from)..=(id, u32::MAX);
        self.comments
            .range(range)
            .take(count)
            .map(|(_, remark)| *remark)
            .collect()
    }

    /// The seats and windows.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Every proposal, by number.
    pub fn proposals(&self) -> &OrdMap<u64, Proposal> {
        &self.proposals
    }

    /// Runs one governance call.
    pub(crate) fn apply(
        &mut self,
        caller: &Caller<'_>,
        call: &GovernanceCall,
    ) -> Result<(), GovernanceError> {
        match call {
            GovernanceCall::Propose { amendment, text } => self.propose(caller, amendment, *text),
            GovernanceCall::Advise {
                proposal,
                stance,
                text,
            } => self.advise(caller, *proposal, *stance, *text),
            GovernanceCall::Respond {
                proposal,
                objection,
                text,
            } => self.respond(caller, *proposal, *objection, *text),
            GovernanceCall::Vote {
                proposal,
                choice,
                reason,
            } => self.vote(caller, *proposal, *choice, *reason),
            GovernanceCall::Comment { proposal, text } => self.comment(caller, *proposal, *text),
            GovernanceCall::Reconsider { proposal, text } => {
                self.reconsider(caller, *proposal, *text)
            }
            GovernanceCall::Veto { proposal, text } => self.veto(caller, *proposal, *text),
            GovernanceCall::Emergency(step) => self.emergency_step(caller, step),
        }
    }

    fn propose(
        &mut self,
        caller: &Caller<'_>,
        amendment: &Amendment,
        text: Digest,
    ) -> Result<(), GovernanceError> {
        if !self.rules.voting.contains(caller.sender) {
            return Err(GovernanceError::NotVotingSeat);
        }
        self.check_amendment(amendment)
            .and_then(|()| self.check_roles(amendment, caller.authority))
            .map_err(|reason| GovernanceError::InvalidAmendment { reason })?;
        let open = self.due.keys().filter(|(_, id)| {
            self.proposals
                .get(id)
                .is_some_and(|p| &p.proposer == caller.sender)
        });
        if open.count() >= MAX_OPEN_PER_SEAT {
            return Err(GovernanceError::TooManyOpen {
                limit: MAX_OPEN_PER_SEAT as u32,
            });
        }
        let id = self.proposals.get_max().map_or(0, |(last, _)| last + 1);
        let class = amendment.class();
        let proposal = Proposal {
            id,
            class,
            proposer: *caller.sender,
            amendment: amendment.clone(),
            text,
            proposed_ms: caller.now_ms,
            round: 0,
            opened_ms: caller.now_ms,
            windows: *self.rules.windows.windows(class),
            advice: Vector::new(),
            votes: OrdMap::new(),
            comments: 0,
            reconsider: Vector::new(),
            vetoes: Vector::new(),
            outcome: Outcome::Open,
        };
        self.due.insert((proposal.voting_closes_ms(), id), ());
        self.proposals.insert(id, proposal);
        Ok(())
    }

    fn advise(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        stance: Stance,
        text: Digest,
    ) -> Result<(), GovernanceError> {
        if !self.rules.advisory.contains(caller.sender) {
            return Err(GovernanceError::NotAdvisorySeat);
        }
        let proposal = self.open(id, caller.now_ms, Phase::Advice)?;
        let round = proposal.round;
        if (proposal.advice.iter()).any(|a| &a.by == caller.sender && a.round == round) {
            return Err(GovernanceError::AlreadyAdvised { proposal: id });
        }
        proposal.advice.push_back(Advice {
            round,
            by: *caller.sender,
            stance,
            text,
            at_ms: caller.now_ms,
            response: None,
        });
        Ok(())
    }

    fn respond(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        objection: u32,
        text: Digest,
    ) -> Result<(), GovernanceError> {
        let proposal = self.proposal_mut(id)?;
        if &proposal.proposer != caller.sender {
            return Err(GovernanceError::NotProposer { proposal: id });
        }
        if proposal.phase(caller.now_ms) == Phase::Closed {
            return Err(window_not_open(id, "voting", Phase::Closed));
        }
        let advice = proposal
            .advice
            .get_mut(objection as usize)
            .filter(|a| a.stance == Stance::Object)
            .ok_or(GovernanceError::NoSuchObjection {
                proposal: id,
                objection,
            })?;
        if advice.response.is_some() {
            return Err(GovernanceError::AlreadyAnswered {
                proposal: id,
                objection,
            });
        }
        advice.response = Some(text);
        Ok(())
    }

    fn vote(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        choice: Choice,
        reason: Digest,
    ) -> Result<(), GovernanceError> {
        if !self.rules.voting.contains(caller.sender) {
            return Err(GovernanceError::NotVotingSeat);
        }
        let proposal = self.open(id, caller.now_ms, Phase::Voting)?;
        if let Some(objection) = proposal.unanswered_objection() {
            return Err(GovernanceError::UnansweredObjection {
                proposal: id,
                objection,
            });
        }
        if proposal.votes.contains_key(caller.sender) {
            return Err(GovernanceError::AlreadyVoted { proposal: id });
        }
        let ballot = Ballot {
            choice,
            reason,
            at_ms: caller.now_ms,
        };
        proposal.votes.insert(*caller.sender, ballot);
        Ok(())
    }

    pub(super) fn proposal_mut(&mut self, id: u64) -> Result<&mut Proposal, GovernanceError> {
        self.proposals
            .get_mut(&id)
            .ok_or(GovernanceError::NoSuchProposal { proposal: id })
    }

    /// Proposal `id`, when it is in `phase` at `now_ms`.
    fn open(
        &mut self,
        id: u64,
        now_ms: u64,
        phase: Phase,
    ) -> Result<&mut Proposal, GovernanceError> {
        let proposal = self.proposal_mut(id)?;
        let now = proposal.phase(now_ms);
        if now != phase {
            return Err(window_not_open(id, &phase_name(phase), now));
        }
        Ok(proposal)
    }
}

impl Rules {
    fn seats_mut(&mut self, kind: SeatKind) -> &mut OrdSet<AccountId> {
        match kind {
            SeatKind::Voting => &mut self.voting,
            SeatKind::Advisory => &mut self.advisory,
            SeatKind::Reviewer => &mut self.reviewers,
        }
    }
}

pub(super) fn remark(proposal: &Proposal, caller: &Caller<'_>, text: Digest) -> Remark {
    Remark {
        round: proposal.round,
        by: *caller.sender,
        text,
        at_ms: caller.now_ms,
    }
}

/// A phase's name, as errors and the API spell it.
pub fn phase_name(phase: Phase) -> String {
    format!("{phase:?}").to_lowercase()
}

pub(super) fn window_not_open(proposal: u64, window: &str, now: Phase) -> GovernanceError {
    GovernanceError::WindowNotOpen {
        proposal,
        window: window.into(),
        now: phase_name(now),
    }
}

impl Governance {
    /// Checks an amendment that names roles against them. A key
    /// replacement must name an official: banks and customers have the
    /// authority that opened them (module `keys`), and governance taking
    /// over a customer's account is exactly what the time lock there
    /// prevents. (A succession is checked with the chain's id, by the
    /// state's guards.)
    fn check_roles(
        &self,
        amendment: &Amendment,
        authority: &crate::authority::Authority,
    ) -> Result<(), AmendmentError> {
        match amendment {
            Amendment::ReplaceKey { account, .. } => match authority.role(account) {
                Some(role) if role.is_governed() => Ok(()),
                _ => Err(AmendmentError::NotAnOfficial),
            },
            _ => Ok(()),
        }
    }
}
