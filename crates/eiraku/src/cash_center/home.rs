//! A cash center's home folder: its configuration, its ledger account's
//! key, the secret of its history key, where its note-sealing key lives,
//! and its note database. Created on the first start, opened on every
//! later one.
//!
//! ```text
//! center.json          chain, economy, signer, whether it certifies wallets
//! account.key          the cash center's ledger account (signs deposits)
//! history.secret       X25519 secret wallets seal their histories to
//! note.key             note-sealing key (software signer only)
//! softhsm/, hsm.pins   SoftHSM2 token holding the note-sealing key, its PINs
//! device.key           key wallets are certified with (when it certifies)
//! device-account.key   the device center's ledger account (when it certifies)
//! next-wallet          last wallet number given
//! notes/               note database (issued, deposited, evidence, claims)
//! pending/             credits handed to the ledger and not yet final
//! ```

use crate::{durable, keyfile};
use anyhow::Context;
use eiraku_cash::{pkcs11, IssuanceCenterKeys, NoteSigner, SoftwareSigner};
use eiraku_core::{EconomyCode, Keypair};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The label of the note-sealing key on its PKCS#11 token.
const NOTE_KEY_LABEL: &str = "eiraku-cash-note-key";
/// The label of the token a center's own SoftHSM2 holds.
const SOFTHSM2_TOKEN: &str = "eiraku-cash-center";

/// Where the note-sealing key lives.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignerConfig {
    /// In a key file (development only: the key exists in memory).
    Software,
    /// In a SoftHSM2 token in the home folder: a PKCS#11 token in software,
    /// for a network without a hardware module.
    Softhsm2 {
        /// SoftHSM2's PKCS#11 module.
        module: PathBuf,
    },
    /// On a PKCS#11 token (a hardware security module).
    Pkcs11 {
        /// The vendor's PKCS#11 module.
        module: PathBuf,
        /// The token's label.
        token: String,
        /// A file holding the user PIN.
        pin_file: PathBuf,
    },
}

/// `center.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CenterConfig {
    /// The chain the center serves.
    pub chain_id: String,
    /// Its economy.
    pub economy: EconomyCode,
    /// Where its note-sealing key lives.
    pub signer: SignerConfig,
    /// Whether this process also certifies wallets, as the economy's
    /// device center.
    pub certifies: bool,
}

/// What the first start needs.
pub struct NewCenter {
    /// The configuration to write.
    pub config: CenterConfig,
    /// Key file of the cash center's ledger account.
    pub account: PathBuf,
    /// Key file of the device center's ledger account, when it certifies.
    pub device_account: Option<PathBuf>,
}

/// An opened home: the keys the center runs with.
pub struct CenterHome {
    /// The folder.
    pub dir: PathBuf,
    /// `center.json`.
    pub config: CenterConfig,
    /// The cash center's ledger account.
    pub account: keyfile::Signer,
    /// The device center's ledger account and certification key.
    pub device: Option<(keyfile::Signer, Keypair)>,
    /// Held while a wallet number is given.
    numbering: std::sync::Mutex<()>,
}

fn config_path(dir: &Path) -> PathBuf {
    dir.join("center.json")
}

impl CenterHome {
    /// Whether `dir` holds a center.
    pub fn exists(dir: &Path) -> bool {
        config_path(dir).exists()
    }

    /// Creates a center's home in `dir` (which must not hold one):
    /// copies its account keys and generates its history secret, its
    /// note-sealing key (in a file or on the token) and its device key.
    pub fn create(dir: &Path, new: &NewCenter) -> anyhow::Result<()> {
        anyhow::ensure!(
            !Self::exists(dir),
            "{} already holds a cash center",
            dir.display()
        );
        let account = keyfile::read(&new.account)?;
        keyfile::write_signer(&dir.join("account.key"), &account.key, &account.account)?;
        if new.config.certifies {
            let path = new
                .device_account
                .as_ref()
                .context("a center that certifies wallets needs --device-account")?;
            let device = keyfile::read(path)?;
            keyfile::write_signer(
                &dir.join("device-account.key"),
                &device.key,
                &device.account,
            )?;
            keyfile::write(&dir.join("device.key"), &Keypair::generate())?;
        }
        let secret: [u8; 32] = rand::random();
        durable::replace(&dir.join("history.secret"), hex::encode(secret).as_bytes())?;
        match &new.config.signer {
            SignerConfig::Software => keyfile::write(&dir.join("note.key"), &Keypair::generate())?,
            SignerConfig::Softhsm2 { module } => {
                let pins = Pins::generate();
                durable::replace(&dir.join("hsm.pins"), &serde_json::to_vec(&pins)?)?;
                let token = open_softhsm2(dir, module, &pins)?;
                pkcs11::Pkcs11Signer::generate(&token, SOFTHSM2_TOKEN, &pins.user, NOTE_KEY_LABEL)?;
            }
            SignerConfig::Pkcs11 {
                module,
                token,
                pin_file,
            } => {
                let pin = read_pin(pin_file)?;
                let pkcs11 = pkcs11::load_module(module)?;
                pkcs11::Pkcs11Signer::generate(&pkcs11, token, &pin, NOTE_KEY_LABEL)?;
            }
        }
        // Written last: a home without it is an unfinished creation.
        durable::replace(&config_path(dir), &serde_json::to_vec_pretty(&new.config)?)
    }

    /// Opens the home in `dir`.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read(config_path(dir))
            .with_context(|| format!("{} holds no cash center", dir.display()))?;
        let config: CenterConfig = serde_json::from_slice(&text)
            .with_context(|| format!("{} is not a center configuration", dir.display()))?;
        let device = if config.certifies {
            Some((
                keyfile::read(&dir.join("device-account.key"))?,
                keyfile::read(&dir.join("device.key"))?.key,
            ))
        } else {
            None
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            account: keyfile::read(&dir.join("account.key"))?,
            device,
            config,
            numbering: std::sync::Mutex::new(()),
        })
    }

    /// The center's keys: the note signer (from its file or token) and the
    /// history secret.
    pub fn keys(&self) -> anyhow::Result<IssuanceCenterKeys> {
        let signer: Box<dyn NoteSigner> = match &self.config.signer {
            SignerConfig::Software => Box::new(SoftwareSigner(
                keyfile::read(&self.dir.join("note.key"))?.key,
            )),
            SignerConfig::Softhsm2 { module } => {
                let pins: Pins = serde_json::from_slice(&std::fs::read(self.dir.join("hsm.pins"))?)
                    .context("hsm.pins is not the PINs file a center writes")?;
                let token = open_softhsm2(&self.dir, module, &pins)?;
                Box::new(pkcs11::Pkcs11Signer::open(
                    &token,
                    SOFTHSM2_TOKEN,
                    &pins.user,
                    NOTE_KEY_LABEL,
                )?)
            }
            SignerConfig::Pkcs11 {
                module,
                token,
                pin_file,
            } => {
                let pkcs11 = pkcs11::load_module(module)?;
                Box::new(pkcs11::Pkcs11Signer::open(
                    &pkcs11,
                    token,
                    &read_pin(pin_file)?,
                    NOTE_KEY_LABEL,
                )?)
            }
        };
        let text = std::fs::read_to_string(self.dir.join("history.secret"))?;
        let secret: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .context("history.secret does not hold 32 bytes of hex")?;
        Ok(IssuanceCenterKeys::with_signer(signer, secret))
    }

    /// The note database's folder.
    pub fn notes_dir(&self) -> PathBuf {
        self.dir.join("notes")
    }

    /// The folder of credits not yet final on the ledger.
    pub fn pending_dir(&self) -> PathBuf {
        self.dir.join("pending")
    }

    /// Gives the next wallet number (durably, before the certificate
    /// carrying it leaves the center).
    pub fn next_wallet_number(&self) -> anyhow::Result<u64> {
        // One number at a time: two wallets never share one.
        let _one = self.numbering.lock().unwrap_or_else(|p| p.into_inner());
        let path = self.dir.join("next-wallet");
        let last = match std::fs::read_to_string(&path) {
            Ok(text) => text
                .trim()
                .parse::<u64>()
                .context("next-wallet is not a number")?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(e).context("cannot read next-wallet"),
        };
        let next = last + 1;
        durable::replace(&path, next.to_string().as_bytes())?;
        Ok(next)
    }
}

/// The PINs of a center's own SoftHSM2 token.
#[derive(Serialize, Deserialize)]
struct Pins {
    security_officer: String,
    user: String,
}

impl Pins {
    fn generate() -> Self {
        Self {
            security_officer: hex::encode(rand::random::<[u8; 16]>()),
            user: hex::encode(rand::random::<[u8; 16]>()),
        }
    }
}

fn open_softhsm2(dir: &Path, module: &Path, pins: &Pins) -> anyhow::Result<pkcs11::Module> {
    Ok(pkcs11::open_softhsm2(
        module,
        &dir.join("softhsm"),
        SOFTHSM2_TOKEN,
        &pins.security_officer,
        &pins.user,
    )?)
}

fn read_pin(path: &Path) -> anyhow::Result<String> {
    Ok(std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the PIN file {}", path.display()))?
        .trim()
        .to_string())
}
