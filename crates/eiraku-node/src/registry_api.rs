//! The registries' API: `POST /v1/notary` takes a signed anchoring
//! transaction (what `eiraku notary stamp` sends), `GET /v1/notary/{digest}`
//! says where a digest, batch root or file of a posted batch was anchored,
//! `POST /v1/notary/batches` takes an anchored batch's digests, `GET
//! /v1/attestations/{id}` shows an attestation and whether it holds now.

use crate::api::{ApiContext, ApiError, SubmitResponse};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
pub use eiraku_api::{AnchorView, AttestationView, NotaryBatch};
use eiraku_core::{digest, merkle, Call, SignedTransaction};
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

/// Where a digest was first anchored: a batch root (or a digest anchored
/// alone), or a file's digest inside a batch whose digests were posted to
/// this node (`POST /v1/notary/batches`).
#[utoipa::path(get, path = "/v1/notary/{digest}", params(("digest" = String, Path, description = "hex digest", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = AnchorView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_notary(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
) -> Result<Json<AnchorView>, ApiError> {
    let digest = digest::from_hex(&text)
        .ok_or_else(|| ApiError::bad_request("a digest is 64 hex characters"))?;
    let not_anchored = || ApiError::not_found(format!("{text} is not anchored (or not final yet)"));
    // A digest anchored itself answers for itself, before any batch that
    // holds it as a file's digest.
    let (anchoring, in_batch) = match first_anchoring(&context, &digest)? {
        Some(anchoring) => (anchoring, None),
        None => {
            let store = context.chain.store();
            let (root, position) = (store.notary_leaf(&digest))
                .map_err(ApiError::internal)?
                .ok_or_else(not_anchored)?;
            let anchoring = first_anchoring(&context, &root)?.ok_or_else(not_anchored)?;
            (anchoring, Some((root, position)))
        }
    };
    let (tx_hash, height) = anchoring;
    let block = (context.chain.store().block(height))
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("an anchored block is missing"))?;
    Ok(Json(AnchorView {
        digest: digest::to_hex(&digest),
        tx_hash: digest::to_hex(&tx_hash),
        height,
        timestamp_ms: block.header.timestamp_ms,
        batch_root: in_batch.map(|(root, _)| digest::to_hex(&root)),
        position: in_batch.map(|(_, position)| position),
    }))
}

/// The transaction (hash, height) that first anchored `root`, in the
/// finalized state (which records the first anchoring of each root).
fn first_anchoring(
    context: &ApiContext,
    root: &eiraku_core::Digest,
) -> Result<Option<(eiraku_core::Digest, u64)>, ApiError> {
    let state = context.chain.finalized_state();
    Ok(state
        .registry()
        .anchor(root)
        .map(|first| (first.tx_hash, first.height)))
}

/// Most digests one batch may post (about 6.7 MB of JSON: 64 hex
/// characters and some punctuation each).
const MAX_BATCH_LEAVES: usize = 100_000;
/// The largest body `POST /v1/notary/batches` reads.
const MAX_BATCH_BYTES: usize = 8 << 20;

/// Keeps an anchored batch's digests, so that `GET /v1/notary/{digest}`
/// finds each file by its own digest. Refused unless the digests make the
/// root and the root is anchored: nobody can make a node claim a file was
/// notarized.
#[utoipa::path(post, path = "/v1/notary/batches", request_body = NotaryBatch,
    responses((status = 200, body = AnchorView), (status = 400, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
async fn post_batch(
    State(context): State<ApiContext>,
    Json(batch): Json<NotaryBatch>,
) -> Result<Json<AnchorView>, ApiError> {
    let root = digest::from_hex(&batch.root)
        .ok_or_else(|| ApiError::bad_request("the root is 64 hex characters"))?;
    // The cheap check first: nothing is hashed for a root never anchored.
    if first_anchoring(&context, &root)?.is_none() {
        return Err(ApiError::not_found(format!(
            "{} is not anchored (or not final yet)",
            batch.root
        )));
    }
    let leaves = batch_digests(&batch)?;
    if merkle::root(&leaves) != root {
        return Err(ApiError::bad_request(
            "these digests do not make that root (order matters)",
        ));
    }
    (context.chain.store().put_notary_batch(&root, &leaves)).map_err(ApiError::internal)?;
    get_notary(State(context), Path(batch.root)).await
}

/// The batch's digests, each checked.
fn batch_digests(batch: &NotaryBatch) -> Result<Vec<eiraku_core::Digest>, ApiError> {
    if batch.leaves.is_empty() || batch.leaves.len() > MAX_BATCH_LEAVES {
        return Err(ApiError::bad_request(format!(
            "a batch names 1 to {MAX_BATCH_LEAVES} digests"
        )));
    }
    (batch.leaves.iter().enumerate())
        .map(|(i, text)| {
            digest::from_hex(text).ok_or_else(|| {
                ApiError::bad_request(format!("leaves[{i}] is not 64 hex characters"))
            })
        })
        .collect()
}

/// An attestation, and whether it holds now.
#[utoipa::path(get, path = "/v1/attestations/{id}", params(("id" = String, Path, description = "the attesting transaction's hash (hex)", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = AttestationView), (status = 404, body = crate::api::ErrorBody)))]
pub(crate) async fn get_attestation(
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
    paths(post_notary, get_notary, post_batch, get_attestation),
    components(schemas(AnchorView, AttestationView, NotaryBatch))
)]
pub(crate) struct RegistryApiDoc;

/// The registry routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/notary", post(post_notary))
        .route(
            "/v1/notary/batches",
            post(post_batch).layer(axum::extract::DefaultBodyLimit::max(MAX_BATCH_BYTES)),
        )
        .route("/v1/notary/{digest}", get(get_notary))
        .route("/v1/attestations/{id}", get(get_attestation))
}
