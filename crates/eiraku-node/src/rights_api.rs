//! Works and licences, read at the finalized state: `GET
//! /v1/works/{digest}` and `GET /v1/works/{digest}/licences/{account}`.

use crate::api::{ApiContext, ApiError};
use axum::{
    extract::{Path, State},
    routing::get,
    Json, Router,
};
pub use eiraku_api::{LicenceView, WorkView};
use eiraku_core::{digest, AccountId, Digest};
use utoipa::OpenApi;

fn named(text: &str) -> Result<Digest, ApiError> {
    digest::from_hex(text)
        .ok_or_else(|| ApiError::bad_request("a work is named by its digest: 64 hex characters"))
}

/// A registered work and its terms.
#[utoipa::path(get, path = "/v1/works/{digest}", params(("digest" = String, Path, description = "the work's digest (hex)", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = WorkView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_work(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
) -> Result<Json<WorkView>, ApiError> {
    let work = named(&text)?;
    let state = context.chain.finalized_state();
    let terms = state.registry().work(&work).copied().ok_or_else(|| {
        ApiError::not_found(format!("no work {text} is registered (or not final yet)"))
    })?;
    Ok(Json(WorkView {
        work: digest::to_hex(&work),
        holder: terms.holder.to_hex(),
        price: terms.price.0.to_string(),
        licence_ms: terms.licence_ms,
        royalty_bps: terms.royalty_bps,
    }))
}

/// An account's licence of a work.
#[utoipa::path(get, path = "/v1/works/{digest}/licences/{account}", params(("digest" = String, Path, description = "the work", pattern = "^[0-9a-fA-F]{64}$"), ("account" = String, Path, description = "the licensee (hex)", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = LicenceView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_licence(
    State(context): State<ApiContext>,
    Path((text, account)): Path<(String, String)>,
) -> Result<Json<LicenceView>, ApiError> {
    let work = named(&text)?;
    let licensee = AccountId::from_hex(&account).map_err(ApiError::bad_request)?;
    let state = context.chain.finalized_state();
    let licence = (state.registry().licence(&work, &licensee).copied())
        .ok_or_else(|| ApiError::not_found(format!("{account} holds no licence of {text}")))?;
    Ok(Json(LicenceView {
        until_ms: licence.until_ms,
        offer: licence.offer.map(|price| price.0.to_string()),
        valid_now: state.timestamp_ms() < licence.until_ms,
    }))
}

#[derive(OpenApi)]
#[openapi(
    paths(get_work, get_licence),
    components(schemas(WorkView, LicenceView))
)]
pub(crate) struct RightsApiDoc;

/// The rights routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/works/{digest}", get(get_work))
        .route("/v1/works/{digest}/licences/{account}", get(get_licence))
}
