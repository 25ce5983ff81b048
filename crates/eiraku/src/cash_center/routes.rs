//! The cash center's HTTP API (JSON; protocol objects as hex of their
//! canonical encoding). Refusals carry the node's error body,
//! `{"error": {"code", "message"}}`, so one client reads both.

use super::{
    service::{Refusal, Service},
    wire::{
        BlacklistAnswer, CenterInfo, CertifyAnswer, CertifyRequest, ClaimAnswer, ClaimRequest,
        DepositAnswer, DepositRequest, IssueRequest, NotesAnswer,
    },
};
use axum::{
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use commonware_codec::Encode;
use eiraku_api::{ErrorBody, ErrorDetail};
use eiraku_cash::NoteInHand;
use std::sync::Arc;

/// Largest request body: a full deposit of 128 notes with histories of
/// a few hundred hops.
const MAX_BODY: usize = 16 << 20;

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Refusal::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Refusal::Refused(_) => (StatusCode::CONFLICT, "refused"),
            Refusal::Failed(_) => (StatusCode::BAD_GATEWAY, "failed"),
            Refusal::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: self.to_string(),
            },
        };
        (status, Json(body)).into_response()
    }
}

/// Requests the center works on at once; more are answered `busy` (503),
/// which bounds the memory large deposits can take.
const AT_ONCE: usize = 128;

/// The service and its request permits.
#[derive(Clone)]
pub struct Shared {
    service: Arc<Service>,
    permits: Arc<tokio::sync::Semaphore>,
}

type Served = State<Shared>;

/// Runs blocking center work (storage, signing, ledger calls) off the
/// async workers, if a permit is free.
async fn blocking<T: Send + 'static>(
    shared: Shared,
    work: impl FnOnce(&Service) -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    let permit = shared
        .permits
        .try_acquire_owned()
        .map_err(|_| Refusal::Busy)?;
    let service = shared.service;
    tokio::task::spawn_blocking(move || {
        let _held = permit;
        work(&service)
    })
    .await
    .map_err(|e| Refusal::Failed(anyhow::anyhow!("the request's worker failed: {e}")))?
}

fn bytes_of(what: &str, text: &str) -> Result<Vec<u8>, Refusal> {
    hex::decode(text.trim_start_matches("0x"))
        .map_err(|_| Refusal::BadRequest(format!("{what} is not hex")))
}

fn hex_notes(notes: &[NoteInHand]) -> NotesAnswer {
    NotesAnswer {
        notes: notes.iter().map(|n| hex::encode(n.encode())).collect(),
    }
}

async fn get_center(State(shared): Served) -> Json<CenterInfo> {
    Json(shared.service.info().clone())
}

async fn post_certify(
    State(service): Served,
    Json(request): Json<CertifyRequest>,
) -> Result<Json<CertifyAnswer>, Refusal> {
    let request = bytes_of("request", &request.request)?;
    let certificate = blocking(service, move |s| s.certify(&request)).await?;
    Ok(Json(CertifyAnswer {
        certificate: hex::encode(certificate.encode()),
    }))
}

async fn post_issue(
    State(service): Served,
    Json(request): Json<IssueRequest>,
) -> Result<Json<NotesAnswer>, Refusal> {
    let load = eiraku_core::digest::from_hex(&request.load)
        .ok_or_else(|| Refusal::BadRequest("load is not a transaction hash".into()))?;
    let notes = blocking(service, move |s| s.issue(&load)).await?;
    Ok(Json(hex_notes(&notes)))
}

async fn post_deposit(
    State(service): Served,
    Json(request): Json<DepositRequest>,
) -> Result<Json<DepositAnswer>, Refusal> {
    let notes = request
        .notes
        .iter()
        .enumerate()
        .map(|(i, text)| {
            NoteInHand::from_bytes(&bytes_of("a note", text)?)
                .map_err(|e| Refusal::BadRequest(format!("note {i}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(blocking(service, move |s| s.deposit(&notes)).await?))
}

async fn post_claims(
    State(service): Served,
    Json(request): Json<ClaimRequest>,
) -> Result<Json<ClaimAnswer>, Refusal> {
    let claim = bytes_of("claim", &request.claim)?;
    Ok(Json(
        blocking(service, move |s| s.file_claim(&claim)).await?,
    ))
}

async fn get_blacklist(State(service): Served) -> Result<Json<BlacklistAnswer>, Refusal> {
    let list = blocking(service, |s| s.blacklist()).await?;
    Ok(Json(BlacklistAnswer {
        blacklist: hex::encode(list.encode()),
    }))
}

/// The center's routes.
pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/v1/center", get(get_center))
        .route("/v1/certify", post(post_certify))
        .route("/v1/issue", post(post_issue))
        .route("/v1/deposit", post(post_deposit))
        .route("/v1/claims", post(post_claims))
        .route("/v1/blacklist", get(get_blacklist))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(Shared {
            service,
            permits: Arc::new(tokio::sync::Semaphore::new(AT_ONCE)),
        })
}
