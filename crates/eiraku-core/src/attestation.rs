//! The attestation record: what the state holds under
//! `registry/attestation/<id>`, here so that a light client reads it from a
//! state proof. An attestation is named by the hash of the transaction that
//! recorded it: the attester knows the name before the call is final.

use crate::{hash, AccountId, Digest};

/// Most a validity window may span: ten years.
pub const MAX_VALIDITY_MS: u64 = 10 * 365 * 24 * 60 * 60 * 1000;
/// Latest end of validity: the last millisecond of year 9999, the last a
/// credential's RFC 3339 dates can spell.
pub const MAX_TIME_MS: u64 = 253_402_300_799_999;

/// The digest of the schema named `name` (`kyc/v1`, `licence/architect`,
/// …): the SHA-256 of `eiraku/schema/<name>`.
pub fn schema_named(name: &str) -> Digest {
    hash(&[b"eiraku/schema/", name.as_bytes()])
}

/// The schema of a KYC result (`kyc/v1`): the one a tier upgrade's
/// attestation must carry.
pub fn kyc_schema() -> Digest {
    schema_named("kyc/v1")
}

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
        let mut out = Vec::with_capacity(32 * 4 + 8 * 4);
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

    /// Reads [`Attestation::to_bytes`]; `None` for any other form.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attestation_keeps_its_stored_form_and_nothing_else_reads_as_one() {
        let mut attestation = Attestation {
            attester: AccountId::from_bytes([1; 32]),
            subject: AccountId::from_bytes([2; 32]),
            schema: kyc_schema(),
            claim: hash(&[b"claim"]),
            valid_from_ms: 10,
            valid_until_ms: 20,
            attested_ms: 12,
            revoked_ms: None,
        };
        let bytes = attestation.to_bytes();
        assert_eq!(Attestation::from_bytes(&bytes), Some(attestation));
        assert_eq!(Attestation::from_bytes(&bytes[1..]), None);
        assert!(attestation.valid_at(10) && attestation.valid_at(19));
        assert!(!attestation.valid_at(9) && !attestation.valid_at(20));
        attestation.revoked_ms = Some(15);
        let bytes = attestation.to_bytes();
        assert_eq!(Attestation::from_bytes(&bytes), Some(attestation));
        assert!(!attestation.valid_at(16));
    }
}
