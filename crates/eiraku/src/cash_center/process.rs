//! A cash center as a child process of a local network: the devnet starts
//! one for Japan (whose demo accounts hold the cash-center and
//! device-center roles), and the integration tests start one the same
//! way.

use anyhow::Context;
use std::{
    fs::OpenOptions,
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// How long a starting center may take to publish its keys and listen.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running cash center; stopped on drop.
pub struct CenterProcess {
    child: Child,
    /// Its API's base URL.
    pub url: String,
    /// Its home folder.
    pub home: PathBuf,
    /// Its log file.
    pub log: PathBuf,
}

impl CenterProcess {
    /// Starts the demo cash center of `economy` for the network in
    /// `network` (home `NETWORK/cash-center-xx`, log beside it), talking to
    /// the node at `node`, serving on `listen`; returns once it answers.
    /// Its note key is on a SoftHSM2 token when SoftHSM2 is installed, in a
    /// key file otherwise.
    pub fn start(
        binary: &Path,
        network: &Path,
        node: &str,
        listen: SocketAddr,
        economy: &str,
    ) -> anyhow::Result<Self> {
        Self::start_with(binary, network, node, listen, economy, &[])
    }

    /// [`CenterProcess::start`] with more arguments for `eiraku cash
    /// center` (`--note-lifetime-ms`, `--settle-every-ms`).
    pub fn start_with(
        binary: &Path,
        network: &Path,
        node: &str,
        listen: SocketAddr,
        economy: &str,
        extra: &[&str],
    ) -> anyhow::Result<Self> {
        let lower = economy.to_lowercase();
        let home = network.join(format!("cash-center-{lower}"));
        let log = network.join(format!("cash-center-{lower}.log"));
        let mut command = Command::new(binary);
        command
            .args(["cash", "center", "--home"])
            .arg(&home)
            .args(["--listen", &listen.to_string(), "--node", node, "--network"])
            .arg(network)
            .args(extra);
        if !super::home::CenterHome::exists(&home) {
            let signer = if Path::new(eiraku_cash::pkcs11::SOFTHSM2_MODULE).exists() {
                "softhsm2"
            } else {
                "software"
            };
            command.args([
                "--economy",
                economy,
                "--account",
                &format!("cash-center-{lower}"),
                "--device-account",
                &format!("device-center-{lower}"),
                "--signer",
                signer,
            ]);
        }
        let output = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .with_context(|| format!("cannot open {}", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut center = Self {
            child,
            url: format!("http://{listen}"),
            home,
            log,
        };
        center.wait_until_serving()?;
        Ok(center)
    }

    fn wait_until_serving(&mut self) -> anyhow::Result<()> {
        let client = crate::Client::new(&self.url);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if client
                .get_json::<super::wire::CenterInfo>("/v1/center")
                .is_ok()
            {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                anyhow::bail!("the cash center exited ({status}):\n{log}");
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the cash center did not answer within {START_TIMEOUT:?} (log: {})",
                self.log.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether it exited, and how.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops it (SIGTERM, then waits).
    pub fn stop(&mut self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

impl Drop for CenterProcess {
    fn drop(&mut self) {
        if self.exited().is_none() {
            self.stop();
        }
    }
}
