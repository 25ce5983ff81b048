//! Creating the home folders of a network: one per validator, plus demo
//! account keys. Keys are generated here, at setup, never shipped.

use crate::{
    keyfile,
    money_demo::{self, DemoAccount},
};
use anyhow::Context;
use eiraku_core::{
    travel_rule::{TravelKey, TravelSecret},
    AccountId, Amount, ChainId, Genesis, GenesisAccount, GenesisValidator, Keypair, Role,
};
use eiraku_node::{NodeHome, NodeSettings};
use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

/// Demo accounts created with every local network, with opening balances
/// in minor units.
/// The devnet's time lock on replacing a lost key: 30 s of block time.
pub const DEVNET_KEY_REPLACEMENT_DELAY_MS: u64 = 30_000;
/// Blocks per epoch on the devnet: about ten seconds when idle, so a
/// validator change governance enacts takes effect soon after.
pub const DEVNET_EPOCH_LENGTH: u64 = 100;

pub const DEMO_ACCOUNTS: [(&str, u128); 4] = [
    ("faucet", 1_000_000_000_000_000),
    ("alice", 1_000_000),
    ("bob", 1_000_000),
    ("carol", 1_000_000),
];

/// What to create.
#[derive(Clone, Debug)]
pub struct TestnetSpec {
    /// Folder that receives `node0`, `node1`, … and `accounts/`.
    pub dir: PathBuf,
    /// Number of validators.
    pub validators: usize,
    /// Network name.
    pub chain_id: String,
    /// API port of validator 0; validator i listens on `api_port + i`.
    pub api_port: u16,
    /// p2p port of validator 0; validator i listens on `p2p_port + i`.
    pub p2p_port: u16,
    /// Run the money module with the ASEAN+3 demo (see
    /// [`crate::money_demo`]); otherwise a plain ledger with the
    /// [`DEMO_ACCOUNTS`].
    pub money: bool,
    /// Adjusts each validator's settings (node.json) before they are
    /// written; `|_| {}` keeps the defaults.
    pub tune: fn(&mut NodeSettings),
    /// Homes for this many more validators, not in genesis (after the
    /// others: `node{validators}`, …), for governance to add.
    pub spares: usize,
    /// Adjusts the genesis before it is validated and written; `|_| {}`
    /// keeps the devnet's.
    pub tune_genesis: fn(&mut Genesis),
    /// Each validator's host (spares included), when they run on separate
    /// machines: validator i is then dialled at `hosts[i]`, every one on the
    /// same two ports, listening on all interfaces. Empty: all on loopback,
    /// validator i on the ports plus i.
    pub hosts: Vec<IpAddr>,
}

impl TestnetSpec {
    /// Where validator `index` is dialled and where it listens, for p2p
    /// and for the API.
    fn addresses(&self, index: usize) -> Addresses {
        let at = |ip: IpAddr, port: u16| SocketAddr::new(ip, port);
        match self.hosts.get(index) {
            Some(&host) => {
                let any = match host {
                    IpAddr::V4(_) => IpAddr::from(Ipv4Addr::UNSPECIFIED),
                    IpAddr::V6(_) => IpAddr::from(Ipv6Addr::UNSPECIFIED),
                };
                Addresses {
                    p2p: at(host, self.p2p_port),
                    api: at(host, self.api_port),
                    p2p_listen: at(any, self.p2p_port),
                    api_listen: at(any, self.api_port),
                }
            }
            None => {
                let (p2p, api) = (self.p2p_port + index as u16, self.api_port + index as u16);
                let loopback = IpAddr::from(Ipv4Addr::LOCALHOST);
                Addresses {
                    p2p: at(loopback, p2p),
                    api: at(loopback, api),
                    p2p_listen: at(loopback, p2p),
                    api_listen: at(loopback, api),
                }
            }
        }
    }

    /// Home folder of validator `index`.
    pub fn home(dir: &Path, index: usize) -> PathBuf {
        dir.join(format!("node{index}"))
    }
}

/// Writes the network and returns its genesis.
pub fn create(spec: &TestnetSpec) -> anyhow::Result<Genesis> {
    anyhow::ensure!(
        spec.validators >= 1,
        "a network needs at least one validator"
    );
    let chain_id = ChainId::new(&spec.chain_id).map_err(anyhow::Error::msg)?;
    anyhow::ensure!(
        spec.hosts.is_empty() || spec.hosts.len() == spec.validators + spec.spares,
        "{} hosts for {} validators: give one per validator",
        spec.hosts.len(),
        spec.validators + spec.spares
    );
    let keys: Vec<Keypair> = (0..spec.validators).map(|_| Keypair::generate()).collect();
    let validators: Vec<GenesisValidator> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| GenesisValidator {
            name: format!("validator-{i}"),
            public_key: key.account_id(),
            p2p_address: spec.addresses(i).p2p,
            api_address: spec.addresses(i).api,
        })
        .collect();
    // Each demo key is generated here and written to `accounts/LABEL.key`.
    let mut new_key = |label: &str| -> anyhow::Result<AccountId> {
        let key = Keypair::generate();
        keyfile::write(
            &spec.dir.join("accounts").join(format!("{label}.key")),
            &key,
        )?;
        Ok(key.account_id())
    };
    // Banks and regulators also get the key travel-rule data is sealed to,
    // in `accounts/LABEL.travel.key`.
    let mut new_travel_key = |label: &str| -> anyhow::Result<TravelKey> {
        let (secret, public) = TravelSecret::generate();
        let folder = spec.dir.join("accounts");
        std::fs::create_dir_all(&folder)?;
        let path = folder.join(format!("{label}.travel.key"));
        eiraku_node::home::write_secret(&path, &secret.to_hex())?;
        Ok(public)
    };
    let demo: Vec<DemoAccount> = if spec.money {
        money_demo::demo_accounts()
    } else {
        DEMO_ACCOUNTS
            .iter()
            .map(|(label, balance)| DemoAccount {
                label: label.to_string(),
                role: None,
                balance: Amount(*balance),
                bank: None,
            })
            .collect()
    };
    let mut accounts: Vec<GenesisAccount> = Vec::new();
    for account in demo {
        let bank = match &account.bank {
            Some(label) => Some(
                accounts
                    .iter()
                    .find(|a| a.label == *label)
                    .map(|a| a.id)
                    .with_context(|| format!("demo bank {label} is listed after its customers"))?,
            ),
            None => None,
        };
        let travel_key = match account.role {
            Some(Role::Bank { .. }) => Some(new_travel_key(&account.label)?),
            _ => None,
        };
        accounts.push(GenesisAccount {
            id: new_key(&account.label)?,
            balance: account.balance,
            label: account.label,
            role: account.role,
            bank,
            travel_key,
        });
    }
    let genesis_time_ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as u64;
    let money = if spec.money {
        Some(money_demo::money_genesis(
            &mut new_key,
            &mut new_travel_key,
            &accounts,
            genesis_time_ms,
        )?)
    } else {
        None
    };
    // Governance windows in seconds, so a person can watch a whole cycle.
    let governance = money
        .as_ref()
        .map(|_| eiraku_core::GovernanceGenesis::devnet());
    // An outside auditor (an account without a role) reviews emergency
    // declarations.
    let mut reviewers = Vec::new();
    if governance.is_some() {
        let auditor = new_key("auditor")?;
        accounts.push(GenesisAccount {
            id: auditor,
            balance: Amount(0),
            label: "auditor".into(),
            role: None,
            bank: None,
            travel_key: None,
        });
        reviewers.push(auditor);
    }
    let mut genesis = Genesis {
        chain_id,
        genesis_time_ms,
        validators,
        accounts,
        money,
        governance,
        // Seconds, like governance's windows: a person can watch a lost key
        // replaced (and cancel one) on the devnet.
        key_replacement_delay_ms: Some(DEVNET_KEY_REPLACEMENT_DELAY_MS),
        epoch_length: Some(DEVNET_EPOCH_LENGTH),
        reviewers,
    };
    (spec.tune_genesis)(&mut genesis);
    eiraku_state::validate_genesis(&genesis).map_err(anyhow::Error::msg)?;
    std::fs::write(
        spec.dir.join("genesis.json"),
        serde_json::to_string_pretty(&genesis)? + "\n",
    )
    .context("writing genesis.json")?;
    let spares: Vec<Keypair> = (0..spec.spares).map(|_| Keypair::generate()).collect();
    for (i, key) in keys.iter().chain(&spares).enumerate() {
        let mut settings = NodeSettings {
            name: format!("validator-{i}"),
            p2p_listen: spec.addresses(i).p2p_listen,
            api_listen: spec.addresses(i).api_listen,
            mempool_capacity: 200_000,
            block_interval_ms: 100,
            store_table_mib: eiraku_node::store::DEFAULT_TABLE_MIB,
            console: true,
            api_limits: Default::default(),
            api_tls: None,
        };
        (spec.tune)(&mut settings);
        NodeHome::create(&TestnetSpec::home(&spec.dir, i), &genesis, &settings, key)?;
    }
    Ok(genesis)
}

/// A validator's addresses: dialled by others, and listened on.
struct Addresses {
    p2p: SocketAddr,
    api: SocketAddr,
    p2p_listen: SocketAddr,
    api_listen: SocketAddr,
}
