//! What seats and role holders say about a proposal besides advice and
//! votes: comments (anyone with a role; each its own state entry, so a
//! proposal's record does not grow with them), requests to send it back
//! before voting, and class-A vetoes.

use super::{
    proposal::{sends_back, vetoed, MAX_SEND_BACKS},
    remark, window_not_open, Caller, Governance, GovernanceError, Outcome, Phase,
};
use eiraku_core::{governance::ProposalClass, Digest};

impl Governance {
    /// A role holder's comment on proposal `id`, until voting closes.
    pub(super) fn comment(
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
        let number = proposal.comments;
        proposal.comments += 1;
        self.comments.insert((id, number), remark);
        Ok(())
    }

    /// A seat's request to send proposal `id` back; enough of them restart
    /// its windows from this block.
    pub(super) fn reconsider(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        text: Digest,
    ) -> Result<(), GovernanceError> {
        let (voting, advisory) = (&self.rules.voting, &self.rules.advisory);
        if !voting.contains(caller.sender) && !advisory.contains(caller.sender) {
            return Err(GovernanceError::NotASeat);
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
    pub(super) fn veto(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        text: Digest,
    ) -> Result<(), GovernanceError> {
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
        let Outcome::Passed {
            veto_ends_ms,
            enact_ms,
            ..
        } = proposal.outcome
        else {
            return Err(not_vetoable("it has not passed, or is settled"));
        };
        if caller.now_ms >= veto_ends_ms {
            return Err(not_vetoable("its veto window has closed"));
        }
        if proposal.vetoes.iter().any(|v| &v.by == caller.sender) {
            return Err(GovernanceError::AlreadyVetoed { proposal: id });
        }
        let remark = remark(proposal, caller, text);
        proposal.vetoes.push_back(remark);
        if vetoed(proposal.vetoes_from(advisory), advisory.len() as u32) {
            proposal.outcome = Outcome::Vetoed {
                at_ms: caller.now_ms,
            };
            self.due.remove(&(enact_ms, id));
        }
        Ok(())
    }
}
