//! Key files: one hex-encoded Ed25519 secret per file, owner-readable only.

use anyhow::Context;
use eiraku_core::{AccountId, Keypair};
use std::path::{Path, PathBuf};

/// Reads a key file.
pub fn read(path: &Path) -> anyhow::Result<Keypair> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    Keypair::from_secret_hex(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Writes a key file (mode 0600).
pub fn write(path: &Path, key: &Keypair) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    eiraku_node::home::write_secret(path, &key.to_secret_hex())?;
    Ok(())
}

/// Resolves an account given as 64 hex characters, a key file path, or a
/// demo label (`alice` → `NETWORK_DIR/accounts/alice.key`).
pub fn resolve_account(text: &str, network_dir: &Path) -> anyhow::Result<AccountId> {
    if let Ok(id) = AccountId::from_hex(text) {
        return Ok(id);
    }
    let path = resolve_key_path(text, network_dir);
    if path.exists() {
        return Ok(read(&path)?.account_id());
    }
    anyhow::bail!(
        "{text:?} is neither a 64-character hex account id, nor a key file, nor a demo account in {}",
        network_dir.join("accounts").display()
    )
}

/// A key file path given directly or as a demo label.
pub fn resolve_key_path(text: &str, network_dir: &Path) -> PathBuf {
    let direct = PathBuf::from(text);
    if direct.exists() {
        return direct;
    }
    network_dir.join("accounts").join(format!("{text}.key"))
}
