//! Registries of versioned records: the registry and a key's history at
//! the finalized state, and the sealed payloads this node keeps off the
//! ledger. A writer deposits a payload's envelope here before writing the
//! record (`POST /v1/registries/payloads`); a member fetches it with a
//! signed request; everyone else gets a typed refusal (the envelope opens
//! only for members anyway: the refusal keeps even its ciphertext in).

use crate::api::{ApiContext, ApiError};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
    Json, Router,
};
pub use eiraku_api::{RecordView, RegistryView};
use eiraku_core::{
    digest,
    record::{
        deposit_request, payload_request, record_id, verify_payload_request, PayloadEnvelope,
    },
    AccountId, RegistryKey, StateKey,
};
use utoipa::OpenApi;

/// How far a payload request's time may be from this node's clock.
const REQUEST_WINDOW_MS: u64 = 5 * 60 * 1000;

fn unknown_registry(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_registry",
        format!("no registry {name} exists (or not final yet)"),
    )
}

/// A registry.
#[utoipa::path(get, path = "/v1/registries/{name}", params(("name" = String, Path, description = "the registry")),
    responses((status = 200, body = RegistryView), (status = 404, body = crate::api::ErrorBody)))]
pub(crate) async fn get_registry(
    State(context): State<ApiContext>,
    Path(name): Path<String>,
) -> Result<Json<RegistryView>, ApiError> {
    let state = context.chain.finalized_state();
    let def = (state.registry().registry_named(&name)).ok_or_else(|| unknown_registry(&name))?;
    let hexes = |ids: &[AccountId]| ids.iter().map(AccountId::to_hex).collect();
    Ok(Json(RegistryView {
        name: def.terms.name.clone(),
        authority: def.authority.to_hex(),
        schema: digest::to_hex(&def.terms.schema),
        writers: hexes(&def.terms.writers),
        members: hexes(&def.terms.members),
        created_ms: def.created_ms,
    }))
}

/// Every version of a record, oldest first.
#[utoipa::path(get, path = "/v1/registries/{name}/records/{key}", params(("name" = String, Path, description = "the registry"), ("key" = String, Path, description = "the record's key")),
    responses((status = 200, body = Vec<RecordView>), (status = 404, body = crate::api::ErrorBody)))]
pub(crate) async fn get_history(
    State(context): State<ApiContext>,
    Path((name, key)): Path<(String, String)>,
) -> Result<Json<Vec<RecordView>>, ApiError> {
    let state = context.chain.finalized_state();
    let registry = state.registry();
    registry
        .registry_named(&name)
        .ok_or_else(|| unknown_registry(&name))?;
    let id = record_id(&name, &key);
    let history = (registry.history(&name, &key).into_iter())
        .map(|(version, record)| RecordView {
            version,
            payload: digest::to_hex(&record.payload),
            envelope: digest::to_hex(&record.envelope),
            writer: record.writer.to_hex(),
            at_ms: record.at_ms,
            state_key: StateKey::Registry(RegistryKey::Record {
                record: id,
                version,
            })
            .to_string(),
        })
        .collect();
    Ok(Json(history))
}

/// The account a request names in its headers (`x-eiraku-account`,
/// `x-eiraku-at-ms`, `x-eiraku-signature`), once its signature over
/// `message(at_ms)` verifies with the account's current key and its time
/// is within five minutes of this node's clock.
fn signed_by(
    context: &ApiContext,
    headers: &HeaderMap,
    message: impl FnOnce(u64) -> Vec<u8>,
) -> Result<AccountId, ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let unsigned =
        |why: &str| ApiError::new(StatusCode::UNAUTHORIZED, "bad_request_signature", why);
    let account = AccountId::from_hex(header("x-eiraku-account"))
        .map_err(|_| unsigned("x-eiraku-account names no account"))?;
    let at_ms: u64 = (header("x-eiraku-at-ms").parse())
        .map_err(|_| unsigned("x-eiraku-at-ms is not a time in ms"))?;
    let signer = context.chain.finalized_state().keys().key_of(&account);
    if !verify_payload_request(&signer, &message(at_ms), header("x-eiraku-signature")) {
        return Err(unsigned(
            "the signature is not the account's over this request",
        ));
    }
    if now_ms().abs_diff(at_ms) > REQUEST_WINDOW_MS {
        return Err(unsigned(
            "the request's time is more than five minutes from now",
        ));
    }
    Ok(account)
}

/// Keep a payload envelope sealed to a registry's members (before the
/// record that names it is written), for a writer's signed request
/// (headers as for reading, over the deposit).
#[utoipa::path(post, path = "/v1/registries/payloads", request_body(content = String, content_type = "application/json"),
    responses((status = 201, body = String), (status = 400, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
async fn post_payload(
    State(context): State<ApiContext>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let envelope = PayloadEnvelope::from_json(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_envelope", e.to_string()))?;
    let state = context.chain.finalized_state();
    let def = (state.registry().registry_named(&envelope.registry))
        .ok_or_else(|| unknown_registry(&envelope.registry))?;
    let chain = state.chain_id();
    let writer = signed_by(&context, &headers, |at| {
        deposit_request(chain, &envelope, at)
    })?;
    if !def.terms.writers.contains(&writer) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_writer",
            format!("{writer} is not a writer of registry {}", envelope.registry),
        ));
    }
    envelope.check(&def.terms.members).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "not_sealed_to_members",
            e.to_string(),
        )
    })?;
    let digest = envelope.digest();
    (context.chain.store())
        .put_payload_envelope(&digest, &envelope.to_bytes())
        .map_err(ApiError::internal)?;
    let named = serde_json::json!({ "envelope": digest::to_hex(&digest) });
    Ok((StatusCode::CREATED, Json(named)))
}

/// A version's sealed payload, for a member's signed request: headers
/// `x-eiraku-account` (hex), `x-eiraku-at-ms` and `x-eiraku-signature`
/// (hex, over [`payload_request`]).
#[utoipa::path(get, path = "/v1/registries/{name}/records/{key}/{version}/payload", params(("name" = String, Path, description = "the registry"), ("key" = String, Path, description = "the record's key"), ("version" = u64, Path, description = "the version")),
    responses((status = 200, body = String), (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
async fn get_payload(
    State(context): State<ApiContext>,
    Path((name, key, version)): Path<(String, String, u64)>,
    headers: HeaderMap,
) -> Result<([(&'static str, &'static str); 1], Vec<u8>), ApiError> {
    let state = context.chain.finalized_state();
    let registry = state.registry();
    let def = registry
        .registry_named(&name)
        .ok_or_else(|| unknown_registry(&name))?;
    let chain = state.chain_id();
    let member = signed_by(&context, &headers, |at| {
        payload_request(chain, &name, &key, version, at)
    })?;
    if !def.terms.members.contains(&member) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_member",
            format!("{member} is not in registry {name}'s access group"),
        ));
    }
    let record = registry.record(&name, &key, version).ok_or_else(|| {
        ApiError::not_found(format!(
            "{name}/{key} has no version {version} (or not final yet)"
        ))
    })?;
    let bytes = (context.chain.store().payload_envelope(&record.envelope))
        .map_err(ApiError::internal)?
        .ok_or_else(|| {
            ApiError::not_found("this node does not keep that payload (it was deposited elsewhere)")
        })?;
    // A writer could name another record's envelope: only this record's
    // own is handed out.
    let own = PayloadEnvelope::from_json(&bytes).is_ok_and(|envelope| {
        (
            envelope.registry.as_str(),
            envelope.key.as_str(),
            envelope.record_version,
        ) == (name.as_str(), key.as_str(), version)
    });
    if !own {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "envelope_mismatch",
            "the record names an envelope sealed for another record",
        ));
    }
    Ok(([("content-type", "application/json")], bytes))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[derive(OpenApi)]
#[openapi(
    paths(get_registry, get_history, post_payload, get_payload),
    components(schemas(RegistryView, RecordView))
)]
pub(crate) struct RecordsApiDoc;

/// The registry routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/registries/payloads", post(post_payload))
        .route("/v1/registries/{name}", get(get_registry))
        .route("/v1/registries/{name}/records/{key}", get(get_history))
        .route(
            "/v1/registries/{name}/records/{key}/{version}/payload",
            get(get_payload),
        )
}
