//! Receipts: the recorded outcome of every included transaction.

use crate::ExecutionError;
use eiraku_core::{digest, TxHash};
use serde::{Deserialize, Serialize};

/// The outcome of an included transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "error", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied in full.
    Success,
    /// Rejected by an execution rule; only the nonce advanced.
    Failed(ExecutionError),
}

/// Where a transaction landed and what happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Transaction hash (hex in JSON).
    #[serde(with = "hex_digest")]
    pub tx_hash: TxHash,
    /// Height of the including block.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
    /// Result.
    pub outcome: Outcome,
}

mod hex_digest {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &TxHash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&digest::to_hex(d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TxHash, D::Error> {
        let text = String::deserialize(d)?;
        digest::from_hex(&text).ok_or_else(|| serde::de::Error::custom("not a 32-byte hex digest"))
    }
}
