//! A node's home folder: its genesis, its key, its settings and its data.
//!
//! ```text
//! HOME/
//!   genesis.json   the network's genesis (identical on every node)
//!   node.json      this node's settings (name, listen addresses, limits)
//!   node.key       this validator's Ed25519 secret (hex; created at setup, never committed)
//!   data/          consensus journals, the authenticated state, and store/
//!                  (fjall: blocks, certificates, receipts, indexes)
//! ```

use eiraku_core::{Genesis, Keypair};
use serde::{Deserialize, Serialize};
use std::{
    fs,
    net::SocketAddr,
    path::{Path, PathBuf},
};

/// This node's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSettings {
    /// Name shown in logs and status.
    pub name: String,
    /// Where to accept p2p connections.
    pub p2p_listen: SocketAddr,
    /// Where to serve the HTTP API.
    pub api_listen: SocketAddr,
    /// Most transactions the mempool holds before answering "busy".
    #[serde(default = "default_mempool_capacity")]
    pub mempool_capacity: usize,
    /// Least time between a block and the next one this node proposes,
    /// unless a full block is waiting (see `engine::Timeouts`).
    #[serde(default = "default_block_interval_ms")]
    pub block_interval_ms: u64,
    /// Size in MiB at which each of the store's in-memory tables is
    /// flushed; fixed when the store is created. Smaller tables leave less
    /// journal to replay after a crash and rotate journals sooner, at the
    /// price of more, smaller flushes (4 MiB finalized about a fifth fewer
    /// transactions per second than 16 at saturation on two cores).
    #[serde(default = "default_store_table_mib")]
    pub store_table_mib: u32,
    /// Serve the web console at `/` (and keep the coin's supply history
    /// its dashboard draws). On by default; off, the API port serves the
    /// API alone.
    #[serde(default = "default_console")]
    pub console: bool,
    /// The API's limits: rate per client, requests in flight, time and
    /// body size (`api::limits`).
    #[serde(default)]
    pub api_limits: crate::api::limits::ApiLimits,
    /// Serve the API over TLS with these files (`api::tls`); plain HTTP
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_tls: Option<crate::api::tls::TlsFiles>,
}

fn default_console() -> bool {
    true
}

fn default_store_table_mib() -> u32 {
    crate::store::DEFAULT_TABLE_MIB
}

fn default_mempool_capacity() -> usize {
    200_000
}

fn default_block_interval_ms() -> u64 {
    100
}

/// Errors reading or writing a home folder.
#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
    /// A file's content is invalid.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// A loaded home folder.
#[derive(Clone, Debug)]
pub struct NodeHome {
    /// The folder.
    pub dir: PathBuf,
    /// The genesis.
    pub genesis: Genesis,
    /// This node's settings.
    pub settings: NodeSettings,
    /// This validator's key.
    pub key: Keypair,
}

impl NodeHome {
    /// Path of the genesis file in `dir`.
    pub fn genesis_path(dir: &Path) -> PathBuf {
        dir.join("genesis.json")
    }

    /// Writes a new home folder.
    pub fn create(
        dir: &Path,
        genesis: &Genesis,
        settings: &NodeSettings,
        key: &Keypair,
    ) -> Result<(), HomeError> {
        fs::create_dir_all(dir.join("data")).map_err(|error| HomeError::Io {
            path: dir.to_path_buf(),
            error,
        })?;
        write(&Self::genesis_path(dir), &to_json(genesis))?;
        write(&dir.join("node.json"), &to_json(settings))?;
        write_secret(&dir.join("node.key"), &key.to_secret_hex())
    }

    /// Loads and checks a home folder.
    pub fn load(dir: &Path) -> Result<Self, HomeError> {
        let genesis: Genesis = read_json(&Self::genesis_path(dir))?;
        eiraku_state::validate_genesis(&genesis).map_err(|reason| HomeError::Invalid {
            path: Self::genesis_path(dir),
            reason,
        })?;
        let settings: NodeSettings = read_json(&dir.join("node.json"))?;
        (settings.api_limits.check()).map_err(|zero| HomeError::Invalid {
            path: dir.join("node.json"),
            reason: zero.to_string(),
        })?;
        let key_path = dir.join("node.key");
        let key =
            Keypair::from_secret_hex(&read(&key_path)?).map_err(|reason| HomeError::Invalid {
                path: key_path.clone(),
                reason,
            })?;
        let in_genesis = (genesis.validators.iter()).any(|v| v.public_key == key.account_id());
        // On a chain of epochs, governance may add this key later: until
        // then the node follows the chain without signing.
        if !in_genesis && genesis.epoch_length.is_none() {
            return Err(HomeError::Invalid {
                path: key_path,
                reason: format!(
                    "key {} is not a validator in genesis.json, and the chain has one epoch (no epoch_length), so its validators never change",
                    key.account_id()
                ),
            });
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            genesis,
            settings,
            key,
        })
    }

    /// Where the consensus journals, the authenticated state and the store
    /// (with the finalized blocks) live.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("settings serialize") + "\n"
}

fn read(path: &Path) -> Result<String, HomeError> {
    fs::read_to_string(path).map_err(|error| HomeError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// Reads a JSON file into `T`, naming the file in any error.
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, HomeError> {
    serde_json::from_str(&read(path)?).map_err(|e| HomeError::Invalid {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn write(path: &Path, content: &str) -> Result<(), HomeError> {
    fs::write(path, content).map_err(|error| HomeError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// Writes a secret file readable by its owner only.
pub fn write_secret(path: &Path, content: &str) -> Result<(), HomeError> {
    write(path, content)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(|error| {
            HomeError::Io {
                path: path.to_path_buf(),
                error,
            }
        })?;
    }
    Ok(())
}
