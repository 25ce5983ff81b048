//! Receipts: the recorded outcome of every included transaction.

use crate::ExecutionError;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, RangeCfg, Read, ReadExt, Write};
use eiraku_core::{digest, Amount, TxHash};
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

// Binary form of an outcome (how nodes store it): one tag byte, then the
// error's fields. Tags are part of the storage format; never reuse one.
const SUCCESS: u8 = 0;
const INSUFFICIENT_FUNDS: u8 = 1;
const ZERO_AMOUNT: u8 = 2;
const SELF_TRANSFER: u8 = 3;
const BALANCE_OVERFLOW: u8 = 4;
/// A money-module error, stored as its JSON form (length-prefixed): it has
/// many variants with many fields, is only kept by the node that executed
/// it (receipts are not part of any root), and JSON is what the API shows.
const MONEY: u8 = 5;
/// A registry error, stored as its JSON form like money errors.
const REGISTRY: u8 = 6;
/// No module of the chain takes the call.
const NO_MODULE_FOR_CALL: u8 = 7;
/// A governance error, stored as its JSON form like money errors.
const GOVERNANCE: u8 = 8;
/// A `keys` error, stored as its JSON form like money errors.
const KEYS: u8 = 9;
/// Longest stored module error.
const MAX_MODULE_ERROR_BYTES: usize = 4096;

/// A module error's stored form: its tag, and its JSON when it is one.
fn module_error(error: &ExecutionError) -> Option<(u8, Vec<u8>)> {
    match error {
        ExecutionError::Money(error) => Some((MONEY, json(error))),
        ExecutionError::Registry(error) => Some((REGISTRY, json(error))),
        ExecutionError::Governance(error) => Some((GOVERNANCE, json(error))),
        ExecutionError::Keys(error) => Some((KEYS, json(error))),
        _ => None,
    }
}

/// Reads a module error stored under `tag`.
fn read_module_error(tag: u8, buf: &mut impl Buf) -> Result<ExecutionError, Error> {
    let json = Vec::<u8>::read_cfg(buf, &(RangeCfg::new(0..=MAX_MODULE_ERROR_BYTES), ()))?;
    let invalid = |_| Error::Invalid("Outcome", "module error is not valid JSON");
    Ok(match tag {
        MONEY => ExecutionError::Money(serde_json::from_slice(&json).map_err(invalid)?),
        REGISTRY => ExecutionError::Registry(serde_json::from_slice(&json).map_err(invalid)?),
        GOVERNANCE => ExecutionError::Governance(serde_json::from_slice(&json).map_err(invalid)?),
        KEYS => ExecutionError::Keys(serde_json::from_slice(&json).map_err(invalid)?),
        other => return Err(Error::InvalidEnum(other)),
    })
}

fn json(error: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(error).expect("module errors serialize")
}

impl Write for Outcome {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            Outcome::Success => SUCCESS.write(buf),
            Outcome::Failed(ExecutionError::InsufficientFunds { balance, needed }) => {
                INSUFFICIENT_FUNDS.write(buf);
                balance.write(buf);
                needed.write(buf);
            }
            Outcome::Failed(ExecutionError::ZeroAmount) => ZERO_AMOUNT.write(buf),
            Outcome::Failed(ExecutionError::SelfTransfer) => SELF_TRANSFER.write(buf),
            Outcome::Failed(ExecutionError::BalanceOverflow) => BALANCE_OVERFLOW.write(buf),
            Outcome::Failed(ExecutionError::NoModuleForCall) => NO_MODULE_FOR_CALL.write(buf),
            Outcome::Failed(error) => {
                let (tag, json) = module_error(error).expect("every other error is a module's");
                tag.write(buf);
                json.write(buf);
            }
        }
    }
}

impl EncodeSize for Outcome {
    fn encode_size(&self) -> usize {
        match self {
            Outcome::Failed(ExecutionError::InsufficientFunds { .. }) => 1 + 2 * 16,
            Outcome::Failed(error) => match module_error(error) {
                Some((_, json)) => 1 + json.encode_size(),
                None => 1,
            },
            Outcome::Success => 1,
        }
    }
}

impl Read for Outcome {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(match u8::read(buf)? {
            SUCCESS => Outcome::Success,
            INSUFFICIENT_FUNDS => Outcome::Failed(ExecutionError::InsufficientFunds {
                balance: Amount::read(buf)?,
                needed: Amount::read(buf)?,
            }),
            ZERO_AMOUNT => Outcome::Failed(ExecutionError::ZeroAmount),
            SELF_TRANSFER => Outcome::Failed(ExecutionError::SelfTransfer),
            NO_MODULE_FOR_CALL => Outcome::Failed(ExecutionError::NoModuleForCall),
            BALANCE_OVERFLOW => Outcome::Failed(ExecutionError::BalanceOverflow),
            tag @ (MONEY | REGISTRY | GOVERNANCE | KEYS) => {
                Outcome::Failed(read_module_error(tag, buf)?)
            }
            other => return Err(Error::InvalidEnum(other)),
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{Copying, DecodeExt, Encode};

    #[test]
    fn every_outcome_round_trips_in_binary() {
        let outcomes = [
            Outcome::Success,
            Outcome::Failed(ExecutionError::InsufficientFunds {
                balance: Amount(3),
                needed: Amount(u128::MAX),
            }),
            Outcome::Failed(ExecutionError::ZeroAmount),
            Outcome::Failed(ExecutionError::SelfTransfer),
            Outcome::Failed(ExecutionError::BalanceOverflow),
            Outcome::Failed(ExecutionError::Governance(
                crate::governance::GovernanceError::UnansweredObjection {
                    proposal: 3,
                    objection: 1,
                },
            )),
        ];
        for outcome in outcomes {
            let bytes = outcome.encode();
            assert_eq!(bytes.len(), outcome.encode_size());
            assert_eq!(Outcome::decode(bytes).unwrap(), outcome);
        }
        assert!(Outcome::decode(Copying(&[9u8][..])).is_err());
    }
}
