//! Transaction batches gossiped by peer validators.
#![no_main]

use eiraku_node::gossip::{decode_batch, encode_batch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(batch) = decode_batch(data) {
        assert_eq!(encode_batch(&batch).as_ref(), data);
    }
});
