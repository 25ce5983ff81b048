//! Notes with their sealed histories arrive from paying wallets and from
//! depositors.
#![no_main]

use commonware_codec::Encode;
use eiraku_cash::NoteInHand;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = NoteInHand::from_bytes(data) {
        assert_eq!(note.encode().as_ref(), data, "accepted bytes must be the canonical encoding");
    }
});
