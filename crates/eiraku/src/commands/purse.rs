//! `eiraku purse …`: purpose-bound money. An agency pushes a purse to a
//! person or merchant; its beneficiary spends it at merchants of the
//! categories it names; what is left returns to the agency at expiry.

use super::{coins, NodeArgs};
use crate::{output::print_json, submit};
use anyhow::Context;
use clap::Subcommand;
use eiraku_core::{digest, Amount, Call, Digest, MoneyCall};
use std::path::PathBuf;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Purse commands.
#[derive(Subcommand)]
pub enum PurseCommand {
    /// Agency: push a purse (prints its name, the hash of its transaction).
    Push {
        /// The agency's key (file or demo label, e.g. agency-jp).
        #[arg(long)]
        from: String,
        /// Who may spend it (hex id, key file or demo label).
        #[arg(long)]
        to: String,
        /// Coins, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        amount: u128,
        /// Merchant categories it pays, comma-separated (ISO 18245, e.g.
        /// 5411 grocery, 5912 pharmacy).
        #[arg(long, value_delimiter = ',', required = true)]
        categories: Vec<u16>,
        /// Days until what is left returns.
        #[arg(long, default_value_t = 30)]
        days: u64,
        /// Seconds until what is left returns, instead of days (trials).
        #[arg(long)]
        seconds: Option<u64>,
        /// Also write the purse's name to this file (for scripts).
        #[arg(long)]
        id_out: Option<PathBuf>,
    },
    /// Beneficiary: pay a merchant from a purse.
    Spend {
        /// The purse (its hash).
        purse: String,
        /// The beneficiary's key.
        #[arg(long)]
        from: String,
        /// The merchant (hex id, key file or demo label).
        #[arg(long)]
        to: String,
        /// Coins, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        amount: u128,
    },
    /// Show an open purse.
    Show {
        /// The purse (its hash).
        purse: String,
    },
}

/// Runs one `eiraku purse` command.
pub fn run(command: PurseCommand, no_wait: bool, node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client()?;
    let options = super::send_options(no_wait);
    let key = |from: &str| node.signer(from);
    let account = |text: &str| node.account(text);
    match command {
        PurseCommand::Push {
            from,
            to,
            amount,
            categories,
            days,
            seconds,
            id_out,
        } => {
            let life_ms = match seconds {
                Some(seconds) => seconds.max(1) * 1000,
                None => days.max(1) * DAY_MS,
            };
            let call = Call::Money(MoneyCall::PushPurse {
                beneficiary: account(&to)?,
                amount: Amount(amount),
                categories,
                expiry_ms: crate::clock::now_ms() + life_ms,
            });
            let id_out = id_out.as_deref();
            submit::send_creating(&client, &key(&from)?, call, &options, "purse", id_out)
        }
        PurseCommand::Spend {
            purse,
            from,
            to,
            amount,
        } => {
            let call = Call::Money(MoneyCall::SpendPurse {
                purse: named(&purse)?,
                to: account(&to)?,
                amount: Amount(amount),
            });
            submit::send(&client, &key(&from)?, call, &options).map(|_| ())
        }
        PurseCommand::Show { purse } => print_json(&client.purse(&named(&purse)?)?),
    }
}

fn named(text: &str) -> anyhow::Result<Digest> {
    digest::from_hex(text).context("a purse is named by its transaction's hash: 64 hex")
}
