//! Blocks arrive from proposers and from peers during backfill.
#![no_main]

use commonware_codec::{Copying, DecodeExt, Encode};
use eiraku_core::Block;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(block) = Block::decode(Copying(data)) {
        assert_eq!(block.encode().as_ref(), data, "accepted bytes must be the canonical encoding");
    }
});
