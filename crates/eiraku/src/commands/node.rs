//! `eiraku node`: run one validator, or print its consent to join.

use anyhow::Context;
use eiraku_core::validators::Joiner;
use eiraku_node::NodeHome;
use std::{net::SocketAddr, path::PathBuf};

// No doc comment: the variant's in main.rs is the command's help.
#[derive(clap::Args)]
pub struct NodeCommandArgs {
    /// The validator's home folder.
    #[arg(long)]
    home: PathBuf,
    /// Print, instead of running, this validator's consent to join the
    /// chain's validator set (JSON, for `eiraku gov propose
    /// --add-validator`): its key's signature of the chain, its key and
    /// its p2p address.
    #[arg(long)]
    consent: bool,
    /// With --consent: the address other validators dial (default: the
    /// p2p address it listens on, from node.json).
    #[arg(long, requires = "consent")]
    address: Option<SocketAddr>,
    /// With an empty data folder (a new validator, or one whose disk was
    /// lost): take the state of a recent finalized block from the other
    /// validators (their API addresses in genesis), checked against that
    /// block's certified state root, instead of replaying the chain from
    /// genesis. A node that holds a chain starts as usual.
    #[arg(long, conflicts_with = "consent")]
    state_sync: bool,
}

/// Runs the validator until it is stopped (or prints its consent).
pub fn run(args: NodeCommandArgs) -> anyhow::Result<()> {
    let home = NodeHome::load(&args.home)?;
    if args.consent {
        let address = args.address.unwrap_or(home.settings.p2p_listen);
        anyhow::ensure!(
            eiraku_core::validators::is_dialable(&address),
            "other validators cannot dial {address}: give the address they reach this node at with --address HOST:PORT"
        );
        let consent = Joiner::sign(&home.genesis.chain_id, &home.key, address);
        println!("{}", serde_json::to_string_pretty(&consent)?);
        return Ok(());
    }
    // However it was started, `kill $(cat HOME/node.pid)` stops it.
    let pid_file = home.dir.join("node.pid");
    std::fs::write(&pid_file, std::process::id().to_string())
        .with_context(|| format!("cannot write {}", pid_file.display()))?;
    eiraku_node::run(home, args.state_sync)
}
