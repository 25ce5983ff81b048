//! `eiraku gov emergency …`: the emergency procedure. The officer (the
//! issuer) asks for consultation, an advisory seat answers, the officer
//! declares a scope and keeps minutes, voting seats ratify, a reviewer
//! files the review. Texts are published by their authors; the chain
//! records their digests, which each command prints.

use super::NodeArgs;
use crate::{keyfile, output::print_json};
use clap::Subcommand;
use eiraku_core::{
    governance::{text_digest, EmergencyCall, GovernanceCall, Scope},
    AccountId,
};

/// The emergency procedure's commands.
#[derive(Subcommand)]
pub enum EmergencyCommand {
    /// The record: consultations, declarations, what is in force and which
    /// reviews are overdue.
    Show,
    /// Officer (the issuer): ask the advisory seats for consultation.
    Consult {
        /// The officer's key (demo label `issuer`).
        #[arg(long)]
        from: String,
        /// What happened, as published.
        #[arg(long)]
        trigger: String,
    },
    /// Advisory seat: answer a consultation.
    Answer {
        /// The regulator's key (e.g. reg-kr).
        #[arg(long)]
        from: String,
        /// The consultation's number.
        #[arg(long)]
        consultation: u64,
        /// The advice, as published.
        #[arg(long)]
        text: String,
    },
    /// Officer: declare an emergency after consultation (or an hour of
    /// block time without an answer).
    Declare {
        /// The officer's key.
        #[arg(long)]
        from: String,
        /// The consultation it follows.
        #[arg(long)]
        consultation: u64,
        /// Modules or calls to pause (`money`, `money.pay`, `transfer`,
        /// `registry`), comma-separated.
        #[arg(long, value_delimiter = ',')]
        pause: Vec<String>,
        /// Accounts to freeze (hex ids or demo labels), comma-separated.
        #[arg(long, value_delimiter = ',')]
        freeze: Vec<String>,
        /// The minutes so far, as published.
        #[arg(long)]
        minutes: String,
    },
    /// Voting seat: ratify the declaration in force (a majority keeps it
    /// 30 more days).
    Ratify {
        /// The central bank's key.
        #[arg(long)]
        from: String,
        /// The declaration's number.
        #[arg(long)]
        declaration: u64,
    },
    /// Officer: append minutes to a declaration.
    Minutes {
        /// The officer's key.
        #[arg(long)]
        from: String,
        /// The declaration's number.
        #[arg(long)]
        declaration: u64,
        /// The minutes, as published.
        #[arg(long)]
        text: String,
    },
    /// Reviewer: file the outside review of a declaration.
    Review {
        /// The reviewer's key (demo label `auditor`).
        #[arg(long)]
        from: String,
        /// The declaration's number.
        #[arg(long)]
        declaration: u64,
        /// The review, as published.
        #[arg(long)]
        text: String,
    },
}

/// Runs one `eiraku gov emergency` command.
pub fn run(command: EmergencyCommand, no_wait: bool, node: &NodeArgs) -> anyhow::Result<()> {
    let network = &node.network;
    let (from, text, step) = match command {
        EmergencyCommand::Show => return print_json(&node.client()?.emergency()?),
        EmergencyCommand::Consult { from, trigger } => {
            let step = EmergencyCall::RequestConsultation {
                trigger: text_digest(&trigger),
            };
            (from, trigger, step)
        }
        EmergencyCommand::Answer {
            from,
            consultation,
            text,
        } => {
            let step = EmergencyCall::Consulted {
                consultation,
                text: text_digest(&text),
            };
            (from, text, step)
        }
        EmergencyCommand::Declare {
            from,
            consultation,
            pause,
            freeze,
            minutes,
        } => {
            let mut freeze = (freeze.iter())
                .map(|text| keyfile::resolve_account(text, network))
                .collect::<anyhow::Result<Vec<AccountId>>>()?;
            freeze.sort();
            freeze.dedup();
            let mut pause = pause;
            pause.sort();
            pause.dedup();
            let step = EmergencyCall::Declare {
                consultation,
                scope: Scope { pause, freeze },
                minutes: text_digest(&minutes),
            };
            (from, minutes, step)
        }
        EmergencyCommand::Ratify { from, declaration } => {
            (from, String::new(), EmergencyCall::Ratify { declaration })
        }
        EmergencyCommand::Minutes {
            from,
            declaration,
            text,
        } => {
            let step = EmergencyCall::AppendMinutes {
                declaration,
                minutes: text_digest(&text),
            };
            (from, text, step)
        }
        EmergencyCommand::Review {
            from,
            declaration,
            text,
        } => {
            let step = EmergencyCall::Review {
                declaration,
                report: text_digest(&text),
            };
            (from, text, step)
        }
    };
    let call = GovernanceCall::Emergency(step);
    super::gov::send(node, &from, &text, call, no_wait).map(drop)
}
