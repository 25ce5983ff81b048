//! The serving side of state sync: a joining validator asks for a target
//! (`GET /v1/sync/target`), the state's operations with their proofs
//! (`POST /v1/sync/operations`, QMDB's binary requests and responses) and
//! the keys of the state's entries (`GET /v1/sync/keys`). Everything served
//! is public chain data, and the joining side checks all of it: these
//! routes change nothing.

use crate::{
    api::{ApiContext, ApiError},
    proof_api::{certified_block, handoffs},
    state_db::{sync::SyncRequest, StateDbError},
};
use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{header, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use commonware_codec::{Copying, DecodeExt as _, Encode as _};
use eiraku_api::{ErrorBody, SyncKeysQuery, SyncKeysView, SyncTargetView, MAX_SYNC_KEYS};
use eiraku_core::digest;
use utoipa::OpenApi;

/// Sync requests served at once.
static SERVING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// The state a joining validator can sync to now: its height, the block
/// and certificate that make it final, the validator-set handoffs since
/// genesis, and the state's operation log (root, range, witness).
/// The operations named stay served for a while (about 2,000 blocks).
#[utoipa::path(get, path = "/v1/sync/target",
    responses((status = 200, body = SyncTargetView), (status = 503, body = ErrorBody)))]
async fn sync_target(State(context): State<ApiContext>) -> Result<Json<SyncTargetView>, ApiError> {
    let _serving = serving()?;
    let target = context.chain.sync_target().await.map_err(refusal)?;
    let (block, certificate) = certified_block(&context, target.height).await?;
    Ok(Json(SyncTargetView {
        height: target.height,
        block: hex::encode(block.encode()),
        certificate: hex::encode(certificate),
        handoffs: handoffs(&context, target.height)?,
        ops_root: digest::to_hex(&target.ops_root),
        start: target.start,
        size: target.size,
        witness: hex::encode(target.witness),
    }))
}

/// Operations of the state's log with their proof, for QMDB's sync
/// engine: the body is an encoded request, the answer an encoded response
/// (at most 4,096 operations).
#[utoipa::path(post, path = "/v1/sync/operations",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 400, body = ErrorBody),
        (status = 503, body = ErrorBody)
    ))]
async fn sync_operations(
    State(context): State<ApiContext>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let request = SyncRequest::decode(Copying(body.as_ref())).map_err(|error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body is not an encoded sync request: {error}"),
        )
    })?;
    let _serving = serving()?;
    let response = context.chain.serve_sync(request).await.map_err(refusal)?;
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        response,
    ))
}

/// A place among the sync requests served at once. Targets and
/// operations are read under the state's lock, which block application
/// waits on: a few joiners at a time, not a flood.
fn serving() -> Result<tokio::sync::SemaphorePermit<'static>, ApiError> {
    SERVING.try_acquire().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the node is serving other state syncs; ask again shortly",
        )
    })
}

/// Keys of the state's entries (hex of their encoding), in order, after
/// `after`: a joining validator reads each value from the state it
/// verified, so only the keys (not part of the root) come from here.
#[utoipa::path(get, path = "/v1/sync/keys", params(SyncKeysQuery),
    responses((status = 200, body = SyncKeysView), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn sync_keys(
    State(context): State<ApiContext>,
    Query(query): Query<SyncKeysQuery>,
) -> Result<Json<SyncKeysView>, ApiError> {
    if !(1..=MAX_SYNC_KEYS).contains(&query.count) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("count must be 1 to {MAX_SYNC_KEYS}"),
        ));
    }
    let after = match &query.after {
        Some(text) => Some(hex::decode(text).map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed", "after is not hex")
        })?),
        None => None,
    };
    let _serving = serving()?;
    let (keys, more) = context
        .chain
        .store()
        .state_keys(after.as_deref(), query.count as usize)
        .map_err(ApiError::internal)?;
    Ok(Json(SyncKeysView {
        keys: keys.into_iter().map(hex::encode).collect(),
        more,
    }))
}

/// A state-store refusal as an answer: a request it cannot serve is the
/// client's (400), a node without state yet is not ready (503).
fn refusal(error: StateDbError) -> ApiError {
    match error {
        StateDbError::Empty => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            error.to_string(),
        ),
        StateDbError::Unusable => ApiError::internal(error),
        error => ApiError::new(StatusCode::BAD_REQUEST, "unservable", error.to_string()),
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(sync_target, sync_operations, sync_keys),
    components(schemas(SyncTargetView, SyncKeysView))
)]
pub(crate) struct SyncApiDoc;

/// The routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/sync/target", get(sync_target))
        .route("/v1/sync/operations", post(sync_operations))
        .route("/v1/sync/keys", get(sync_keys))
}
