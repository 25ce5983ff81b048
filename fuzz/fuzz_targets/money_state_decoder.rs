//! The money state is read back from a node's data folder, which may be
//! damaged: decoding must fail cleanly, never panic or allocate unboundedly.
#![no_main]

use eiraku_state::money::Money;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(money) = Money::from_bytes(data) {
        assert_eq!(money.to_bytes(), data, "accepted bytes must be the canonical encoding");
    }
});
