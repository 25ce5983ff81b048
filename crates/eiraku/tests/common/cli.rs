//! The `eiraku` binary pointed at a test network: a command that must
//! succeed, one that must fail with a code, and the name a creating
//! command prints.

use super::{run_cli, TestNetwork};

/// Runs CLI commands against one network.
pub struct CliSession<'a> {
    /// The network (`--network` of every command).
    pub network: &'a TestNetwork,
}

impl CliSession<'_> {
    /// Runs `eiraku ARGS --network DIR`; whether it succeeded, and its output.
    pub fn run(&self, args: &[&str]) -> (bool, String) {
        let dir = self.network.path().display().to_string();
        let mut all = args.to_vec();
        all.extend(["--network", &dir]);
        run_cli(&all)
    }

    /// Runs a command that must succeed; its output.
    pub fn ok(&self, args: &[&str]) -> String {
        let (ok, text) = self.run(args);
        assert!(ok, "{args:?} failed:\n{text}");
        text
    }

    /// Runs a command that must fail with `code`.
    pub fn refused(&self, args: &[&str], code: &str) {
        let (ok, text) = self.run(args);
        assert!(!ok, "{args:?} should fail:\n{text}");
        assert!(text.contains(&format!("{code}:")), "{args:?}: {text}");
    }

    /// Runs a command that creates a `what` (`attestation`, `purse`, …);
    /// the name it prints.
    pub fn created(&self, what: &str, args: &[&str]) -> String {
        let text = self.ok(args);
        let prefix = format!("{what} ");
        let line = text.lines().rev().find(|l| l.starts_with(&prefix));
        let line = line.unwrap_or_else(|| panic!("no {what} printed:\n{text}"));
        line[prefix.len()..].trim().to_string()
    }
}

/// `eiraku verify` re-executes every block of the running chain with every
/// invariant and finds nothing wrong.
pub fn assert_chain_verifies(network: &TestNetwork) {
    let genesis = network.path().join("genesis.json").display().to_string();
    let (ok, report) = run_cli(&[
        "verify",
        "--rpc",
        network.client(2).base(),
        "--genesis",
        &genesis,
    ]);
    assert!(ok, "{report}");
}

/// Borrowed arguments of owned ones.
pub fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}
