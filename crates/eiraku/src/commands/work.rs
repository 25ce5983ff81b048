//! `eiraku work …`: rights and licences. A holder registers a work by its
//! digest with a licence's price, length and the holder's royalty share;
//! licences are granted, offered for resale and bought in coins.

use super::{coins, NodeArgs};
use crate::{
    output::{print_json, print_line},
    submit,
};
use anyhow::Context;
use clap::Subcommand;
use eiraku_core::{digest, registry::RegistryCall, Amount, Call, Digest};
use std::path::PathBuf;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Work commands.
#[derive(Subcommand)]
pub enum WorkCommand {
    /// Holder: register a work (its file's SHA-256) and its terms.
    Register {
        /// The holder's key (file or demo label).
        #[arg(long)]
        from: String,
        /// The work's file.
        #[arg(long)]
        file: PathBuf,
        /// Price, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        price: u128,
        /// Days a licence lasts.
        #[arg(long, default_value_t = 365)]
        licence_days: u64,
        /// The holder's share of every resale, basis points (1500 = 15 %).
        #[arg(long, default_value_t = 0)]
        royalty_bps: u16,
    },
    /// Holder: grant a licence free of charge.
    Grant {
        /// The work (its digest).
        work: String,
        /// The holder's key.
        #[arg(long)]
        from: String,
        /// Who gets it (hex id, key file or demo label).
        #[arg(long)]
        to: String,
    },
    /// Licensee: offer your licence for resale.
    Offer {
        /// The work.
        work: String,
        /// The licensee's key.
        #[arg(long)]
        from: String,
        /// Price, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        price: u128,
    },
    /// Buy a licence: from the holder at the work's price (the default),
    /// or from a licensee at its offer.
    Buy {
        /// The work.
        work: String,
        /// The buyer's key.
        #[arg(long)]
        from: String,
        /// A licensee selling its licence (default: the holder).
        #[arg(long)]
        seller: Option<String>,
        /// Price, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        price: u128,
    },
    /// Show a work's terms, or an account's licence of it.
    Show {
        /// The work.
        work: String,
        /// The licensee (hex id, key file or demo label).
        #[arg(long)]
        licensee: Option<String>,
    },
}

/// Runs one `eiraku work` command.
pub fn run(command: WorkCommand, no_wait: bool, node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client()?;
    let options = super::send_options(no_wait);
    let account = |text: &str| node.account(text);
    let (from, call) = match command {
        WorkCommand::Register {
            from,
            file,
            price,
            licence_days,
            royalty_bps,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let work = digest::hash(&[&bytes]);
            print_line(&format!("work {}", digest::to_hex(&work)))?;
            let call = RegistryCall::RegisterWork {
                work,
                price: Amount(price),
                licence_ms: licence_days.max(1) * DAY_MS,
                royalty_bps,
            };
            (from, call)
        }
        WorkCommand::Grant { work, from, to } => {
            let call = RegistryCall::GrantLicence {
                work: named(&work)?,
                licensee: account(&to)?,
            };
            (from, call)
        }
        WorkCommand::Offer { work, from, price } => {
            let call = RegistryCall::OfferLicence {
                work: named(&work)?,
                price: Amount(price),
            };
            (from, call)
        }
        WorkCommand::Buy {
            work,
            from,
            seller,
            price,
        } => {
            let work = named(&work)?;
            let holder = node.account(&client.work(&work)?.holder)?;
            let seller = match seller {
                Some(seller) => account(&seller)?,
                None => holder,
            };
            let call = RegistryCall::BuyLicence {
                work,
                holder,
                seller,
                price: Amount(price),
            };
            (from, call)
        }
        WorkCommand::Show { work, licensee } => {
            let work = named(&work)?;
            return match licensee {
                Some(licensee) => print_json(&client.licence(&work, &account(&licensee)?)?),
                None => print_json(&client.work(&work)?),
            };
        }
    };
    let key = node.signer(&from)?;
    submit::send(&client, &key, Call::Registry(call), &options).map(|_| ())
}

fn named(text: &str) -> anyhow::Result<Digest> {
    digest::from_hex(text).context("a work is named by its digest: 64 hex characters")
}
