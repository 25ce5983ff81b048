//! The CLI session of docs/amro-coin.md, run line by line against a new
//! 4-validator network with the ASEAN+3 demo, so the document stays true.
//! A line ending in `# refused: CODE` must fail with that code; every other
//! line must succeed.

mod common;

use common::TestNetwork;
use std::process::Command;

/// The shell lines of the document's session block.
fn session() -> Vec<String> {
    let doc = include_str!("../../../docs/amro-coin.md");
    let section = doc
        .split("## A session of the whole life cycle")
        .nth(1)
        .expect("the session section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a sh block");
    block
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_documented_session_runs_verbatim() {
    let lines = session();
    assert!(lines.len() > 10, "the session has its steps");
    let network = TestNetwork::start_with(4, true);
    let binary = env!("CARGO_BIN_EXE_eiraku");
    let dir = network.path();
    // `eiraku` is the binary, pointed at this network (what `./devnet` is to
    // the reader).
    let prelude = format!(
        "eiraku() {{ '{binary}' \"$@\" --network '{}'; }}",
        dir.display()
    );
    for line in &lines {
        let expected_refusal = line
            .split("# refused: ")
            .nth(1)
            .map(|code| code.trim().to_string());
        let output = Command::new("bash")
            .arg("-c")
            .arg(format!("{prelude}\n{line}"))
            .current_dir(&dir)
            .output()
            .expect("bash runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        match expected_refusal {
            Some(code) => {
                assert!(!output.status.success(), "{line}\nshould fail:\n{text}");
                assert!(
                    text.contains(&format!("{code}:")),
                    "{line}\nshould fail with {code}:\n{text}"
                );
            }
            None => assert!(output.status.success(), "{line}\nfailed:\n{text}"),
        }
    }
    // The end state the document describes.
    let supply = network.client(0).money_supply().unwrap();
    let th = supply
        .economies
        .iter()
        .find(|e| e.code.as_str() == "TH")
        .unwrap();
    assert_eq!(th.issued_bonds, eiraku_core::Amount(0));
    let claim_on_jp: u128 = supply
        .claims
        .iter()
        .find(|c| c.creditor.as_str() == "TH" && c.debtor.as_str() == "JP")
        .map(|c| c.amount.0)
        .unwrap();
    let repatriated: u128 = supply.claims.iter().map(|c| c.amount.0).sum();
    assert_eq!(
        repatriated + 100_000_000,
        196_500_000,
        "one settlement of 100,000,000"
    );
    assert!(claim_on_jp > 90_000_000, "Japan owes most of it");
    assert_eq!(supply.seigniorage_periods.len(), 1);
}
