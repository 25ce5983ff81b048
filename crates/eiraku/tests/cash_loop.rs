//! Offline cash end to end on four validators and a cash-center process,
//! through the CLI only: a person's account loads a wallet; wallets pay
//! each other over sockets; a shop's till wallet deposits into the shop's
//! account; a copied wallet file (a clone) spends the same notes again, is
//! caught at deposit, blacklisted on the ledger on evidence the ledger
//! checked, and the blacklist reaches the other wallets at their next
//! sync, after which they refuse it. The books hold after every block
//! (`eiraku verify` re-executes the chain with every invariant, the float
//! term included).

mod common;

use common::{cli::assert_chain_verifies, run_cli, TestNetwork};
use commonware_codec::DecodeExt;
use eiraku::cash_center::process::CenterProcess;
use eiraku_cash::{Evidence, SecureElement};
use eiraku_core::{Amount, EconomyCode};
use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

/// Runs `eiraku wallet ARGS --home HOME` against the network; returns its
/// output, panicking (with it) unless it succeeded.
fn wallet(network: &TestNetwork, home: &Path, args: &[&str]) -> String {
    let (ok, text) = wallet_try(network, home, args);
    assert!(ok, "eiraku wallet {args:?} failed:\n{text}");
    text
}

fn wallet_try(network: &TestNetwork, home: &Path, args: &[&str]) -> (bool, String) {
    let mut all = vec!["wallet"];
    all.extend_from_slice(args);
    let home = home.display().to_string();
    let dir = network.path().display().to_string();
    let node = network.client(0).base().to_string();
    all.extend_from_slice(&["--home", &home, "--network", &dir, "--node", &node]);
    run_cli(&all)
}

/// `eiraku wallet receive` in the background; returns it and the address
/// it listens on (the first line it prints).
fn receiving(network: &TestNetwork, home: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eiraku"))
        .args(["wallet", "receive", "--listen", "127.0.0.1:0", "--home"])
        .arg(home)
        .arg("--network")
        .arg(network.path())
        .arg("--node")
        .arg(network.client(0).base())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the wallet starts");
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    let address = first
        .trim()
        .rsplit(' ')
        .next()
        .expect("`… listening on ADDRESS`")
        .to_string();
    (child, address)
}

/// `payer` pays `amount` to `payee` over a socket; returns both outputs.
fn pay(network: &TestNetwork, payer: &Path, payee: &Path, amount: u64) -> (String, String) {
    let (receiver, address) = receiving(network, payee);
    let paid = wallet(
        network,
        payer,
        &[
            "pay",
            "--to",
            &address,
            "--amount",
            &format!("{amount}minor"),
        ],
    );
    let output = receiver.wait_with_output().unwrap();
    assert!(output.status.success(), "the payee failed");
    (paid, String::from_utf8_lossy(&output.stdout).into_owned())
}

fn number_of(created: &str) -> u64 {
    created
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("`wallet N created …`, got {created}"))
}

fn japan_float(network: &TestNetwork) -> Amount {
    let supply = network.client(0).money_supply().unwrap();
    let japan = EconomyCode::new("JP").unwrap();
    supply
        .economies
        .iter()
        .find(|e| e.code == japan)
        .unwrap()
        .offline_float
}

#[test]
fn a_wallet_is_loaded_pays_offline_deposits_and_its_clone_is_caught_on_the_ledger() {
    let network = TestNetwork::start_with(4, true);
    let dir = network.path();
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], common::free_port()));
    let _center = CenterProcess::start(
        Path::new(env!("CARGO_BIN_EXE_eiraku")),
        &dir,
        network.client(0).base(),
        listen,
        "JP",
    )
    .expect("the cash center starts");
    let center = format!("http://{listen}");
    let home = |name: &str| -> PathBuf { dir.join("wallets").join(name) };
    let (alice, till, person, clone) = (home("alice"), home("till"), home("person"), home("clone"));
    let numbers: Vec<u64> = [&alice, &till, &person]
        .iter()
        .map(|h| number_of(&wallet(&network, h, &["new", "--center", &center])))
        .collect();

    // Alice loads 200 ACU; the shop binds its till; the person loads 30.
    let alice_before = network
        .client(0)
        .account(&network.key("alice").account_id())
        .unwrap();
    wallet(
        &network,
        &alice,
        &["load", "--from", "alice", "--amount", "200"],
    );
    wallet(
        &network,
        &till,
        &["load", "--from", "shop-jp", "--amount", "0"],
    );
    wallet(
        &network,
        &person,
        &["load", "--from", "person-jp", "--amount", "30"],
    );
    let alice_after = network
        .client(0)
        .account(&network.key("alice").account_id())
        .unwrap();
    assert_eq!(alice_before.balance.0 - alice_after.balance.0, 20_000);
    assert_eq!(japan_float(&network), Amount(23_000));
    assert!(wallet(&network, &alice, &["show"]).contains("balance 200.00 ACU"));

    // A copy of Alice's wallet file: a clone holding the same notes.
    std::fs::create_dir_all(&clone).unwrap();
    for file in ["wallet.bin", "wallet.json"] {
        std::fs::copy(alice.join(file), clone.join(file)).unwrap();
    }

    // Alice pays the till 50 ACU; her clone pays the person 50 ACU with
    // the same notes. Offline, neither payee can tell.
    let (_, received) = pay(&network, &alice, &till, 5_000);
    assert!(received.contains("received 50.00 ACU"), "{received}");
    let (_, received) = pay(&network, &clone, &person, 5_000);
    assert!(received.contains("received 50.00 ACU"), "{received}");

    // The till deposits first: the shop's account is credited.
    let shop = network.key("shop-jp").account_id();
    let shop_before = network.client(0).account(&shop).unwrap().balance;
    let deposited = wallet(&network, &till, &["deposit"]);
    assert!(deposited.contains("50.00 ACU credited"), "{deposited}");
    assert_eq!(
        network.client(0).account(&shop).unwrap().balance.0,
        shop_before.0 + 5_000
    );
    assert_eq!(japan_float(&network), Amount(18_000));

    // The person's deposit carries the same notes: double spends, nothing
    // credited, and the clone's wallet number is blacklisted on the ledger.
    let deposited = wallet(&network, &person, &["deposit"]);
    assert!(deposited.contains("double_spend"), "{deposited}");
    assert!(
        deposited.contains(&format!("wallet {} blacklisted", numbers[0])),
        "{deposited}"
    );
    let view = network.client(1).cash_wallet(numbers[0]).unwrap();
    assert!(view.blacklisted_ms.is_some());
    // Anyone re-checks the evidence from the chain alone.
    let evidence = Evidence::decode(commonware_codec::Copying(
        &hex::decode(view.evidence.unwrap()).unwrap(),
    ))
    .unwrap();
    let key = view.signing_key.public_key().unwrap();
    let Evidence::DoubleSpend(evidence) = evidence else {
        panic!("double-spend evidence");
    };
    assert_eq!(evidence.verify(&key).unwrap().0, numbers[0]);

    // The blacklist reaches the till at its next sync; it then refuses
    // the culprit, who can no longer pay it.
    let synced = wallet(&network, &till, &["sync"]);
    assert!(synced.contains(&numbers[0].to_string()), "{synced}");
    let (mut receiver, address) = receiving(&network, &till);
    let (ok, refused) = wallet_try(
        &network,
        &alice,
        &["pay", "--to", &address, "--amount", "10.00 ACU"],
    );
    assert!(!ok, "a blacklisted wallet paid:\n{refused}");
    assert!(!receiver.wait().unwrap().success());

    // Every block re-executed, every invariant checked (float included).
    assert_chain_verifies(&network);
}

/// A payee that takes the payment and vanishes before storing it (a phone
/// switched off mid-payment): reached over a real socket, it runs the
/// protocol up to the payer's commit point and closes the connection.
fn vanishing_payee(home: PathBuf) -> (std::thread::JoinHandle<()>, String) {
    use commonware_codec::Encode;
    use eiraku::wallet::{link::Link, store::WalletHome};
    use eiraku_cash::{Responder, TransferMessage};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        let mut payee = WalletHome::open(&home).unwrap();
        let (stream, _) = listener.accept().unwrap();
        let mut link = Link::new(stream).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        payee.wallet.set_clock(now);
        let device_key = payee.device_key().unwrap();
        let first = link.receive_frame().unwrap();
        let (responder, second) = Responder::respond(payee.wallet.element(), &first).unwrap();
        link.send_frame(&second).unwrap();
        let third = link.receive_frame().unwrap();
        let policy = payee.wallet.peer_policy(&device_key, now);
        let mut session = responder.finish(&third, &policy).unwrap();
        let payer = session.peer().clone();
        let parts = link.receive_parts().unwrap();
        let proposal =
            TransferMessage::from_bytes(&session.open_long(&parts, 1 << 26).unwrap()).unwrap();
        let (_, ready) = payee.wallet.consider(&payer, proposal).unwrap();
        link.send_parts(&session.seal_long(&ready.encode()))
            .unwrap();
        // The payment arrives; the payee is gone before storing it.
        link.receive_parts().unwrap();
    });
    (handle, address)
}

#[test]
fn value_in_doubt_comes_back_by_a_second_deposit_or_a_refund_on_the_ledger() {
    let network = TestNetwork::start_with(4, true);
    let dir = network.path();
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], common::free_port()));
    // Notes live 20 s here, so claims on them are decided within the test.
    let extra = ["--note-lifetime-ms", "20000", "--settle-every-ms", "300"];
    let binary = Path::new(env!("CARGO_BIN_EXE_eiraku"));
    let node = network.client(0).base().to_string();
    let start_center = || {
        CenterProcess::start_with(binary, &dir, &node, listen, "JP", &extra)
            .expect("the cash center starts")
    };
    let mut center_process = start_center();
    let center = format!("http://{listen}");
    let (alice, till) = (dir.join("alice-wallet"), dir.join("till"));
    wallet(&network, &alice, &["new", "--center", &center]);
    wallet(&network, &till, &["new", "--center", &center]);
    wallet(
        &network,
        &till,
        &["load", "--from", "shop-jp", "--amount", "0"],
    );
    let alice_id = network.key("alice").account_id();
    let opening = network.client(0).account(&alice_id).unwrap().balance;
    wallet(
        &network,
        &alice,
        &["load", "--from", "alice", "--amount", "200"],
    );

    // A payment whose payee vanished: its notes stay in doubt in Alice's
    // wallet, spendable by nobody.
    let (payee, address) = vanishing_payee(till.clone());
    let (ok, text) = wallet_try(
        &network,
        &alice,
        &["pay", "--to", &address, "--amount", "5000minor"],
    );
    assert!(!ok, "the payment cannot have completed:\n{text}");
    payee.join().unwrap();
    let shown = wallet(&network, &alice, &["show"]);
    assert!(!shown.contains("in doubt 0.00 ACU "), "{shown}");

    // With the center down, a deposit hands nothing over.
    center_process.stop();
    let before = wallet(&network, &alice, &["show"]);
    let (ok, text) = wallet_try(&network, &alice, &["deposit"]);
    assert!(
        !ok && text.contains("cannot reach the cash center"),
        "{text}"
    );
    assert_eq!(wallet(&network, &alice, &["show"]), before);

    // A deposit whose answer never came: the wallet handed its notes to
    // the center and crashed before sending them.
    let _center_process = start_center();
    {
        let mut home = eiraku::wallet::store::WalletHome::open(&alice).unwrap();
        let serials: Vec<u64> = home.wallet.element().notes().keys().copied().collect();
        home.wallet.hand_to_center(&serials).unwrap();
        home.save().unwrap();
    }
    assert!(wallet(&network, &alice, &["show"]).contains("balance 0.00 ACU "));

    // Sync sends the deposit again and files the payment's claim; after
    // the notes' life the center refunds it on the ledger. Alice ends with
    // every coin she loaded.
    let synced = wallet(&network, &alice, &["sync"]);
    assert!(synced.contains("credited"), "{synced}");
    assert!(synced.contains("decided after"), "{synced}");
    assert!(wallet(&network, &alice, &["show"]).contains("in doubt 0.00 ACU "));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let balance = network.client(0).account(&alice_id).unwrap().balance;
        if balance == opening {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the refund never came: {balance} of {opening}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(japan_float(&network), Amount(0));
    assert_chain_verifies(&network);
}
