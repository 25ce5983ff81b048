//! `eiraku genesis`: create a network's folders.

use crate::testnet::{self, TestnetSpec};
use std::path::PathBuf;

// No doc comment: the variant's in main.rs is the command's help.
#[derive(clap::Args)]
pub struct GenesisArgs {
    /// Folder to create the network in.
    #[arg(long)]
    dir: PathBuf,
    /// Number of validators.
    #[arg(long, default_value_t = 4)]
    validators: usize,
    /// Network name.
    #[arg(long, default_value = "eiraku-devnet")]
    chain_id: String,
    /// API port of validator 0 (validator i: +i, unless --hosts).
    #[arg(long, default_value_t = 8700)]
    api_port: u16,
    /// p2p port of validator 0 (validator i: +i, unless --hosts).
    #[arg(long, default_value_t = 9700)]
    p2p_port: u16,
    /// A plain ledger of one unit, without the money module (the AMRO
    /// coin) and its ASEAN+3 demo.
    #[arg(long)]
    plain: bool,
    /// Each validator's IP address, comma-separated, when they run on
    /// separate hosts: every validator then uses the same two ports,
    /// listens on all interfaces, and is dialled at its host.
    #[arg(long, value_delimiter = ',')]
    hosts: Vec<std::net::IpAddr>,
}

/// Creates the genesis, one home folder per validator and the demo keys.
pub fn run(args: GenesisArgs) -> anyhow::Result<()> {
    let dir = args.dir;
    anyhow::ensure!(
        !dir.join("genesis.json").exists(),
        "{} already holds a network",
        dir.display()
    );
    let genesis = testnet::create(&TestnetSpec {
        dir: dir.clone(),
        validators: args.validators,
        chain_id: args.chain_id,
        api_port: args.api_port,
        p2p_port: args.p2p_port,
        money: !args.plain,
        tune: |_| {},
        spares: 0,
        tune_genesis: |_| {},
        hosts: args.hosts,
    })?;
    println!(
        "created {} validators of {} in {}",
        args.validators,
        genesis.chain_id,
        dir.display()
    );
    Ok(())
}
