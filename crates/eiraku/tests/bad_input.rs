//! Bad input through the API and the CLI: each refused with a typed error,
//! nothing changed.

mod common;

use common::{run_cli, TestNetwork};
use eiraku_core::{Amount, ChainId, SignedTransaction, MAX_TRANSACTION_BYTES};
use std::process::Command;

/// What a refusal must leave untouched.
fn snapshot(network: &TestNetwork, label: &str) -> (Amount, u64, Amount) {
    let client = network.client(0);
    let account = client.account(&network.key(label).account_id()).unwrap();
    let status = client.status().unwrap();
    (account.balance, account.nonce, status.total_supply)
}

/// Runs the CLI against validator 0; returns (success, stdout + stderr).
fn cli(network: &TestNetwork, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_eiraku"))
        .args(args)
        .arg("--network")
        .arg(network.path())
        .output()
        .expect("CLI runs");
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// `eiraku tx transfer --from alice --to bob --amount AMOUNT EXTRA…`
fn alice_to_bob<'a>(amount: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "tx", "transfer", "--from", "alice", "--to", "bob", "--amount", amount,
    ];
    args.extend_from_slice(extra);
    args
}

fn assert_api_refuses(network: &TestNetwork, bytes: &[u8], status: u16, code: &str) {
    match network.client(0).submit_bytes(bytes) {
        Err(eiraku::ClientError::Api {
            status: got,
            code: got_code,
            message,
        }) => {
            assert_eq!((got, got_code.as_str()), (status, code), "{message}");
            assert!(!message.is_empty());
        }
        other => panic!("expected {code}, got {other:?}"),
    }
}

/// The CLI refuses with `code`; its output, which never shows the codec's
/// or Rust's internals.
fn assert_cli_refuses(network: &TestNetwork, args: &[&str], code: &str) -> String {
    let (ok, text) = cli(network, args);
    assert!(!ok, "CLI accepted {args:?}: {text}");
    assert!(
        text.contains(&format!("error: {code}:")),
        "CLI output for {args:?} lacks {code}: {text}"
    );
    for internal in ["ChainId(", "Context(", "Validation Error", "Message("] {
        assert!(
            !text.contains(internal),
            "{args:?} shows {internal}: {text}"
        );
    }
    text
}

#[test]
fn bad_input_is_refused_with_typed_errors_and_changes_nothing() {
    let network = TestNetwork::start(1);
    let alice = network.key("alice");
    let bob = network.key("bob");
    // A first, valid transfer so alice has a used nonce to replay.
    let first = network.transfer(&alice, 0, &bob, 10);
    network.client(0).submit(&first).unwrap();
    network
        .client(0)
        .wait_finalized(&first.hash(), std::time::Duration::from_secs(60))
        .unwrap();
    let before = snapshot(&network, "alice");

    // Malformed bytes.
    assert_api_refuses(&network, b"definitely not a transaction", 400, "malformed");
    assert_cli_refuses(&network, &["tx", "raw", "00ff00ff"], "malformed");

    // Oversized.
    let huge = vec![0u8; MAX_TRANSACTION_BYTES + 1];
    assert_api_refuses(&network, &huge, 413, "oversized");
    assert_cli_refuses(&network, &["tx", "raw", &hex::encode(&huge)], "oversized");

    // Wrong chain id.
    let mut wrong_chain = network.transfer(&alice, 1, &bob, 1).transaction;
    wrong_chain.chain_id = ChainId::new("another-chain").unwrap();
    let wrong_chain = SignedTransaction::sign(wrong_chain, &alice);
    assert_api_refuses(&network, &wrong_chain.to_bytes(), 400, "wrong_chain_id");
    let text = assert_cli_refuses(
        &network,
        &alice_to_bob("1", &["--chain-id", "another-chain"]),
        "wrong_chain_id",
    );
    assert!(text.contains("for chain \"another-chain\""), "{text}");

    // Bob signs a transaction that claims alice as sender, naming his key:
    // his key does not sign for alice.
    let forged = SignedTransaction::sign(network.transfer(&alice, 1, &bob, 1).transaction, &bob);
    assert_api_refuses(&network, &forged.to_bytes(), 403, "wrong_key");
    assert_cli_refuses(
        &network,
        &["tx", "raw", &hex::encode(forged.to_bytes())],
        "wrong_key",
    );
    // The same without naming his key: checked against alice's, the
    // signature is bad.
    let mut hidden = forged.clone();
    hidden.signing_key = None;
    assert_api_refuses(&network, &hidden.to_bytes(), 400, "bad_signature");
    assert_cli_refuses(
        &network,
        &["tx", "raw", &hex::encode(hidden.to_bytes())],
        "bad_signature",
    );

    // Replayed nonce: the finalized first transfer, and a new one reusing nonce 0.
    assert_api_refuses(&network, &first.to_bytes(), 409, "nonce_used");
    let text = assert_cli_refuses(
        &network,
        &alice_to_bob("1", &["--nonce", "0"]),
        "nonce_used",
    );
    // The user typed "alice": the refusal names alice, not her hex id.
    let alice_hex = alice.account_id().to_hex();
    assert!(
        text.contains(&format!("alice ({}…)", &alice_hex[..8])),
        "{text}"
    );
    assert!(!text.contains(&alice_hex), "{text}");

    // Overspend.
    let overspend = network.transfer(&alice, 1, &bob, 1_000_000_000);
    assert_api_refuses(&network, &overspend.to_bytes(), 400, "insufficient_funds");
    let text = assert_cli_refuses(
        &network,
        &alice_to_bob("10000000", &[]),
        "insufficient_funds",
    );
    // In the coin, with its decimals: alice's 999,990 minor units (she
    // sent 10 above) are 9999.90 ACU.
    assert!(
        text.contains("balance 9999.90 ACU, needed 10000000.00 ACU"),
        "{text}"
    );

    the_terminal_speaks_plainly(&network);
    the_edges_answer_in_json(&network);
    a_client_refuses_a_node_of_another_chain(&network);
    the_devnet_refuses_a_taken_port();

    // The binary batch endpoint: an undecodable body is refused whole; in a
    // decodable batch each bad transaction is refused by position and code.
    match network
        .client(0)
        .submit_raw_batch_bytes(b"definitely not a batch")
    {
        Err(eiraku::ClientError::Api { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (400, "malformed"))
        }
        other => panic!("expected malformed, got {other:?}"),
    }
    let answer = network
        .client(0)
        .submit_raw_batch(&[hidden, overspend, wrong_chain, first])
        .unwrap();
    assert_eq!(answer.accepted, 0);
    let refusals: Vec<(usize, &str)> = answer
        .refused
        .iter()
        .map(|r| (r.index, r.error.code.as_str()))
        .collect();
    assert_eq!(
        refusals,
        [
            (0, "bad_signature"),
            (1, "insufficient_funds"),
            (2, "wrong_chain_id"),
            (3, "nonce_used")
        ]
    );

    // Give any stray transaction time to be finalized, then check nothing changed.
    let height = network.client(0).status().unwrap().finalized_height;
    while network.client(0).status().unwrap().finalized_height < height + 3 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(snapshot(&network, "alice"), before);
    assert_eq!(network.client(0).status().unwrap().mempool, 0);

    // And a valid transfer still goes through afterwards.
    let (ok, text) = cli(&network, &alice_to_bob("5", &["--wait"]));
    assert!(ok, "{text}");
    assert!(text.contains("\"outcome\": \"success\""), "{text}");
}

/// What a person typing at the terminal gets wrong is refused before
/// anything is signed, in words: amounts finer than the coin, an unknown
/// demo name, bytes that are no transaction.
fn the_terminal_speaks_plainly(network: &TestNetwork) {
    let (ok, text) = cli(network, &alice_to_bob("1.505", &[]));
    assert!(!ok && text.contains("more than 2 decimals"), "{text}");
    let (ok, text) = cli(network, &alice_to_bob("1.50 USD", &[]));
    assert!(!ok && text.contains("this chain's coin is ACU"), "{text}");
    // Without the network's genesis at hand, a unit cannot be checked: it
    // is refused rather than trusted.
    let key = network.path().join("accounts").join("alice.key");
    let output = Command::new(env!("CARGO_BIN_EXE_eiraku"))
        .args([
            "tx",
            "transfer",
            "--from",
            &key.display().to_string(),
            "--to",
            "bob",
        ])
        .args(["--amount", "1.50 ACU", "--node", network.client(0).base()])
        .args(["--network", "/nonexistent"])
        .output()
        .expect("CLI runs");
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && text.contains("cannot check"),
        "{text}"
    );
    let (ok, text) = cli(
        network,
        &[
            "tx", "transfer", "--from", "alice", "--to", "zed", "--amount", "1",
        ],
    );
    assert!(!ok, "{text}");
    assert!(text.contains("the demo accounts in"), "{text}");
    assert!(text.contains("alice, bob, carol"), "{text}");
    // A transaction whose chain id is not text: refused as malformed, in
    // words. The chain id's length prefix is byte 0 of the encoding.
    let mut bytes = network
        .transfer(&network.key("alice"), 9, &network.key("bob"), 1)
        .to_bytes();
    let length = bytes[0] as usize;
    bytes[1..=length].fill(0xff);
    let text = assert_cli_refuses(network, &["tx", "raw", &hex::encode(bytes)], "malformed");
    assert!(text.contains("chain id: not UTF-8"), "{text}");
}

/// The framework's own refusals (a path, query or body that does not
/// parse, a wrong content type, a wrong method) carry the typed error body
/// like the node's own; and the node says it is alive and ready. (An
/// oversized body is answered before it is all sent, so a client here sees
/// a broken pipe as often as the answer: that 413 is tested on the router,
/// in `api::refusals`.)
fn the_edges_answer_in_json(network: &TestNetwork) {
    let base = network.client(0).base().to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let json = |mut answer: ureq::http::Response<ureq::Body>| {
        let status = answer.status().as_u16();
        let kind = (answer.headers().get("content-type"))
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        assert_eq!(kind, "application/json", "status {status}");
        let text = answer.body_mut().read_to_string().unwrap();
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        (status, body)
    };
    let get = |path: &str| json(agent.get(format!("{base}{path}")).call().unwrap());
    let post = |path: &str, kind: &str, body: Vec<u8>| {
        let request = agent
            .post(format!("{base}{path}"))
            .header("content-type", kind);
        json(request.send(&body[..]).unwrap())
    };
    let refusals = [
        (get("/v1/block/-1"), 400, "bad_request"),
        (get("/v1/tx/0"), 400, "bad_request"),
        (get("/v1/audit/blocks?from=0"), 400, "bad_request"),
        (
            post("/v1/txs", "text/plain", b"{}".to_vec()),
            415,
            "unsupported_media_type",
        ),
        (
            post("/v1/txs", "application/json", b"{\"txs\": ".to_vec()),
            400,
            "bad_request",
        ),
        (get("/v1/txs"), 405, "method_not_allowed"),
    ];
    for ((status, body), want_status, want_code) in refusals {
        assert_eq!(status, want_status, "{body}");
        assert_eq!(body["error"]["code"], want_code, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let (status, health) = get("/v1/health");
    assert_eq!((status, &health["status"]), (200, &serde_json::json!("ok")));
    let (status, ready) = get("/v1/ready");
    assert_eq!(status, 200, "{ready}");
    assert!(ready["applied_height"].as_u64().unwrap() >= 1, "{ready}");
}

/// A CLI command whose network folder names another chain than the node's
/// (another network holds the port, or `--node` points elsewhere) is
/// refused before anything is sent.
fn a_client_refuses_a_node_of_another_chain(network: &TestNetwork) {
    let other = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(network.path().join("genesis.json")).unwrap();
    let mut genesis: serde_json::Value = serde_json::from_str(&text).unwrap();
    genesis["chain_id"] = serde_json::json!("another-chain");
    std::fs::write(other.path().join("genesis.json"), genesis.to_string()).unwrap();
    let node = network.client(0).base().to_string();
    let network_dir = other.path().display().to_string();
    let (ok, text) = run_cli(&[
        "query",
        "status",
        "--node",
        &node,
        "--network",
        &network_dir,
    ]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("serves chain eiraku-test, not another-chain"),
        "{text}"
    );
    // Its own network folder is accepted.
    let own = network.path().display().to_string();
    let (ok, text) = run_cli(&["query", "status", "--node", &node, "--network", &own]);
    assert!(ok, "{text}");
}

/// `eiraku devnet` refuses to start when a validator's API port is taken
/// (it once printed another chain's height, read from the node holding it).
fn the_devnet_refuses_a_taken_port() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port().to_string();
    let p2p = common::free_port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("net").display().to_string();
    let args = ["devnet", "--validators", "1", "--dir", &folder];
    let (ok, text) = run_cli(&[&args[..], &["--api-port", &port, "--p2p-port", &p2p]].concat());
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!(
            "validator 0's API address 127.0.0.1:{port} is taken"
        )),
        "{text}"
    );
    drop(held);
}
