//! Attestations: an attester (a role governance grants) states a claim
//! about an account — a KYC result, a qualification — by the claim's
//! digest under a schema, valid for a time, and may revoke it. An
//! attestation belongs to its subject for good: no call moves it. Anyone
//! checks one is valid now from its entry, with a state proof. Each is
//! named by the hash of the transaction that recorded it.

use super::{Registry, RegistryError};
use eiraku_core::{
    attestation::{Attestation, MAX_TIME_MS, MAX_VALIDITY_MS},
    digest, AccountId, Digest, Role,
};

impl Registry {
    /// Records `attestation` as `id`; its attester must hold the attester
    /// role (`role`).
    pub(crate) fn attest(
        &mut self,
        role: Option<Role>,
        id: Digest,
        attestation: Attestation,
    ) -> Result<(), RegistryError> {
        if !matches!(role, Some(Role::Attester { .. })) {
            return Err(RegistryError::NotAttester);
        }
        let window = attestation
            .valid_until_ms
            .checked_sub(attestation.valid_from_ms);
        let spellable = attestation.valid_until_ms <= MAX_TIME_MS;
        if !spellable || !window.is_some_and(|span| (1..=MAX_VALIDITY_MS).contains(&span)) {
            return Err(RegistryError::BadValidity);
        }
        // A transaction runs once, so its hash names one attestation.
        self.attestations.insert(id, attestation);
        Ok(())
    }

    /// The attester that issued attestation `id` revokes it.
    pub(crate) fn revoke_attestation(
        &mut self,
        sender: &AccountId,
        id: Digest,
        now_ms: u64,
    ) -> Result<(), RegistryError> {
        let named = || digest::to_hex(&id);
        let mut attestation = *self
            .attestations
            .get(&id)
            .ok_or_else(|| RegistryError::UnknownAttestation { id: named() })?;
        if attestation.attester != *sender {
            return Err(RegistryError::NotItsAttester { id: named() });
        }
        if attestation.revoked_ms.is_some() {
            return Err(RegistryError::AttestationRevoked { id: named() });
        }
        attestation.revoked_ms = Some(now_ms);
        self.attestations.insert(id, attestation);
        Ok(())
    }

    /// Attestation `id`, if it was recorded.
    pub fn attestation(&self, id: &Digest) -> Option<&Attestation> {
        self.attestations.get(id)
    }
}
