//! Registries of versioned records (seed 001: base registries that several
//! authorities write and many rely on). A registry authority creates a
//! registry: its name, the SHA-256 of the JSON Schema its records follow,
//! its writers and its access group. A record's payload (JSON) stays off
//! the ledger, sealed with HPKE to every member of the access group (as
//! the travel rule seals its data); the ledger keeps, per version, the
//! payload's digest and the sealed envelope's digest. Only a member's
//! signed request retrieves the envelope from a node.

use crate::{
    hash,
    sealed::{self, SealError, SealedCopy},
    travel_rule::{TravelKey, TravelSecret},
    AccountId, ChainId, Digest,
};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, RangeCfg, Read, ReadExt, Write};
use serde::{Deserialize, Serialize};

/// Most writers, and most members, a registry names.
pub const MAX_PARTIES: usize = 32;
/// Longest registry name.
pub const MAX_NAME_BYTES: usize = 32;
/// Longest record key.
pub const MAX_KEY_BYTES: usize = 64;
/// The payload envelope format's version.
pub const PAYLOAD_VERSION: u8 = 1;
/// Largest payload envelope a node keeps, in bytes of JSON.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// Namespace of a member's signed request for a payload.
pub const PAYLOAD_REQUEST_NAMESPACE: &[u8] = b"EIRAKU_REGISTRY_PAYLOAD_REQUEST";
/// HPKE `info` of payload copies.
const INFO: &[u8] = b"EIRAKU_REGISTRY_PAYLOAD_V1";

/// Whether `name` is a registry name: 1 to 32 of `a-z`, `0-9`, `-`.
pub fn is_registry_name(name: &str) -> bool {
    (1..=MAX_NAME_BYTES).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether `key` is a record key: 1 to 64 of `A-Z`, `a-z`, `0-9`, `.`,
/// `_`, `-` (it appears in state keys' text, between slashes).
pub fn is_record_key(key: &str) -> bool {
    (1..=MAX_KEY_BYTES).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// What names registry `name` in the state: its domain-separated SHA-256
/// (state keys are fixed-size).
pub fn registry_id(name: &str) -> Digest {
    hash(&[b"EIRAKU_REGISTRY\0", name.as_bytes()])
}

/// What names record `key` of registry `name` in the state.
pub fn record_id(name: &str, key: &str) -> Digest {
    hash(&[b"EIRAKU_RECORD\0", name.as_bytes(), b"\0", key.as_bytes()])
}

/// A registry as its authority creates it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryTerms {
    /// Its name.
    pub name: String,
    /// SHA-256 of the JSON Schema its records follow.
    #[serde(
        serialize_with = "crate::digest::serialize_hex",
        deserialize_with = "crate::digest::deserialize_hex"
    )]
    pub schema: Digest,
    /// Who may write records.
    pub writers: Vec<AccountId>,
    /// The access group: who may read payloads (each holds an X25519 key
    /// on the ledger, as travel-rule parties do).
    pub members: Vec<AccountId>,
}

impl Write for RegistryTerms {
    fn write(&self, buf: &mut impl BufMut) {
        self.name.as_bytes().write(buf);
        self.schema.write(buf);
        self.writers.write(buf);
        self.members.write(buf);
    }
}

impl EncodeSize for RegistryTerms {
    fn encode_size(&self) -> usize {
        self.name.as_bytes().encode_size()
            + 32
            + self.writers.encode_size()
            + self.members.encode_size()
    }
}

impl Read for RegistryTerms {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let name = read_name(buf, MAX_NAME_BYTES)?;
        if !is_registry_name(&name) {
            return Err(Error::Invalid(
                "RegistryTerms",
                "a name is 1-32 of a-z, 0-9, -",
            ));
        }
        let parties = (RangeCfg::new(1..=MAX_PARTIES), ());
        Ok(Self {
            name,
            schema: Digest::read(buf)?,
            writers: Vec::<AccountId>::read_cfg(buf, &parties)?,
            members: Vec::<AccountId>::read_cfg(buf, &parties)?,
        })
    }
}

/// Reads length-prefixed UTF-8 text of at most `max` bytes.
pub(crate) fn read_name(buf: &mut impl Buf, max: usize) -> Result<String, Error> {
    let bytes = Vec::<u8>::read_cfg(buf, &(RangeCfg::new(1..=max), ()))?;
    String::from_utf8(bytes).map_err(|_| Error::Invalid("text", "not UTF-8"))
}

/// A record's payload, sealed to its registry's access group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayloadEnvelope {
    /// Format version ([`PAYLOAD_VERSION`]).
    pub version: u8,
    /// The registry.
    pub registry: String,
    /// The record's key.
    pub key: String,
    /// The record's version.
    pub record_version: u64,
    /// One sealed copy per member.
    pub copies: Vec<SealedCopy>,
}

/// Why a payload envelope was refused or could not be opened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not an envelope, or too large.
    #[error("malformed payload envelope: {0}")]
    Malformed(String),
    /// Its copies are not one per member.
    #[error("the payload envelope is not sealed to the registry's members: {0}")]
    Recipients(SealError),
    /// This key does not open it.
    #[error("this key does not open the payload")]
    CannotOpen,
}

impl PayloadEnvelope {
    fn aad(registry: &str, key: &str, record_version: u64) -> Vec<u8> {
        let mut aad = Vec::with_capacity(registry.len() + key.len() + 10);
        aad.extend_from_slice(registry.as_bytes());
        aad.push(0);
        aad.extend_from_slice(key.as_bytes());
        aad.push(0);
        aad.extend_from_slice(&record_version.to_be_bytes());
        aad
    }

    /// Seals `payload` as version `record_version` of `key` in `registry`
    /// to each member.
    pub fn seal(
        payload: &[u8],
        registry: &str,
        key: &str,
        record_version: u64,
        members: &[(AccountId, TravelKey)],
    ) -> Result<Self, PayloadError> {
        let aad = Self::aad(registry, key, record_version);
        let copies = sealed::seal(payload, INFO, &aad, members)
            .map_err(|e| PayloadError::Malformed(e.to_string()))?;
        Ok(Self {
            version: PAYLOAD_VERSION,
            registry: registry.into(),
            key: key.into(),
            record_version,
            copies,
        })
    }

    /// Opens `holder`'s copy: the payload.
    pub fn open(&self, holder: &AccountId, secret: &TravelSecret) -> Result<Vec<u8>, PayloadError> {
        let aad = Self::aad(&self.registry, &self.key, self.record_version);
        sealed::open(&self.copies, holder, secret, INFO, &aad).map_err(|_| PayloadError::CannotOpen)
    }

    /// The canonical bytes (compact JSON, fields in declared order).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an envelope serializes")
    }

    /// What a record names: SHA-256 of the canonical bytes.
    pub fn digest(&self) -> Digest {
        hash(&[b"EIRAKU_REGISTRY_PAYLOAD", &self.to_bytes()])
    }

    /// Parses an envelope a client sent.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PayloadError> {
        if bytes.len() > MAX_PAYLOAD_BYTES {
            return Err(PayloadError::Malformed(format!(
                "{} bytes, more than {MAX_PAYLOAD_BYTES}",
                bytes.len()
            )));
        }
        let envelope: Self =
            serde_json::from_slice(bytes).map_err(|e| PayloadError::Malformed(e.to_string()))?;
        if envelope.version != PAYLOAD_VERSION {
            return Err(PayloadError::Malformed(format!(
                "version {} (expected {PAYLOAD_VERSION})",
                envelope.version
            )));
        }
        Ok(envelope)
    }

    /// Checks there is exactly one well-formed copy per member.
    pub fn check(&self, members: &[AccountId]) -> Result<(), PayloadError> {
        sealed::check(&self.copies, members).map_err(PayloadError::Recipients)
    }
}

/// What a member signs to fetch a payload: the chain, the record, and the
/// time of asking (a node refuses a request older than a few minutes).
pub fn payload_request(
    chain: &ChainId,
    registry: &str,
    key: &str,
    record_version: u64,
    at_ms: u64,
) -> Vec<u8> {
    let mut message = Vec::new();
    message.extend_from_slice(chain.as_str().as_bytes());
    message.push(0);
    message.extend_from_slice(&PayloadEnvelope::aad(registry, key, record_version));
    message.extend_from_slice(&at_ms.to_be_bytes());
    message
}

/// What a writer signs to deposit `envelope` at a node: the deposit's mark,
/// then the envelope's record as [`payload_request`] names it, then its
/// digest (a node keeps only what a writer of its registry vouches for).
pub fn deposit_request(chain: &ChainId, envelope: &PayloadEnvelope, at_ms: u64) -> Vec<u8> {
    let (registry, key) = (&envelope.registry, &envelope.key);
    let mut message = b"deposit\0".to_vec();
    message.extend(payload_request(
        chain,
        registry,
        key,
        envelope.record_version,
        at_ms,
    ));
    message.extend_from_slice(envelope.digest().as_ref());
    message
}

/// A member's signature of [`payload_request`] (hex).
pub fn sign_payload_request(key: &crate::Keypair, message: &[u8]) -> String {
    use commonware_codec::Encode;
    hex::encode(key.sign(PAYLOAD_REQUEST_NAMESPACE, message).encode())
}

/// Whether `signature` (hex) is `key`'s signature of [`payload_request`]
/// `message`.
pub fn verify_payload_request(key: &AccountId, message: &[u8], signature: &str) -> bool {
    use commonware_codec::DecodeExt;
    use commonware_cryptography::Verifier as _;
    let Some(bytes) = hex::decode(signature).ok() else {
        return false;
    };
    let Ok(signature) = commonware_cryptography::ed25519::Signature::decode(
        commonware_codec::Copying(bytes.as_slice()),
    ) else {
        return false;
    };
    key.public_key()
        .is_ok_and(|public| public.verify(PAYLOAD_REQUEST_NAMESPACE, message, &signature))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Keypair;
    use commonware_codec::{Copying, DecodeExt, Encode};

    #[test]
    fn a_payload_request_verifies_with_its_signer_only() {
        let chain = ChainId::new("test").unwrap();
        let (member, other) = (Keypair::from_seed(1), Keypair::from_seed(2));
        let message = payload_request(&chain, "companies", "701", 1, 5);
        let signature = sign_payload_request(&member, &message);
        assert!(verify_payload_request(
            &member.account_id(),
            &message,
            &signature
        ));
        assert!(!verify_payload_request(
            &other.account_id(),
            &message,
            &signature
        ));
        let later = payload_request(&chain, "companies", "701", 2, 5);
        assert!(!verify_payload_request(
            &member.account_id(),
            &later,
            &signature
        ));
        assert!(!verify_payload_request(
            &member.account_id(),
            &message,
            "zz"
        ));
    }

    #[test]
    fn names_and_keys_keep_to_their_alphabets() {
        assert!(is_registry_name("companies-jp"));
        assert!(
            !is_registry_name("Companies") && !is_registry_name("") && !is_registry_name("a/b")
        );
        assert!(is_record_key("7010001008844") && is_record_key("JP.land_12-3"));
        assert!(!is_record_key("a/b") && !is_record_key(&"k".repeat(65)));
    }

    #[test]
    fn terms_round_trip_and_a_bad_name_is_refused() {
        let terms = RegistryTerms {
            name: "companies".into(),
            schema: hash(&[b"schema"]),
            writers: vec![Keypair::from_seed(1).account_id()],
            members: vec![Keypair::from_seed(2).account_id()],
        };
        let bytes = terms.encode();
        assert_eq!(bytes.len(), terms.encode_size());
        assert_eq!(
            RegistryTerms::decode(Copying(bytes.as_ref())).unwrap(),
            terms
        );
        let mut bad = terms.clone();
        bad.name = "Bad/Name".into();
        assert!(RegistryTerms::decode(Copying(bad.encode().as_ref())).is_err());
        let mut nobody = terms;
        nobody.members.clear();
        assert!(RegistryTerms::decode(Copying(nobody.encode().as_ref())).is_err());
    }

    #[test]
    fn a_payload_opens_for_members_only_and_only_as_the_record_it_was_sealed_for() {
        let (member, outsider) = (
            Keypair::from_seed(1).account_id(),
            Keypair::from_seed(2).account_id(),
        );
        let (secret, public) = TravelSecret::generate();
        let (other, _) = TravelSecret::generate();
        let payload = br#"{"name":"Eiraku KK"}"#;
        let envelope =
            PayloadEnvelope::seal(payload, "companies", "701", 1, &[(member, public)]).unwrap();
        envelope.check(&[member]).unwrap();
        assert!(envelope.check(&[member, outsider]).is_err());
        assert_eq!(envelope.open(&member, &secret).unwrap(), payload);
        assert_eq!(
            envelope.open(&member, &other),
            Err(PayloadError::CannotOpen)
        );
        assert_eq!(
            envelope.open(&outsider, &secret),
            Err(PayloadError::CannotOpen)
        );
        let mut moved = envelope.clone();
        moved.record_version = 2;
        assert_eq!(moved.open(&member, &secret), Err(PayloadError::CannotOpen));
        let back = PayloadEnvelope::from_json(&envelope.to_bytes()).unwrap();
        assert_eq!(back.digest(), envelope.digest());
    }
}
