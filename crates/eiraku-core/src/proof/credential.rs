//! An attestation as a W3C Verifiable Credential (Data Model 2.0, JSON)
//! whose proof is the ledger's state proof of the attestation's entry: a
//! verifier needs only the genesis file. The credential's fields repeat the
//! proven entry, and each must match it; a revocation shows in a newer
//! state proof of the same entry.

use super::{LightClient, ProofError, StateProof, VerifiedState};
use crate::{attestation::Attestation, digest, registry::RegistryKey, Digest, StateKey};
use serde::{Deserialize, Serialize};

/// The base context of Data Model 2.0.
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The credential type after `VerifiableCredential`.
pub const ATTESTATION_TYPE: &str = "EirakuAttestation";
/// The proof type: a state proof checked against the genesis file.
pub const STATE_PROOF_TYPE: &str = "EirakuStateProof";

/// A Verifiable Credential of one attestation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// `[CREDENTIALS_V2]`.
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// `urn:eiraku:<chain>:attestation:<hex id>`.
    pub id: String,
    /// `["VerifiableCredential", "EirakuAttestation"]`.
    #[serde(rename = "type")]
    pub kinds: Vec<String>,
    /// The attester: `urn:eiraku:<chain>:account:<hex>`.
    pub issuer: String,
    /// Start of validity (RFC 3339).
    #[serde(rename = "validFrom")]
    pub valid_from: String,
    /// End of validity (RFC 3339, exclusive).
    #[serde(rename = "validUntil")]
    pub valid_until: String,
    /// What is attested, about whom.
    #[serde(rename = "credentialSubject")]
    pub subject: CredentialSubject,
    /// The ledger's proof.
    pub proof: CredentialProof,
}

/// The credential's subject and claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSubject {
    /// The subject: `urn:eiraku:<chain>:account:<hex>`.
    pub id: String,
    /// Digest of the claim's schema (hex).
    pub schema: String,
    /// Digest of the claim (hex); the claim itself stays with the holder.
    pub claim: String,
}

/// The proof: the state proof of `registry/attestation/<id>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialProof {
    /// [`STATE_PROOF_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The proven block's time (RFC 3339).
    pub created: String,
    /// The state proof.
    #[serde(rename = "stateProof")]
    pub state_proof: StateProof,
}

/// What a checked credential establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCredential {
    /// The attestation's name (its transaction's hash).
    pub id: Digest,
    /// The attestation as last proven.
    pub attestation: Attestation,
    /// The last proven block's height.
    pub height: u64,
    /// Its time (ms since the Unix epoch).
    pub timestamp_ms: u64,
}

/// A block time as RFC 3339 (UTC); `None` past year 9999.
pub fn rfc3339(ms: u64) -> Option<String> {
    let nanos = i128::from(ms) * 1_000_000;
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    at.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

fn urn(chain: &str, kind: &str, hex: &str) -> String {
    format!("urn:eiraku:{chain}:{kind}:{hex}")
}

impl Credential {
    /// The credential of attestation `id`, from its state proof (which
    /// must prove it present). `None` when the proof holds no attestation.
    pub fn new(id: &Digest, state_proof: StateProof) -> Option<Self> {
        let value = hex::decode(state_proof.value.as_deref()?).ok()?;
        let attestation = Attestation::from_bytes(&value)?;
        let header = super::decode_header(&state_proof.header).ok()?;
        let chain = state_proof.chain_id.clone();
        Some(Self {
            context: vec![CREDENTIALS_V2.into()],
            id: urn(&chain, "attestation", &digest::to_hex(id)),
            kinds: vec!["VerifiableCredential".into(), ATTESTATION_TYPE.into()],
            issuer: urn(&chain, "account", &attestation.attester.to_hex()),
            valid_from: rfc3339(attestation.valid_from_ms)?,
            valid_until: rfc3339(attestation.valid_until_ms)?,
            subject: CredentialSubject {
                id: urn(&chain, "account", &attestation.subject.to_hex()),
                schema: digest::to_hex(&attestation.schema),
                claim: digest::to_hex(&attestation.claim),
            },
            proof: CredentialProof {
                kind: STATE_PROOF_TYPE.into(),
                created: rfc3339(header.timestamp_ms)?,
                state_proof,
            },
        })
    }

    /// The attestation the credential names.
    fn named(&self) -> Result<Digest, ProofError> {
        let prefix = urn(&self.proof.state_proof.chain_id, "attestation", "");
        let named = self.id.strip_prefix(&prefix).and_then(digest::from_hex);
        // One spelling only: lower-case hex, as the exporter writes it.
        named
            .filter(|id| {
                self.id
                    == urn(
                        &self.proof.state_proof.chain_id,
                        "attestation",
                        &digest::to_hex(id),
                    )
            })
            .ok_or(ProofError::CredentialMismatch("id"))
    }

    /// Checks that every field says what `attestation` holds.
    fn matches(&self, attestation: &Attestation) -> Result<(), ProofError> {
        let chain = &self.proof.state_proof.chain_id;
        let account = |id: &crate::AccountId| urn(chain, "account", &id.to_hex());
        let fields = [
            ("@context", self.context == [CREDENTIALS_V2]),
            (
                "type",
                self.kinds == ["VerifiableCredential", ATTESTATION_TYPE],
            ),
            ("proof type", self.proof.kind == STATE_PROOF_TYPE),
            ("issuer", self.issuer == account(&attestation.attester)),
            ("subject", self.subject.id == account(&attestation.subject)),
            (
                "schema",
                self.subject.schema == digest::to_hex(&attestation.schema),
            ),
            (
                "claim",
                self.subject.claim == digest::to_hex(&attestation.claim),
            ),
            (
                "validFrom",
                Some(&self.valid_from) == rfc3339(attestation.valid_from_ms).as_ref(),
            ),
            (
                "validUntil",
                Some(&self.valid_until) == rfc3339(attestation.valid_until_ms).as_ref(),
            ),
        ];
        match fields.iter().find(|(_, holds)| !holds) {
            Some((field, _)) => Err(ProofError::CredentialMismatch(field)),
            None => Ok(()),
        }
    }
}

impl LightClient {
    /// Checks a credential offline: its state proof against the genesis
    /// validators, the proven entry is its attestation, unrevoked, and
    /// every field says what the entry holds. With `newer`, a later state
    /// proof of the same entry, the attestation must still be unrevoked
    /// there.
    pub fn verify_credential(
        &self,
        credential: &Credential,
        newer: Option<&StateProof>,
    ) -> Result<VerifiedCredential, ProofError> {
        let id = credential.named()?;
        let proven = self.verify_state(&credential.proof.state_proof)?;
        if Some(&credential.proof.created) != rfc3339(proven.timestamp_ms).as_ref() {
            return Err(ProofError::CredentialMismatch("proof's created time"));
        }
        let attestation = proven_attestation(&proven, &id)?;
        credential.matches(&attestation)?;
        let latest = match newer {
            Some(newer) => {
                let later = self.verify_state(newer)?;
                if later.key != proven.key {
                    return Err(ProofError::NotNewer("is about another entry"));
                }
                if later.height < proven.height {
                    return Err(ProofError::NotNewer("is older than the credential's"));
                }
                later
            }
            None => proven,
        };
        let attestation = proven_attestation(&latest, &id)?;
        if let Some(revoked_ms) = attestation.revoked_ms {
            return Err(ProofError::CredentialRevoked {
                revoked_ms,
                height: latest.height,
            });
        }
        Ok(VerifiedCredential {
            id,
            attestation,
            height: latest.height,
            timestamp_ms: latest.timestamp_ms,
        })
    }
}

/// The attestation `id` a verified state proof holds.
fn proven_attestation(proven: &VerifiedState, id: &Digest) -> Result<Attestation, ProofError> {
    if proven.key != StateKey::Registry(RegistryKey::Attestation(*id)) {
        return Err(ProofError::CredentialMismatch("proof's entry"));
    }
    let absent = || ProofError::CredentialAbsent(digest::to_hex(id));
    let value = proven.value.as_deref().ok_or_else(absent)?;
    Attestation::from_bytes(value).ok_or(ProofError::Malformed("attestation"))
}
