//! Registries of versioned records: a registry authority creates a
//! registry (its JSON Schema's digest, its writers, its access group); a
//! writer records the next version of a key: the payload's digest and the
//! digest of its envelope sealed to the access group, which nodes keep off
//! the ledger. Each version is its own entry: a key's history is listed
//! and each version proven.

use super::{Caller, Registry, RegistryError};
use crate::money::Money;
use commonware_codec::{Copying, Decode, Encode, EncodeSize, ReadExt, Write};
use eiraku_core::{
    record::{record_id, registry_id, RegistryTerms},
    AccountId, Digest, Role,
};

/// A registry and who created it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryDef {
    /// The registry authority that created it.
    pub authority: AccountId,
    /// Its name, schema, writers and access group.
    pub terms: RegistryTerms,
    /// Block time it was created.
    pub created_ms: u64,
}

/// One version of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The registry's name.
    pub registry: String,
    /// The record's key.
    pub key: String,
    /// SHA-256 of the payload.
    pub payload: Digest,
    /// Digest of the sealed envelope.
    pub envelope: Digest,
    /// The writer.
    pub writer: AccountId,
    /// Block time it was written.
    pub at_ms: u64,
}

impl RegistryDef {
    /// Its stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + self.terms.encode_size());
        self.authority.write(&mut out);
        self.terms.write(&mut out);
        self.created_ms.write(&mut out);
        out
    }

    /// Reads [`RegistryDef::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let buf = &mut Copying(bytes);
        let def = Self {
            authority: AccountId::read(buf).ok()?,
            terms: RegistryTerms::read(buf).ok()?,
            created_ms: u64::read(buf).ok()?,
        };
        (!bytes::Buf::has_remaining(buf)).then_some(def)
    }
}

impl Record {
    /// Its stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let text = (self.registry.as_bytes(), self.key.as_bytes());
        let rest = (self.payload, self.envelope, self.writer, self.at_ms);
        (text, rest).encode().to_vec()
    }

    /// Reads [`Record::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let text = (commonware_codec::RangeCfg::new(1..=64), ());
        let cfg = ((text, text), ((), (), (), ()));
        type Stored = ((Vec<u8>, Vec<u8>), (Digest, Digest, AccountId, u64));
        let ((registry, key), (payload, envelope, writer, at_ms)) =
            Stored::decode_cfg(Copying(bytes), &cfg).ok()?;
        Some(Self {
            registry: String::from_utf8(registry).ok()?,
            key: String::from_utf8(key).ok()?,
            payload,
            envelope,
            writer,
            at_ms,
        })
    }
}

impl Registry {
    /// A registry authority creates a registry whose every member holds
    /// an X25519 key on the ledger (read from `money`).
    pub(crate) fn create_registry(
        &mut self,
        caller: &Caller<'_>,
        money: Option<&Money>,
        terms: &RegistryTerms,
    ) -> Result<(), RegistryError> {
        if !matches!(caller.role, Some(Role::RegistryAuthority { .. })) {
            return Err(RegistryError::NotRegistryAuthority);
        }
        let id = registry_id(&terms.name);
        if self.registries.contains_key(&id) {
            return Err(RegistryError::RegistryExists {
                name: terms.name.clone(),
            });
        }
        let keyed = |member: &AccountId| money.is_some_and(|m| m.travel_keys.contains_key(member));
        if let Some(member) = terms.members.iter().find(|m| !keyed(m)) {
            return Err(RegistryError::MemberWithoutKey { member: *member });
        }
        let def = RegistryDef {
            authority: *caller.sender,
            terms: terms.clone(),
            created_ms: caller.now_ms,
        };
        self.registries.insert(id, def);
        Ok(())
    }

    /// A writer records `version` of `key` in `registry`: the next one.
    pub(crate) fn write_record(
        &mut self,
        caller: &Caller<'_>,
        (registry, key, version): (&str, &str, u64),
        payload: &Digest,
        envelope: &Digest,
    ) -> Result<(), RegistryError> {
        let def = (self.registries.get(&registry_id(registry))).ok_or_else(|| {
            RegistryError::UnknownRegistry {
                name: registry.into(),
            }
        })?;
        if !def.terms.writers.contains(caller.sender) {
            return Err(RegistryError::NotWriter {
                name: registry.into(),
            });
        }
        let id = record_id(registry, key);
        let expected = self.head(&id) + 1;
        if version != expected {
            return Err(RegistryError::VersionSkipped { expected });
        }
        let record = Record {
            registry: registry.into(),
            key: key.into(),
            payload: *payload,
            envelope: *envelope,
            writer: *caller.sender,
            at_ms: caller.now_ms,
        };
        self.records.insert((id, version), record);
        Ok(())
    }

    /// Registry `name`, if it was created.
    pub fn registry_named(&self, name: &str) -> Option<&RegistryDef> {
        self.registries.get(&registry_id(name))
    }

    /// Every version of `key` in registry `name`, oldest first.
    pub fn history(&self, name: &str, key: &str) -> Vec<(u64, &Record)> {
        let id = record_id(name, key);
        (self.records.range((id, 1)..=(id, u64::MAX)))
            .map(|((_, version), record)| (*version, record))
            .collect()
    }

    /// Version `version` of `key` in registry `name`.
    pub fn record(&self, name: &str, key: &str, version: u64) -> Option<&Record> {
        self.records.get(&(record_id(name, key), version))
    }

    /// The latest version of record `id` (0: none): the last of its range.
    fn head(&self, id: &Digest) -> u64 {
        (self.records.range((*id, 1)..=(*id, u64::MAX)))
            .next_back()
            .map_or(0, |((_, version), _)| *version)
    }
}
