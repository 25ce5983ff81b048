//! `eiraku cash center`: run an economy's issuance center.

use crate::{
    cash_center::{
        home::{CenterConfig, CenterHome, NewCenter, SignerConfig},
        ledger::Ledger,
        service::Service,
    },
    commands::NodeArgs,
    keyfile,
};
use anyhow::Context;
use eiraku_core::EconomyCode;
use std::{net::SocketAddr, path::PathBuf};

/// Where a new center keeps its note-sealing key.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SignerKind {
    /// A SoftHSM2 token in the home folder (PKCS#11 in software).
    Softhsm2,
    /// A hardware module's PKCS#11 token (--pkcs11-module, -token, -pin-file).
    Pkcs11,
    /// A key file (development only).
    Software,
}

// No doc comment: the variant's in cash.rs is the command's help.
#[derive(clap::Args)]
pub struct CenterArgs {
    /// The center's home folder (created on the first start).
    #[arg(long)]
    home: PathBuf,
    /// Address to serve wallets on.
    #[arg(long, default_value = "127.0.0.1:8800")]
    listen: SocketAddr,
    /// First start: the economy whose center this is.
    #[arg(long)]
    economy: Option<String>,
    /// First start: the cash center's account (key file or demo name).
    #[arg(long)]
    account: Option<String>,
    /// First start: also certify wallets, as this device center's account
    /// (key file or demo name).
    #[arg(long)]
    device_account: Option<String>,
    /// First start: where the note-sealing key lives.
    #[arg(long, value_enum, default_value = "softhsm2")]
    signer: SignerKind,
    /// The PKCS#11 module (SoftHSM2's by default).
    #[arg(long, default_value = eiraku_cash::pkcs11::SOFTHSM2_MODULE)]
    pkcs11_module: PathBuf,
    /// With --signer pkcs11: the token's label.
    #[arg(long)]
    pkcs11_token: Option<String>,
    /// With --signer pkcs11: a file holding the user PIN.
    #[arg(long)]
    pkcs11_pin_file: Option<PathBuf>,
    /// How often due claims are refunded and expired notes written off.
    #[arg(long, default_value_t = 60_000)]
    settle_every_ms: u64,
    /// Life of the notes issued from now on, in ms (at most the ledger's
    /// 90 days; shorter for drills and tests).
    #[arg(long)]
    note_lifetime_ms: Option<u64>,
    #[command(flatten)]
    node: NodeArgs,
}

/// Creates the home on the first start, opens it, publishes the keys and
/// serves until stopped.
pub fn run(args: CenterArgs) -> anyhow::Result<()> {
    let client = args.node.client()?;
    if !CenterHome::exists(&args.home) {
        create(&args, &client)?;
        println!("created a cash center in {}", args.home.display());
    }
    let home = CenterHome::open(&args.home)?;
    let ledger = Ledger::connect(client, &home.config.chain_id, home.config.economy)?;
    if let Some(life) = args.note_lifetime_ms {
        anyhow::ensure!(
            (1..=eiraku_core::cash::NOTE_LIFETIME_MS).contains(&life),
            "--note-lifetime-ms must be 1 to {} (the ledger's longest note life)",
            eiraku_core::cash::NOTE_LIFETIME_MS
        );
    }
    let service = Service::start(home, ledger, args.note_lifetime_ms)?;
    let settle_every = std::time::Duration::from_millis(args.settle_every_ms.max(100));
    crate::cash_center::serve(service, args.listen, settle_every)
}

fn create(args: &CenterArgs, client: &eiraku_api::Client) -> anyhow::Result<()> {
    let economy = args
        .economy
        .as_deref()
        .context("the first start needs --economy and --account")?;
    let economy = EconomyCode::new(economy).map_err(anyhow::Error::msg)?;
    let account = args
        .account
        .as_deref()
        .context("the first start needs --account (the cash center's key file)")?;
    let network = &args.node.network;
    let signer = match args.signer {
        SignerKind::Software => SignerConfig::Software,
        SignerKind::Softhsm2 => SignerConfig::Softhsm2 {
            module: args.pkcs11_module.clone(),
        },
        SignerKind::Pkcs11 => SignerConfig::Pkcs11 {
            module: args.pkcs11_module.clone(),
            token: args
                .pkcs11_token
                .clone()
                .context("--signer pkcs11 needs --pkcs11-token")?,
            pin_file: args
                .pkcs11_pin_file
                .clone()
                .context("--signer pkcs11 needs --pkcs11-pin-file")?,
        },
    };
    let chain_id = client
        .status()
        .with_context(|| format!("cannot reach the node at {}", client.base()))?
        .chain_id;
    CenterHome::create(
        &args.home,
        &NewCenter {
            config: CenterConfig {
                chain_id: chain_id.as_str().to_string(),
                economy,
                signer,
                certifies: args.device_account.is_some(),
            },
            account: keyfile::resolve_key_path(account, network),
            device_account: (args.device_account.as_deref())
                .map(|d| keyfile::resolve_key_path(d, network)),
        },
    )
}
