//! Transfer messages arrive from the other wallet of an offline session.
#![no_main]

use commonware_codec::Encode;
use eiraku_cash::TransferMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = TransferMessage::from_bytes(data) {
        assert_eq!(message.encode().as_ref(), data, "accepted bytes must be the canonical encoding");
    }
});
