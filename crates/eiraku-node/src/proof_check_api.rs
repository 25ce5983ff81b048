//! `POST /v1/proof/check`: a node checks a proof file (notary, transaction,
//! state, credential) with the same light client as `eiraku proof verify`,
//! against the genesis validator set. For the console's proof checker,
//! which says plainly that the answer is this node's: to trust no node,
//! run `eiraku proof verify` on one's own machine.

use crate::api::{ApiContext, ApiError};
use axum::{
    body::Bytes,
    extract::{Query, State},
    routing::post,
    Json, Router,
};
pub use eiraku_api::ProofCheckView;
use eiraku_core::{
    digest,
    proof::{AnyProof, LightClient, ProofError},
};
use utoipa::OpenApi;

/// Largest proof file taken.
const MAX_PROOF_BYTES: usize = 1 << 20;

/// For a notary proof: the notarized file's SHA-256 (the file itself is
/// never sent).
#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct FileDigest {
    /// The file's SHA-256 (hex).
    file_sha256: Option<String>,
}

/// Check a proof file (its JSON as the body).
#[utoipa::path(post, path = "/v1/proof/check", params(FileDigest), request_body(content = String, content_type = "application/json"),
    responses((status = 200, body = ProofCheckView), (status = 400, body = crate::api::ErrorBody)))]
async fn check(
    State(context): State<ApiContext>,
    Query(file): Query<FileDigest>,
    body: Bytes,
) -> Result<Json<ProofCheckView>, ApiError> {
    if body.len() > MAX_PROOF_BYTES {
        return Err(ApiError::bad_request("a proof file is at most 1 MiB"));
    }
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("not UTF-8 text"))?;
    let proof = AnyProof::from_json(text).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let light = LightClient::from_genesis(context.chain.genesis()).map_err(ApiError::internal)?;
    let now_ms = context.chain.finalized_state().timestamp_ms();
    Ok(Json(match proof {
        AnyProof::Notary(notary) => {
            let text = file.file_sha256.ok_or_else(|| {
                ApiError::bad_request(
                    "a notary proof is checked against its file: send file_sha256",
                )
            })?;
            let file = digest::from_hex(&text)
                .ok_or_else(|| ApiError::bad_request("file_sha256 is 64 hex characters"))?;
            verdict("notary", light.verify_notary_digest(&notary, &file), |n| {
                let by = n.anchored_by.to_hex();
                (
                    format!(
                        "the file was notarized in block {} by account {by}",
                        n.height
                    ),
                    n.height,
                    n.timestamp_ms,
                )
            })
        }
        AnyProof::Transaction(tx) => verdict("transaction", light.verify_tx(&tx), |t| {
            let hash = digest::to_hex(&t.transaction.hash());
            (
                format!("transaction {hash} is final in block {}", t.height),
                t.height,
                t.timestamp_ms,
            )
        }),
        AnyProof::State(state) => verdict("state", light.verify_state(&state), |s| {
            let held = match &s.value {
                Some(value) => format!("held {} bytes", value.len()),
                None => "did not exist".into(),
            };
            (
                format!("state entry {} {held} at block {}", s.key, s.height),
                s.height,
                s.timestamp_ms,
            )
        }),
        AnyProof::Credential(credential) => {
            let checked = light.verify_credential(&credential, None);
            let mut view = verdict("credential", checked.as_ref().map_err(Clone::clone), |c| {
                let a = &c.attestation;
                let about = a.subject.to_hex();
                (
                    format!(
                        "an unrevoked attestation about {about} as of block {}",
                        c.height
                    ),
                    c.height,
                    c.timestamp_ms,
                )
            });
            if let Ok(c) = checked {
                let a = c.attestation;
                if now_ms < a.valid_from_ms || now_ms >= a.valid_until_ms {
                    view.valid = false;
                    view.summary =
                        "the credential is outside its window at the latest block".into();
                }
            }
            view
        }
    }))
}

/// The view of a check: what it proves, or why it fails.
fn verdict<T>(
    kind: &str,
    result: Result<T, ProofError>,
    proves: impl FnOnce(&T) -> (String, u64, u64),
) -> ProofCheckView {
    match result {
        Ok(checked) => {
            let (summary, height, timestamp_ms) = proves(&checked);
            ProofCheckView {
                kind: kind.into(),
                valid: true,
                summary,
                height: Some(height),
                timestamp_ms: Some(timestamp_ms),
            }
        }
        Err(error) => ProofCheckView {
            kind: kind.into(),
            valid: false,
            summary: error.to_string(),
            height: None,
            timestamp_ms: None,
        },
    }
}

#[derive(OpenApi)]
#[openapi(paths(check), components(schemas(ProofCheckView)))]
pub(crate) struct ProofCheckApiDoc;

/// The route.
pub fn routes() -> Router<ApiContext> {
    Router::new().route("/v1/proof/check", post(check))
}
