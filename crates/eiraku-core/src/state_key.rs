//! Where each piece of state lives in the authenticated key-value store.
//!
//! Every entry of every module is one key: a module tag, a kind tag and
//! the entry's natural key. The store holds the SHA-256 of those bytes
//! ([`StateKey::hashed`]), so keys are fixed-size and spread evenly; a light
//! client that asks about an entry computes the same hash. Keys are also
//! written as text (`account/<hex>`, `money/economy/JP`, …) for the CLI and
//! the API.

use crate::{digest, hash, AccountId, Digest, EconomyCode};
use std::{fmt, str::FromStr};

/// Module tags: the first byte of every key.
mod module {
    pub const LEDGER: u8 = 0x01;
    pub const AUTHORITY: u8 = 0x02;
    pub const MONEY: u8 = 0x03;
    pub const REGISTRY: u8 = 0x04;
}

/// One entry of the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateKey {
    /// An account's balance and nonce (module `ledger`).
    Account(AccountId),
    /// An account's role grant (module `authority`).
    Role(AccountId),
    /// The money module's settings: unit, numeraire, rate age limit,
    /// travel-rule threshold, issuer, end of the last seigniorage period.
    MoneyConfig,
    /// One member economy's books.
    Economy(EconomyCode),
    /// The key a bank or regulator receives travel-rule data under.
    TravelKey(AccountId),
    /// A freeze on an account.
    Freeze(AccountId),
    /// A contribution, by number.
    Contribution(u64),
    /// An outstanding claim of `creditor` on `debtor`.
    Claim {
        /// The economy owed.
        creditor: EconomyCode,
        /// The economy that owes.
        debtor: EconomyCode,
    },
    /// A settlement, by number.
    Settlement(u64),
    /// A closed seigniorage period, by number.
    SeigniorPeriod(u64),
    /// The first anchoring of a notarized root (module `registry`).
    Anchor(Digest),
}

impl StateKey {
    /// The key's bytes: module tag, kind tag, natural key.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(40);
        match self {
            StateKey::Account(id) => tagged(&mut bytes, module::LEDGER, 0, id.as_bytes()),
            StateKey::Role(id) => tagged(&mut bytes, module::AUTHORITY, 0, id.as_bytes()),
            StateKey::MoneyConfig => tagged(&mut bytes, module::MONEY, 0, &[]),
            StateKey::Economy(code) => {
                tagged(&mut bytes, module::MONEY, 1, code.as_str().as_bytes())
            }
            StateKey::TravelKey(id) => tagged(&mut bytes, module::MONEY, 2, id.as_bytes()),
            StateKey::Freeze(id) => tagged(&mut bytes, module::MONEY, 3, id.as_bytes()),
            StateKey::Contribution(n) => tagged(&mut bytes, module::MONEY, 4, &n.to_be_bytes()),
            StateKey::Claim { creditor, debtor } => {
                tagged(&mut bytes, module::MONEY, 5, creditor.as_str().as_bytes());
                bytes.extend_from_slice(debtor.as_str().as_bytes());
            }
            StateKey::Settlement(n) => tagged(&mut bytes, module::MONEY, 6, &n.to_be_bytes()),
            StateKey::SeigniorPeriod(n) => tagged(&mut bytes, module::MONEY, 7, &n.to_be_bytes()),
            StateKey::Anchor(root) => tagged(&mut bytes, module::REGISTRY, 0, root.as_ref()),
        }
        bytes
    }

    /// The key [`StateKey::to_bytes`] wrote; `None` for bytes no key
    /// encodes to (a damaged store entry).
    pub fn from_bytes(bytes: &[u8]) -> Option<StateKey> {
        let (&[module, kind], natural) = bytes.split_first_chunk::<2>()?;
        let account = || Some(AccountId::from_bytes(natural.try_into().ok()?));
        let number = || Some(u64::from_be_bytes(natural.try_into().ok()?));
        let economy = |part: &[u8]| EconomyCode::new(std::str::from_utf8(part).ok()?).ok();
        Some(match (module, kind) {
            (module::LEDGER, 0) => StateKey::Account(account()?),
            (module::AUTHORITY, 0) => StateKey::Role(account()?),
            (module::MONEY, 0) if natural.is_empty() => StateKey::MoneyConfig,
            (module::MONEY, 1) if natural.len() == 2 => StateKey::Economy(economy(natural)?),
            (module::MONEY, 2) => StateKey::TravelKey(account()?),
            (module::MONEY, 3) => StateKey::Freeze(account()?),
            (module::MONEY, 4) => StateKey::Contribution(number()?),
            (module::MONEY, 5) if natural.len() == 4 => StateKey::Claim {
                creditor: economy(&natural[..2])?,
                debtor: economy(&natural[2..])?,
            },
            (module::MONEY, 6) => StateKey::Settlement(number()?),
            (module::MONEY, 7) => StateKey::SeigniorPeriod(number()?),
            (module::REGISTRY, 0) => {
                StateKey::Anchor(Digest::from(<[u8; 32]>::try_from(natural).ok()?))
            }
            _ => return None,
        })
    }

    /// What the authenticated store holds: the hash of [`StateKey::to_bytes`].
    pub fn hashed(&self) -> Digest {
        hash(&[b"EIRAKU_STATE_KEY", &self.to_bytes()])
    }
}

fn tagged(bytes: &mut Vec<u8>, module: u8, kind: u8, natural: &[u8]) {
    bytes.push(module);
    bytes.push(kind);
    bytes.extend_from_slice(natural);
}

impl fmt::Display for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateKey::Account(id) => write!(f, "account/{id}"),
            StateKey::Role(id) => write!(f, "role/{id}"),
            StateKey::MoneyConfig => write!(f, "money/config"),
            StateKey::Economy(code) => write!(f, "money/economy/{code}"),
            StateKey::TravelKey(id) => write!(f, "money/travel-key/{id}"),
            StateKey::Freeze(id) => write!(f, "money/freeze/{id}"),
            StateKey::Contribution(n) => write!(f, "money/contribution/{n}"),
            StateKey::Claim { creditor, debtor } => write!(f, "money/claim/{creditor}/{debtor}"),
            StateKey::Settlement(n) => write!(f, "money/settlement/{n}"),
            StateKey::SeigniorPeriod(n) => write!(f, "money/seigniorage/{n}"),
            StateKey::Anchor(root) => write!(f, "registry/anchor/{}", digest::to_hex(root)),
        }
    }
}

/// The forms [`StateKey`]'s text takes, for error messages.
pub const STATE_KEY_FORMS: &str = "account/<hex>, role/<hex>, money/config, \
money/economy/<code>, money/travel-key/<hex>, money/freeze/<hex>, money/contribution/<n>, \
money/claim/<creditor>/<debtor>, money/settlement/<n>, money/seigniorage/<n>, \
registry/anchor/<hex digest>";

/// Why a text names no state entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StateKeyError {
    /// The text has none of the key forms.
    #[error("{text:?} names no state entry; the forms are {STATE_KEY_FORMS}")]
    UnknownForm {
        /// The text.
        text: String,
    },
    /// A form was recognised but one of its parts is not valid.
    #[error("{text:?}: {reason}")]
    BadPart {
        /// The text.
        text: String,
        /// What is wrong with the part.
        reason: String,
    },
}

impl FromStr for StateKey {
    type Err = StateKeyError;

    fn from_str(text: &str) -> Result<Self, StateKeyError> {
        parse(text).map_err(|reason| match reason {
            Some(reason) => StateKeyError::BadPart {
                text: text.to_string(),
                reason,
            },
            None => StateKeyError::UnknownForm {
                text: text.to_string(),
            },
        })
    }
}

/// A key from its text: `Err(None)` for no known form, `Err(Some(why))`
/// for a known form with a bad part.
fn parse(text: &str) -> Result<StateKey, Option<String>> {
    let parts: Vec<&str> = text.split('/').collect();
    let account = |hex: &str| AccountId::from_hex(hex).map_err(Some);
    let economy = |code: &str| EconomyCode::new(code).map_err(Some);
    let number = |n: &str| {
        n.parse::<u64>()
            .map_err(|_| Some(format!("{n:?} is not a number")))
    };
    match parts.as_slice() {
        ["account", id] => Ok(StateKey::Account(account(id)?)),
        ["role", id] => Ok(StateKey::Role(account(id)?)),
        ["money", "config"] => Ok(StateKey::MoneyConfig),
        ["money", "economy", code] => Ok(StateKey::Economy(economy(code)?)),
        ["money", "travel-key", id] => Ok(StateKey::TravelKey(account(id)?)),
        ["money", "freeze", id] => Ok(StateKey::Freeze(account(id)?)),
        ["money", "contribution", n] => Ok(StateKey::Contribution(number(n)?)),
        ["money", "claim", creditor, debtor] => Ok(StateKey::Claim {
            creditor: economy(creditor)?,
            debtor: economy(debtor)?,
        }),
        ["money", "settlement", n] => Ok(StateKey::Settlement(number(n)?)),
        ["money", "seigniorage", n] => Ok(StateKey::SeigniorPeriod(number(n)?)),
        ["registry", "anchor", root] => Ok(StateKey::Anchor(
            digest::from_hex(root).ok_or_else(|| Some(format!("{root:?} is not a hex digest")))?,
        )),
        _ => Err(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Keypair;

    fn every_kind() -> Vec<StateKey> {
        let id = Keypair::from_seed(3).account_id();
        let jp = EconomyCode::new("JP").unwrap();
        let ph = EconomyCode::new("PH").unwrap();
        vec![
            StateKey::Account(id),
            StateKey::Role(id),
            StateKey::MoneyConfig,
            StateKey::Economy(jp),
            StateKey::TravelKey(id),
            StateKey::Freeze(id),
            StateKey::Contribution(7),
            StateKey::Claim {
                creditor: jp,
                debtor: ph,
            },
            StateKey::Settlement(7),
            StateKey::SeigniorPeriod(7),
            StateKey::Anchor(hash(&[b"root"])),
        ]
    }

    #[test]
    fn keys_read_back_from_their_text_and_never_collide() {
        let keys = every_kind();
        for key in &keys {
            assert_eq!(key.to_string().parse::<StateKey>(), Ok(*key));
        }
        for key in &keys {
            assert_eq!(StateKey::from_bytes(&key.to_bytes()), Some(*key));
        }
        let mut bytes: Vec<Vec<u8>> = keys.iter().map(StateKey::to_bytes).collect();
        bytes.sort();
        bytes.dedup();
        assert_eq!(bytes.len(), keys.len());
    }

    #[test]
    fn bytes_no_key_writes_are_refused() {
        for key in every_kind() {
            let bytes = key.to_bytes();
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(StateKey::from_bytes(&longer), None, "{key}");
            if bytes.len() > 2 {
                assert_eq!(
                    StateKey::from_bytes(&bytes[..bytes.len() - 1]),
                    None,
                    "{key}"
                );
            }
        }
        for bytes in [&[][..], &[1], &[9, 0], &[0x03, 9], &[0x03, 1, 0xff, 0xfe]] {
            assert_eq!(StateKey::from_bytes(bytes), None, "{bytes:?}");
        }
    }

    #[test]
    fn bad_key_text_says_what_is_expected() {
        for text in ["", "account", "money/claim/JP", "nothing/here"] {
            let error = text.parse::<StateKey>().unwrap_err();
            assert!(matches!(error, StateKeyError::UnknownForm { .. }), "{text}");
            assert!(error.to_string().contains("the forms are"), "{error}");
        }
        for text in ["account/zz", "money/contribution/x", "money/economy/J"] {
            let error = text.parse::<StateKey>().unwrap_err();
            assert!(matches!(error, StateKeyError::BadPart { .. }), "{text}");
        }
    }
}
