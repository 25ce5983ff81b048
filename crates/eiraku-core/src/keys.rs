//! Calls and state keys of the `keys` module (issue 14, item 5): an
//! account keeps its id (the key it was opened with) for ever, while the
//! key that signs for it can change.
//!
//! - The holder rotates: a transaction signed by the current key names the
//!   next one.
//! - A lost key is replaced by the authority that opened the account (its
//!   bank for a customer, its central bank for a bank). The replacement
//!   waits a time lock in block time, during which the current key can
//!   cancel it: a thief posing as the customer at the bank is stopped by
//!   the customer who still holds the key.

use crate::{state_key::ModuleKey, AccountId};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, Read, ReadExt, Write};
use serde::{Deserialize, Serialize};

/// A call of the `keys` module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum KeyCall {
    /// The sender's key from now on is `new_key` (signed by the current one).
    Rotate {
        /// The next signing key (32 bytes of an Ed25519 public key).
        new_key: AccountId,
    },
    /// The authority that opened `account` asks to replace its lost key
    /// with `new_key`, after the time lock.
    RequestReplacement {
        /// The account whose key was lost.
        account: AccountId,
        /// The key its holder will sign with.
        new_key: AccountId,
    },
    /// The account (signed by its current key) cancels a replacement of
    /// its key, before the time lock ends.
    CancelReplacement,
    /// The authority that asked for a replacement carries it out, once the
    /// time lock has ended.
    CompleteReplacement {
        /// The account whose key is replaced.
        account: AccountId,
    },
}

impl KeyCall {
    const ROTATE: u8 = 0;
    const REQUEST_REPLACEMENT: u8 = 1;
    const CANCEL_REPLACEMENT: u8 = 2;
    const COMPLETE_REPLACEMENT: u8 = 3;

    /// The call's name, as its JSON form spells it.
    pub fn name(&self) -> &'static str {
        match self {
            KeyCall::Rotate { .. } => "rotate",
            KeyCall::RequestReplacement { .. } => "request_replacement",
            KeyCall::CancelReplacement => "cancel_replacement",
            KeyCall::CompleteReplacement { .. } => "complete_replacement",
        }
    }
}

impl Write for KeyCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            KeyCall::Rotate { new_key } => {
                Self::ROTATE.write(buf);
                new_key.write(buf);
            }
            KeyCall::RequestReplacement { account, new_key } => {
                Self::REQUEST_REPLACEMENT.write(buf);
                account.write(buf);
                new_key.write(buf);
            }
            KeyCall::CancelReplacement => Self::CANCEL_REPLACEMENT.write(buf),
            KeyCall::CompleteReplacement { account } => {
                Self::COMPLETE_REPLACEMENT.write(buf);
                account.write(buf);
            }
        }
    }
}

impl EncodeSize for KeyCall {
    fn encode_size(&self) -> usize {
        1 + match self {
            KeyCall::Rotate { .. } | KeyCall::CompleteReplacement { .. } => AccountId::SIZE,
            KeyCall::RequestReplacement { .. } => 2 * AccountId::SIZE,
            KeyCall::CancelReplacement => 0,
        }
    }
}

impl Read for KeyCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        match u8::read(buf)? {
            Self::ROTATE => Ok(KeyCall::Rotate {
                new_key: AccountId::read(buf)?,
            }),
            Self::REQUEST_REPLACEMENT => Ok(KeyCall::RequestReplacement {
                account: AccountId::read(buf)?,
                new_key: AccountId::read(buf)?,
            }),
            Self::CANCEL_REPLACEMENT => Ok(KeyCall::CancelReplacement),
            Self::COMPLETE_REPLACEMENT => Ok(KeyCall::CompleteReplacement {
                account: AccountId::read(buf)?,
            }),
            other => Err(Error::InvalidEnum(other)),
        }
    }
}

/// One entry of the `keys` module in the state (see [`crate::state_key`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeysKey {
    /// The key that signs for an account whose key changed (absent: the
    /// account id itself).
    Key(AccountId),
    /// A pending replacement of an account's key.
    Replacement(AccountId),
    /// The time lock of replacements, in block-time milliseconds.
    Delay,
}

impl ModuleKey for KeysKey {
    const TAG: u8 = 0x06;
    const NAME: &'static str = "keys";
    const FORMS: &'static str = "keys/key/<account>, keys/replacement/<account>, keys/delay";

    fn write_bytes(&self, out: &mut Vec<u8>) {
        match self {
            KeysKey::Key(account) => {
                out.push(0);
                out.extend_from_slice(account.as_bytes());
            }
            KeysKey::Replacement(account) => {
                out.push(1);
                out.extend_from_slice(account.as_bytes());
            }
            KeysKey::Delay => out.push(2),
        }
    }

    fn read_bytes(bytes: &[u8]) -> Option<Self> {
        let account = |id: &[u8]| Some(AccountId::from_bytes(id.try_into().ok()?));
        match bytes.split_first()? {
            (0, id) => account(id).map(KeysKey::Key),
            (1, id) => account(id).map(KeysKey::Replacement),
            (2, []) => Some(KeysKey::Delay),
            _ => None,
        }
    }

    fn write_text(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeysKey::Key(account) => write!(f, "key/{account}"),
            KeysKey::Replacement(account) => write!(f, "replacement/{account}"),
            KeysKey::Delay => write!(f, "delay"),
        }
    }

    fn parse_parts(parts: &[&str]) -> Result<Self, Option<String>> {
        let account = |text: &str| {
            AccountId::from_hex(text).map_err(|_| Some(format!("{text:?} is not an account id")))
        };
        match parts {
            ["key", id] => Ok(KeysKey::Key(account(id)?)),
            ["replacement", id] => Ok(KeysKey::Replacement(account(id)?)),
            ["delay"] => Ok(KeysKey::Delay),
            _ => Err(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{DecodeExt, Encode};

    #[test]
    fn every_call_round_trips_and_a_bad_tag_is_refused() {
        let a = AccountId::from_bytes([1; 32]);
        let b = AccountId::from_bytes([2; 32]);
        for call in [
            KeyCall::Rotate { new_key: a },
            KeyCall::RequestReplacement {
                account: a,
                new_key: b,
            },
            KeyCall::CancelReplacement,
            KeyCall::CompleteReplacement { account: b },
        ] {
            let bytes = call.encode();
            assert_eq!(bytes.len(), call.encode_size());
            assert_eq!(KeyCall::decode(bytes).unwrap(), call);
        }
        assert!(KeyCall::decode(commonware_codec::Copying(&[9u8][..])).is_err());
    }

    #[test]
    fn keys_round_trip_as_bytes_and_text() {
        let a = AccountId::from_bytes([7; 32]);
        for key in [KeysKey::Key(a), KeysKey::Replacement(a), KeysKey::Delay] {
            let mut bytes = Vec::new();
            key.write_bytes(&mut bytes);
            assert_eq!(KeysKey::read_bytes(&bytes), Some(key));
            let text = crate::StateKey::Keys(key).to_string();
            assert_eq!(
                text.parse::<crate::StateKey>().unwrap(),
                crate::StateKey::Keys(key)
            );
        }
        assert_eq!(KeysKey::read_bytes(&[0, 1, 2]), None);
    }
}
