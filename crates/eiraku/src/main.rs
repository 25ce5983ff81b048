//! `eiraku`: the one binary. Runs a validator, a local devnet, and talks to
//! a node's API. This file parses the command line and dispatches; each
//! command group lives in its own module of [`eiraku::commands`].

use clap::{Parser, Subcommand};
use eiraku::commands::{attest, attest::AttestCommand, purse, purse::PurseCommand};
use eiraku::commands::{bench, cash, devnet, genesis, gov, keys, money, node, notary, proof};
use eiraku::commands::{
    bench::BenchArgs, cash::CashCommand, devnet::DevnetArgs, genesis::GenesisArgs, gov::GovCommand,
    keys::KeysCommand, money::MoneyCommand, node::NodeCommandArgs, notary::NotaryCommand,
    proof::ProofCommand, query::QueryCommand, tx::TxCommand, verify::VerifyArgs, NodeArgs,
};
use eiraku::commands::{consent, consent::ConsentCommand, work, work::WorkCommand};
use eiraku::commands::{query, tx, verify, wallet, wallet::WalletCommand};
use eiraku::commands::{registry, registry::RegistryCommand};

/// A validator allocates and frees many small buffers per transaction
/// (decoding, mempool, blocks, store batches); under load glibc's malloc spent
/// a visible share of CPU consolidating its free lists.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "eiraku",
    version,
    about = "Eiraku: a BFT ledger for public digital infrastructure"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Key management.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Create a network: one home folder per validator plus demo account keys.
    Genesis(GenesisArgs),
    /// Run one validator from its home folder.
    Node(NodeCommandArgs),
    /// Run a local network: validators as separate processes on loopback.
    Devnet(DevnetArgs),
    /// Build, sign and submit transactions.
    Tx {
        #[command(subcommand)]
        command: TxCommand,
    },
    /// The AMRO coin: every money operation and its queries.
    Money {
        #[command(subcommand)]
        command: MoneyCommand,
        /// Submit and return without waiting for finality.
        #[arg(long, global = true)]
        no_wait: bool,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Multistakeholder governance: seats, proposals, advice, votes.
    Gov {
        #[command(subcommand)]
        command: GovCommand,
        /// Submit and return without waiting for finality.
        #[arg(long, global = true)]
        no_wait: bool,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Attestations (KYC results, qualifications): issue, revoke, show,
    /// export as a Verifiable Credential.
    Attest {
        #[command(subcommand)]
        command: AttestCommand,
        /// Submit and return without waiting for finality.
        #[arg(long, global = true)]
        no_wait: bool,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Purpose-bound money: an agency pushes a purse, its beneficiary
    /// spends it at merchants of the categories it names.
    Purse {
        #[command(subcommand)]
        command: PurseCommand,
        /// Submit and return without waiting for finality.
        #[arg(long, global = true)]
        no_wait: bool,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Consent and the access log (information banks): grant, revoke, log
    /// an access, list every access to a person's data.
    Consent {
        #[command(subcommand)]
        command: ConsentCommand,
        /// Submit and return without waiting for finality.
        #[arg(long, global = true)]
        no_wait: bool,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Registries of versioned records: create one, write a record sealed
    /// to its access group, list a key's history, read a version.
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
        /// Submit and return without waiting for finality.
        #[arg(long, global = true)]
        no_wait: bool,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Rights and licences: register a work, grant, offer and buy
    /// licences in coins.
    Work {
        #[command(subcommand)]
        command: WorkCommand,
        /// Submit and return without waiting for finality.
        #[arg(long, global = true)]
        no_wait: bool,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Notarize files: anchor their digests on chain, write offline proofs.
    Notary {
        #[command(subcommand)]
        command: NotaryCommand,
    },
    /// Re-validate a whole chain from the genesis file: links, transaction
    /// roots, signatures, certificates, re-execution with state roots and
    /// money invariants. Reads a stopped node's folder (--home) or a
    /// running node's API (--rpc, with --genesis).
    Verify(VerifyArgs),
    /// Back up a running validator: its chain and the state of its latest
    /// block, taken through its API, consistent while it runs.
    Backup(eiraku::commands::backup::BackupArgs),
    /// Restore a backup into a stopped validator's empty data folder,
    /// checked as state sync checks its peers; then start it as usual.
    Restore(eiraku::commands::backup::RestoreArgs),
    /// Check proofs offline, with only the genesis file.
    Proof {
        #[command(subcommand)]
        command: ProofCommand,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Read from a node.
    Query {
        #[command(subcommand)]
        command: QueryCommand,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Offline stored value (eiraku-cash).
    Cash {
        #[command(subcommand)]
        command: CashCommand,
    },
    /// An offline wallet on this machine: create, load from an account,
    /// pay and receive over a socket, deposit, sync.
    Wallet {
        #[command(subcommand)]
        command: WalletCommand,
        /// The wallet's folder.
        #[arg(long, global = true, default_value = "wallet")]
        home: std::path::PathBuf,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Measure finalized throughput and latency against a running network.
    Bench(BenchArgs),
}

fn main() {
    let network = network_dir();
    set_coin_symbol(&network);
    let cli = Cli::parse();
    // A validator started by hand says what it does (the devnet sets the
    // same level for its nodes); other commands speak only of problems.
    let default_level = match cli.command {
        Command::Node(_) => "warn,eiraku_node=info",
        _ => "warn",
    };
    use std::io::IsTerminal as _;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        // Colours only for a terminal: a log file gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    if let Err(error) = run(cli) {
        let text = eiraku::demo_names::with_demo_names(&format!("{error:#}"), &network);
        eprintln!("error: {}", printable(&text));
        std::process::exit(1);
    }
}

/// `text` with control characters escaped: a refusal's message comes from
/// a node, and must not move the cursor or write to the terminal's
/// clipboard.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c.is_control() && c != '\n' {
            true => c.escape_default().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// Amounts are read and written in the network's coin, when its genesis
/// file is at hand (`ACU` otherwise).
fn set_coin_symbol(network: &std::path::Path) {
    let Ok(text) = std::fs::read_to_string(network.join("genesis.json")) else {
        return;
    };
    if let Ok(genesis) = serde_json::from_str::<eiraku_core::Genesis>(&text) {
        let symbol = match genesis.money {
            Some(money) => eiraku_core::coins::symbol_of(&money.unit),
            None => eiraku_core::coins::DEFAULT_SYMBOL.to_owned(),
        };
        eiraku_core::coins::set_coin_symbol(&symbol);
    }
}

/// The `--network` folder the command names (`devnet` by default), read
/// before parsing: amounts on the command line are read in its coin.
fn network_dir() -> std::path::PathBuf {
    let mut args = std::env::args_os().skip(1);
    let mut network = std::path::PathBuf::from("devnet");
    while let Some(arg) = args.next() {
        if arg == "--network" {
            if let Some(value) = args.next() {
                network = value.into();
            }
        } else if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--network=")) {
            network = value.into();
        }
    }
    network
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Keys { command, node } => keys::run(command, &node),
        Command::Genesis(args) => genesis::run(args),
        Command::Node(args) => node::run(args),
        Command::Devnet(args) => devnet::run(args),
        Command::Tx { command } => tx::run(command),
        Command::Money {
            command,
            no_wait,
            node,
        } => money::run(command, no_wait, &node),
        Command::Gov {
            command,
            no_wait,
            node,
        } => gov::run(command, no_wait, &node),
        Command::Attest {
            command,
            no_wait,
            node,
        } => attest::run(command, no_wait, &node),
        Command::Purse {
            command,
            no_wait,
            node,
        } => purse::run(command, no_wait, &node),
        Command::Consent {
            command,
            no_wait,
            node,
        } => consent::run(command, no_wait, &node),
        Command::Registry {
            command,
            no_wait,
            node,
        } => registry::run(command, no_wait, &node),
        Command::Work {
            command,
            no_wait,
            node,
        } => work::run(command, no_wait, &node),
        Command::Notary { command } => notary::run(command),
        Command::Verify(args) => verify::run(args),
        Command::Backup(args) => eiraku::commands::backup::run_backup(args),
        Command::Restore(args) => eiraku::commands::backup::run_restore(args),
        Command::Proof { command, node } => proof::run(command, &node),
        Command::Query { command, node } => query::run(command, &node),
        Command::Cash { command } => cash::run(command),
        Command::Wallet {
            command,
            home,
            node,
        } => wallet::run(command, home, &node),
        Command::Bench(args) => bench::run(args),
    }
}
