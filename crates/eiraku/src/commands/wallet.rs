//! `eiraku wallet …`: an offline wallet on this machine (a device
//! emulator with its secure element in a file).

use crate::{
    commands::NodeArgs,
    keyfile,
    wallet::{
        center::CenterLink,
        exchange,
        link::Link,
        store::{WalletConfig, WalletHome},
    },
};
use anyhow::Context;
use clap::Subcommand;
use commonware_codec::Encode;
use eiraku_api::Client;
use eiraku_cash::{RiskLimits, SecureElement};
use eiraku_core::{Amount, Call, CashCall, ChainId};
use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    path::PathBuf,
};

/// What an honest wallet allows: 1,000 ACU held, 500 ACU a payment, 16
/// offline hops before a note must be deposited or refreshed (minor units:
/// hundredths of an ACU).
const LIMITS: RiskLimits = RiskLimits {
    max_balance: 100_000,
    max_hops: 16,
    max_transfer: 50_000,
};

/// How long `pay` waits for the payee wallet to listen.
const PEER_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Offline-wallet commands.
#[derive(Subcommand)]
pub enum WalletCommand {
    /// Create a wallet: fresh keys in its secure element, certified by the
    /// economy's device center (through the cash center at --center).
    New {
        /// The cash center's URL.
        #[arg(long, default_value = "http://127.0.0.1:8800")]
        center: String,
    },
    /// Load coins from an account into the wallet (binding the wallet to
    /// that account), then fetch the notes once the load is final.
    Load {
        /// The paying account: a key file or a demo name.
        #[arg(long)]
        from: String,
        /// Coins, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = super::coins_u64)]
        amount: u64,
    },
    /// Pay another wallet, which runs `eiraku wallet receive`, over a
    /// socket.
    Pay {
        /// The receiving wallet's address (`eiraku wallet receive` prints it).
        #[arg(long)]
        to: SocketAddr,
        /// Coins, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = super::coins_u64)]
        amount: u64,
    },
    /// Wait for one payment from another wallet.
    Receive {
        /// Address to listen on (port 0: any free port).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
    /// Deposit every note held into the account the wallet is bound to.
    Deposit,
    /// Fetch the center's blacklist, and the notes of loads not yet
    /// received.
    Sync,
    /// The wallet's number, balance, notes and pending records.
    Show,
}

/// Runs one `eiraku wallet` command on the wallet in `home`.
pub fn run(command: WalletCommand, home: PathBuf, node: &NodeArgs) -> anyhow::Result<()> {
    if let WalletCommand::New { center } = command {
        return new(&home, &center, &node.client()?);
    }
    let mut wallet = WalletHome::open(&home)?;
    match command {
        WalletCommand::New { .. } => unreachable!("handled above"),
        WalletCommand::Load { from, amount } => load(&mut wallet, &from, amount, node),
        WalletCommand::Pay { to, amount } => pay(&mut wallet, to, amount),
        WalletCommand::Receive { listen } => receive(&mut wallet, listen),
        WalletCommand::Deposit => deposit(&mut wallet),
        WalletCommand::Sync => sync(&mut wallet),
        WalletCommand::Show => show(&wallet, &node.client()?),
    }
}

use crate::clock::now_ms;

fn new(home: &std::path::Path, center_url: &str, node: &Client) -> anyhow::Result<()> {
    let center = CenterLink::connect(center_url)?;
    let wallet = center.new_wallet(node, LIMITS)?;
    let number = wallet.number();
    let info = center.info;
    let config = WalletConfig {
        center: center_url.to_string(),
        chain_id: info.chain_id,
        economy: info.economy,
        device_key: info.device_key,
        unissued_loads: Vec::new(),
    };
    WalletHome::create(home, config, wallet)?;
    println!("wallet {} created in {}", number.0, home.display());
    Ok(())
}

fn load(home: &mut WalletHome, from: &str, amount: u64, node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client()?;
    let signer = keyfile::read(&keyfile::resolve_key_path(from, &node.network))?;
    let chain = ChainId::new(&home.config.chain_id).map_err(anyhow::Error::msg)?;
    let possession = home.wallet.element().sign_binding(&chain, &signer.account);
    let call = Call::Cash(CashCall::Load {
        certificate: home.wallet.certificate().encode().to_vec(),
        amount: Amount(u128::from(amount)),
        possession,
    });
    let tx = crate::submit::sign_next(&client, &chain, &signer, call);
    let hash = eiraku_core::digest::to_hex(&tx.hash());
    // Remembered before it is sent: whatever happens next, a sync asks for
    // the notes of a load that became final.
    home.config.unissued_loads.push(hash.clone());
    home.save_config()?;
    client.submit(&tx)?;
    println!("submitted load {hash}");
    let view = client.wait_finalized(&tx.hash(), std::time::Duration::from_secs(60))?;
    if let Some(error) = view.receipt.as_ref().and_then(|r| r.error.as_ref()) {
        home.config.unissued_loads.retain(|load| *load != hash);
        home.save_config()?;
        anyhow::bail!("the load failed: {}: {}", error.code, error.message);
    }
    fetch_unissued(home)
}

/// Asks the center for the notes of every load not received yet.
fn fetch_unissued(home: &mut WalletHome) -> anyhow::Result<()> {
    if home.config.unissued_loads.is_empty() {
        return Ok(());
    }
    let center = CenterLink::connect(&home.config.center)?;
    let mut failed = 0;
    for load in home.config.unissued_loads.clone() {
        let notes = match center.issue(&load) {
            Ok(notes) => notes,
            Err(e) => {
                println!("load {load}: no notes yet ({e:#}); kept for the next sync");
                failed += 1;
                continue;
            }
        };
        let count = notes.len();
        let value: u64 = notes.iter().map(|n| n.note.note.denomination).sum();
        let known = home.wallet.element().notes();
        let fresh: Vec<eiraku_cash::NoteInHand> = notes
            .into_iter()
            .filter(|n| !known.contains_key(&n.note.note.serial))
            .collect();
        home.wallet.element_mut().put_notes(fresh);
        home.save()?;
        home.config.unissued_loads.retain(|held| *held != load);
        home.save_config()?;
        println!(
            "received {count} notes worth {} for load {load}",
            coins(value)
        );
    }
    anyhow::ensure!(failed == 0, "{failed} loads are still without their notes");
    Ok(())
}

fn pay(home: &mut WalletHome, to: SocketAddr, amount: u64) -> anyhow::Result<()> {
    let mut link = Link::new(connect(to)?)?;
    let paid = exchange::pay(home, &mut link, amount, now_ms())?;
    println!(
        "paid {} to wallet {} (change {}); balance {}",
        coins(paid.amount),
        paid.peer,
        coins(paid.change),
        coins(home.wallet.balance())
    );
    Ok(())
}

/// Connects to the payee, waiting for it to start listening as two people
/// wait for each other's phones, for up to [`PEER_WAIT`].
fn connect(to: SocketAddr) -> anyhow::Result<TcpStream> {
    let deadline = std::time::Instant::now() + PEER_WAIT;
    loop {
        match TcpStream::connect(to) {
            Ok(stream) => return Ok(stream),
            Err(e)
                if e.kind() == std::io::ErrorKind::ConnectionRefused
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(e).with_context(|| format!("cannot reach a wallet at {to}")),
        }
    }
}

fn receive(home: &mut WalletHome, listen: SocketAddr) -> anyhow::Result<()> {
    let listener =
        TcpListener::bind(listen).with_context(|| format!("cannot listen on {listen}"))?;
    println!(
        "wallet {} listening on {}",
        home.wallet.number().0,
        listener.local_addr()?
    );
    let (stream, _) = listener.accept()?;
    let mut link = Link::new(stream)?;
    let paid = exchange::receive_payment(home, &mut link, now_ms())?;
    println!(
        "received {} from wallet {}; balance {}",
        coins(paid.amount),
        paid.peer,
        coins(home.wallet.balance())
    );
    Ok(())
}

fn deposit(home: &mut WalletHome) -> anyhow::Result<()> {
    let serials: Vec<u64> = home.wallet.element().notes().keys().copied().collect();
    anyhow::ensure!(!serials.is_empty(), "the wallet holds no notes");
    let center = CenterLink::connect(&home.config.center)?;
    for chunk in serials.chunks(crate::cash_center::service::MAX_DEPOSIT_NOTES) {
        let (record, notes) = home.wallet.hand_to_center(chunk)?;
        // Handed over: in doubt until the center answers.
        home.save()?;
        let answer = center.deposit(&notes).context(
            "the notes stay in doubt in the wallet: `eiraku wallet sync` sends them again",
        )?;
        home.wallet.deposit_answered(record);
        home.save()?;
        print_deposit(&answer);
    }
    Ok(())
}

fn print_deposit(answer: &crate::cash_center::wire::DepositAnswer) {
    let credited: u64 = answer.outcomes.iter().map(|o| o.credited).sum();
    println!(
        "deposited {} notes: {} credited to account {}{}",
        answer.outcomes.len(),
        coins(credited),
        answer.account,
        answer
            .credit_tx
            .as_ref()
            .map(|tx| format!(" (transaction {tx})"))
            .unwrap_or_default()
    );
    for outcome in answer.outcomes.iter().filter(|o| o.outcome != "credited") {
        println!(
            "  note {}: {}{}",
            outcome.serial,
            outcome.outcome,
            outcome
                .reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    for wallet in &answer.blacklisted {
        println!("  wallet {wallet} blacklisted on the ledger");
    }
}

fn sync(home: &mut WalletHome) -> anyhow::Result<()> {
    settle_in_doubt(home)?;
    fetch_unissued(home)?;
    let list = CenterLink::connect(&home.config.center)?.blacklist()?;
    match home.wallet.install_blacklist(&list) {
        Ok(()) => {
            home.save()?;
            let wallets: Vec<String> = list.wallets.iter().map(|w| w.0.to_string()).collect();
            println!(
                "blacklist version {}: {}",
                list.version,
                if wallets.is_empty() {
                    "empty".into()
                } else {
                    wallets.join(", ")
                }
            );
        }
        Err(eiraku_cash::CashError::StaleBlacklist { held, .. }) => {
            println!("blacklist version {held} is current")
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Sends again the deposits whose answer never came, then files what is
/// still in doubt (payments and change that may not have arrived) as a
/// signed claim: the center refunds it on the ledger after the notes' life
/// if it never arrived.
fn settle_in_doubt(home: &mut WalletHome) -> anyhow::Result<()> {
    if home.wallet.in_doubt().next().is_none() {
        return Ok(());
    }
    let center = CenterLink::connect(&home.config.center)?;
    for (record, notes) in home.wallet.unanswered_deposits() {
        let answer = center.deposit(&notes)?;
        home.wallet.deposit_answered(record);
        home.save()?;
        print_deposit(&answer);
    }
    if home.wallet.in_doubt().next().is_none() {
        return Ok(());
    }
    let answer = center.file_claim(&home.wallet.signed_claim())?;
    home.wallet.claims_filed();
    home.save()?;
    for note in answer.notes {
        match note.decided_after_ms {
            Some(at) => println!(
                "claim on note {}: decided after {at} (ms since the epoch)",
                note.serial
            ),
            None => println!("claim on note {}: it arrived, nothing is owed", note.serial),
        }
    }
    Ok(())
}

fn show(home: &WalletHome, node: &Client) -> anyhow::Result<()> {
    let wallet = &home.wallet;
    let number = wallet.number().0;
    println!(
        "wallet {number} of {} on {}",
        home.config.economy, home.config.chain_id
    );
    println!(
        "balance {} in {} notes",
        coins(wallet.balance()),
        wallet.element().notes().len()
    );
    let in_doubt: u64 = wallet.in_doubt().map(|r| r.value()).sum();
    println!(
        "in doubt {} ({} records)",
        coins(in_doubt),
        wallet.in_doubt().count()
    );
    match node.cash_wallet(number) {
        Ok(view) => println!(
            "bound to account {}{}{}",
            view.account,
            if view.revoked_ms.is_some() {
                ", revoked"
            } else {
                ""
            },
            if view.blacklisted_ms.is_some() {
                ", blacklisted"
            } else {
                ""
            }
        ),
        Err(_) => println!("not bound to an account yet (load it first)"),
    }
    Ok(())
}

/// An offline wallet's minor units, shown in the coin.
fn coins(minor: u64) -> eiraku_core::coins::Coins {
    eiraku_core::coins::Coins(eiraku_core::Amount(u128::from(minor)))
}
