//! The API fuzzed from its own `/openapi.json` (schemathesis, from PyPI,
//! installed by `.ci/setup`): within a bounded time, requests made to the
//! document and against it (wrong types, missing fields, odd strings and
//! numbers, every method) must never meet a server error, and every answer
//! must be one the document describes: its status, content type, headers
//! and body schema.
//!
//! Not checked: that every request the document allows is accepted — the
//! document cannot say everything a transaction's bytes must be.

mod common;

use common::TestNetwork;
use std::process::Command;

/// Checks every answer is held to.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance";

#[test]
fn the_api_keeps_to_its_openapi_document_under_fuzzing() {
    let network = TestNetwork::start_with(1, true);
    let base = network.client(0).base().to_string();
    let reports = tempfile::tempdir().unwrap();
    // FUZZ_REPORTS keeps the requests and answers (HAR) where it says.
    let report_dir = std::env::var_os("FUZZ_REPORTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| reports.path().to_path_buf());
    // Run in the temporary folder: schemathesis keeps a cache where it runs.
    let output = Command::new("schemathesis")
        .current_dir(reports.path())
        .args(["run", &format!("{base}/openapi.json")])
        .args(["--checks", CHECKS])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "25", "--seed", "1", "--max-time", "90"])
        // One worker: with two threads, CPython before 3.11.8 sometimes
        // fails its own parsing (hypothesis describing a lambda: "AST
        // constructor recursion depth mismatch", cpython#106905), and the
        // run reports a runtime error that is not the node's.
        .args(["--workers", "1", "--no-color"])
        .args(["--generation-database", "none", "--report", "har"])
        .arg("--report-dir")
        .arg(&report_dir)
        .output()
        .expect("schemathesis runs (installed by .ci/setup: pip install schemathesis)");
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let log = std::fs::read_to_string(network.net.home(0).join("node.log")).unwrap_or_default();
        // A panic's message, else the log's last lines.
        let lines: Vec<&str> = log.lines().collect();
        let from = (lines.iter().position(|line| line.contains("panicked")))
            .unwrap_or(lines.len().saturating_sub(40));
        let tail: Vec<&str> = lines[from..].iter().take(12).rev().copied().collect();
        let now = network
            .client(0)
            .status()
            .map(|status| status.finalized_height);
        panic!(
            "the fuzzer found failures:\n{text}\nthe node now: {now:?}\nthe end of its log:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let generated = text
        .lines()
        .find_map(|line| line.trim().split_once(" generated, "))
        .map(|(generated, _)| generated)
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    assert!(
        generated >= 1_000,
        "too few cases ran ({generated}):\n{text}"
    );
    // The node took it all without stopping.
    assert!(network.client(0).status().is_ok());
}
