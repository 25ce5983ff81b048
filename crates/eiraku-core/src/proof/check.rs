//! One check of a proof file of any kind, in words a person reads: the
//! node's `POST /v1/proof/check` and the console's in-browser checker
//! (this same code compiled to WebAssembly) give the same answers.

use super::{AnyProof, LightClient, ProofError, ProofFileError};
use crate::digest;
use serde::{Deserialize, Serialize};

/// What a proof file proves, or why it fails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofVerdict {
    /// `notary`, `transaction`, `state` or `credential`.
    pub kind: String,
    /// Whether it holds.
    pub valid: bool,
    /// What it proves, or why it fails, in words.
    pub summary: String,
    /// The proven block's height, when it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// The proven block's time, when it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_ms: Option<u64>,
}

/// Why a file could not be checked at all (as opposed to a proof that
/// fails its check).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckRequestError {
    /// The text is no proof file.
    #[error(transparent)]
    File(#[from] ProofFileError),
    /// A notary proof came without its file's digest.
    #[error("a notary proof is checked against its file: choose the file, or send its SHA-256 as file_sha256")]
    FileDigestMissing,
    /// The file's digest is not 64 hex characters.
    #[error("a file's SHA-256 is 64 hex characters")]
    FileDigestMalformed,
}

/// Checks the proof file `text` against `light`'s validator sets. A notary
/// proof needs its file's SHA-256 (hex); a credential must also be inside
/// its validity window at `now_ms`.
pub fn check_proof_file(
    light: &LightClient,
    text: &str,
    file_sha256: Option<&str>,
    now_ms: u64,
) -> Result<ProofVerdict, CheckRequestError> {
    Ok(match AnyProof::from_json(text)? {
        AnyProof::Notary(notary) => {
            let text = file_sha256.ok_or(CheckRequestError::FileDigestMissing)?;
            let file = digest::from_hex(text).ok_or(CheckRequestError::FileDigestMalformed)?;
            verdict("notary", light.verify_notary_digest(&notary, &file), |n| {
                let by = n.anchored_by.to_hex();
                let height = n.height;
                let summary = format!("the file was notarized in block {height} by account {by}");
                (summary, height, n.timestamp_ms)
            })
        }
        AnyProof::Transaction(tx) => verdict("transaction", light.verify_tx(&tx), |t| {
            let hash = digest::to_hex(&t.transaction.hash());
            let summary = format!("transaction {hash} is final in block {}", t.height);
            (summary, t.height, t.timestamp_ms)
        }),
        AnyProof::State(state) => verdict("state", light.verify_state(&state), |s| {
            let held = match &s.value {
                Some(value) => format!("held {} bytes", value.len()),
                None => "did not exist".into(),
            };
            let summary = format!("state entry {} {held} at block {}", s.key, s.height);
            (summary, s.height, s.timestamp_ms)
        }),
        AnyProof::Credential(credential) => {
            let checked = light.verify_credential(&credential, None);
            let in_window = |c: &super::VerifiedCredential| {
                let a = &c.attestation;
                a.valid_from_ms <= now_ms && now_ms < a.valid_until_ms
            };
            let mut view = verdict("credential", checked.as_ref().map_err(Clone::clone), |c| {
                let about = c.attestation.subject.to_hex();
                let summary = format!(
                    "an unrevoked attestation about {about} as of block {}",
                    c.height
                );
                (summary, c.height, c.timestamp_ms)
            });
            if checked.is_ok_and(|c| !in_window(&c)) {
                view = ProofVerdict {
                    valid: false,
                    summary: "the credential is outside its validity window".into(),
                    height: None,
                    timestamp_ms: None,
                    ..view
                };
            }
            view
        }
    })
}

/// The verdict of one check: what it proves, or why it fails.
fn verdict<T>(
    kind: &str,
    result: Result<T, ProofError>,
    proves: impl FnOnce(&T) -> (String, u64, u64),
) -> ProofVerdict {
    match result {
        Ok(checked) => {
            let (summary, height, timestamp_ms) = proves(&checked);
            ProofVerdict {
                kind: kind.into(),
                valid: true,
                summary,
                height: Some(height),
                timestamp_ms: Some(timestamp_ms),
            }
        }
        Err(error) => ProofVerdict {
            kind: kind.into(),
            valid: false,
            summary: error.to_string(),
            height: None,
            timestamp_ms: None,
        },
    }
}
