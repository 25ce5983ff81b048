//! A proof file of any kind, told by the field only that kind has: a notary
//! proof's `file_sha256`, a credential's `credentialSubject`, a state
//! proof's `key` (format 1: `leaves`), a transaction proof's `transaction`.

use super::{Credential, NotaryProof, StateProof, TxProof};

/// A parsed proof file.
#[derive(Debug)]
pub enum AnyProof {
    /// A file's notarization (checked against the file).
    Notary(Box<NotaryProof>),
    /// An attestation's Verifiable Credential.
    Credential(Box<Credential>),
    /// A state entry, or its absence.
    State(Box<StateProof>),
    /// A transaction in a finalized block.
    Transaction(Box<TxProof>),
}

#[derive(serde::Deserialize)]
struct Shape {
    file_sha256: Option<serde::de::IgnoredAny>,
    leaves: Option<serde::de::IgnoredAny>,
    key: Option<serde::de::IgnoredAny>,
    transaction: Option<serde::de::IgnoredAny>,
    #[serde(rename = "credentialSubject")]
    credential_subject: Option<serde::de::IgnoredAny>,
}

/// Why a text is no proof file this client reads.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofFileError {
    /// Not JSON at all.
    #[error("this is not JSON")]
    NotJson,
    /// Shaped like a kind of proof, but not a valid one.
    #[error("this is not a valid {0}")]
    Invalid(&'static str),
    /// A state proof of the format before key-value state roots.
    #[error("this is a state proof of format 1, from before state roots came from the key-value store; fetch it again with `eiraku proof state`")]
    OldStateProof,
    /// No kind of proof has its fields.
    #[error("this is neither a notary, transaction nor state proof, nor a credential")]
    UnknownKind,
}

impl AnyProof {
    /// Reads a proof file's JSON; the error says what it is not.
    pub fn from_json(text: &str) -> Result<Self, ProofFileError> {
        let shape: Shape = serde_json::from_str(text).map_err(|_| ProofFileError::NotJson)?;
        fn parse<T: serde::de::DeserializeOwned>(
            text: &str,
            kind: &'static str,
        ) -> Result<Box<T>, ProofFileError> {
            serde_json::from_str(text)
                .map(Box::new)
                .map_err(|_| ProofFileError::Invalid(kind))
        }
        if shape.file_sha256.is_some() {
            return parse(text, "notary proof").map(Self::Notary);
        }
        if shape.credential_subject.is_some() {
            return parse(text, "credential").map(Self::Credential);
        }
        if shape.leaves.is_some() {
            return Err(ProofFileError::OldStateProof);
        }
        if shape.key.is_some() {
            return parse(text, "state proof").map(Self::State);
        }
        if shape.transaction.is_some() {
            return parse(text, "transaction proof").map(Self::Transaction);
        }
        Err(ProofFileError::UnknownKind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_what_a_file_is_not() {
        let error = |text: &str| AnyProof::from_json(text).unwrap_err();
        assert_eq!(error("[1"), ProofFileError::NotJson);
        assert_eq!(error("{}"), ProofFileError::UnknownKind);
        let half = r#"{"file_sha256": "ab"}"#;
        assert_eq!(error(half), ProofFileError::Invalid("notary proof"));
        assert_eq!(error(half).to_string(), "this is not a valid notary proof");
        assert_eq!(error(r#"{"leaves": []}"#), ProofFileError::OldStateProof);
    }
}
