//! `eiraku gov …`: multistakeholder governance. Every step is a signed
//! transaction of a seat (central banks vote, regulators advise); texts are
//! published by their authors, and the chain records their digests, which
//! each command prints. Queries show the seats and every proposal's record.

use super::NodeArgs;
use crate::{
    keyfile,
    output::{print_json, print_line},
    submit::{self, SendOptions},
    Client,
};
use clap::{Subcommand, ValueEnum};
use eiraku_api::{ProposalStatus, ProposalView};
use eiraku_core::{
    digest,
    governance::{text_digest, Amendment, Choice, GovernanceCall, Parameter, Stance},
    Amount, Call,
};
use std::time::{Duration, Instant};

/// A parameter a class-B proposal can set.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ParameterName {
    /// Cross-border payments from this many coin minor units carry
    /// travel-rule data.
    TravelRuleThreshold,
    /// Rates older than this many milliseconds of block time are stale.
    MaxRateAgeMs,
}

/// An advisory seat's position.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StanceArg {
    /// For the proposal.
    Support,
    /// Against it: the proposer must answer before votes count.
    Object,
}

/// A vote.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ChoiceArg {
    /// For.
    Yes,
    /// Against (recorded with its reason).
    No,
    /// Neither.
    Abstain,
}

/// What `eiraku gov wait` waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Milestone {
    /// The voting window is open (or past).
    Voting,
    /// Voting closed and the votes were counted.
    Counted,
    /// Enacted, failed or rejected: nothing more will happen.
    Settled,
}

/// Governance commands.
#[derive(Subcommand)]
pub enum GovCommand {
    /// The seats and the windows of each class.
    Show,
    /// Every proposal with its whole record.
    Proposals,
    /// One proposal with its whole record.
    Proposal {
        /// The proposal's number.
        id: u64,
    },
    /// Voting seat: propose an amendment: a parameter (class B, with
    /// --parameter and --value) or any amendment as JSON (--amendment, e.g.
    /// '{"add_seat":{"account":"<hex>","kind":"advisory"}}', class A).
    Propose {
        /// The central bank's key (file or demo label, e.g. cb-jp).
        #[arg(long)]
        from: String,
        /// The parameter to set.
        #[arg(long, value_enum, requires = "value", conflicts_with = "amendment")]
        parameter: Option<ParameterName>,
        /// Its new value (coin minor units, or milliseconds).
        #[arg(long, requires = "parameter")]
        value: Option<u128>,
        /// The amendment, as JSON (as the API shows proposals).
        #[arg(long)]
        amendment: Option<String>,
        /// The rationale, as published (its digest goes on chain).
        #[arg(long)]
        text: String,
    },
    /// Advisory seat: support or object during the advice window.
    Advise {
        /// The regulator's key (e.g. reg-kr).
        #[arg(long)]
        from: String,
        /// The proposal's number.
        #[arg(long)]
        proposal: u64,
        /// Support or object.
        #[arg(long, value_enum)]
        stance: StanceArg,
        /// The advice, as published.
        #[arg(long)]
        text: String,
    },
    /// Proposer: answer an objection (numbered in the order advice arrived).
    Respond {
        /// The proposer's key.
        #[arg(long)]
        from: String,
        /// The proposal's number.
        #[arg(long)]
        proposal: u64,
        /// The objection's number.
        #[arg(long)]
        objection: u32,
        /// The response, as published.
        #[arg(long)]
        text: String,
    },
    /// Voting seat: vote during the voting window, with a reason.
    Vote {
        /// The central bank's key.
        #[arg(long)]
        from: String,
        /// The proposal's number.
        #[arg(long)]
        proposal: u64,
        /// Yes, no or abstain.
        #[arg(long, value_enum)]
        choice: ChoiceArg,
        /// The reason, as published.
        #[arg(long)]
        reason: String,
    },
    /// Anyone holding a role: comment on a proposal until voting closes.
    Comment {
        /// The commenter's key.
        #[arg(long)]
        from: String,
        /// The proposal's number.
        #[arg(long)]
        proposal: u64,
        /// The comment, as published.
        #[arg(long)]
        text: String,
    },
    /// Seat: ask to send a proposal back before voting opens (a third of
    /// the voting seats, or two advisory seats, restart its windows; once).
    Reconsider {
        /// The seat's key.
        #[arg(long)]
        from: String,
        /// The proposal's number.
        #[arg(long)]
        proposal: u64,
        /// The reasons, as published.
        #[arg(long)]
        text: String,
    },
    /// Advisory seat: veto a passed class-A proposal in its veto window
    /// (two thirds of the advisory seats stop it).
    Veto {
        /// The regulator's key.
        #[arg(long)]
        from: String,
        /// The proposal's number.
        #[arg(long)]
        proposal: u64,
        /// The reasons, as published.
        #[arg(long)]
        text: String,
    },
    /// Wait until a proposal reaches a milestone, then show it.
    Wait {
        /// The proposal's number.
        #[arg(long)]
        proposal: u64,
        /// Voting, counted or settled.
        #[arg(long, value_enum)]
        until: Milestone,
    },
}

/// Runs one `eiraku gov` command against `node`; `no_wait` returns once
/// the node accepted a transaction.
pub fn run(command: GovCommand, no_wait: bool, node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client();
    let (from, text, call) = match command {
        GovCommand::Show => return print_json(&client.governance()?),
        GovCommand::Proposals => return print_json(&client.proposals()?),
        GovCommand::Proposal { id } => return print_json(&client.proposal(id)?),
        GovCommand::Wait { proposal, until } => return wait(&client, proposal, until),
        GovCommand::Propose {
            from,
            parameter,
            value,
            amendment,
            text,
        } => {
            let amendment = amendment_of(parameter, value, amendment.as_deref())?;
            let text_hash = text_digest(&text);
            let call = GovernanceCall::Propose {
                amendment,
                text: text_hash,
            };
            (from, text, call)
        }
        GovCommand::Advise {
            from,
            proposal,
            stance,
            text,
        } => {
            let stance = match stance {
                StanceArg::Support => Stance::Support,
                StanceArg::Object => Stance::Object,
            };
            let text_hash = text_digest(&text);
            let call = GovernanceCall::Advise {
                proposal,
                stance,
                text: text_hash,
            };
            (from, text, call)
        }
        GovCommand::Respond {
            from,
            proposal,
            objection,
            text,
        } => {
            let text_hash = text_digest(&text);
            let call = GovernanceCall::Respond {
                proposal,
                objection,
                text: text_hash,
            };
            (from, text, call)
        }
        GovCommand::Vote {
            from,
            proposal,
            choice,
            reason,
        } => {
            let choice = match choice {
                ChoiceArg::Yes => Choice::Yes,
                ChoiceArg::No => Choice::No,
                ChoiceArg::Abstain => Choice::Abstain,
            };
            let text_hash = text_digest(&reason);
            let call = GovernanceCall::Vote {
                proposal,
                choice,
                reason: text_hash,
            };
            (from, reason, call)
        }
        GovCommand::Comment {
            from,
            proposal,
            text,
        } => {
            let text_hash = text_digest(&text);
            let call = GovernanceCall::Comment {
                proposal,
                text: text_hash,
            };
            (from, text, call)
        }
        GovCommand::Reconsider {
            from,
            proposal,
            text,
        } => {
            let text_hash = text_digest(&text);
            let call = GovernanceCall::Reconsider {
                proposal,
                text: text_hash,
            };
            (from, text, call)
        }
        GovCommand::Veto {
            from,
            proposal,
            text,
        } => {
            let text_hash = text_digest(&text);
            let call = GovernanceCall::Veto {
                proposal,
                text: text_hash,
            };
            (from, text, call)
        }
    };
    print_line(&format!(
        "text digest {} ({} bytes published by the sender)",
        digest::to_hex(&text_digest(&text)),
        text.len()
    ))?;
    let key = keyfile::read(&keyfile::resolve_key_path(&from, &node.network))?;
    let options = SendOptions {
        nonce: None,
        chain_id: None,
        wait: !no_wait,
    };
    submit::send(&client, &key, Call::Governance(call), &options)?;
    Ok(())
}

/// The amendment the flags name: a parameter and its value, or JSON.
fn amendment_of(
    parameter: Option<ParameterName>,
    value: Option<u128>,
    json: Option<&str>,
) -> anyhow::Result<Amendment> {
    match (parameter, value, json) {
        (Some(name), Some(value), None) => {
            Ok(Amendment::SetParameter(parameter_value(name, value)?))
        }
        (None, None, Some(json)) => serde_json::from_str(json)
            .map_err(|e| anyhow::anyhow!("--amendment is not an amendment: {e}")),
        _ => anyhow::bail!("give --parameter with --value, or --amendment JSON"),
    }
}

fn parameter_value(name: ParameterName, value: u128) -> anyhow::Result<Parameter> {
    Ok(match name {
        ParameterName::TravelRuleThreshold => Parameter::TravelRuleThreshold(Amount(value)),
        ParameterName::MaxRateAgeMs => Parameter::MaxRateAgeMs(
            u64::try_from(value)
                .map_err(|_| anyhow::anyhow!("{value} ms does not fit in 64 bits"))?,
        ),
    })
}

/// Polls the proposal until it reaches `until`; prints it.
fn wait(client: &Client, id: u64, until: Milestone) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut view = client.proposal(id)?;
    while !reached(&view, until) {
        // Block time follows the chain: allow the windows up to the
        // milestone, and a minute more.
        let window = Duration::from_millis(milestone_ms(&view, until) - view.proposed_ms);
        anyhow::ensure!(
            started.elapsed() < window + Duration::from_secs(60),
            "proposal {id} did not reach {until:?} in time (it is {:?}, phase {})",
            view.status,
            view.phase
        );
        std::thread::sleep(Duration::from_millis(250));
        view = client.proposal(id)?;
    }
    print_json(&view)
}

/// Block time at which the proposal reaches `until`, as far as known.
fn milestone_ms(view: &ProposalView, until: Milestone) -> u64 {
    match (until, &view.status) {
        (Milestone::Voting, _) => view.voting_opens_ms,
        (Milestone::Settled, ProposalStatus::Passed { enact_ms, .. }) => *enact_ms,
        _ => view.voting_closes_ms,
    }
    .max(view.proposed_ms)
}

fn reached(view: &ProposalView, until: Milestone) -> bool {
    let counted = !matches!(view.status, ProposalStatus::Open);
    match until {
        Milestone::Voting => view.phase == "voting" || view.phase == "closed",
        Milestone::Counted => counted,
        Milestone::Settled => counted && !matches!(view.status, ProposalStatus::Passed { .. }),
    }
}
