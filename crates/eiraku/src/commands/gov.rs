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
use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use eiraku_api::{ProposalStatus, ProposalView};
use eiraku_core::{
    digest,
    governance::{text_digest, Amendment, Choice, GovernanceCall, Parameter, SeatKind, Stance},
    validators::Joiner,
    AccountId, Amount, Call, Digest, EconomyCode, Role, ValidatorChange,
};
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// A parameter a class-B proposal can set.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ParameterName {
    /// Cross-border payments from this many coin minor units carry
    /// travel-rule data.
    TravelRuleThreshold,
    /// Rates older than this many milliseconds of block time are stale.
    MaxRateAgeMs,
    /// A lost key's replacement waits this many milliseconds of block time.
    KeyReplacementDelayMs,
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

/// What a proposal amends: exactly one of a parameter with its value, a
/// seat with its account, or JSON.
#[derive(clap::Args)]
#[group(required = true, multiple = true)]
pub struct AmendmentArgs {
    /// Set this parameter (class B) to --value.
    #[arg(long, value_enum, requires = "value")]
    parameter: Option<ParameterName>,
    /// The parameter's new value (coin minor units, or milliseconds).
    #[arg(long, requires = "parameter")]
    value: Option<u128>,
    /// Seat --account as a voting or advisory seat (class A).
    #[arg(long, value_enum, requires = "account", conflicts_with_all = ["parameter", "remove_seat"])]
    add_seat: Option<SeatArg>,
    /// Remove --account's voting or advisory seat (class A).
    #[arg(long, value_enum, requires = "account", conflicts_with = "parameter")]
    remove_seat: Option<SeatArg>,
    /// The account a seat change names (hex id, key file or demo label).
    #[arg(long)]
    account: Option<String>,
    /// Any amendment as JSON, as the API shows proposals (e.g.
    /// '{"set_windows":{"class":"b","windows":{…}}}').
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat"])]
    amendment: Option<String>,
    /// Add the validator whose consent this file holds (from `eiraku node
    /// --consent`; class A; repeatable).
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment"])]
    add_validator: Vec<PathBuf>,
    /// Remove the validator with this consensus key (hex; class A;
    /// repeatable).
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment"])]
    remove_validator: Vec<String>,
    /// Revoke this official's role (the issuer, a central bank or a
    /// regulator: hex id, key file or demo label) and pass it, with its
    /// books, seat and balance, to --successor (class A).
    #[arg(long, requires = "successor", conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment", "add_validator", "remove_validator"])]
    succeed: Option<String>,
    /// The successor: a new key (hex id or key file from `eiraku keys
    /// new`) that holds no role.
    #[arg(long, requires = "succeed")]
    successor: Option<String>,
    /// Lift the suspension of this bank (hex id, key file or demo label;
    /// class B).
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment", "add_validator", "remove_validator", "succeed"])]
    lift_suspension: Option<String>,
    /// Grant --account this registry role in --economy (class B).
    #[arg(long, value_enum, requires_all = ["account", "economy"], conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment", "add_validator", "remove_validator", "succeed", "lift_suspension"])]
    grant_role: Option<RegistryRoleArg>,
    /// The economy of the role --grant-role grants (e.g. JP).
    #[arg(long, requires = "grant_role")]
    economy: Option<String>,
    /// Revoke this account's registry role (class B).
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment", "add_validator", "remove_validator", "succeed", "lift_suspension", "grant_role"])]
    revoke_role: Option<String>,
}

/// A registry role governance grants.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RegistryRoleArg {
    /// Creates registries and names their writers.
    RegistryAuthority,
    /// Issues attestations (KYC results, qualifications).
    Attester,
}

/// A kind of seat.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SeatArg {
    /// Proposes and votes.
    Voting,
    /// Advises and vetoes class-A decisions.
    Advisory,
}

impl AmendmentArgs {
    /// The amendment the flags name; demo labels resolve in `network`.
    fn amendment(&self, network: &Path) -> anyhow::Result<Amendment> {
        let account = || -> anyhow::Result<AccountId> {
            let text = self.account.as_deref().expect("clap requires --account");
            keyfile::resolve_account(text, network)
        };
        let kind = |seat: SeatArg| match seat {
            SeatArg::Voting => SeatKind::Voting,
            SeatArg::Advisory => SeatKind::Advisory,
        };
        if !self.add_validator.is_empty() || !self.remove_validator.is_empty() {
            return self.validator_change();
        }
        if let Some(amendment) = self.role_amendment(network)? {
            return Ok(amendment);
        }
        if let Some(bank) = &self.lift_suspension {
            let bank = keyfile::resolve_account(bank, network)?;
            return Ok(Amendment::LiftSuspension { bank });
        }
        if let (Some(official), Some(successor)) = (&self.succeed, &self.successor) {
            return Ok(Amendment::Succeed {
                official: keyfile::resolve_account(official, network)?,
                successor: keyfile::resolve_account(successor, network)?,
            });
        }
        Ok(match (self.parameter, self.add_seat, self.remove_seat, &self.amendment) {
            (Some(name), None, None, None) => {
                let value = self.value.expect("clap requires --value");
                Amendment::SetParameter(parameter_value(name, value)?)
            }
            (None, Some(seat), None, None) => Amendment::AddSeat {
                account: account()?,
                kind: kind(seat),
            },
            (None, None, Some(seat), None) => Amendment::RemoveSeat {
                account: account()?,
                kind: kind(seat),
            },
            (None, None, None, Some(json)) => serde_json::from_str(json)
                .map_err(|e| anyhow::anyhow!("--amendment is not an amendment: {e}"))?,
            _ => anyhow::bail!(
                "give one of --parameter with --value, --add-seat or --remove-seat with --account, --succeed with --successor, --lift-suspension, --grant-role with --economy and --account, --revoke-role, or --amendment JSON"
            ),
        })
    }
}

impl AmendmentArgs {
    /// The grant or revocation of a registry role the flags name, if any.
    fn role_amendment(&self, network: &Path) -> anyhow::Result<Option<Amendment>> {
        if let Some(account) = &self.revoke_role {
            let account = keyfile::resolve_account(account, network)?;
            return Ok(Some(Amendment::RevokeRole { account }));
        }
        let Some(kind) = self.grant_role else {
            return Ok(None);
        };
        let text = self.economy.as_deref().expect("clap requires --economy");
        let economy = EconomyCode::new(text).map_err(anyhow::Error::msg)?;
        let role = match kind {
            RegistryRoleArg::RegistryAuthority => Role::RegistryAuthority { economy },
            RegistryRoleArg::Attester => Role::Attester { economy },
        };
        let text = self.account.as_deref().expect("clap requires --account");
        let account = keyfile::resolve_account(text, network)?;
        Ok(Some(Amendment::GrantRole { account, role }))
    }

    /// The validator change --add-validator and --remove-validator name,
    /// in the key order the chain's codec requires.
    fn validator_change(&self) -> anyhow::Result<Amendment> {
        let mut add = Vec::new();
        for path in &self.add_validator {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let joiner: Joiner = serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not a consent from `eiraku node --consent`",
                    path.display()
                )
            })?;
            add.push(joiner);
        }
        add.sort_by_key(|joiner| joiner.validator.key);
        let mut remove = (self.remove_validator.iter())
            .map(|hex| AccountId::from_hex(hex).map_err(anyhow::Error::msg))
            .collect::<anyhow::Result<Vec<_>>>()
            .context("--remove-validator takes a validator's consensus key in hex")?;
        remove.sort();
        let most = eiraku_core::validators::MAX_CHANGED;
        anyhow::ensure!(
            add.len() <= most && remove.len() <= most,
            "one change adds at most {most} validators and removes at most {most}"
        );
        Ok(Amendment::ChangeValidators(ValidatorChange { add, remove }))
    }
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
        amendment: AmendmentArgs,
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
    let client = node.client();
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
            let amendment = amendment.amendment(&node.network)?;
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
    let finalized = submit::send(&node.client(), &key, Call::Governance(call), &options)?;
    Ok((key, finalized))
}

fn parameter_value(name: ParameterName, value: u128) -> anyhow::Result<Parameter> {
    Ok(match name {
        ParameterName::TravelRuleThreshold => Parameter::TravelRuleThreshold(Amount(value)),
        ParameterName::MaxRateAgeMs => Parameter::MaxRateAgeMs(milliseconds(value)?),
        ParameterName::KeyReplacementDelayMs => {
            Parameter::KeyReplacementDelayMs(milliseconds(value)?)
        }
    })
}

fn milliseconds(value: u128) -> anyhow::Result<u64> {
    u64::try_from(value).map_err(|_| anyhow::anyhow!("{value} ms does not fit in 64 bits"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        amendment: AmendmentArgs,
    }

    fn parse(args: &[&str]) -> Result<Flags, clap::Error> {
        Flags::try_parse_from(std::iter::once("propose").chain(args.iter().copied()))
    }

    #[test]
    fn amendment_flags_name_successions_lifts_and_registry_roles() {
        let official = AccountId::from_bytes([1; 32]).to_hex();
        let successor = AccountId::from_bytes([2; 32]).to_hex();
        let flags = parse(&["--succeed", &official, "--successor", &successor]).unwrap();
        let amendment = flags
            .amendment
            .amendment(Path::new("/nonexistent"))
            .unwrap();
        assert_eq!(
            amendment,
            Amendment::Succeed {
                official: AccountId::from_bytes([1; 32]),
                successor: AccountId::from_bytes([2; 32]),
            }
        );
        assert!(parse(&["--succeed", &official]).is_err());
        assert!(parse(&["--successor", &successor]).is_err());
        let mixed = ["--succeed", &official, "--successor", &successor];
        assert!(parse(
            &[
                &mixed[..],
                &["--parameter", "max-rate-age-ms", "--value", "1"]
            ]
            .concat()
        )
        .is_err());
        let lift = parse(&["--lift-suspension", &official]).unwrap();
        assert_eq!(
            lift.amendment.amendment(Path::new("/nonexistent")).unwrap(),
            Amendment::LiftSuspension {
                bank: AccountId::from_bytes([1; 32])
            }
        );
        assert!(parse(&["--lift-suspension", &official, "--succeed", &official]).is_err());
        let grant = parse(&[
            "--grant-role",
            "attester",
            "--economy",
            "JP",
            "--account",
            &official,
        ]);
        assert_eq!(
            grant
                .unwrap()
                .amendment
                .amendment(Path::new("/nonexistent"))
                .unwrap(),
            Amendment::GrantRole {
                account: AccountId::from_bytes([1; 32]),
                role: Role::Attester {
                    economy: EconomyCode::new("JP").unwrap()
                },
            }
        );
        assert!(parse(&["--grant-role", "attester", "--account", &official]).is_err());
        let revoke = parse(&["--revoke-role", &official]).unwrap();
        assert_eq!(
            revoke
                .amendment
                .amendment(Path::new("/nonexistent"))
                .unwrap(),
            Amendment::RevokeRole {
                account: AccountId::from_bytes([1; 32])
            }
        );
        let keys: Vec<String> = (0..33u8)
            .map(|b| AccountId::from_bytes([b; 32]).to_hex())
            .collect();
        let flags: Vec<&str> = keys
            .iter()
            .flat_map(|key| ["--remove-validator", key.as_str()])
            .collect();
        let too_many = parse(&flags)
            .unwrap()
            .amendment
            .amendment(Path::new("/nonexistent"));
        assert!(too_many.unwrap_err().to_string().contains("at most 32"));
        let unknown = parse(&["--succeed", "nobody", "--successor", &successor]).unwrap();
        let error = unknown
            .amendment
            .amendment(Path::new("/nonexistent"))
            .unwrap_err();
        assert!(error
            .to_string()
            .contains("neither a 64-character hex account id"));
    }
}
