//! Claims arrive from wallets at their sync with the issuance center.
#![no_main]

use commonware_codec::Encode;
use eiraku_cash::SignedClaim;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(claim) = SignedClaim::from_bytes(data) {
        assert_eq!(claim.encode().as_ref(), data, "accepted bytes must be the canonical encoding");
    }
});
