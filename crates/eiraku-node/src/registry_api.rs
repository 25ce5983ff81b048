//! The registries' API: `POST /v1/notary` takes a signed anchoring
//! transaction (what `eiraku notary stamp` sends), `GET /v1/notary/{digest}`
//! says where a digest or batch root was anchored, `GET
//! /v1/attestations/{id}` shows an attestation and whether it holds now.

use crate::api::{ApiContext, ApiError, SubmitResponse};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
pub use eiraku_api::{AnchorView, AttestationView};
use eiraku_core::{digest, Call, SignedTransaction};
use utoipa::OpenApi;

/// Submit a signed anchoring transaction (its canonical bytes).
#[utoipa::path(post, path = "/v1/notary", request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 202, body = SubmitResponse), (status = 400, body = crate::api::ErrorBody)))]
async fn post_notary(
    State(context): State<ApiContext>,
    body: Bytes,
) -> Result<(StatusCode, Json<SubmitResponse>), ApiError> {
    if let Ok(tx) = SignedTransaction::from_bytes(&body) {
        if !matches!(tx.transaction.call, Call::Registry(_)) {
            return Err(ApiError::bad_request(
                "POST /v1/notary takes an anchoring transaction; send other calls to POST /v1/tx",
            ));
        }
    }
    let tx = crate::api::accept(&context, vec![body.to_vec()]).remove(0)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SubmitResponse {
            hash: digest::to_hex(&tx.hash()),
            status: eiraku_api::TxStatus::Pending,
        }),
    ))
}

/// Where a digest (or batch root) was first anchored.
#[utoipa::path(get, path = "/v1/notary/{digest}", params(("digest" = String, Path, description = "hex digest")),
    responses((status = 200, body = AnchorView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_notary(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
) -> Result<Json<AnchorView>, ApiError> {
    let root = digest::from_hex(&text)
        .ok_or_else(|| ApiError::bad_request("a digest is 64 hex characters"))?;
    // The state records the first anchoring of each root.
    let first = context
        .chain
        .finalized_state()
        .registry()
        .anchor(&root)
        .copied()
        .ok_or_else(|| ApiError::not_found(format!("{text} is not anchored (or not final yet)")))?;
    let (tx_hash, height) = (first.tx_hash, first.height);
    let block = context
        .chain
        .store()
        .block(height)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("an anchored block is missing"))?;
    Ok(Json(AnchorView {
        digest: text,
        tx_hash: digest::to_hex(&tx_hash),
        height,
        timestamp_ms: block.header.timestamp_ms,
    }))
}

/// An attestation, and whether it holds now.
#[utoipa::path(get, path = "/v1/attestations/{id}", params(("id" = String, Path, description = "the attesting transaction's hash (hex)")),
    responses((status = 200, body = AttestationView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_attestation(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
) -> Result<Json<AttestationView>, ApiError> {
    let id = digest::from_hex(&text).ok_or_else(|| {
        ApiError::bad_request(
            "an attestation is named by its transaction's hash: 64 hex characters",
        )
    })?;
    let state = context.chain.finalized_state();
    let a = *state.registry().attestation(&id).ok_or_else(|| {
        ApiError::not_found(format!(
            "no attestation {text} is on record (or it is not final yet)"
        ))
    })?;
    Ok(Json(AttestationView {
        id: digest::to_hex(&id),
        attester: a.attester.to_hex(),
        subject: a.subject.to_hex(),
        schema: digest::to_hex(&a.schema),
        claim: digest::to_hex(&a.claim),
        valid_from_ms: a.valid_from_ms,
        valid_until_ms: a.valid_until_ms,
        attested_ms: a.attested_ms,
        revoked_ms: a.revoked_ms,
        height: state.height(),
        valid_now: a.valid_at(state.timestamp_ms()),
    }))
}

#[derive(OpenApi)]
#[openapi(
    paths(post_notary, get_notary, get_attestation),
    components(schemas(AnchorView, AttestationView))
)]
pub(crate) struct RegistryApiDoc;

/// The registry routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/notary", post(post_notary))
        .route("/v1/notary/{digest}", get(get_notary))
        .route("/v1/attestations/{id}", get(get_attestation))
}
