//! `eiraku`: the one binary. Runs a validator, a local devnet, and talks to
//! a node's API.

use anyhow::Context;
use clap::{Parser, Subcommand};
use eiraku::{
    bench::{self, BenchConfig},
    devnet::Devnet,
    keyfile,
    money_cli::{self, MoneyCommand, MoneyTarget},
    notary,
    output::print_json,
    proof_file,
    submit::{self, SendOptions},
    testnet::{self, TestnetSpec},
    Client,
};
use eiraku_core::{digest, Amount, Call, Keypair};
use eiraku_node::NodeHome;
use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

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

/// Where a client command finds its node.
#[derive(clap::Args, Clone)]
struct NodeArgs {
    /// API URL of the node to talk to (default: validator 0 of --network).
    #[arg(long, global = true)]
    node: Option<String>,
    /// Local network folder, for default URLs and demo account names.
    #[arg(long, global = true, default_value = "devnet")]
    network: PathBuf,
}

impl NodeArgs {
    fn urls(&self) -> Vec<String> {
        if let Some(url) = &self.node {
            return url.split(',').map(str::to_string).collect();
        }
        match Devnet::open(Path::new("eiraku"), &self.network) {
            Ok(net) => (0..net.len()).map(|i| net.api_url(i)).collect(),
            Err(_) => vec!["http://127.0.0.1:8700".to_string()],
        }
    }

    fn client(&self) -> Client {
        Client::new(&self.urls()[0])
    }
}

#[derive(Subcommand)]
enum Command {
    /// Key management.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Create a network: one home folder per validator plus demo account keys.
    Genesis {
        /// Folder to create the network in.
        #[arg(long)]
        dir: PathBuf,
        /// Number of validators.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Network name.
        #[arg(long, default_value = "eiraku-devnet")]
        chain_id: String,
        /// API port of validator 0 (validator i: +i).
        #[arg(long, default_value_t = 8700)]
        api_port: u16,
        /// p2p port of validator 0 (validator i: +i).
        #[arg(long, default_value_t = 9700)]
        p2p_port: u16,
        /// A plain ledger of one unit, without the money module (the AMRO
        /// coin) and its ASEAN+3 demo.
        #[arg(long)]
        plain: bool,
    },
    /// Run one validator from its home folder.
    Node {
        /// The validator's home folder.
        #[arg(long)]
        home: PathBuf,
    },
    /// Run a local network: validators as separate processes on loopback.
    Devnet {
        /// Number of validators.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Network folder (reused if it exists, so the chain persists).
        #[arg(long, default_value = "devnet")]
        dir: PathBuf,
        /// Delete an existing network folder and start a new chain.
        #[arg(long)]
        fresh: bool,
        /// API port of validator 0.
        #[arg(long, default_value_t = 8700)]
        api_port: u16,
        /// p2p port of validator 0.
        #[arg(long, default_value_t = 9700)]
        p2p_port: u16,
        /// A plain ledger of one unit, without the money module (the AMRO
        /// coin) and its ASEAN+3 demo.
        #[arg(long)]
        plain: bool,
        /// Generate realistic AMRO-coin flows in the background: worker
        /// remittances JP→PH, TH→KH, KR→VN, shop payments, deposits and
        /// redemptions.
        #[arg(long)]
        traffic: bool,
    },
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
    /// Notarize files: anchor their digests on chain, write offline proofs.
    Notary {
        #[command(subcommand)]
        command: NotaryCommand,
    },
    /// Re-validate a whole chain from the genesis file: links, transaction
    /// roots, signatures, certificates, re-execution with state roots and
    /// money invariants. Reads a stopped node's folder (--home) or a
    /// running node's API (--rpc, with --genesis).
    Verify {
        /// A stopped node's home folder (its genesis file is used).
        #[arg(long, required_unless_present = "rpc", conflicts_with = "rpc")]
        home: Option<PathBuf>,
        /// A running node's API URL.
        #[arg(long, requires = "genesis")]
        rpc: Option<String>,
        /// The genesis file to trust (with --rpc).
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
    /// Check proofs offline, with only the genesis file.
    Proof {
        #[command(subcommand)]
        command: ProofCommand,
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
    /// Measure finalized throughput and latency against a running network.
    Bench {
        #[command(flatten)]
        node: NodeArgs,
        /// Key that funds the benchmark accounts (file or demo name).
        #[arg(long, default_value = "faucet")]
        faucet: String,
        /// Funded benchmark accounts (all receive transfers).
        #[arg(long, default_value_t = 1000)]
        accounts: usize,
        /// How many of the accounts send (at most --accounts); the same
        /// number in runs of different sizes keeps the signature work equal.
        #[arg(long, default_value_t = 1000)]
        senders: usize,
        /// Transfers to send.
        #[arg(long, default_value_t = 50_000)]
        txs: usize,
        /// Target submission rate (transactions per second).
        #[arg(long, default_value_t = 20_000)]
        rate: u64,
        /// Transactions per HTTP request.
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// Also measure this machine's Ed25519 batch-verify rate (beside the
        /// running validators) and print the ratio.
        #[arg(long)]
        verify_limit: bool,
        /// Print the ratio against this verify limit (sig/s), e.g. one
        /// measured with `--only-verify-limit` while the machine was idle.
        #[arg(long, value_name = "SIG_PER_S", conflicts_with = "verify_limit")]
        limit: Option<f64>,
        /// Only measure the verify limit (run it with no network running, so
        /// nothing else competes for the cores) and exit.
        #[arg(long)]
        only_verify_limit: bool,
    },
}

#[derive(Subcommand)]
enum CashCommand {
    /// Random offline payments among wallets, some of them cloned, then
    /// everything deposited: checks the issuance center catches every
    /// double spend, proves every culprit and accuses no honest wallet.
    Simulate {
        /// Wallets.
        #[arg(long, default_value_t = 1_000)]
        wallets: u64,
        /// Payments attempted.
        #[arg(long, default_value_t = 100_000)]
        transfers: u64,
        /// Wallets whose secure element is copied (both copies spend).
        #[arg(long, default_value_t = 5)]
        clones: u64,
        /// Seed of every random choice (same seed, same run).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Keep the issuance center's note database here (default: a
        /// temporary folder, deleted afterwards). Must be empty or absent.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Generate a key; prints the account id.
    New {
        /// Where to write the secret (default: print it).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TxCommand {
    /// Transfer an amount to an account.
    Transfer {
        /// Sender key: a key file or a demo account name (alice, bob, carol, faucet).
        #[arg(long)]
        from: String,
        /// Recipient: hex account id, key file or demo account name.
        #[arg(long)]
        to: String,
        /// Amount in minor units.
        #[arg(long)]
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

#[derive(Subcommand)]
enum NotaryCommand {
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

#[derive(Subcommand)]
enum ProofCommand {
    /// Check a proof file offline against the genesis file (no node): a
    /// notary proof (with --file; prints the notarized time), a transaction
    /// proof or a state proof.
    Verify {
        /// The proof file (e.g. `FILE.proof.json`).
        proof: PathBuf,
        /// The notarized file (notary proofs only).
        #[arg(long)]
        file: Option<PathBuf>,
        /// The network's genesis file.
        #[arg(long)]
        genesis: PathBuf,
    },
    /// Fetch a state entry's proof (or proof of absence) in the latest
    /// finalized block and write it to a file: an account, a role, an
    /// economy's books, a claim, an anchor, …
    State {
        /// An account (hex id or demo name), or a state key: account/NAME,
        /// role/NAME, money/config, money/economy/JP, money/travel-key/NAME,
        /// money/freeze/NAME, money/contribution/N, money/claim/JP/PH,
        /// money/settlement/N, money/seigniorage/N, registry/anchor/DIGEST.
        key: String,
        /// Where to write the proof.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Fetch a finalized transaction's proof and write it to a file.
    Tx {
        /// Transaction hash (hex).
        hash: String,
        /// Where to write the proof.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        node: NodeArgs,
    },
}

#[derive(Subcommand)]
enum QueryCommand {
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

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(error) = run(Cli::parse()) {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Keys {
            command: KeysCommand::New { out },
        } => {
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
        Command::Genesis {
            dir,
            validators,
            chain_id,
            api_port,
            p2p_port,
            plain,
        } => {
            anyhow::ensure!(
                !dir.join("genesis.json").exists(),
                "{} already holds a network",
                dir.display()
            );
            let genesis = testnet::create(&TestnetSpec {
                dir: dir.clone(),
                validators,
                chain_id,
                api_port,
                p2p_port,
                money: !plain,
                tune: |_| {},
            })?;
            println!(
                "created {} validators of {} in {}",
                validators,
                genesis.chain_id,
                dir.display()
            );
            Ok(())
        }
        Command::Node { home } => {
            let home = NodeHome::load(&home)?;
            // However it was started, `kill $(cat HOME/node.pid)` stops it.
            let pid_file = home.dir.join("node.pid");
            std::fs::write(&pid_file, std::process::id().to_string())
                .with_context(|| format!("cannot write {}", pid_file.display()))?;
            eiraku_node::run(home)
        }
        Command::Devnet {
            validators,
            dir,
            fresh,
            api_port,
            p2p_port,
            plain,
            traffic,
        } => devnet(
            validators,
            &dir,
            fresh,
            (api_port, p2p_port),
            !plain,
            traffic,
        ),
        Command::Tx {
            command:
                TxCommand::Transfer {
                    from,
                    to,
                    amount,
                    nonce,
                    chain_id,
                    wait,
                    node,
                },
        } => {
            let client = node.client();
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
        Command::Tx {
            command: TxCommand::Raw { hex, node },
        } => {
            let bytes = hex::decode(hex.trim()).context("the transaction must be hex")?;
            let accepted = node.client().submit_bytes(&bytes)?;
            println!("submitted {}", accepted.hash);
            Ok(())
        }
        Command::Money {
            command,
            no_wait,
            node,
        } => {
            let client = node.client();
            let target = MoneyTarget {
                client: &client,
                network: &node.network,
                options: SendOptions {
                    nonce: None,
                    chain_id: None,
                    wait: !no_wait,
                },
            };
            money_cli::run(command, &target)
        }
        Command::Notary {
            command: NotaryCommand::Stamp { files, from, node },
        } => {
            let key = keyfile::read(&keyfile::resolve_key_path(&from, &node.network))?;
            let written = notary::stamp(&node.client(), &key, &files)?;
            for (file, proof) in files.iter().zip(written) {
                println!("{}: proof written to {}", file.display(), proof.display());
            }
            Ok(())
        }
        Command::Verify { home, rpc, genesis } => {
            let report = match (home, rpc, genesis) {
                (Some(home), None, None) => eiraku::verify::verify_home(&home, true)?,
                (None, Some(url), Some(genesis)) => {
                    eiraku::verify::verify_rpc(&url, &genesis, true)?
                }
                (Some(_), None, Some(_)) => {
                    anyhow::bail!("--home uses the node's own genesis file; --genesis is for --rpc")
                }
                _ => anyhow::bail!("give --home DIR, or --rpc URL with --genesis FILE"),
            };
            let (blocks, txs) = (report.blocks as f64, report.transactions as f64);
            let seconds = report.seconds.max(1e-9);
            let covered = report.blocks - report.certified;
            let by_descendant = if covered == 0 {
                String::new()
            } else {
                format!(", {covered} by a certified descendant's")
            };
            println!(
                "verified     {} blocks ({} with certificates checked{by_descendant}), {} transactions in {:.1} s",
                report.blocks, report.certified, report.transactions, report.seconds
            );
            println!(
                "throughput   {:.0} blocks/s, {:.0} tx/s",
                blocks / seconds,
                txs / seconds
            );
            let limit = bench::verify_limit(Duration::from_secs(3));
            println!("verify limit {limit:.0} sig/s on this machine (2 threads), measured now");
            Ok(())
        }
        Command::Proof { command } => match command {
            ProofCommand::Verify {
                proof,
                file,
                genesis,
            } => {
                let checked = proof_file::verify(&proof, file.as_deref(), &genesis)?;
                println!("{}", proof_file::describe(&checked, file.as_deref()));
                Ok(())
            }
            ProofCommand::State { key, out, node } => {
                let key = proof_file::resolve_state_key(&key, |name| {
                    keyfile::resolve_account(name, &node.network)
                })?;
                proof_file::fetch_state(&node.client(), &key, &out)?;
                println!("state proof of {key} written to {}", out.display());
                Ok(())
            }
            ProofCommand::Tx { hash, out, node } => {
                let digest =
                    digest::from_hex(&hash).context("a transaction hash is 64 hex characters")?;
                proof_file::fetch_tx(&node.client(), &digest, &out)?;
                println!("transaction proof of {hash} written to {}", out.display());
                Ok(())
            }
        },
        Command::Query { command, node } => {
            let client = node.client();
            match command {
                QueryCommand::Status => print_json(&client.status()?),
                QueryCommand::Block { height } => print_json(&client.block(height)?),
                QueryCommand::Tx { hash } => {
                    let digest = digest::from_hex(&hash)
                        .context("a transaction hash is 64 hex characters")?;
                    print_json(&client.tx(&digest)?)
                }
                QueryCommand::Account { id } => {
                    let id = keyfile::resolve_account(&id, &node.network)?;
                    print_json(&client.account(&id)?)
                }
            }
        }
        Command::Cash {
            command:
                CashCommand::Simulate {
                    wallets,
                    transfers,
                    clones,
                    seed,
                    dir,
                },
        } => {
            let config = eiraku_cash::simulation::Config::new(wallets, transfers, clones, seed);
            let temporary = tempfile::tempdir().context("creating a temporary folder")?;
            let dir = match dir {
                Some(dir) => {
                    if dir.exists() && dir.read_dir()?.next().is_some() {
                        anyhow::bail!(
                            "{} is not empty: give an empty or new folder",
                            dir.display()
                        );
                    }
                    dir
                }
                None => temporary.path().to_path_buf(),
            };
            let (report, seconds) = eiraku::cash::simulate(&config, &dir, true)?;
            print!("{}", eiraku::cash::render(&config, &report, seconds));
            if !(report.all_detected() && report.value_conserved()) {
                anyhow::bail!("the simulation found a fault (see above)");
            }
            Ok(())
        }
        Command::Bench {
            node,
            faucet,
            accounts,
            senders,
            txs,
            rate,
            batch,
            verify_limit,
            limit,
            only_verify_limit,
        } => {
            if only_verify_limit {
                let limit = bench::verify_limit(Duration::from_secs(5));
                println!("verify limit  {limit:.0} sig/s on this machine (2 threads)");
                return Ok(());
            }
            let nodes = node.urls();
            let faucet = keyfile::read(&keyfile::resolve_key_path(&faucet, &node.network))?;
            let open_as = bench::account_role(&node.client(), &faucet)?;
            let helpers = bench::helper_banks(&node.network, open_as, &faucet);
            let senders = senders.min(accounts);
            println!("bench: {txs} transfers from {senders} of {accounts} accounts at {rate} tx/s across {} validator(s)", nodes.len());
            let report = bench::run(&BenchConfig {
                nodes: nodes.clone(),
                faucet,
                helpers,
                open_as,
                accounts,
                senders,
                transactions: txs,
                rate,
                batch,
                progress: true,
            })?;
            println!(
                "submitted     {} (accepted {}) at {:.0} tx/s",
                report.submitted, report.accepted, report.submitted_tps
            );
            println!(
                "finalized     {} in {} blocks at {:.0} tx/s",
                report.finalized, report.blocks, report.finalized_tps
            );
            println!(
                "latency (ms)  p50 {:.0}  p90 {:.0}  p99 {:.0}",
                report.latency_ms[0], report.latency_ms[1], report.latency_ms[2]
            );
            if !report.opening_rates.is_empty() {
                let rates: Vec<String> = report
                    .opening_rates
                    .iter()
                    .map(|rate| format!("{rate:.0}"))
                    .collect();
                println!(
                    "opening       accounts/s per {} accounts: {}",
                    bench::SEGMENT,
                    rates.join(", ")
                );
            }
            let limit = match (verify_limit, limit) {
                (true, _) => Some(bench::verify_limit(Duration::from_secs(3))),
                (false, given) => given,
            };
            if let Some(limit) = limit {
                let per_validator = limit / nodes.len() as f64;
                println!("verify limit  {limit:.0} sig/s on this machine (2 threads); ÷ {} validators = {per_validator:.0}", nodes.len());
                println!(
                    "ratio         {:.0} % of the per-validator verify limit",
                    100.0 * report.finalized_tps / per_validator
                );
            }
            Ok(())
        }
    }
}

fn devnet(
    validators: usize,
    dir: &Path,
    fresh: bool,
    (api_port, p2p_port): (u16, u16),
    money: bool,
    traffic: bool,
) -> anyhow::Result<()> {
    if fresh && dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    if !dir.join("genesis.json").exists() {
        testnet::create(&TestnetSpec {
            dir: dir.to_path_buf(),
            validators,
            chain_id: "eiraku-devnet".into(),
            api_port,
            p2p_port,
            money,
            tune: |_| {},
        })?;
        println!(
            "created a new {validators}-validator network in {}",
            dir.display()
        );
    } else {
        println!(
            "restarting the network in {} (use --fresh for a new chain)",
            dir.display()
        );
    }
    let binary = std::env::current_exe()?;
    let mut net = Devnet::open(&binary, dir)?;
    anyhow::ensure!(
        net.len() == validators,
        "{} holds a {}-validator network; pass --validators {} or --fresh",
        dir.display(),
        net.len(),
        net.len()
    );
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))?;
    }
    net.start_all()?;
    for index in 0..net.len() {
        println!(
            "  validator-{index}: {}  (home {}, log {})",
            net.api_url(index),
            net.home(index).display(),
            net.home(index).join("node.log").display()
        );
    }
    let height = match net.wait_for_height(0, 1, Duration::from_secs(120)) {
        Ok(height) => height,
        Err(error) => {
            net.stop_all();
            return Err(error);
        }
    };
    println!("finalizing: height {height}. Try `eiraku query status` or `eiraku tx transfer --from alice --to bob --amount 100 --wait`. Ctrl-C stops all.");
    if traffic {
        if net.genesis().money.is_none() {
            net.stop_all();
            anyhow::bail!(
                "--traffic needs the money module: this network was created with --plain"
            );
        }
        let (client, dir, stop) = (net.client(0), dir.to_path_buf(), stop.clone());
        std::thread::spawn(move || {
            let pace = Duration::from_millis(400);
            if let Err(error) = eiraku::traffic::run(client, &dir, pace, stop) {
                eprintln!("traffic stopped: {error:#}");
            }
        });
        println!("traffic: remittances JP→PH, TH→KH, KR→VN, shop payments and redemptions in the background");
    }
    while !stop.load(Ordering::SeqCst) {
        for (index, status) in net.exited() {
            if stop.load(Ordering::SeqCst) {
                // Ctrl-C reached the validators too: they are stopping.
                break;
            }
            println!(
                "validator-{index} exited ({status}); restart it with `eiraku node --home {}`",
                net.home(index).display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("stopping…");
    net.stop_all();
    Ok(())
}
