//! Checking proofs against the genesis validator set: `GET /v1/genesis`
//! serves the genesis file the checks start from, and
//! `POST /v1/proof/check` checks a proof file (notary, transaction, state,
//! credential) on the node with the same light client as `eiraku proof
//! verify`, for a browser that cannot run the console's WebAssembly
//! checker. Its answer is this node's word: to trust no node, run
//! `eiraku proof verify` on one's own machine.

use crate::api::{ApiContext, ApiError};
use axum::{
    body::Bytes,
    extract::{Query, State},
    routing::{get, post},
    Json, Router,
};
pub use eiraku_api::ProofCheckView;
use eiraku_core::{
    proof::{check_proof_file, LightClient},
    Genesis,
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
    let light = LightClient::from_genesis(context.chain.genesis()).map_err(ApiError::internal)?;
    let now_ms = context.chain.finalized_state().timestamp_ms();
    let verdict = check_proof_file(&light, text, file.file_sha256.as_deref(), now_ms)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Json(verdict.into()))
}

/// The genesis file this chain started from: what proofs are checked
/// against (`eiraku proof verify --genesis`, the console's in-browser
/// checker). Someone who trusts no node compares it with their own copy.
#[utoipa::path(get, path = "/v1/genesis", responses((status = 200, description = "The genesis file (JSON)", content_type = "application/json")))]
async fn genesis(State(context): State<ApiContext>) -> Json<Genesis> {
    Json(context.chain.genesis().clone())
}

#[derive(OpenApi)]
#[openapi(paths(check, genesis), components(schemas(ProofCheckView)))]
pub(crate) struct ProofCheckApiDoc;

/// The routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/proof/check", post(check))
        .route("/v1/genesis", get(genesis))
}
