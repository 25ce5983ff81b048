//! The `eiraku` command groups, one module each; `main.rs` parses the
//! command line and calls the group's `run`.

mod amendment_args;
pub mod attest;
pub mod backup;
pub mod bench;
pub mod cash;
pub mod cash_center;
pub mod consent;
pub mod devnet;
pub mod emergency;
pub mod genesis;
pub mod gov;
pub mod keys;
pub mod money;
pub mod node;
pub mod notary;
pub mod proof;
pub mod purse;
pub mod query;
pub mod registry;
pub mod tx;
pub mod verify;
pub mod wallet;
pub mod work;

use crate::{devnet::Devnet, Client};
use std::path::{Path, PathBuf};

/// Reads a command-line amount of coins (`1.50`, `"1.50 ACU"`, `150minor`)
/// as minor units.
pub fn coins(text: &str) -> Result<u128, String> {
    eiraku_core::coins::parse_coins(text)
        .map(|amount| amount.0)
        .map_err(|e| e.to_string())
}

/// [`coins`], for the offline wallet's amounts (u64 minor units).
pub fn coins_u64(text: &str) -> Result<u64, String> {
    let minor = coins(text)?;
    u64::try_from(minor).map_err(|_| format!("{text:?} is more than an offline wallet holds"))
}

/// Where a client command finds its node.
#[derive(clap::Args, Clone)]
pub struct NodeArgs {
    /// API URL of the node to talk to (default: validator 0 of --network).
    #[arg(long, global = true)]
    pub node: Option<String>,
    /// Local network folder, for default URLs and demo account names.
    #[arg(long, global = true, default_value = "devnet")]
    pub network: PathBuf,
    /// Certificate authority (PEM) that signed the nodes' certificates, for
    /// `https://` nodes.
    #[arg(long, global = true)]
    pub ca_cert: Option<PathBuf>,
}

impl NodeArgs {
    /// The node URLs: `--node` (comma-separated), else every validator of
    /// `--network`, else validator 0 of the default devnet.
    pub fn urls(&self) -> Vec<String> {
        if let Some(url) = &self.node {
            return url.split(',').map(str::to_string).collect();
        }
        match Devnet::open(Path::new("eiraku"), &self.network) {
            Ok(net) => (0..net.len()).map(|i| net.api_url(i)).collect(),
            Err(_) => vec!["http://127.0.0.1:8700".to_string()],
        }
    }

    /// A client of the first node that answers (a node that refuses
    /// connections is passed over for the next), once it is seen to serve
    /// the chain of `--network`'s genesis file (when there is one): a node
    /// of another chain on the expected port is refused before anything is
    /// sent.
    pub fn client(&self) -> anyhow::Result<Client> {
        let expected = self.expected_chain();
        let mut unreachable = Vec::new();
        for url in self.urls() {
            let client = self.connect(&url)?;
            let served = match client.status() {
                Ok(status) => status.chain_id,
                Err(error @ eiraku_api::client::ClientError::Transport { .. }) => {
                    unreachable.push(error.to_string());
                    continue;
                }
                Err(error) => anyhow::bail!("the node at {url} refused: {error}"),
            };
            if let Some(expected) = expected {
                anyhow::ensure!(
                    served == expected,
                    "the node at {url} serves chain {served}, not {expected} of {}: another network holds that port, or --node points elsewhere",
                    self.network.display()
                );
            }
            return Ok(client);
        }
        anyhow::bail!("cannot reach any node: {}", unreachable.join("; "))
    }

    /// A client of the node at `url`, trusting `--ca-cert` for `https://`.
    pub fn connect(&self, url: &str) -> anyhow::Result<Client> {
        let client = Client::new(url);
        match &self.ca_cert {
            Some(path) => {
                let pem = std::fs::read(path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                Ok(client.trusting(&pem)?)
            }
            None if url.starts_with("https://") => anyhow::bail!(
                "{url} is served over TLS: give the certificate authority that signed its certificate with --ca-cert FILE"
            ),
            None => Ok(client),
        }
    }

    /// The chain id of `--network`'s genesis file, if it has one.
    fn expected_chain(&self) -> Option<eiraku_core::ChainId> {
        let text = std::fs::read_to_string(self.network.join("genesis.json")).ok()?;
        let genesis: eiraku_core::Genesis = serde_json::from_str(&text).ok()?;
        Some(genesis.chain_id)
    }

    /// The signing key named `from` (a key file or a demo label).
    pub fn signer(&self, from: &str) -> anyhow::Result<crate::keyfile::Signer> {
        crate::keyfile::read(&crate::keyfile::resolve_key_path(from, &self.network))
    }

    /// The account named `text` (hex id, key file or demo label).
    pub fn account(&self, text: &str) -> anyhow::Result<eiraku_core::AccountId> {
        crate::keyfile::resolve_account(text, &self.network)
    }
}

/// How a command group sends: at the node's next nonce and chain, waiting
/// for finality unless `--no-wait`.
pub fn send_options(no_wait: bool) -> crate::submit::SendOptions {
    crate::submit::SendOptions {
        nonce: None,
        chain_id: None,
        wait: !no_wait,
    }
}
