//! A wallet's home folder: `wallet.bin`, the wallet with its software
//! secure element (the element's secrets are inside: a copy of this file
//! is a clone of the wallet, which the cash center catches at its first
//! double spend), and `wallet.json`, where it talks to.

use crate::durable;
use anyhow::Context;
use eiraku_cash::{SoftwareSecureElement, Wallet};
use eiraku_core::PublicKey;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `wallet.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WalletConfig {
    /// The cash center's URL.
    pub center: String,
    /// The chain the wallet's economy lives on.
    pub chain_id: String,
    /// The wallet's economy.
    pub economy: String,
    /// The device center's key (hex), which certifies peers.
    pub device_key: String,
    /// Loads final on the ledger whose notes the wallet has not stored yet
    /// (hashes): asked for again at the next `load` or `sync`.
    #[serde(default)]
    pub unissued_loads: Vec<String>,
}

/// An opened wallet home.
pub struct WalletHome {
    dir: PathBuf,
    /// Where it talks to.
    pub config: WalletConfig,
    /// The wallet.
    pub wallet: Wallet<SoftwareSecureElement>,
}

fn wallet_path(dir: &Path) -> PathBuf {
    dir.join("wallet.bin")
}

fn config_path(dir: &Path) -> PathBuf {
    dir.join("wallet.json")
}

impl WalletHome {
    /// Writes a new wallet home (refusing to overwrite one: that would
    /// destroy the notes inside).
    pub fn create(
        dir: &Path,
        config: WalletConfig,
        wallet: Wallet<SoftwareSecureElement>,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !wallet_path(dir).exists(),
            "{} already holds a wallet",
            dir.display()
        );
        let home = Self {
            dir: dir.to_path_buf(),
            config,
            wallet,
        };
        home.save_config()?;
        home.save()?;
        Ok(home)
    }

    /// Opens the wallet in `dir`.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(wallet_path(dir)).with_context(|| {
            format!(
                "{} holds no wallet (create one with `eiraku wallet new`)",
                dir.display()
            )
        })?;
        let wallet = Wallet::from_bytes(&bytes)
            .with_context(|| format!("{} is damaged", wallet_path(dir).display()))?;
        let config = serde_json::from_slice(&std::fs::read(config_path(dir))?)
            .with_context(|| format!("{} is damaged", config_path(dir).display()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            config,
            wallet,
        })
    }

    /// Writes the wallet durably: called at every commit point, before the
    /// message that depends on it leaves.
    pub fn save(&self) -> anyhow::Result<()> {
        durable::replace(&wallet_path(&self.dir), &self.wallet.to_bytes())
    }

    /// Writes `wallet.json` durably.
    pub fn save_config(&self) -> anyhow::Result<()> {
        durable::replace(
            &config_path(&self.dir),
            &serde_json::to_vec_pretty(&self.config)?,
        )
    }

    /// The device center's key peers are checked with.
    pub fn device_key(&self) -> anyhow::Result<PublicKey> {
        eiraku_core::AccountId::from_hex(&self.config.device_key)
            .map_err(anyhow::Error::msg)?
            .public_key()
            .map_err(|_| anyhow::anyhow!("wallet.json holds an invalid device key"))
    }
}
