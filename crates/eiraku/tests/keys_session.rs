//! The CLI session of docs/keys.md, run line by line against a new
//! 4-validator network with the ASEAN+3 demo: a rotation, then a lost key
//! replaced by the opening bank after a cancelled first attempt, with the
//! refusals the document shows.

mod common;

use common::{session, TestNetwork};
use eiraku::keyfile;

#[test]
fn the_documented_keys_session_runs_verbatim() {
    let doc = include_str!("../../../docs/keys.md");
    let lines = session::lines(doc, "## A session: rotation, then a lost key replaced");
    assert!(lines.len() > 10, "the session has its steps");
    let network = TestNetwork::start_with(4, true);
    let alice = network.key("alice").account_id();
    let outputs = session::run(&lines, &network);

    // The rotation moved the new secret over alice.key, for Alice's account.
    let rotated = keyfile::read(&network.path().join("accounts/alice.key")).unwrap();
    assert_eq!(rotated.account, alice);
    assert_ne!(rotated.key.account_id(), alice);
    assert!(!network.path().join("accounts/alice.key.next").exists());

    // The replacement's key signs now, and nothing is pending.
    let replaced = keyfile::read(&network.path().join("alice-new.key")).unwrap();
    assert_eq!(replaced.account, alice);
    let view = network.client(2).account(&alice).unwrap();
    assert_eq!(view.signing_key, Some(replaced.key.account_id()));
    assert_eq!(view.key_replacement, None);
    // Alice sent the rotation, a transfer, the cancellation and a transfer
    // under the replaced key; the old key's transfer used no nonce.
    assert_eq!(view.nonce, 4);

    // The pending replacement was shown with its time lock.
    let shown = outputs
        .iter()
        .find(|out| out.contains("key_replacement"))
        .expect("show printed the pending replacement");
    assert!(shown.contains("effective_ms"));
}
