//! Transactions arrive from any client (`POST /v1/tx`) and from peers.
#![no_main]

use eiraku_core::SignedTransaction;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = SignedTransaction::from_bytes(data) {
        assert_eq!(tx.to_bytes(), data, "accepted bytes must be the canonical encoding");
        let _ = tx.verify_signature();
    }
});
