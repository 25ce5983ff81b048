//! `eiraku keys …`: key management.

use crate::keyfile;
use clap::Subcommand;
use eiraku_core::Keypair;
use std::path::PathBuf;

/// Key management commands.
#[derive(Subcommand)]
pub enum KeysCommand {
    /// Generate a key; prints the account id.
    New {
        /// Where to write the secret (default: print it).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs one `eiraku keys` command.
pub fn run(command: KeysCommand) -> anyhow::Result<()> {
    let KeysCommand::New { out } = command;
    let key = Keypair::generate();
    match out {
        Some(path) => {
            keyfile::write(&path, &key)?;
            println!("{}", key.account_id());
            eprintln!("secret written to {}", path.display());
        }
        None => {
            println!("account: {}", key.account_id());
            println!("secret:  {}", key.to_secret_hex());
        }
    }
    Ok(())
}
