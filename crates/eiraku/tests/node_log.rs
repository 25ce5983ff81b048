//! A validator started by hand, as the README shows (`eiraku node --home
//! D`, no RUST_LOG), says what it does on stderr, in plain text when that
//! is a file: no terminal colours in a log.

mod common;

use common::TestNetwork;
use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

#[test]
fn a_hand_started_node_logs_plain_lines_by_default() {
    let mut network = TestNetwork::start(1);
    network.net.stop_all();
    let home = network.path().join("node0");
    let log_path = network.path().join("by-hand.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut node = Command::new(env!("CARGO_BIN_EXE_eiraku"))
        .args(["node", "--home", &home.display().to_string()])
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let text = loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if text.contains("INFO") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    node.kill().unwrap();
    node.wait().unwrap();
    assert!(text.contains("INFO"), "the node said nothing:\n{text}");
    assert!(!text.contains('\u{1b}'), "colour codes in a file:\n{text}");
}
