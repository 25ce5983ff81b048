//! Key files, owner-readable only: a hex-encoded Ed25519 secret on the
//! first line and, when the key signs for another account than its own
//! (after a rotation or a replacement), `account <hex id>` on the second.

use anyhow::Context;
use eiraku_core::{AccountId, Keypair};
use std::path::{Path, PathBuf};

/// A key and the account it signs for.
#[derive(Clone)]
pub struct Signer {
    /// The account: the key's own, or the one whose key it became.
    pub account: AccountId,
    /// The key.
    pub key: Keypair,
}

impl Signer {
    /// A key signing for its own account.
    pub fn own(key: Keypair) -> Self {
        Self {
            account: key.account_id(),
            key,
        }
    }

    /// The account it signs for.
    pub fn account_id(&self) -> AccountId {
        self.account
    }

    /// The key, when it signs for its own account: what tools that derive
    /// accounts from keys (the benchmark) need.
    pub fn into_own_key(self) -> anyhow::Result<Keypair> {
        anyhow::ensure!(
            self.account == self.key.account_id(),
            "this key signs for account {} after a key change; use that account's own key",
            self.account
        );
        Ok(self.key)
    }
}

const ACCOUNT_LINE: &str = "account ";

/// Reads a key file.
pub fn read(path: &Path) -> anyhow::Result<Signer> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    let bad = |e: String| anyhow::anyhow!("{}: {e}", path.display());
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let key = Keypair::from_secret_hex(lines.next().unwrap_or_default()).map_err(bad)?;
    let account = match lines.next() {
        None => key.account_id(),
        Some(line) => {
            let hex = line
                .strip_prefix(ACCOUNT_LINE)
                .ok_or_else(|| bad(format!("second line {line:?} is not `account <hex id>`")))?;
            AccountId::from_hex(hex).map_err(|e| bad(e.to_string()))?
        }
    };
    if let Some(extra) = lines.next() {
        return Err(bad(format!("unexpected line {extra:?}")));
    }
    Ok(Signer { account, key })
}

/// Writes a key file for the key's own account (mode 0600).
pub fn write(path: &Path, key: &Keypair) -> anyhow::Result<()> {
    write_signer(path, key, &key.account_id())
}

/// Writes a key file for `key` signing for `account` (mode 0600).
pub fn write_signer(path: &Path, key: &Keypair, account: &AccountId) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut text = key.to_secret_hex();
    if *account != key.account_id() {
        text = format!("{text}\n{ACCOUNT_LINE}{account}\n");
    }
    eiraku_node::home::write_secret(path, &text)?;
    Ok(())
}

/// Creates a new key file (never overwriting one), owner-readable from its
/// first byte, and makes it durable, folder entry included, before
/// returning: a key that may come to sign for an account must survive a
/// crash.
pub fn create_durably(path: &Path, key: &Keypair, account: &AccountId) -> anyhow::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let folder = folder_of(path);
    std::fs::create_dir_all(folder)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create key file {}", path.display()))?;
    let mut text = key.to_secret_hex();
    if *account != key.account_id() {
        text = format!("{text}\n{ACCOUNT_LINE}{account}\n");
    }
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::File::open(folder)?.sync_all()?;
    Ok(())
}

/// Moves a key file over another, durably.
pub fn replace_durably(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::rename(from, to)
        .with_context(|| format!("cannot move {} over {}", from.display(), to.display()))?;
    std::fs::File::open(folder_of(to))?.sync_all()?;
    Ok(())
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Resolves an account given as 64 hex characters, a key file path, or a
/// demo label (`alice` → `NETWORK_DIR/accounts/alice.key`).
pub fn resolve_account(text: &str, network_dir: &Path) -> anyhow::Result<AccountId> {
    if let Ok(id) = AccountId::from_hex(text) {
        return Ok(id);
    }
    let path = resolve_key_path(text, network_dir);
    if path.exists() {
        return Ok(read(&path)?.account);
    }
    let accounts = network_dir.join("accounts");
    let names = demo_names(&accounts);
    if names.is_empty() {
        anyhow::bail!(
            "{text:?} is neither a 64-character hex account id, nor a key file, nor a demo account in {} (it holds none)",
            accounts.display()
        )
    }
    anyhow::bail!(
        "{text:?} is neither a 64-character hex account id, nor a key file, nor a demo account; the demo accounts in {} are: {}",
        accounts.display(),
        names.join(", ")
    )
}

/// The demo account names in `accounts` (the `NAME.key` files), sorted.
pub fn demo_names(accounts: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(accounts) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            name.strip_suffix(".key").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// A key file path given directly or as a demo label.
pub fn resolve_key_path(text: &str, network_dir: &Path) -> PathBuf {
    let direct = PathBuf::from(text);
    if direct.exists() {
        return direct;
    }
    network_dir.join("accounts").join(format!("{text}.key"))
}
