//! `eiraku consent …`: a person consents to a data user's use of its data
//! and revokes it; the data user logs each access; the person lists every
//! access to its data (seed 002's information banks).

use super::NodeArgs;
use crate::{output::print_json, submit};
use anyhow::Context;
use clap::Subcommand;
use eiraku_core::{consent::ConsentTerms, digest, registry::RegistryCall, Call, Digest};
use std::path::PathBuf;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Consent commands.
#[derive(Subcommand)]
pub enum ConsentCommand {
    /// Person: consent to a data user's use of categories of your data for
    /// a purpose (prints the consent's name).
    Grant {
        /// Your key (file or demo label).
        #[arg(long)]
        from: String,
        /// The data user (hex id, key file or demo label).
        #[arg(long)]
        to: String,
        /// For what (e.g. "credit scoring").
        #[arg(long)]
        purpose: String,
        /// Which categories of data, comma-separated (e.g. income,purchase-history).
        #[arg(long, value_delimiter = ',', required = true)]
        categories: Vec<String>,
        /// Days it lasts.
        #[arg(long, default_value_t = 90)]
        days: u64,
        /// Also write the consent's name to this file (for scripts).
        #[arg(long)]
        id_out: Option<PathBuf>,
    },
    /// Person: revoke a consent you granted.
    Revoke {
        /// The consent (its hash).
        id: String,
        /// Your key.
        #[arg(long)]
        from: String,
    },
    /// Data user: log an access to a category of the person's data.
    Access {
        /// The consent (its hash).
        id: String,
        /// The data user's key.
        #[arg(long)]
        from: String,
        /// The purpose (the consent's).
        #[arg(long)]
        purpose: String,
        /// The data category accessed.
        #[arg(long)]
        category: String,
        /// What was accessed (a file; the ledger keeps its SHA-256).
        #[arg(long)]
        record: PathBuf,
    },
    /// Show a consent and every access logged under it.
    Show {
        /// The consent (its hash).
        id: String,
    },
    /// List the consents a person granted, with every access under each.
    List {
        /// The person (hex id, key file or demo label).
        #[arg(long)]
        subject: String,
    },
}

/// Runs one `eiraku consent` command.
pub fn run(command: ConsentCommand, no_wait: bool, node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client()?;
    let options = super::send_options(no_wait);
    let key = |from: &str| node.signer(from);
    let account = |text: &str| node.account(text);
    let call = match command {
        ConsentCommand::Grant {
            from,
            to,
            purpose,
            categories,
            days,
            id_out,
        } => {
            let terms = ConsentTerms {
                data_user: account(&to)?,
                purpose,
                categories,
                until_ms: crate::clock::now_ms() + days.max(1) * DAY_MS,
            };
            let call = Call::Registry(RegistryCall::GrantConsent(terms));
            let id_out = id_out.as_deref();
            return submit::send_creating(&client, &key(&from)?, call, &options, "consent", id_out);
        }
        ConsentCommand::Revoke { id, from } => {
            (from, RegistryCall::RevokeConsent { id: named(&id)? })
        }
        ConsentCommand::Access {
            id,
            from,
            purpose,
            category,
            record,
        } => {
            let bytes = std::fs::read(&record)
                .with_context(|| format!("cannot read {}", record.display()))?;
            let call = RegistryCall::RecordAccess {
                consent: named(&id)?,
                purpose,
                category,
                digest: digest::hash(&[&bytes]),
            };
            (from, call)
        }
        ConsentCommand::Show { id } => {
            let id = named(&id)?;
            let consent = client.consent(&id)?;
            let accesses = client.accesses(&id, 0)?;
            return print_json(&serde_json::json!({ "consent": consent, "accesses": accesses }));
        }
        ConsentCommand::List { subject } => {
            let mut listed = Vec::new();
            for consent in client.consents_of(&account(&subject)?)? {
                let id = digest::from_hex(&consent.id).context("the node named a consent")?;
                let accesses = client.accesses(&id, 0)?;
                listed.push(serde_json::json!({ "consent": consent, "accesses": accesses }));
            }
            return print_json(&listed);
        }
    };
    let (from, call) = call;
    submit::send(&client, &key(&from)?, Call::Registry(call), &options).map(|_| ())
}

fn named(text: &str) -> anyhow::Result<Digest> {
    digest::from_hex(text).context("a consent is named by its transaction's hash: 64 hex")
}
