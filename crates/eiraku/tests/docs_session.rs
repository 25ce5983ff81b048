//! The CLI session of docs/amro-coin.md, run line by line against a new
//! 4-validator network with the ASEAN+3 demo, so the document stays true.

mod common;

use common::{session, TestNetwork};

#[test]
fn the_documented_session_runs_verbatim() {
    let doc = include_str!("../../../docs/amro-coin.md");
    let lines = session::lines(doc, "## A session of the whole life cycle");
    assert!(lines.len() > 10, "the session has its steps");
    let network = TestNetwork::start_with(4, true);
    let outputs = session::run(&lines, &network);
    // The commands that create something numbered print its number, which
    // the next lines of the session use.
    let said = |start: &str, needle: &str| {
        let at = lines.iter().position(|l| l.starts_with(start)).unwrap();
        assert!(
            outputs[at].contains(needle),
            "{}\n{}",
            lines[at],
            outputs[at]
        );
    };
    said(
        "eiraku money contribute --from cb-kr --instrument KR103502GE97",
        "contribution 14",
    );
    said("eiraku money propose-settlement", "settlement 0");
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
