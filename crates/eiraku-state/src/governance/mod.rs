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
mod enactment;
mod error;
mod module;
pub mod proposal;

pub use error::GovernanceError;
pub use proposal::{Advice, Ballot, Outcome, Phase, Proposal, Remark};

use eiraku_core::{
    governance::{Amendment, Choice, GovernanceCall, ProposalClass, SeatKind, Stance},
    AccountId, Digest, Genesis, GovernanceGenesis,
};
use imbl::{OrdMap, OrdSet, Vector};
use proposal::{sends_back, vetoed, votes_needed, MAX_SEND_BACKS};

/// Who sits where, and the windows of each class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Voting seats: each economy's central bank (one economy, one vote).
    pub voting: OrdSet<AccountId>,
    /// Advisory seats: each economy's regulator.
    pub advisory: OrdSet<AccountId>,
    /// The windows of class A and class B.
    pub windows: GovernanceGenesis,
}

/// The governance module's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Governance {
    rules: Rules,
    proposals: OrdMap<u64, Proposal>,
    /// Open and passed proposals by the block time of their next step
    /// (counting the votes, or enactment). Derived from `proposals`.
    due: OrdMap<(u64, u64), ()>,
}

/// A governance call's sender and block time.
pub(crate) struct Caller<'a> {
    pub sender: &'a AccountId,
    /// Whether the sender holds a role (who may comment).
    pub has_role: bool,
    pub now_ms: u64,
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
        };
        Some(Self::restore(rules, OrdMap::new()))
    }

    /// Rebuilds the module from its rules and proposals.
    pub fn restore(rules: Rules, proposals: OrdMap<u64, Proposal>) -> Self {
        let due = proposals
            .values()
            .filter_map(|p| next_step_ms(p).map(|at| ((at, p.id), ())))
            .collect();
        Self {
            rules,
            proposals,
            due,
        }
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
        let id = self.proposals.len() as u64;
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
            comments: Vector::new(),
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

    fn comment(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        text: Digest,
    ) -> Result<(), GovernanceError> {
        if !caller.has_role {
            return Err(GovernanceError::NoRole);
        }
        let proposal = self.proposal_mut(id)?;
        let phase = proposal.phase(caller.now_ms);
        if phase == Phase::Closed {
            return Err(window_not_open(id, "advice, review or voting", phase));
        }
        let remark = remark(proposal, caller, text);
        proposal.comments.push_back(remark);
        Ok(())
    }

    /// A seat's request to send proposal `id` back; enough of them restart
    /// its windows from this block.
    fn reconsider(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        text: Digest,
    ) -> Result<(), GovernanceError> {
        let (voting, advisory) = (&self.rules.voting, &self.rules.advisory);
        if !voting.contains(caller.sender) && !advisory.contains(caller.sender) {
            return Err(GovernanceError::NotVotingSeat);
        }
        let proposal = self.proposals.get_mut(&id);
        let proposal = proposal.ok_or(GovernanceError::NoSuchProposal { proposal: id })?;
        let phase = proposal.phase(caller.now_ms);
        if !matches!(phase, Phase::Advice | Phase::Review) {
            return Err(window_not_open(id, "advice or review", phase));
        }
        if proposal.round >= MAX_SEND_BACKS {
            return Err(GovernanceError::SendBacksUsed { proposal: id });
        }
        let round = proposal.round;
        if (proposal.reconsider.iter()).any(|r| &r.by == caller.sender && r.round == round) {
            return Err(GovernanceError::AlreadyRequested { proposal: id });
        }
        let remark = remark(proposal, caller, text);
        proposal.reconsider.push_back(remark);
        let from_voting = proposal.requests_from(voting);
        if sends_back(
            from_voting,
            voting.len() as u32,
            proposal.requests_from(advisory),
        ) {
            let closes = proposal.voting_closes_ms();
            proposal.round += 1;
            proposal.opened_ms = caller.now_ms;
            let new_closes = proposal.voting_closes_ms();
            self.due.remove(&(closes, id));
            self.due.insert((new_closes, id), ());
        }
        Ok(())
    }

    /// An advisory seat's veto of passed class-A proposal `id`; two thirds
    /// of the advisory seats stop it.
    fn veto(&mut self, caller: &Caller<'_>, id: u64, text: Digest) -> Result<(), GovernanceError> {
        let advisory = &self.rules.advisory;
        if !advisory.contains(caller.sender) {
            return Err(GovernanceError::NotAdvisorySeat);
        }
        let proposal = self.proposals.get_mut(&id);
        let proposal = proposal.ok_or(GovernanceError::NoSuchProposal { proposal: id })?;
        let not_vetoable = |why: &str| GovernanceError::NotVetoable {
            proposal: id,
            why: why.into(),
        };
        if proposal.class != ProposalClass::A {
            return Err(not_vetoable("only class-A proposals have a veto window"));
        }
        let Outcome::Passed { enact_ms, .. } = proposal.outcome else {
            return Err(not_vetoable("it has not passed, or is settled"));
        };
        if caller.now_ms >= proposal.veto_ends_ms() {
            return Err(not_vetoable("its veto window has closed"));
        }
        if proposal.vetoes.iter().any(|v| &v.by == caller.sender) {
            return Err(GovernanceError::AlreadyVetoed { proposal: id });
        }
        let remark = remark(proposal, caller, text);
        proposal.vetoes.push_back(remark);
        let vetoes = (proposal.vetoes.iter()).filter(|v| advisory.contains(&v.by));
        if vetoed(vetoes.count() as u32, advisory.len() as u32) {
            proposal.outcome = Outcome::Vetoed {
                at_ms: caller.now_ms,
            };
            self.due.remove(&(enact_ms, id));
        }
        Ok(())
    }

    /// Enacts an amendment to governance itself (its seats or windows).
    pub(crate) fn enact(&mut self, amendment: &Amendment) -> Option<Result<(), String>> {
        let rules = &mut self.rules;
        Some(match *amendment {
            Amendment::SetParameter(_) => return None,
            Amendment::SetWindows { class, windows } => windows.check(class).map(|()| {
                match class {
                    ProposalClass::A => rules.windows.class_a = windows,
                    ProposalClass::B => rules.windows.class_b = windows,
                };
            }),
            Amendment::AddSeat { account, kind } => {
                let seats = rules.seats_mut(kind);
                match seats.insert(account) {
                    None => Ok(()),
                    Some(_) => Err(format!("{account} already holds a {kind:?} seat")),
                }
            }
            Amendment::RemoveSeat { account, kind } => {
                let seats = rules.seats_mut(kind);
                if kind == SeatKind::Voting && seats.len() <= MIN_VOTING_SEATS {
                    Err(format!("at least {MIN_VOTING_SEATS} voting seats remain"))
                } else if seats.remove(&account).is_none() {
                    Err(format!("{account} holds no {kind:?} seat"))
                } else {
                    Ok(())
                }
            }
        })
    }

    fn proposal_mut(&mut self, id: u64) -> Result<&mut Proposal, GovernanceError> {
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

    /// Takes the steps due by `now_ms` in time order: counts the votes of
    /// proposals whose voting closed, up to the first proposal whose
    /// enactment is due, which it returns with its amendment. The caller
    /// enacts it before asking again, so a count after an enactment (a
    /// seat removed, say) sees it.
    pub(crate) fn next_enactment(&mut self, now_ms: u64) -> Option<(u64, Amendment)> {
        while let Some(((at, id), ())) = self.due.get_min().cloned() {
            if at > now_ms {
                break;
            }
            self.due.remove(&(at, id));
            let proposal = self.proposals.get_mut(&id).expect("due proposals exist");
            match proposal.outcome {
                Outcome::Open => {
                    proposal.outcome = tally(proposal, &self.rules.voting);
                    if let Some(next) = next_step_ms(proposal) {
                        self.due.insert((next, id), ());
                    }
                }
                Outcome::Passed { .. } => return Some((id, proposal.amendment.clone())),
                _ => unreachable!("only open and passed proposals are due"),
            }
        }
        None
    }

    /// Records how enacting proposal `id` at `now_ms` went.
    pub(crate) fn record_enactment(&mut self, id: u64, now_ms: u64, result: Result<(), String>) {
        let proposal = self
            .proposals
            .get_mut(&id)
            .expect("enacted proposals exist");
        proposal.outcome = match result {
            Ok(()) => Outcome::Enacted { at_ms: now_ms },
            Err(reason) => Outcome::Failed {
                at_ms: now_ms,
                reason,
            },
        };
    }
}

/// The outcome of a proposal whose voting closed, counted among the
/// voting seats then.
fn tally(proposal: &Proposal, seats: &OrdSet<AccountId>) -> Outcome {
    let yes = proposal.yes_votes(seats);
    let needed = votes_needed(proposal.class, seats.len() as u32);
    if yes >= needed && proposal.unanswered_objection().is_none() {
        let enact_ms = proposal.enact_ms();
        Outcome::Passed { yes, enact_ms }
    } else {
        Outcome::Rejected { yes, needed }
    }
}

/// When a proposal's next step is due: counting its votes while open,
/// enactment once passed, none after.
fn next_step_ms(proposal: &Proposal) -> Option<u64> {
    match proposal.outcome {
        Outcome::Open => Some(proposal.voting_closes_ms()),
        Outcome::Passed { enact_ms, .. } => Some(enact_ms),
        _ => None,
    }
}

/// Fewest voting seats governance keeps: fewer would let one or two
/// institutions decide alone.
pub const MIN_VOTING_SEATS: usize = 3;

impl Rules {
    fn seats_mut(&mut self, kind: SeatKind) -> &mut OrdSet<AccountId> {
        match kind {
            SeatKind::Voting => &mut self.voting,
            SeatKind::Advisory => &mut self.advisory,
        }
    }
}

fn remark(proposal: &Proposal, caller: &Caller<'_>, text: Digest) -> Remark {
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

fn window_not_open(proposal: u64, window: &str, now: Phase) -> GovernanceError {
    GovernanceError::WindowNotOpen {
        proposal,
        window: window.into(),
        now: phase_name(now),
    }
}
