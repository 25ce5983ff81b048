//! Governance's reads (everything public): the seats and windows at
//! `GET /v1/governance`, and each proposal with its whole record at
//! `GET /v1/governance/proposals` and `GET /v1/governance/proposals/{id}`.
//! Governance calls are signed transactions, posted at `POST /v1/tx`.

use eiraku_core::{
    governance::{Amendment, Choice, ProposalClass, Stance, Windows},
    AccountId,
};
use serde::{Deserialize, Serialize};

/// The seats and the windows of each class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GovernanceView {
    /// Height of the state this was read from.
    pub height: u64,
    /// Voting seats (the economies' central banks).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub voting_seats: Vec<AccountId>,
    /// Advisory seats (the economies' regulators).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub advisory_seats: Vec<AccountId>,
    /// Windows of class-A proposals (ms of block time).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub class_a: Windows,
    /// Windows of class-B proposals.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub class_b: Windows,
    /// Proposals made so far (numbered from 0).
    pub proposals: u64,
    /// Reviewers: outside auditors who review emergency declarations.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub reviewers: Vec<AccountId>,
}

/// A comment, a request to reconsider, or a veto.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemarkView {
    /// The round it was made in (0, or 1 after a send-back).
    pub round: u32,
    /// Who made it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub by: AccountId,
    /// Digest of its text (hex).
    pub text: String,
    /// Block time.
    pub at_ms: u64,
}

/// An advisory seat's advice and the proposer's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdviceView {
    /// The round it was given in.
    pub round: u32,
    /// The advisory seat.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub by: AccountId,
    /// `support` or `object`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub stance: Stance,
    /// Digest of the advice's text (hex).
    pub text: String,
    /// Block time it was given.
    pub at_ms: u64,
    /// Digest of the proposer's response (hex), once given.
    pub response: Option<String>,
}

/// A voting seat's vote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteView {
    /// The voting seat.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub seat: AccountId,
    /// `yes`, `no` or `abstain`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub choice: Choice,
    /// Digest of the reason (hex).
    pub reason: String,
    /// Block time it was cast.
    pub at_ms: u64,
}

/// Where a proposal stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Its windows are open.
    Open,
    /// Passed; the state machine enacts it at `enact_ms`.
    Passed {
        /// Yes votes.
        yes: u32,
        /// End of its veto window (class A; the count for class B).
        veto_ends_ms: u64,
        /// Block time of enactment.
        enact_ms: u64,
    },
    /// Voting closed short of the threshold.
    Rejected {
        /// Yes votes.
        yes: u32,
        /// Yes votes needed.
        needed: u32,
    },
    /// The change is in the state.
    Enacted {
        /// Block time of enactment.
        at_ms: u64,
    },
    /// Vetoed by two thirds of the advisory seats.
    Vetoed {
        /// Block time of the deciding veto.
        at_ms: u64,
    },
    /// Passed, but could no longer apply at its time.
    Failed {
        /// Block time it was tried.
        at_ms: u64,
        /// Why: a stable code (`already_seated`, `not_seated`,
        /// `too_few_voting_seats`, `bad_windows`, `zero_rate_age`,
        /// `no_module`).
        reason: String,
        /// Why, for people.
        message: String,
    },
}

/// A proposal with its whole record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalView {
    /// Its number.
    pub id: u64,
    /// `a` or `b`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub class: ProposalClass,
    /// The voting seat that proposed it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub proposer: AccountId,
    /// What it changes, exactly.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub amendment: Amendment,
    /// Digest of the rationale (hex).
    pub text: String,
    /// Block time it was proposed.
    pub proposed_ms: u64,
    /// Times it was sent back (its windows restarted).
    pub round: u32,
    /// Block time its current windows started.
    pub opened_ms: u64,
    /// End of the advice window.
    pub advice_ends_ms: u64,
    /// End of the review window: voting opens.
    pub voting_opens_ms: u64,
    /// Voting closes; the votes are counted by the first block from then.
    pub voting_closes_ms: u64,
    /// End of the veto window if counted at the close (class A; the close
    /// of voting for class B); once passed, `status` has the real one.
    pub veto_ends_ms: u64,
    /// When it takes effect if it passes and is counted at the close.
    pub enact_ms: u64,
    /// `advice`, `review`, `voting` or `closed`, at the state's block time.
    pub phase: String,
    /// Yes votes it needs to pass.
    pub votes_needed: u32,
    /// Advice in the order it arrived (objections are numbered by it).
    pub advice: Vec<AdviceView>,
    /// Votes, by seat.
    pub votes: Vec<VoteView>,
    /// Comments made (listed at `/v1/governance/proposals/{id}/comments`).
    pub comments: u32,
    /// Requests to reconsider, in order.
    pub reconsider: Vec<RemarkView>,
    /// Vetoes, in order.
    pub vetoes: Vec<RemarkView>,
    /// Where it stands.
    pub status: ProposalStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::round_trip;
    use eiraku_core::{governance::Parameter, Amount, Keypair};

    #[test]
    fn a_proposal_keeps_its_wire_form() {
        let seat = Keypair::from_seed(1).account_id();
        let view = ProposalView {
            id: 0,
            class: ProposalClass::B,
            proposer: seat,
            amendment: Amendment::SetParameter(Parameter::TravelRuleThreshold(Amount(5))),
            text: "ab".into(),
            proposed_ms: 1,
            round: 0,
            opened_ms: 1,
            advice_ends_ms: 2,
            voting_opens_ms: 3,
            voting_closes_ms: 4,
            veto_ends_ms: 4,
            enact_ms: 5,
            phase: "advice".into(),
            votes_needed: 3,
            advice: vec![AdviceView {
                round: 0,
                by: seat,
                stance: Stance::Object,
                text: "cd".into(),
                at_ms: 1,
                response: None,
            }],
            votes: vec![],
            comments: 0,
            reconsider: vec![],
            vetoes: vec![RemarkView {
                round: 0,
                by: seat,
                text: "ef".into(),
                at_ms: 4,
            }],
            status: ProposalStatus::Passed {
                yes: 3,
                veto_ends_ms: 8,
                enact_ms: 9,
            },
        };
        let json = round_trip(&view);
        assert!(json.contains(r#""class":"b""#), "{json}");
        assert!(
            json.contains(r#""amendment":{"set_parameter":{"travel_rule_threshold":"5"}}"#),
            "{json}"
        );
        assert!(json.contains(r#""stance":"object""#), "{json}");
        assert!(
            json.contains(r#""status":{"status":"passed","yes":3,"veto_ends_ms":8,"enact_ms":9}"#),
            "{json}"
        );
    }
}
