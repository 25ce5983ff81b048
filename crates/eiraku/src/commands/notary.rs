//! `eiraku notary …`: anchor files' digests on chain and write their
//! offline proofs (the work is in [`crate::notary`]).

use super::NodeArgs;
use crate::{keyfile, output::print_line, proof_file::format_time, Client};
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
    /// Ask the ledger whether each file is notarized, by its SHA-256 alone
    /// (no proof file needed; the node must have been given the batch,
    /// which `stamp` does). Fails unless every file is.
    Check {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        node: NodeArgs,
    },
}

/// Runs one `eiraku notary` command.
pub fn run(command: NotaryCommand) -> anyhow::Result<()> {
    match command {
        NotaryCommand::Stamp { files, from, node } => stamp(&files, &from, &node),
        NotaryCommand::Check { files, node } => check(&files, &node),
    }
}

fn stamp(files: &[PathBuf], from: &str, node: &NodeArgs) -> anyhow::Result<()> {
    let key = keyfile::read(&keyfile::resolve_key_path(from, &node.network))?;
    let nodes = (node.urls().iter().map(|url| node.connect(url)))
        .collect::<anyhow::Result<Vec<Client>>>()?;
    let written = crate::notary::stamp(&nodes, &key, files)?;
    for (file, proof) in files.iter().zip(written) {
        print_line(&format!(
            "{}: proof written to {}",
            file.display(),
            proof.display()
        ))?;
    }
    Ok(())
}

fn check(files: &[PathBuf], node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client()?;
    let mut missing = 0;
    for file in files {
        match crate::notary::check(&client, file)? {
            Some(anchor) => print_line(&format!(
                "{}: notarized at {} in block {} (transaction {})",
                file.display(),
                format_time(anchor.timestamp_ms),
                anchor.height,
                anchor.tx_hash
            ))?,
            None => {
                missing += 1;
                print_line(&format!(
                    "{}: NOT notarized as far as this node knows (never stamped, or stamped in a batch it was not given)",
                    file.display()
                ))?;
            }
        }
    }
    anyhow::ensure!(
        missing == 0,
        "{missing} of {} file(s) are not notarized",
        files.len()
    );
    Ok(())
}
