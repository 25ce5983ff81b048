//! Consents and the access log, read at the finalized state: `GET
//! /v1/consents/{id}`, its accesses, and the consents a person granted
//! (what the person reads to see every access to its data). Proofs of
//! each entry come from `GET /v1/proof/state/registry/...`.

use crate::api::{ApiContext, ApiError};
use axum::{
    extract::{Path, Query, State},
    routing::get,
    Json, Router,
};
pub use eiraku_api::{AccessView, ConsentView};
use eiraku_core::{digest, AccountId, Digest};
use eiraku_state::registry::Consent;
use utoipa::OpenApi;

/// Most accesses one page lists.
const PAGE: u64 = 1_000;

fn view(id: &Digest, consent: &Consent, height: u64, now_ms: u64) -> ConsentView {
    ConsentView {
        id: digest::to_hex(id),
        subject: consent.subject.to_hex(),
        data_user: consent.terms.data_user.to_hex(),
        purpose: consent.terms.purpose.clone(),
        categories: consent.terms.categories.clone(),
        until_ms: consent.terms.until_ms,
        granted_ms: consent.granted_ms,
        revoked_ms: consent.revoked_ms,
        accesses: consent.accesses,
        active_now: consent.active_at(now_ms),
        height,
    }
}

fn named(text: &str) -> Result<Digest, ApiError> {
    digest::from_hex(text).ok_or_else(|| {
        ApiError::bad_request("a consent is named by its transaction's hash: 64 hex characters")
    })
}

/// A consent and whether it holds now.
#[utoipa::path(get, path = "/v1/consents/{id}", params(("id" = String, Path, description = "the granting transaction's hash (hex)", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = ConsentView), (status = 404, body = crate::api::ErrorBody)))]
pub(crate) async fn get_consent(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
) -> Result<Json<ConsentView>, ApiError> {
    let id = named(&text)?;
    let state = context.chain.finalized_state();
    let consent = state.registry().consent(&id).ok_or_else(|| {
        ApiError::not_found(format!("no consent {text} is on record (or not final yet)"))
    })?;
    Ok(Json(view(
        &id,
        consent,
        state.height(),
        state.timestamp_ms(),
    )))
}

/// Where a page of accesses starts.
#[derive(serde::Deserialize, utoipa::IntoParams)]
struct Page {
    /// The first access's number (default 0).
    from: Option<u64>,
}

/// Up to 1,000 accesses logged under a consent, from `from` on.
#[utoipa::path(get, path = "/v1/consents/{id}/accesses", params(("id" = String, Path, description = "the consent", pattern = "^[0-9a-fA-F]{64}$"), Page),
    responses((status = 200, body = Vec<AccessView>), (status = 404, body = crate::api::ErrorBody)))]
async fn get_accesses(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<AccessView>>, ApiError> {
    let id = named(&text)?;
    let state = context.chain.finalized_state();
    let registry = state.registry();
    let consent = registry.consent(&id).ok_or_else(|| {
        ApiError::not_found(format!("no consent {text} is on record (or not final yet)"))
    })?;
    let from = page.from.unwrap_or(0);
    let until = consent.accesses.min(from.saturating_add(PAGE));
    let accesses = (from..until)
        .filter_map(|n| {
            registry.access(&id, n).map(|a| AccessView {
                n,
                category: a.category.clone(),
                digest: digest::to_hex(&a.digest),
                at_ms: a.at_ms,
            })
        })
        .collect();
    Ok(Json(accesses))
}

/// The consents a person granted.
#[utoipa::path(get, path = "/v1/accounts/{id}/consents", params(("id" = String, Path, description = "the person (hex account)", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = Vec<ConsentView>), (status = 400, body = crate::api::ErrorBody)))]
async fn get_consents_of(
    State(context): State<ApiContext>,
    Path(id): Path<String>,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    let subject = AccountId::from_hex(&id).map_err(ApiError::bad_request)?;
    let state = context.chain.finalized_state();
    let (height, now_ms) = (state.height(), state.timestamp_ms());
    let consents = (state.registry().consents_of(&subject))
        .map(|(id, consent)| view(id, consent, height, now_ms))
        .collect();
    Ok(Json(consents))
}

#[derive(OpenApi)]
#[openapi(
    paths(get_consent, get_accesses, get_consents_of),
    components(schemas(ConsentView, AccessView))
)]
pub(crate) struct ConsentApiDoc;

/// The consent routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/consents/{id}", get(get_consent))
        .route("/v1/consents/{id}/accesses", get(get_accesses))
        .route("/v1/accounts/{id}/consents", get(get_consents_of))
}
