//! `eiraku notary …`: anchor files' digests on chain and write their
//! offline proofs (the work is in [`crate::notary`]).

use super::NodeArgs;
use crate::keyfile;
use clap::Subcommand;
use std::path::PathBuf;

/// Notary commands.
#[derive(Subcommand)]
pub enum NotaryCommand {
    /// Anchor the files' SHA-256 digests (one batch, one transaction) and
    /// write `FILE.proof.json` beside each once the block is final.
    Stamp {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The signing key (file or demo label).
        #[arg(long)]
        from: String,
        #[command(flatten)]
        node: NodeArgs,
    },
}

/// Runs one `eiraku notary` command.
pub fn run(command: NotaryCommand) -> anyhow::Result<()> {
    let NotaryCommand::Stamp { files, from, node } = command;
    let key = keyfile::read(&keyfile::resolve_key_path(&from, &node.network))?;
    let written = crate::notary::stamp(&node.client(), &key, &files)?;
    for (file, proof) in files.iter().zip(written) {
        println!("{}: proof written to {}", file.display(), proof.display());
    }
    Ok(())
}
