//! `eiraku gov …`: multistakeholder governance. Every step is a signed
//! transaction of a seat (central banks vote, regulators advise); texts are
//! published by their authors, and the chain records their digests, which
//! each command prints. Queries show the seats and every proposal's record.

use super::{
    amendment_args::{AmendmentArgs, ConsentContext},
    NodeArgs,
};
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
    governance::{text_digest, Choice, GovernanceCall, Stance},
    AccountId, Call, Digest, Role,
};
use std::time::{Duration, Instant};

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

/// A comment, a request to reconsider or a veto: who, on which proposal,
/// and the text as published.
#[derive(clap::Args)]
pub struct RemarkArgs {
    /// The sender's key (file or demo label).
    #[arg(long)]
    from: String,
    /// The proposal's number.
    #[arg(long)]
    proposal: u64,
    /// The text, as published (its digest goes on chain).
    #[arg(long)]
    text: String,
}

impl RemarkArgs {
    /// The sender, the text and the call `make` builds from the proposal
    /// and the text's digest.
    fn call(self, make: fn(u64, Digest) -> GovernanceCall) -> (String, String, GovernanceCall) {
        let call = make(self.proposal, text_digest(&self.text));
        (self.from, self.text, call)
    }
}

/// Governance commands.
#[derive(Subcommand)]
pub enum GovCommand {
    /// The seats and the windows of each class.
    Show,
    /// Proposals with their whole record, a page at a time.
    Proposals {
        /// First proposal's number.
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// How many (at most 256).
        #[arg(long, default_value_t = 256)]
        count: usize,
    },
    /// One proposal with its whole record.
    Proposal {
        /// The proposal's number.
        id: u64,
    },
    /// A proposal's comments, in order.
    Comments {
        /// The proposal's number.
        id: u64,
        /// First comment's number.
        #[arg(long, default_value_t = 0)]
        from: u32,
        /// How many (at most 256).
        #[arg(long, default_value_t = 256)]
        count: usize,
    },
    /// Voting seat: propose an amendment: a parameter (class B), a seat
    /// (class A), or any amendment as JSON.
    Propose {
        /// The central bank's key (file or demo label, e.g. cb-jp).
        #[arg(long)]
        from: String,
        #[command(flatten)]
        amendment: Box<AmendmentArgs>,
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
    Comment(RemarkArgs),
    /// Seat: ask to send a proposal back before voting opens (a third of
    /// the voting seats, or two advisory seats, restart its windows; once).
    Reconsider(RemarkArgs),
    /// Advisory seat: veto a passed class-A proposal in its veto window
    /// (two thirds of the advisory seats stop it).
    Veto(RemarkArgs),
    /// The emergency procedure: consultation, declaration, ratification,
    /// minutes and review.
    Emergency {
        #[command(subcommand)]
        step: super::emergency::EmergencyCommand,
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
    let client = node.client()?;
    let (from, text, call) = match command {
        GovCommand::Show => return print_json(&client.governance()?),
        GovCommand::Proposals { from, count } => {
            return print_json(&client.proposals(from, count)?)
        }
        GovCommand::Proposal { id } => return print_json(&client.proposal(id)?),
        GovCommand::Comments { id, from, count } => {
            return print_json(&client.comments(id, from, count)?)
        }
        GovCommand::Wait { proposal, until } => return wait(&client, proposal, until),
        GovCommand::Emergency { step } => return super::emergency::run(step, no_wait, node),
        GovCommand::Propose {
            from,
            amendment,
            text,
        } => {
            let role_of = |id: &AccountId| -> anyhow::Result<Role> {
                let view = client.account(id)?;
                view.role
                    .ok_or_else(|| anyhow::anyhow!("{id} holds no role"))
            };
            let cx = ConsentContext {
                chain_id: client.status()?.chain_id,
                role_of: &role_of,
            };
            let amendment = amendment.amendment(&node.network, &cx)?;
            let call = GovernanceCall::Propose {
                amendment,
                text: text_digest(&text),
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
            let call = GovernanceCall::Advise {
                proposal,
                stance,
                text: text_digest(&text),
            };
            (from, text, call)
        }
        GovCommand::Respond {
            from,
            proposal,
            objection,
            text,
        } => {
            let call = GovernanceCall::Respond {
                proposal,
                objection,
                text: text_digest(&text),
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
            let call = GovernanceCall::Vote {
                proposal,
                choice,
                reason: text_digest(&reason),
            };
            (from, reason, call)
        }
        GovCommand::Comment(remark) => {
            remark.call(|proposal, text| GovernanceCall::Comment { proposal, text })
        }
        GovCommand::Reconsider(remark) => {
            remark.call(|proposal, text| GovernanceCall::Reconsider { proposal, text })
        }
        GovCommand::Veto(remark) => {
            remark.call(|proposal, text| GovernanceCall::Veto { proposal, text })
        }
    };
    let proposing = matches!(call, GovernanceCall::Propose { .. });
    let (key, finalized) = send(node, &from, &text, call, no_wait)?;
    if proposing && finalized.is_some() {
        // The receipt does not carry the number: find it by proposer and
        // rationale (the newest such, should the seat repeat itself).
        let text = digest::to_hex(&text_digest(&text));
        let made = client.governance()?.proposals;
        let newest = client.proposals(made.saturating_sub(256), 256)?;
        let number = (newest.iter().rev())
            .find(|p| p.proposer == key.account_id() && p.text == text)
            .map(|p| p.id);
        if let Some(number) = number {
            print_line(&format!("proposal {number}"))?;
        }
    }
    Ok(())
}

/// Prints the digest of `text` (when there is one: its author publishes
/// it), signs `call` with the key of `from` and submits it, waiting for
/// finality unless `no_wait`. Returns the signer and the final view.
pub(super) fn send(
    node: &NodeArgs,
    from: &str,
    text: &str,
    call: GovernanceCall,
    no_wait: bool,
) -> anyhow::Result<(keyfile::Signer, Option<eiraku_api::TxView>)> {
    if !text.is_empty() {
        print_line(&format!(
            "text digest {} ({} bytes published by the sender)",
            digest::to_hex(&text_digest(text)),
            text.len()
        ))?;
    }
    let key = keyfile::read(&keyfile::resolve_key_path(from, &node.network))?;
    let options = SendOptions {
        nonce: None,
        chain_id: None,
        wait: !no_wait,
    };
    let finalized = submit::send(&node.client()?, &key, Call::Governance(call), &options)?;
    Ok((key, finalized))
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
