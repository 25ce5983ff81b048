//! Attestations: an attester (a role governance grants) states a claim
//! about an account — a KYC result, a qualification — by the claim's
//! digest under a schema, valid for a time, and may revoke it. An
//! attestation belongs to its subject for good: no call moves it. Anyone
//! checks one is valid now from its entry, with a state proof.

use super::{Registry, RegistryError};
use eiraku_core::{AccountId, Digest, Role};

/// Most a validity window may span: ten years.
pub const MAX_VALIDITY_MS: u64 = 10 * 365 * 24 * 60 * 60 * 1000;

/// One attestation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attestation {
    /// Who attested.
    pub attester: AccountId,
    /// Who it is about.
    pub subject: AccountId,
    /// Digest of the claim's schema.
    pub schema: Digest,
    /// Digest of the claim.
    pub claim: Digest,
    /// Start of validity, ms since the Unix epoch.
    pub valid_from_ms: u64,
    /// End of validity (exclusive).
    pub valid_until_ms: u64,
    /// Block time it was recorded.
    pub attested_ms: u64,
    /// Block time it was revoked, if it was.
    pub revoked_ms: Option<u64>,
}

impl Attestation {
    /// Whether it holds at `now_ms`: in its window and not revoked.
    pub fn valid_at(&self, now_ms: u64) -> bool {
        self.revoked_ms.is_none() && (self.valid_from_ms..self.valid_until_ms).contains(&now_ms)
    }

    /// Its stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 * 4 + 8 * 4 + 1);
        out.extend_from_slice(self.attester.as_bytes());
        out.extend_from_slice(self.subject.as_bytes());
        out.extend_from_slice(self.schema.as_ref());
        out.extend_from_slice(self.claim.as_ref());
        for word in [self.valid_from_ms, self.valid_until_ms, self.attested_ms] {
            out.extend_from_slice(&word.to_be_bytes());
        }
        if let Some(at) = self.revoked_ms {
            out.extend_from_slice(&at.to_be_bytes());
        }
        out
    }

    /// Reads [`Attestation::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 152 && bytes.len() != 160 {
            return None;
        }
        let part = |at: usize| -> [u8; 32] { bytes[at..at + 32].try_into().expect("32 bytes") };
        let word = |at: usize| u64::from_be_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        Some(Self {
            attester: AccountId::from_bytes(part(0)),
            subject: AccountId::from_bytes(part(32)),
            schema: Digest::from(part(64)),
            claim: Digest::from(part(96)),
            valid_from_ms: word(128),
            valid_until_ms: word(136),
            attested_ms: word(144),
            revoked_ms: (bytes.len() == 160).then(|| word(152)),
        })
    }
}

impl Registry {
    /// Records `attestation`, whose attester must hold the attester role
    /// (`role`); returns its number.
    pub(crate) fn attest(
        &mut self,
        role: Option<Role>,
        attestation: Attestation,
    ) -> Result<u64, RegistryError> {
        if !matches!(role, Some(Role::Attester { .. })) {
            return Err(RegistryError::NotAttester);
        }
        let window = attestation
            .valid_until_ms
            .checked_sub(attestation.valid_from_ms);
        if !window.is_some_and(|span| (1..=MAX_VALIDITY_MS).contains(&span)) {
            return Err(RegistryError::BadValidity);
        }
        let id = self
            .attestations
            .keys()
            .next_back()
            .map_or(0, |last| last + 1);
        self.attestations.insert(id, attestation);
        Ok(id)
    }

    /// The attester that issued attestation `id` revokes it.
    pub(crate) fn revoke_attestation(
        &mut self,
        sender: &AccountId,
        id: u64,
        now_ms: u64,
    ) -> Result<(), RegistryError> {
        let mut attestation = *self
            .attestations
            .get(&id)
            .ok_or(RegistryError::UnknownAttestation { id })?;
        if attestation.attester != *sender {
            return Err(RegistryError::NotItsAttester { id });
        }
        if attestation.revoked_ms.is_some() {
            return Err(RegistryError::AttestationRevoked { id });
        }
        attestation.revoked_ms = Some(now_ms);
        self.attestations.insert(id, attestation);
        Ok(())
    }

    /// Attestation `id`, if it was recorded.
    pub fn attestation(&self, id: u64) -> Option<&Attestation> {
        self.attestations.get(&id)
    }
}
