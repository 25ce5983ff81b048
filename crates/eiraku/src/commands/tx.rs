//! `eiraku tx …`: build, sign and submit transactions.

use super::{coins, NodeArgs};
use crate::{
    keyfile,
    submit::{self, SendOptions},
};
use anyhow::Context;
use clap::Subcommand;
use eiraku_core::{Amount, Call};

/// Transaction commands.
#[derive(Subcommand)]
pub enum TxCommand {
    /// Transfer an amount to an account.
    Transfer {
        /// Sender key: a key file or a demo account name (alice, bob, carol, faucet).
        #[arg(long)]
        from: String,
        /// Recipient: hex account id, key file or demo account name.
        #[arg(long)]
        to: String,
        /// Coins, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        amount: u128,
        /// Nonce (default: the sender's next nonce, from the node).
        #[arg(long)]
        nonce: Option<u64>,
        /// Chain id (default: the node's).
        #[arg(long)]
        chain_id: Option<String>,
        /// Wait until the transfer is final and print its receipt.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Submit an already signed transaction given as hex bytes.
    Raw {
        /// The transaction's canonical bytes, hex.
        hex: String,
        #[command(flatten)]
        node: NodeArgs,
    },
}

/// Runs one `eiraku tx` command.
pub fn run(command: TxCommand) -> anyhow::Result<()> {
    match command {
        TxCommand::Transfer {
            from,
            to,
            amount,
            nonce,
            chain_id,
            wait,
            node,
        } => {
            let client = node.client()?;
            let key = keyfile::read(&keyfile::resolve_key_path(&from, &node.network))?;
            let to = keyfile::resolve_account(&to, &node.network)?;
            let call = Call::Transfer {
                to,
                amount: Amount(amount),
            };
            let options = SendOptions {
                nonce,
                chain_id,
                wait,
            };
            submit::send(&client, &key, call, &options)?;
            Ok(())
        }
        TxCommand::Raw { hex, node } => {
            let bytes = hex::decode(hex.trim()).context("the transaction must be hex")?;
            let accepted = node.client()?.submit_bytes(&bytes)?;
            println!("submitted {}", accepted.hash);
            Ok(())
        }
    }
}
