//! Where each piece of state lives in the authenticated key-value store.
//!
//! Every entry of every module is one key: a module tag, a kind tag and
//! the entry's natural key. The store holds the SHA-256 of those bytes
//! ([`StateKey::hashed`]), so keys are fixed-size and spread evenly; a light
//! client that asks about an entry computes the same hash. Keys are also
//! written as text (`account/<hex>`, `money/economy/JP`, …) for the CLI and
//! the API.
//!
//! Accounts and roles are the ledger's own; every domain module's keys are
//! its own type ([`ModuleKey`], in the module's file), listed once in
//! [`module_keys!`] below.

use crate::{
    governance::GovernanceKey, keys::KeysKey, money_key::MoneyKey, registry::RegistryKey,
    validators::ValidatorsKey, AccountId,
};
use std::{fmt, str::FromStr};

/// Tags of the ledger's own keys: the first byte.
const LEDGER_TAG: u8 = 0x01;
const AUTHORITY_TAG: u8 = 0x02;

/// One domain module's keys: a kind tag and a natural key, after the
/// module's tag.
pub trait ModuleKey: Sized {
    /// First byte of the module's keys (unique among modules, never reused).
    const TAG: u8;
    /// First part of the keys' text form.
    const NAME: &'static str;
    /// The keys' text forms, for error messages.
    const FORMS: &'static str;
    /// Appends the kind tag and the natural key.
    fn write_bytes(&self, out: &mut Vec<u8>);
    /// The key whose [`ModuleKey::write_bytes`] wrote `bytes`; `None` when
    /// none does.
    fn read_bytes(bytes: &[u8]) -> Option<Self>;
    /// The text form after `NAME/`.
    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
    /// The key from its text's parts after `NAME`: `Err(None)` for no
    /// known form, `Err(Some(why))` for a known form with a bad part.
    fn parse_parts(parts: &[&str]) -> Result<Self, Option<String>>;
}

/// Declares [`StateKey`] with the ledger's keys and one variant per domain
/// module; adding a module is one line.
macro_rules! module_keys {
    ($($(#[$doc:meta])* $module:ident($key:ty),)+) => {
        /// One entry of the state.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum StateKey {
            /// An account's balance and nonce (module `ledger`).
            Account(AccountId),
            /// An account's role grant (module `authority`).
            Role(AccountId),
            $($(#[$doc])* $module($key),)+
        }

        impl StateKey {
            /// The key's bytes: module tag, kind tag, natural key.
            pub fn to_bytes(&self) -> Vec<u8> {
                let mut bytes = Vec::with_capacity(40);
                match self {
                    StateKey::Account(id) => tagged(&mut bytes, LEDGER_TAG, id.as_bytes()),
                    StateKey::Role(id) => tagged(&mut bytes, AUTHORITY_TAG, id.as_bytes()),
                    $(StateKey::$module(key) => {
                        bytes.push(<$key as ModuleKey>::TAG);
                        key.write_bytes(&mut bytes);
                    })+
                }
                bytes
            }

            /// The key [`StateKey::to_bytes`] wrote; `None` for bytes no
            /// key encodes to (a damaged store entry).
            pub fn from_bytes(bytes: &[u8]) -> Option<StateKey> {
                let (&module, rest) = bytes.split_first()?;
                let account = || match rest {
                    [0, id @ ..] => Some(AccountId::from_bytes(id.try_into().ok()?)),
                    _ => None,
                };
                match module {
                    LEDGER_TAG => account().map(StateKey::Account),
                    AUTHORITY_TAG => account().map(StateKey::Role),
                    $(<$key as ModuleKey>::TAG => {
                        <$key as ModuleKey>::read_bytes(rest).map(StateKey::$module)
                    })+
                    _ => None,
                }
            }
        }

        impl fmt::Display for StateKey {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    StateKey::Account(id) => write!(f, "account/{id}"),
                    StateKey::Role(id) => write!(f, "role/{id}"),
                    $(StateKey::$module(key) => {
                        write!(f, "{}/", <$key as ModuleKey>::NAME)?;
                        key.write_text(f)
                    })+
                }
            }
        }

        /// The forms [`StateKey`]'s text takes, for error messages.
        pub fn state_key_forms() -> String {
            let forms = ["account/<hex>, role/<hex>", $(<$key as ModuleKey>::FORMS,)+];
            forms.join(", ")
        }

        /// A key from its text: `Err(None)` for no known form,
        /// `Err(Some(why))` for a known form with a bad part.
        fn parse(text: &str) -> Result<StateKey, Option<String>> {
            let parts: Vec<&str> = text.split('/').collect();
            let account = |hex: &str| AccountId::from_hex(hex).map_err(Some);
            match parts.as_slice() {
                ["account", id] => Ok(StateKey::Account(account(id)?)),
                ["role", id] => Ok(StateKey::Role(account(id)?)),
                $([name, rest @ ..] if *name == <$key as ModuleKey>::NAME => {
                    <$key as ModuleKey>::parse_parts(rest).map(StateKey::$module)
                })+
                _ => Err(None),
            }
        }
    };
}

module_keys! {
    /// An entry of the money module (the AMRO coin).
    Money(MoneyKey),
    /// An entry of the public registries.
    Registry(RegistryKey),
    /// An entry of multistakeholder governance.
    Governance(GovernanceKey),
    /// An entry of the `keys` module (rotated and replaced keys).
    Keys(KeysKey),
    /// An entry of the `validators` module (the validator set).
    Validators(ValidatorsKey),
}

impl StateKey {
    /// What the authenticated store holds: the hash of [`StateKey::to_bytes`].
    pub fn hashed(&self) -> crate::Digest {
        crate::hash(&[b"EIRAKU_STATE_KEY", &self.to_bytes()])
    }
}

/// The ledger's keys: tag, kind 0, the account id.
fn tagged(bytes: &mut Vec<u8>, module: u8, natural: &[u8]) {
    bytes.push(module);
    bytes.push(0);
    bytes.extend_from_slice(natural);
}

/// Why a text names no state entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StateKeyError {
    /// The text has none of the key forms.
    #[error("{text:?} names no state entry; the forms are {}", state_key_forms())]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{hash, EconomyCode, Keypair};

    fn every_kind() -> Vec<StateKey> {
        let id = Keypair::from_seed(3).account_id();
        let jp = EconomyCode::new("JP").unwrap();
        let ph = EconomyCode::new("PH").unwrap();
        vec![
            StateKey::Account(id),
            StateKey::Role(id),
            StateKey::Money(MoneyKey::Config),
            StateKey::Money(MoneyKey::Economy(jp)),
            StateKey::Money(MoneyKey::TravelKey(id)),
            StateKey::Money(MoneyKey::Freeze(id)),
            StateKey::Money(MoneyKey::Contribution(7)),
            StateKey::Money(MoneyKey::Claim {
                creditor: jp,
                debtor: ph,
            }),
            StateKey::Money(MoneyKey::Settlement(7)),
            StateKey::Money(MoneyKey::SeigniorPeriod(7)),
            StateKey::Money(MoneyKey::Suspension(id)),
            StateKey::Money(MoneyKey::CashCenter(jp)),
            StateKey::Money(MoneyKey::DeviceKey(jp)),
            StateKey::Money(MoneyKey::Wallet(7)),
            StateKey::Money(MoneyKey::Blacklisted(7)),
            StateKey::Money(MoneyKey::Spent {
                economy: jp,
                serial: 7,
            }),
            StateKey::Money(MoneyKey::OfflineHeld(id)),
            StateKey::Money(MoneyKey::Load {
                account: id,
                nonce: 7,
            }),
            StateKey::Money(MoneyKey::Purse(hash(&[b"purse"]))),
            StateKey::Money(MoneyKey::Issued {
                economy: jp,
                first_serial: 7,
            }),
            StateKey::Registry(RegistryKey::Anchor(hash(&[b"root"]))),
            StateKey::Registry(RegistryKey::Attestation(hash(&[b"attest"]))),
            StateKey::Registry(RegistryKey::Consent(hash(&[b"consent"]))),
            StateKey::Registry(RegistryKey::Access {
                consent: hash(&[b"consent"]),
                n: 7,
            }),
            StateKey::Registry(RegistryKey::Work(hash(&[b"work"]))),
            StateKey::Registry(RegistryKey::Registry(hash(&[b"registry"]))),
            StateKey::Registry(RegistryKey::Record {
                record: hash(&[b"record"]),
                version: 3,
            }),
            StateKey::Registry(RegistryKey::Licence {
                work: hash(&[b"work"]),
                licensee: id,
            }),
            StateKey::Governance(GovernanceKey::Rules),
            StateKey::Governance(GovernanceKey::Proposal(7)),
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
