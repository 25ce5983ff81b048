//! A local network of validator processes on loopback: started, stopped,
//! killed and restarted one by one. `eiraku devnet` and the integration
//! tests both drive networks through this.

use crate::{testnet::TestnetSpec, Client};
use anyhow::Context;
use eiraku_core::Genesis;
use eiraku_node::NodeSettings;
use std::{
    fs::OpenOptions,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Validator processes of one network folder.
pub struct Devnet {
    dir: PathBuf,
    binary: PathBuf,
    genesis: Genesis,
    /// Each home's API address, by index.
    api_addresses: Vec<std::net::SocketAddr>,
    children: Vec<Option<Child>>,
    /// A command each validator is started under (such as `ip netns exec
    /// NAME`), by index; none by default.
    launchers: Vec<Vec<String>>,
}

impl Devnet {
    /// Attaches to a network folder created by [`crate::testnet::create`];
    /// starts nothing yet.
    pub fn open(binary: &Path, dir: &Path) -> anyhow::Result<Self> {
        let genesis_path = dir.join("genesis.json");
        let genesis: Genesis =
            serde_json::from_str(&std::fs::read_to_string(&genesis_path).with_context(|| {
                format!("no network in {} (missing genesis.json)", dir.display())
            })?)
            .with_context(|| format!("{} is not a genesis file", genesis_path.display()))?;
        // Every home folder, spares (not in genesis) included.
        let mut api_addresses = Vec::new();
        loop {
            let settings = TestnetSpec::home(dir, api_addresses.len()).join("node.json");
            if !settings.exists() {
                break;
            }
            let settings: NodeSettings = eiraku_node::home::read_json(&settings)?;
            // A validator listening on all interfaces (on its own host) is
            // reached at the address the genesis names.
            let named = (genesis.validators.iter()).find(|v| v.name == settings.name);
            let address = match named {
                Some(validator) if settings.api_listen.ip().is_unspecified() => {
                    validator.api_address
                }
                _ => settings.api_listen,
            };
            api_addresses.push(address);
        }
        let children = api_addresses.iter().map(|_| None).collect();
        let launchers = api_addresses.iter().map(|_| Vec::new()).collect();
        Ok(Self {
            dir: dir.to_path_buf(),
            binary: binary.to_path_buf(),
            genesis,
            api_addresses,
            children,
            launchers,
        })
    }

    /// Refuses when a validator's API address is taken (by a node of
    /// another network, or any program), before anything starts.
    pub fn check_ports_free(&self) -> anyhow::Result<()> {
        for (index, address) in self.api_addresses.iter().enumerate() {
            if let Err(error) = std::net::TcpListener::bind(address) {
                anyhow::bail!(
                    "validator {index}'s API address {address} is taken ({error}): another node or program holds it; stop it, or start this network on other ports (`--api-port`, `--p2p-port`, with `--fresh`)"
                );
            }
        }
        Ok(())
    }

    /// The network's genesis.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// Number of validator homes (spares not in genesis included).
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// True for a network without validators (never, once created).
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// API base URL of validator `index`.
    pub fn api_url(&self, index: usize) -> String {
        format!("http://{}", self.api_addresses[index])
    }

    /// A client of validator `index`.
    pub fn client(&self, index: usize) -> Client {
        Client::new(&self.api_url(index))
    }

    /// Process id of validator `index`, while it runs.
    pub fn pid(&self, index: usize) -> Option<u32> {
        self.children[index].as_ref().map(|child| child.id())
    }

    /// Home folder of validator `index`.
    pub fn home(&self, index: usize) -> PathBuf {
        TestnetSpec::home(&self.dir, index)
    }

    /// Starts validator `index` as a child process logging to `node.log` in
    /// its home.
    pub fn start(&mut self, index: usize) -> anyhow::Result<()> {
        self.start_with(index, &[])
    }

    /// Starts validator `index` with more arguments of `eiraku node`
    /// (such as `--state-sync`).
    pub fn start_with(&mut self, index: usize, args: &[&str]) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.children[index].is_none(),
            "validator {index} is already running"
        );
        let home = self.home(index);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(home.join("node.log"))
            .with_context(|| format!("cannot open the log in {}", home.display()))?;
        let mut command = match self.launchers[index].split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(&self.binary);
                command
            }
            None => Command::new(&self.binary),
        };
        let child = command
            .arg("node")
            .arg("--home")
            .arg(&home)
            .args(args)
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,eiraku_node=info".into()),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", self.binary.display()))?;
        std::fs::write(home.join("node.pid"), child.id().to_string())?;
        self.children[index] = Some(child);
        Ok(())
    }

    /// Starts validator `index` under `launcher` from now on: a command
    /// that runs its arguments in another setting and becomes them (such
    /// as `ip netns exec NAME`, which keeps the process id).
    pub fn launch_under(&mut self, index: usize, launcher: &[&str]) {
        self.launchers[index] = launcher.iter().map(|arg| arg.to_string()).collect();
    }

    /// Starts every validator that is not running.
    pub fn start_all(&mut self) -> anyhow::Result<()> {
        for index in 0..self.len() {
            if self.children[index].is_none() {
                self.start(index)?;
            }
        }
        Ok(())
    }

    /// Kills validator `index` at once (SIGKILL): a crash.
    pub fn kill(&mut self, index: usize) {
        if let Some(mut child) = self.children[index].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Asks validator `index` to stop (SIGTERM) and waits up to five seconds
    /// before killing it.
    pub fn stop(&mut self, index: usize) {
        if self.terminate(index, Duration::from_secs(5)).is_err() {
            // Still running (or never was: then this does nothing).
            self.kill(index);
        }
    }

    /// Asks validator `index` to stop (SIGTERM) and waits up to `within` for
    /// its exit status. An error if it is not running, or still runs then
    /// (it is left running).
    pub fn terminate(
        &mut self,
        index: usize,
        within: Duration,
    ) -> anyhow::Result<std::process::ExitStatus> {
        let child = self.children[index]
            .as_mut()
            .with_context(|| format!("validator {index} is not running"))?;
        // SAFETY: sending a signal to a child process id we own has no memory effects.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait()? {
                self.children[index] = None;
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        anyhow::bail!("validator {index} still runs {within:?} after SIGTERM")
    }

    /// Stops every validator.
    pub fn stop_all(&mut self) {
        for index in 0..self.len() {
            self.stop(index);
        }
    }

    /// Indices of validators whose process has exited, with their status.
    pub fn exited(&mut self) -> Vec<(usize, std::process::ExitStatus)> {
        let mut exited = Vec::new();
        for (index, slot) in self.children.iter_mut().enumerate() {
            if let Some(child) = slot {
                if let Ok(Some(status)) = child.try_wait() {
                    exited.push((index, status));
                    *slot = None;
                }
            }
        }
        exited
    }

    /// Waits until validator `index` reports a finalized height of at least `height`.
    pub fn wait_for_height(
        &mut self,
        index: usize,
        height: u64,
        timeout: Duration,
    ) -> anyhow::Result<u64> {
        let client = self.client(index);
        let deadline = Instant::now() + timeout;
        loop {
            if let Some((exited, status)) = self.exited().into_iter().next() {
                anyhow::bail!(
                    "validator {exited} exited ({status}); see {}",
                    self.home(exited).join("node.log").display()
                );
            }
            if let Ok(status) = client.status() {
                anyhow::ensure!(
                    status.chain_id == self.genesis.chain_id,
                    "the node at {} serves chain {}, not this network's {}: another network holds validator {index}'s API port",
                    self.api_url(index),
                    status.chain_id,
                    self.genesis.chain_id
                );
                if status.finalized_height >= height {
                    return Ok(status.finalized_height);
                }
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "validator {index} did not reach height {height} within {timeout:?} (see {})",
                self.home(index).join("node.log").display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        for index in 0..self.len() {
            self.kill(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testnet::{self, TestnetSpec};

    fn spec(dir: &Path, validators: usize, hosts: &[std::net::IpAddr]) -> TestnetSpec {
        TestnetSpec {
            dir: dir.to_path_buf(),
            validators,
            chain_id: "eiraku-hosts".into(),
            api_port: 8700,
            p2p_port: 9700,
            money: false,
            tune: |_| {},
            spares: 0,
            tune_genesis: |_| {},
            hosts: hosts.to_vec(),
        }
    }

    #[test]
    fn validators_on_their_own_hosts_are_dialled_and_reached_at_them() {
        let dir = tempfile::tempdir().unwrap();
        let hosts: Vec<std::net::IpAddr> = ["192.0.2.10", "192.0.2.11"]
            .iter()
            .map(|ip| ip.parse().unwrap())
            .collect();
        let genesis = testnet::create(&spec(dir.path(), 2, &hosts)).unwrap();
        for (index, validator) in genesis.validators.iter().enumerate() {
            assert_eq!(
                validator.p2p_address.to_string(),
                format!("{}:9700", hosts[index])
            );
            let home = TestnetSpec::home(dir.path(), index).join("node.json");
            let settings: NodeSettings = eiraku_node::home::read_json(&home).unwrap();
            assert_eq!(settings.p2p_listen.to_string(), "0.0.0.0:9700");
            assert_eq!(settings.api_listen.to_string(), "0.0.0.0:8700");
        }
        let net = Devnet::open(Path::new("eiraku"), dir.path()).unwrap();
        assert_eq!(net.api_url(1), "http://192.0.2.11:8700");
        let one_short = testnet::create(&spec(&dir.path().join("other"), 3, &hosts));
        assert!(one_short
            .unwrap_err()
            .to_string()
            .contains("2 hosts for 3 validators"));
    }
}
