//! `eiraku devnet`: a local network of validator processes on loopback,
//! supervised until Ctrl-C.

use crate::{
    cash_center::process::CenterProcess,
    devnet::Devnet,
    testnet::{self, TestnetSpec},
};
use anyhow::Context;
use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

// No doc comment: the variant's in main.rs is the command's help.
#[derive(clap::Args)]
pub struct DevnetArgs {
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
}

/// Creates (or reopens) the network, starts every validator and watches
/// them until Ctrl-C, which stops them all.
pub fn run(args: DevnetArgs) -> anyhow::Result<()> {
    let dir = args.dir.as_path();
    prepare(&args)?;
    let binary = std::env::current_exe()?;
    let mut net = Devnet::open(&binary, dir)?;
    anyhow::ensure!(
        net.len() == args.validators,
        "{} holds a {}-validator network; pass --validators {} or --fresh",
        dir.display(),
        net.len(),
        net.len()
    );
    net.check_ports_free()?;
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
    println!("finalizing: height {height}. Try `eiraku query status` or `eiraku tx transfer --from alice --to bob --amount 1 --wait`. Ctrl-C stops all.");
    let mut center = match start_cash_center(&net, &binary, dir) {
        Ok(center) => center,
        Err(error) => {
            net.stop_all();
            return Err(error);
        }
    };
    if args.traffic {
        start_traffic(&mut net, dir, &stop)?;
    }
    supervise(&mut net, center.as_mut(), &stop);
    println!("stopping…");
    if let Some(center) = center.as_mut() {
        center.stop();
    }
    net.stop_all();
    Ok(())
}

/// Starts Japan's cash center beside a network with the money module, on
/// validator 0's API port + 100.
fn start_cash_center(
    net: &Devnet,
    binary: &Path,
    dir: &Path,
) -> anyhow::Result<Option<CenterProcess>> {
    if net.genesis().money.is_none() {
        return Ok(None);
    }
    let node = net.api_url(0);
    let port: u16 = node
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .context("validator 0's API URL has no port")?;
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], port + 100));
    let center = CenterProcess::start(binary, dir, &node, listen, "JP")?;
    println!(
        "  cash center (JP): {}  (home {}, log {}). Try `eiraku wallet new --home my-wallet --center {}`.",
        center.url,
        center.home.display(),
        center.log.display(),
        center.url
    );
    Ok(Some(center))
}

/// Deletes the folder with `--fresh`; creates the network when the folder
/// holds none.
fn prepare(args: &DevnetArgs) -> anyhow::Result<()> {
    let dir = args.dir.as_path();
    if args.fresh && dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    if dir.join("genesis.json").exists() {
        println!(
            "restarting the network in {} (use --fresh for a new chain)",
            dir.display()
        );
        return Ok(());
    }
    testnet::create(&TestnetSpec {
        dir: dir.to_path_buf(),
        validators: args.validators,
        chain_id: "eiraku-devnet".into(),
        api_port: args.api_port,
        p2p_port: args.p2p_port,
        money: !args.plain,
        tune: |_| {},
        spares: 0,
        tune_genesis: |_| {},
        hosts: Vec::new(),
    })?;
    println!(
        "created a new {}-validator network in {}",
        args.validators,
        dir.display()
    );
    Ok(())
}

/// Runs the AMRO-coin traffic generator on its own thread.
fn start_traffic(net: &mut Devnet, dir: &Path, stop: &Arc<AtomicBool>) -> anyhow::Result<()> {
    if net.genesis().money.is_none() {
        net.stop_all();
        anyhow::bail!("--traffic needs the money module: this network was created with --plain");
    }
    let (client, dir, stop) = (net.client(0), dir.to_path_buf(), stop.clone());
    std::thread::spawn(move || {
        let pace = Duration::from_millis(400);
        if let Err(error) = crate::traffic::run(client, &dir, pace, stop) {
            eprintln!("traffic stopped: {error:#}");
        }
    });
    println!(
        "traffic: remittances JP→PH, TH→KH, KR→VN, shop payments and redemptions in the background"
    );
    Ok(())
}

/// Reports validators (and the cash center) that exit, until `stop` is
/// set.
fn supervise(net: &mut Devnet, mut center: Option<&mut CenterProcess>, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        if let Some(status) = center.as_mut().and_then(|c| c.exited()) {
            if !stop.load(Ordering::SeqCst) {
                println!("the cash center exited ({status}); see its log");
            }
            center = None;
        }
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
}
