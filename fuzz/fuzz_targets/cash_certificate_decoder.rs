//! Wallet certificates arrive from the other wallet at the start of every
//! offline session.
#![no_main]

use commonware_codec::Encode;
use eiraku_cash::SignedCertificate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(certificate) = SignedCertificate::from_bytes(data) {
        assert_eq!(certificate.encode().as_ref(), data, "accepted bytes must be the canonical encoding");
    }
});
