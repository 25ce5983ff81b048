//! The `keys` module as the state machine drives it: dispatch, its entries
//! in the authenticated store, and rebuilding it from them.

use super::{KeyCaller, Keys, KeysError, Replacement};
use crate::{
    changes,
    governance::{check_parameter, AmendmentError},
    module::{CallContext, Module},
    Change, EntryError, ExecutionError,
};
use eiraku_core::{
    governance::{Amendment, Parameter},
    AccountId, Call, KeysKey, StateKey,
};

impl Module for Keys {
    fn apply(
        &mut self,
        call: &Call,
        cx: &mut CallContext<'_, '_>,
    ) -> Option<Result<(), ExecutionError>> {
        let Call::Keys(call) = call else {
            return None;
        };
        let caller = KeyCaller {
            sender: cx.tx.transaction.sender,
            now_ms: cx.env.timestamp_ms,
            authority: cx.authority,
        };
        Some(self.run(call, &caller).map_err(ExecutionError::from))
    }

    fn accounts_touched(call: &Call) -> Option<Vec<&AccountId>> {
        matches!(call, Call::Keys(_)).then(Vec::new)
    }

    fn enact(&mut self, amendment: &Amendment, _now_ms: u64) -> Option<Result<(), AmendmentError>> {
        match *amendment {
            Amendment::SetParameter(Parameter::KeyReplacementDelayMs(ms)) => Some(
                check_parameter(&Parameter::KeyReplacementDelayMs(ms)).map(|()| {
                    self.delay_ms = ms;
                }),
            ),
            Amendment::ReplaceKey { account, new_key } => {
                // An official's pending replacement cannot exist (none may
                // be asked by a call), so the key is simply set.
                Some(self.set_key(account, new_key).map_err(|error| match error {
                    KeysError::SameKey { .. } => AmendmentError::SameKey,
                    _ => AmendmentError::InvalidKey,
                }))
            }
            _ => None,
        }
    }

    fn entries(&self, out: &mut Vec<Change>) {
        out.push((
            StateKey::Keys(KeysKey::Delay),
            Some(delay_bytes(self.delay_ms)),
        ));
        for (account, key) in &self.keys {
            out.push((key_entry(*account), Some(key.as_bytes().to_vec())));
        }
        for (account, replacement) in &self.replacements {
            out.push((replacement_entry(*account), Some(replacement.to_bytes())));
        }
    }

    fn from_entries(entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError> {
        let mut keys = Keys::default();
        for (key, value) in entries {
            let StateKey::Keys(entry) = key else {
                continue;
            };
            let bad = |what: &str| EntryError::new(*key, what);
            match entry {
                KeysKey::Delay => {
                    let bytes = value
                        .as_slice()
                        .try_into()
                        .map_err(|_| bad("not 8 bytes"))?;
                    keys.delay_ms = u64::from_be_bytes(bytes);
                }
                KeysKey::Key(account) => {
                    let bytes = value.as_slice().try_into().map_err(|_| bad("not a key"))?;
                    keys.keys.insert(*account, AccountId::from_bytes(bytes));
                }
                KeysKey::Replacement(account) => {
                    let replacement =
                        Replacement::from_bytes(value).ok_or_else(|| bad("not a replacement"))?;
                    keys.replacements.insert(*account, replacement);
                }
            }
        }
        Ok(keys)
    }

    fn changes(&self, before: &Self, out: &mut Vec<Change>) {
        if self.delay_ms != before.delay_ms {
            out.push((
                StateKey::Keys(KeysKey::Delay),
                Some(delay_bytes(self.delay_ms)),
            ));
        }
        changes::map(
            &before.keys,
            &self.keys,
            key_entry,
            |key| key.as_bytes().to_vec(),
            out,
        );
        changes::map(
            &before.replacements,
            &self.replacements,
            replacement_entry,
            Replacement::to_bytes,
            out,
        );
    }
}

fn key_entry(account: AccountId) -> StateKey {
    StateKey::Keys(KeysKey::Key(account))
}

fn replacement_entry(account: AccountId) -> StateKey {
    StateKey::Keys(KeysKey::Replacement(account))
}

fn delay_bytes(delay_ms: u64) -> Vec<u8> {
    delay_ms.to_be_bytes().to_vec()
}

impl Replacement {
    const ENCODED_LEN: usize = 80;

    /// Stored form: new key (32), requester (32), requested and effective
    /// block times (8 each, big-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::ENCODED_LEN);
        out.extend_from_slice(self.new_key.as_bytes());
        out.extend_from_slice(self.requested_by.as_bytes());
        out.extend_from_slice(&self.requested_ms.to_be_bytes());
        out.extend_from_slice(&self.effective_ms.to_be_bytes());
        out
    }

    /// Reads [`Replacement::to_bytes`]; `None` for any other length.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::ENCODED_LEN {
            return None;
        }
        let id = |at: usize| AccountId::from_bytes(bytes[at..at + 32].try_into().expect("32"));
        let time = |at: usize| u64::from_be_bytes(bytes[at..at + 8].try_into().expect("8"));
        Some(Self {
            new_key: id(0),
            requested_by: id(32),
            requested_ms: time(64),
            effective_ms: time(72),
        })
    }
}
