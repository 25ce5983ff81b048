//! `eiraku verify`: re-validate a whole chain from the genesis file (the
//! work is in [`crate::verify`]) and print what was checked and how fast.

use crate::{bench, verify::VerifyReport};
use std::{path::PathBuf, time::Duration};

// No doc comment: the variant's in main.rs is the command's help.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// A stopped node's home folder (its genesis file is used).
    #[arg(long, required_unless_present = "rpc", conflicts_with = "rpc")]
    home: Option<PathBuf>,
    /// A running node's API URL.
    #[arg(long, requires = "genesis")]
    rpc: Option<String>,
    /// The genesis file to trust (with --rpc).
    #[arg(long)]
    genesis: Option<PathBuf>,
    /// Also measure this machine's signature-check rate (3 s more), to
    /// compare the verification's speed with.
    #[arg(long)]
    verify_limit: bool,
}

/// Verifies a stopped node's folder or a running node's chain.
pub fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let report = match (args.home, args.rpc, args.genesis) {
        (Some(home), None, None) => crate::verify::verify_home(&home, true)?,
        (None, Some(url), Some(genesis)) => crate::verify::verify_rpc(&url, &genesis, true)?,
        (Some(_), None, Some(_)) => {
            anyhow::bail!("--home uses the node's own genesis file; --genesis is for --rpc")
        }
        _ => anyhow::bail!("give --home DIR, or --rpc URL with --genesis FILE"),
    };
    print_report(&report);
    if args.verify_limit {
        let limit = bench::verify_limit(Duration::from_secs(3));
        println!("verify limit {limit:.0} sig/s on this machine (2 threads), measured now");
    }
    Ok(())
}

fn print_report(report: &VerifyReport) {
    let (blocks, txs) = (report.blocks as f64, report.transactions as f64);
    let seconds = report.seconds.max(1e-9);
    let covered = report.blocks - report.certified;
    let by_descendant = if covered == 0 {
        String::new()
    } else {
        format!(", {covered} by a certified descendant's")
    };
    println!(
        "verified     {} blocks ({} with certificates checked{by_descendant}), {} transactions in {:.3} s",
        report.blocks, report.certified, report.transactions, report.seconds
    );
    println!(
        "throughput   {:.0} blocks/s, {:.0} tx/s",
        blocks / seconds,
        txs / seconds
    );
    println!(
        "OK           the chain holds, from its genesis to block {}",
        report.blocks
    );
}
