//! Travel-rule envelopes arrive from any client (`POST /v1/money/travel-rule`).
#![no_main]

use eiraku_core::{travel_rule::Envelope, Keypair};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::from_json(data) {
        // Whatever parsed re-encodes, digests, and is checked without panics.
        let again = Envelope::from_json(&envelope.to_bytes()).expect("canonical bytes parse");
        assert_eq!(again.digest(), envelope.digest());
        let parties = [envelope.payer, envelope.payee, Keypair::from_seed(1).account_id()];
        let _ = envelope.check(&parties);
    }
});
