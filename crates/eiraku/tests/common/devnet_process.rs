//! `eiraku devnet` itself, as a newcomer starts it: the supervisor process
//! with its validators, cash center and (with `--traffic`) the traffic
//! generator, in a temporary folder on free ports. Stopped (SIGTERM, as
//! Ctrl-C) and deleted on drop.

use std::{
    io::{BufRead, BufReader},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

/// A running `eiraku devnet`.
pub struct DevnetProcess {
    child: Child,
    dir: tempfile::TempDir,
    api_port: u16,
    /// What it printed so far.
    printed: mpsc::Receiver<String>,
}

/// Ports reserved per devnet: its validators' API and p2p ports, and the
/// cash center's at the first API port + 100.
const PORTS: usize = 51;

impl DevnetProcess {
    /// Starts `eiraku devnet --traffic` with `validators` validators and
    /// waits until it says the traffic runs.
    pub fn start_with_traffic(validators: usize) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let (api_port, p2p_port) = super::free_port_ranges(PORTS);
        let mut child = Command::new(env!("CARGO_BIN_EXE_eiraku"))
            .arg("devnet")
            .args(["--validators", &validators.to_string(), "--traffic"])
            .arg("--dir")
            .arg(dir.path())
            .args(["--api-port", &api_port.to_string()])
            .args(["--p2p-port", &p2p_port.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // Its own process group, validators and cash center included:
            // if it does not stop them, they are killed with it.
            .process_group(0)
            .spawn()
            .expect("eiraku devnet starts");
        let stdout = child.stdout.take().expect("piped");
        let (sender, printed) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let devnet = Self {
            child,
            dir,
            api_port,
            printed,
        };
        devnet.wait_for_line("traffic: ", Duration::from_secs(180));
        devnet
    }

    /// Waits for a printed line starting with `start`.
    fn wait_for_line(&self, start: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.printed.recv_timeout(left) {
                Ok(line) if line.starts_with(start) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!(
            "eiraku devnet never printed {start:?}; it printed:\n{}",
            seen.join("\n")
        );
    }

    /// The network folder (`--network` of the CLI).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Validator `index`'s API URL.
    pub fn api_url(&self, index: u16) -> String {
        format!("http://127.0.0.1:{}", self.api_port + index)
    }

    /// The genesis file.
    pub fn genesis(&self) -> PathBuf {
        self.dir.path().join("genesis.json")
    }
}

impl Drop for DevnetProcess {
    fn drop(&mut self) {
        // SAFETY: sending a signal to a child process id we own has no memory effects.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // SAFETY: as above; the group is the devnet's and its children's.
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}
