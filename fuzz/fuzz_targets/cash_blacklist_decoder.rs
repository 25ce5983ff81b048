//! Blacklists reach wallets from the cash center and from e-vaults.
#![no_main]

use commonware_codec::Encode;
use eiraku_cash::SignedBlacklist;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = SignedBlacklist::from_bytes(data) {
        assert_eq!(list.encode().as_ref(), data, "accepted bytes must be the canonical encoding");
    }
});
