//! `eiraku bench`: load a running network and print what finalized (the
//! work is in [`crate::bench`]).

use super::NodeArgs;
use crate::{
    bench::{self, BenchConfig, BenchReport},
    bench_workload::Workload,
    funding, keyfile,
};
use anyhow::Context;
use std::time::Duration;

// No doc comment: the variant's in main.rs is the command's help.
#[derive(clap::Args)]
pub struct BenchArgs {
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
    /// Write every finalized transfer to this CSV file (sent_ms,
    /// latency_ms, height; in the order sent), to see when slow ones
    /// were sent and which blocks carried them.
    #[arg(long, value_name = "FILE")]
    timeline: Option<std::path::PathBuf>,
    /// Only measure the verify limit (run it with no network running, so
    /// nothing else competes for the cores) and exit.
    #[arg(long)]
    only_verify_limit: bool,
    /// What the transactions do, one measure after another in this run,
    /// comma-separated: transfer, record (a registry record's first
    /// version), access (an access-log entry under a consent).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "transfer")]
    workloads: Vec<Workload>,
    /// A registry authority's key, for the record workload (file or demo
    /// name).
    #[arg(long, default_value = "registrar-jp")]
    registrar: String,
}

/// Runs the benchmark (or only the verify-limit measurement).
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.only_verify_limit {
        let limit = bench::verify_limit(Duration::from_secs(5));
        println!("verify limit  {limit:.0} sig/s on this machine (2 threads)");
        return Ok(());
    }
    let nodes = args.node.urls();
    let network = &args.node.network;
    let faucet =
        keyfile::read(&keyfile::resolve_key_path(&args.faucet, network))?.into_own_key()?;
    let open_as = funding::account_role(&args.node.client()?, &faucet)?;
    let helpers = funding::helper_banks(network, open_as, &faucet);
    let senders = args.senders.min(args.accounts);
    let registrar = match args.workloads.contains(&Workload::Record) {
        true => Some(
            keyfile::read(&keyfile::resolve_key_path(&args.registrar, network))?.into_own_key()?,
        ),
        false => None,
    };
    let mut last = None;
    for workload in &args.workloads {
        println!(
            "bench: {} {workload:?} transactions from {senders} of {} accounts at {} tx/s across {} validator(s)",
            args.txs,
            args.accounts,
            args.rate,
            nodes.len()
        );
        let report = bench::run(&BenchConfig {
            nodes: nodes.clone(),
            faucet: faucet.clone(),
            helpers: helpers.clone(),
            open_as,
            accounts: args.accounts,
            senders,
            transactions: args.txs,
            rate: args.rate,
            batch: args.batch,
            progress: true,
            workload: *workload,
            registrar: registrar.clone(),
        })?;
        print_report(&report);
        if let Some(path) = &args.timeline {
            write_timeline(path, &report)?;
            println!(
                "timeline      {} transactions written to {}",
                report.timeline.len(),
                path.display()
            );
        }
        last = Some(report);
    }
    let Some(report) = last else {
        anyhow::bail!("no workload to run");
    };
    let limit = match (args.verify_limit, args.limit) {
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

fn write_timeline(path: &std::path::Path, report: &BenchReport) -> anyhow::Result<()> {
    use std::io::Write;
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot create the timeline file {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "sent_ms,latency_ms,height")?;
    for entry in &report.timeline {
        writeln!(
            out,
            "{:.1},{:.1},{}",
            entry.sent_ms, entry.latency_ms, entry.height
        )?;
    }
    out.flush()
        .with_context(|| format!("cannot write the timeline file {}", path.display()))
}

fn print_report(report: &BenchReport) {
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
    let (sampled, failed, first) = &report.receipts;
    println!(
        "receipts      {failed} of {sampled} sampled failed{}",
        first
            .as_ref()
            .map_or(String::new(), |code| format!(" (first: {code})"))
    );
    if !report.opening_rates.is_empty() {
        let rates: Vec<String> = report
            .opening_rates
            .iter()
            .map(|rate| format!("{rate:.0}"))
            .collect();
        println!(
            "opening       accounts/s per {} accounts: {}",
            funding::SEGMENT,
            rates.join(", ")
        );
    }
}
