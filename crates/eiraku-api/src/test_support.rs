//! What the wire-format tests share.

use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

/// Serializes `value`, reads it back, and asserts nothing was lost;
/// returns the JSON text.
pub fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) -> String {
    let text = serde_json::to_string(value).expect("views serialize");
    let back: T = serde_json::from_str(&text).expect("views read back");
    assert_eq!(&back, value, "{text}");
    text
}

/// A test account.
pub fn account(seed: u64) -> eiraku_core::AccountId {
    eiraku_core::Keypair::from_seed(seed).account_id()
}
