//! `eiraku backup` (while the node runs) and `eiraku restore` (into an
//! empty data folder). The backup's form and the restore's checks are in
//! [`eiraku_node::state_sync::backup`] and
//! [`eiraku_node::state_sync::restore`].

use anyhow::Context as _;
use commonware_codec::Encode as _;
use eiraku_api::{proof::MAX_AUDIT_BLOCKS, Client, MAX_SYNC_KEYS};
use eiraku_node::{
    state_sync::{
        backup::{requests, Backup, BACKUP_FORMAT},
        restore,
    },
    NodeHome,
};
use std::{
    io::Write as _,
    path::{Path, PathBuf},
    time::Instant,
};

/// Largest answer to one request of operations: 4,096 operations of a
/// few hundred bytes each with their proof (the node refuses larger
/// requests).
const MAX_ANSWER_BYTES: u64 = 512 << 20;

// No doc comment: the variant's in main.rs is the command's help.
#[derive(clap::Args)]
pub struct BackupArgs {
    /// The running validator's home folder (its genesis names the chain;
    /// its API is asked, at the address genesis gives it, unless --node).
    #[arg(long)]
    home: PathBuf,
    /// The backup file to write (replaced if it exists).
    #[arg(long)]
    out: PathBuf,
    /// The node's API URL, if not the one genesis gives this validator.
    #[arg(long)]
    node: Option<String>,
}

// No doc comment: the variant's in main.rs is the command's help.
#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The stopped validator's home folder; its data folder must be empty
    /// or absent.
    #[arg(long)]
    home: PathBuf,
    /// The backup file (from `eiraku backup`).
    #[arg(long)]
    from: PathBuf,
}

/// Writes a backup of the node's chain and state.
pub fn run_backup(args: BackupArgs) -> anyhow::Result<()> {
    let home = NodeHome::load(&args.home)?;
    let url = match args.node {
        Some(url) => url,
        None => own_url(&home)?,
    };
    let client = Client::new(&url);
    let started = Instant::now();
    let backup = take(&client, &home)?;
    write(&args.out, &backup)?;
    eprintln!(
        "backup of block {} ({} blocks, {} answers of operations, {} keys) written to {} in {:.1} s",
        backup.target.height,
        backup.blocks.len(),
        backup.operations.len(),
        backup.keys.len(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Restores a backup into a stopped node's empty data folder.
pub fn run_restore(args: RestoreArgs) -> anyhow::Result<()> {
    let home = NodeHome::load(&args.home)?;
    let file = std::fs::File::open(&args.from)
        .with_context(|| format!("cannot open {}", args.from.display()))?;
    let backup: Backup = serde_json::from_reader(std::io::BufReader::new(file))
        .with_context(|| format!("{} is not an eiraku backup", args.from.display()))?;
    let restored = restore::restore(&home, backup).map_err(|error| {
        let partial = match error {
            restore::RestoreError::NotThisChain(_) | restore::RestoreError::NotEmpty(_) => "",
            _ => "; the data folder holds a partial restore: delete it before trying again",
        };
        anyhow::anyhow!("{error}{partial}")
    })?;
    println!(
        "restored block {} ({} blocks, {} state entries) in {:.1} s; start the node as usual: it takes the later blocks from the other validators",
        restored.height, restored.blocks, restored.entries, restored.seconds
    );
    Ok(())
}

/// The API address genesis gives the validator whose key `home` holds.
fn own_url(home: &NodeHome) -> anyhow::Result<String> {
    let me = home.key.account_id();
    let validator = home
        .genesis
        .validators
        .iter()
        .find(|validator| validator.public_key == me)
        .context("this home's key is not a genesis validator's: give the node's API with --node")?;
    Ok(format!("http://{}", validator.api_address))
}

/// Asks the node for its state (target, operations, keys) and its chain.
fn take(client: &Client, home: &NodeHome) -> anyhow::Result<Backup> {
    // Keys listed before and after the state's block: a key of the state
    // made just before it, or deleted just after, is in one of the lists
    // (a restore ignores the keys the state does not hold).
    let mut keys = all_keys(client)?;
    let target = client
        .sync_target()
        .context("the node names no state to back up")?;
    eprintln!("backing up block {}", target.height);
    let mut operations = Vec::new();
    for request in requests(&target) {
        let encoded = request.encode();
        let answer = client
            .sync_operations(&encoded, MAX_ANSWER_BYTES)
            .with_context(|| format!("the node did not serve {request}"))?;
        operations.push((hex::encode(encoded), hex::encode(answer)));
    }
    keys.extend(all_keys(client)?);
    keys.sort_unstable();
    keys.dedup();
    let mut blocks = Vec::new();
    while (blocks.len() as u64) <= target.height {
        let from = blocks.len() as u64;
        let count = (target.height + 1 - from).min(MAX_AUDIT_BLOCKS);
        let page = client.audit_blocks(from, count)?;
        anyhow::ensure!(!page.blocks.is_empty(), "the node holds no block {from}");
        blocks.extend(page.blocks);
    }
    blocks.truncate(target.height as usize + 1);
    Ok(Backup {
        format: BACKUP_FORMAT,
        chain_id: home.genesis.chain_id.to_string(),
        target,
        operations,
        keys,
        blocks,
    })
}

/// Every key of the node's state now (hex), in order.
fn all_keys(client: &Client) -> anyhow::Result<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    loop {
        let page = client.sync_keys(keys.last().map(String::as_str), MAX_SYNC_KEYS)?;
        keys.extend(page.keys);
        if !page.more {
            return Ok(keys);
        }
    }
}

/// Writes `backup` to `path` whole or not at all (a temporary file beside
/// it, synced, then renamed).
fn write(path: &Path, backup: &Backup) -> anyhow::Result<()> {
    let temporary = path.with_extension("partial");
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&temporary)
            .with_context(|| format!("cannot write {}", temporary.display()))?,
    );
    serde_json::to_writer(&mut file, backup)?;
    file.flush()?;
    file.get_ref().sync_all()?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("cannot move the backup to {}", path.display()))?;
    Ok(())
}
