//! `eiraku query …`: read from a node, printed as JSON.

use super::NodeArgs;
use crate::{keyfile, output::print_json};
use anyhow::Context;
use clap::Subcommand;
use eiraku_core::digest;

/// Query commands.
#[derive(Subcommand)]
pub enum QueryCommand {
    /// Chain and node status.
    Status,
    /// A finalized block.
    Block {
        /// Height.
        height: u64,
    },
    /// A transaction's status and receipt.
    Tx {
        /// Transaction hash (hex).
        hash: String,
    },
    /// An account's balance and nonce.
    Account {
        /// Hex account id, key file or demo account name.
        id: String,
    },
}

/// Runs one `eiraku query` command against `node`.
pub fn run(command: QueryCommand, node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client()?;
    match command {
        QueryCommand::Status => print_json(&client.status()?),
        QueryCommand::Block { height } => print_json(&client.block(height)?),
        QueryCommand::Tx { hash } => {
            let digest =
                digest::from_hex(&hash).context("a transaction hash is 64 hex characters")?;
            print_json(&client.tx(&digest)?)
        }
        QueryCommand::Account { id } => {
            let id = keyfile::resolve_account(&id, &node.network)?;
            print_json(&client.account(&id)?)
        }
    }
}
