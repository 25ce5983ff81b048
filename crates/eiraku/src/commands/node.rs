//! `eiraku node`: run one validator.

use anyhow::Context;
use eiraku_node::NodeHome;
use std::path::PathBuf;

// No doc comment: the variant's in main.rs is the command's help.
#[derive(clap::Args)]
pub struct NodeCommandArgs {
    /// The validator's home folder.
    #[arg(long)]
    home: PathBuf,
}

/// Runs the validator until it is stopped.
pub fn run(args: NodeCommandArgs) -> anyhow::Result<()> {
    let home = NodeHome::load(&args.home)?;
    // However it was started, `kill $(cat HOME/node.pid)` stops it.
    let pid_file = home.dir.join("node.pid");
    std::fs::write(&pid_file, std::process::id().to_string())
        .with_context(|| format!("cannot write {}", pid_file.display()))?;
    eiraku_node::run(home)
}
