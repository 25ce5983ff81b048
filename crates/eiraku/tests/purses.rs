//! Purpose-bound purses on 4 real validators, through the CLI: Japan's
//! benefits agency pushes a food purse to a person, who spends part of it
//! at a grocer; at expiry the rest returns to the agency with no
//! transaction sent, and `eiraku verify` re-executes every block with
//! every invariant. The attacks: a push by a bank, a spend by someone
//! else, at a merchant of another economy, at a merchant of a category the
//! purse does not pay, and beyond what it holds.

mod common;

use common::{cli::assert_chain_verifies, cli::strs, cli::CliSession, TestNetwork};
use std::time::{Duration, Instant};

fn balance(network: &TestNetwork, label: &str) -> u128 {
    let account = network.key(label).account_id();
    network.client(0).account(&account).unwrap().balance.0
}

fn push(categories: &str, seconds: &str) -> Vec<String> {
    [
        "purse",
        "push",
        "--from",
        "agency-jp",
        "--to",
        "person-jp",
        "--amount",
        "30",
        "--categories",
        categories,
        "--seconds",
        seconds,
    ]
    .map(String::from)
    .to_vec()
}

fn spend<'a>(purse: &'a str, from: &'a str, to: &'a str, amount: &'a str) -> Vec<&'a str> {
    vec![
        "purse", "spend", purse, "--from", from, "--to", to, "--amount", amount,
    ]
}

#[test]
fn a_purse_pays_only_allowed_merchants_and_its_rest_returns_at_expiry_untouched() {
    let network = TestNetwork::start_with(4, true);
    let session = CliSession { network: &network };
    let agency_before = balance(&network, "agency-jp");

    let month = (30 * 24 * 3600).to_string();
    let mut by_a_bank = push("5411", &month);
    by_a_bank[3] = "bank-jp-1".into();
    session.refused(&strs(&by_a_bank), "not_agency");
    let food = session.created("purse", &strs(&push("5411", &month)));
    let medicine = session.created("purse", &strs(&push("5912", &month)));
    assert_eq!(balance(&network, "agency-jp"), agency_before - 6000);
    let shown = session.ok(&["purse", "show", &food]);
    assert!(shown.contains("\"balance\": \"3000\""), "{shown}");

    session.refused(
        &spend(&food, "alice", "shop-jp", "0.10"),
        "not_purse_beneficiary",
    );
    session.refused(
        &spend(&food, "person-jp", "shop-th", "0.10"),
        "not_a_merchant_of",
    );
    session.refused(
        &spend(&medicine, "person-jp", "shop-jp", "0.10"),
        "category_not_allowed",
    );
    session.refused(
        &spend(&food, "person-jp", "shop-jp", "30.01"),
        "purse_too_small",
    );
    let shop_before = balance(&network, "shop-jp");
    session.ok(&spend(&food, "person-jp", "shop-jp", "10 ACU"));
    assert_eq!(balance(&network, "shop-jp"), shop_before + 1000);

    // A purse of two seconds; from its push on nobody sends anything:
    // time alone returns what it holds.
    let pushed = balance(&network, "agency-jp");
    let short = session.created("purse", &strs(&push("5411", "2")));
    assert_eq!(balance(&network, "agency-jp"), pushed - 3000);
    let deadline = Instant::now() + Duration::from_secs(120);
    while balance(&network, "agency-jp") != pushed {
        assert!(Instant::now() < deadline, "the purse did not expire");
        std::thread::sleep(Duration::from_millis(250));
    }
    session.refused(
        &spend(&short, "person-jp", "shop-jp", "1minor"),
        "unknown_purse",
    );
    let shown = session.ok(&["purse", "show", &food]);
    assert!(shown.contains("\"balance\": \"2000\""), "{shown}");
    assert_chain_verifies(&network);
}
