//! Consent and the access log (seed 002, information banks): a person
//! consents to a data user's use of categories of its data for a purpose
//! until a time, and may revoke it; the data user logs each access, and
//! the ledger takes the entry only under an active consent that covers
//! the category and the purpose. The person lists every access to its
//! data; a data user proves an access was consented by the entry itself.

use super::{Caller, Registry, RegistryError};
use commonware_codec::{Copying, Decode, Encode, EncodeSize, ReadExt, Write};
use eiraku_core::{attestation::MAX_VALIDITY_MS, consent::ConsentTerms, digest, AccountId, Digest};

/// One consent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    /// The person whose data it is.
    pub subject: AccountId,
    /// What the person consented to.
    pub terms: ConsentTerms,
    /// Block time it was granted.
    pub granted_ms: u64,
    /// Block time it was revoked, if it was.
    pub revoked_ms: Option<u64>,
    /// Accesses logged under it (numbered from 0).
    pub accesses: u64,
}

/// One logged access.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// The data category accessed.
    pub category: String,
    /// Digest of what was accessed.
    pub digest: Digest,
    /// Block time of the access's entry.
    pub at_ms: u64,
}

impl Consent {
    /// Its stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + self.terms.encode_size() + 32);
        self.subject.write(&mut out);
        self.terms.write(&mut out);
        self.granted_ms.write(&mut out);
        self.revoked_ms.write(&mut out);
        self.accesses.write(&mut out);
        out
    }

    /// Reads [`Consent::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let buf = &mut Copying(bytes);
        let consent = Self {
            subject: AccountId::read(buf).ok()?,
            terms: ConsentTerms::read(buf).ok()?,
            granted_ms: u64::read(buf).ok()?,
            revoked_ms: Option::<u64>::read(buf).ok()?,
            accesses: u64::read(buf).ok()?,
        };
        (!bytes::Buf::has_remaining(buf)).then_some(consent)
    }

    /// Whether it holds at `now_ms`: not revoked, not past its end.
    pub fn active_at(&self, now_ms: u64) -> bool {
        self.revoked_ms.is_none() && now_ms < self.terms.until_ms
    }
}

impl Access {
    /// Its stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        (self.category.as_bytes(), self.digest, self.at_ms)
            .encode()
            .to_vec()
    }

    /// Reads [`Access::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let cfg = ((commonware_codec::RangeCfg::new(1..=32), ()), (), ());
        let (category, digest, at_ms) =
            <(Vec<u8>, Digest, u64)>::decode_cfg(Copying(bytes), &cfg).ok()?;
        Some(Self {
            category: String::from_utf8(category).ok()?,
            digest,
            at_ms,
        })
    }
}

impl Registry {
    /// The sender consents on `terms`; the consent is named by the
    /// transaction's hash.
    pub(crate) fn grant_consent(
        &mut self,
        caller: &Caller<'_>,
        terms: &ConsentTerms,
    ) -> Result<(), RegistryError> {
        let life = terms.until_ms.checked_sub(caller.now_ms);
        let lasting = life.is_some_and(|life| (1..=MAX_VALIDITY_MS).contains(&life));
        if !lasting || terms.purpose.trim().is_empty() || terms.data_user == *caller.sender {
            return Err(RegistryError::BadConsent);
        }
        let consent = Consent {
            subject: *caller.sender,
            terms: terms.clone(),
            granted_ms: caller.now_ms,
            revoked_ms: None,
            accesses: 0,
        };
        self.consents_of
            .insert((*caller.sender, caller.tx_hash), ());
        self.consents.insert(caller.tx_hash, consent);
        Ok(())
    }

    /// The person who granted consent `id` revokes it.
    pub(crate) fn revoke_consent(
        &mut self,
        caller: &Caller<'_>,
        id: &Digest,
    ) -> Result<(), RegistryError> {
        let mut consent = self.consent_named(id)?;
        if consent.subject != *caller.sender {
            return Err(RegistryError::NotConsentSubject { id: to_hex(id) });
        }
        if consent.revoked_ms.is_some() {
            return Err(RegistryError::ConsentRevoked { id: to_hex(id) });
        }
        consent.revoked_ms = Some(caller.now_ms);
        self.consents.insert(*id, consent);
        Ok(())
    }

    /// The data user logs an access under consent `id`.
    pub(crate) fn record_access(
        &mut self,
        caller: &Caller<'_>,
        id: &Digest,
        purpose: &str,
        category: &str,
        digest: &Digest,
    ) -> Result<(), RegistryError> {
        let mut consent = self.consent_named(id)?;
        if consent.terms.data_user != *caller.sender {
            return Err(RegistryError::NotConsentDataUser { id: to_hex(id) });
        }
        if consent.revoked_ms.is_some() {
            return Err(RegistryError::ConsentRevoked { id: to_hex(id) });
        }
        if !consent.active_at(caller.now_ms) {
            return Err(RegistryError::ConsentExpired { id: to_hex(id) });
        }
        if consent.terms.purpose != purpose {
            return Err(RegistryError::PurposeNotConsented {
                purpose: purpose.into(),
            });
        }
        if !consent.terms.categories.iter().any(|c| c == category) {
            return Err(RegistryError::CategoryNotConsented {
                category: category.into(),
            });
        }
        let access = Access {
            category: category.into(),
            digest: *digest,
            at_ms: caller.now_ms,
        };
        self.accesses.insert((*id, consent.accesses), access);
        consent.accesses += 1;
        self.consents.insert(*id, consent);
        Ok(())
    }

    fn consent_named(&self, id: &Digest) -> Result<Consent, RegistryError> {
        (self.consents.get(id).cloned())
            .ok_or_else(|| RegistryError::UnknownConsent { id: to_hex(id) })
    }

    /// Consent `id`, if it was granted.
    pub fn consent(&self, id: &Digest) -> Option<&Consent> {
        self.consents.get(id)
    }

    /// The `n`-th access logged under consent `id`.
    pub fn access(&self, id: &Digest, n: u64) -> Option<&Access> {
        self.accesses.get(&(*id, n))
    }

    /// The consents `subject` granted, by name (an ordered range: the cost
    /// follows what it holds).
    pub fn consents_of<'a>(
        &'a self,
        subject: &AccountId,
    ) -> impl Iterator<Item = (&'a Digest, &'a Consent)> + 'a {
        let from = (*subject, Digest::from([0; 32]));
        let subject = *subject;
        (self.consents_of.range(from..))
            .take_while(move |((owner, _), ())| *owner == subject)
            .filter_map(|((_, id), ())| self.consents.get(id).map(|c| (id, c)))
    }
}

fn to_hex(id: &Digest) -> String {
    digest::to_hex(id)
}
