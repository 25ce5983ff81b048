//! `eiraku cash …`: offline stored value (the simulator of `eiraku-cash`).

use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;

/// Offline-cash commands.
#[derive(Subcommand)]
pub enum CashCommand {
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
    /// Run an economy's issuance center: issues notes against finalized
    /// loads, takes deposits and credits them on the ledger, publishes the
    /// signed blacklist (and, with --device-account, certifies wallets).
    Center(super::cash_center::CenterArgs),
    /// Measure the end-to-end deposit rate: wallets certified and loaded,
    /// then every note deposited at once, from the center's answer to the
    /// credit final on the ledger.
    Bench {
        /// The cash center's URL.
        #[arg(long, default_value = "http://127.0.0.1:8800")]
        center: String,
        /// The account loading the wallets (key file or demo name).
        #[arg(long, default_value = "faucet")]
        from: String,
        /// Wallets, each depositing all its notes once.
        #[arg(long, default_value_t = 256)]
        wallets: usize,
        /// Coins loaded into each wallet: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = super::coins_u64, default_value = "1000.00")]
        amount: u64,
        /// Deposits in flight at once.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        #[command(flatten)]
        node: super::NodeArgs,
    },
}

/// Runs one `eiraku cash` command.
pub fn run(command: CashCommand) -> anyhow::Result<()> {
    let (wallets, transfers, clones, seed, dir) = match command {
        CashCommand::Simulate {
            wallets,
            transfers,
            clones,
            seed,
            dir,
        } => (wallets, transfers, clones, seed, dir),
        CashCommand::Center(args) => return super::cash_center::run(args),
        CashCommand::Bench {
            center,
            from,
            wallets,
            amount,
            concurrency,
            node,
        } => return bench(&center, &from, wallets, amount, concurrency, &node),
    };
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
    let (report, seconds) = crate::cash::simulate(&config, &dir, true)?;
    print!("{}", crate::cash::render(&config, &report, seconds));
    if !(report.all_detected() && report.value_conserved()) {
        anyhow::bail!("the simulation found a fault (see above)");
    }
    Ok(())
}

fn bench(
    center: &str,
    from: &str,
    wallets: usize,
    amount: u64,
    concurrency: usize,
    node: &super::NodeArgs,
) -> anyhow::Result<()> {
    let signer = crate::keyfile::read(&crate::keyfile::resolve_key_path(from, &node.network))?;
    let setup = crate::cash_bench::DepositBench {
        wallets,
        amount,
        concurrency,
        progress: true,
    };
    let report = crate::cash_bench::run(center, &node.client()?, &signer, &setup)?;
    println!(
        "{} deposits, {} notes credited in {:.1} s: {:.0} notes/s end to end (center answer to final ledger credit); latency p50 {} ms, p99 {} ms",
        report.deposits,
        report.notes,
        report.seconds,
        report.notes_per_second(),
        report.latency_ms.0,
        report.latency_ms.1
    );
    Ok(())
}
