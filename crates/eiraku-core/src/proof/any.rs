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

impl AnyProof {
    /// Reads a proof file's JSON; the error says what it is not.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let shape: Shape =
            serde_json::from_str(text).map_err(|_| "this is not JSON".to_string())?;
        let parse = |kind: &str| format!("this is not a valid {kind}");
        if shape.file_sha256.is_some() {
            return serde_json::from_str(text)
                .map(|p| Self::Notary(Box::new(p)))
                .map_err(|_| parse("notary proof"));
        }
        if shape.credential_subject.is_some() {
            return serde_json::from_str(text)
                .map(|c| Self::Credential(Box::new(c)))
                .map_err(|_| parse("credential"));
        }
        if shape.leaves.is_some() {
            return Err("this is a state proof of format 1, from before state roots came from the key-value store; fetch it again with `eiraku proof state`".into());
        }
        if shape.key.is_some() {
            return serde_json::from_str(text)
                .map(|p| Self::State(Box::new(p)))
                .map_err(|_| parse("state proof"));
        }
        if shape.transaction.is_some() {
            return serde_json::from_str(text)
                .map(|p| Self::Transaction(Box::new(p)))
                .map_err(|_| parse("transaction proof"));
        }
        Err("this is neither a notary, transaction nor state proof, nor a credential".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_what_a_file_is_not() {
        assert_eq!(AnyProof::from_json("[1").unwrap_err(), "this is not JSON");
        assert!(AnyProof::from_json("{}").unwrap_err().contains("neither"));
        let half = r#"{"file_sha256": "ab"}"#;
        assert_eq!(
            AnyProof::from_json(half).unwrap_err(),
            "this is not a valid notary proof"
        );
        assert!(AnyProof::from_json(r#"{"leaves": []}"#)
            .unwrap_err()
            .contains("format 1"));
    }
}
