//! `GET /v1/health` (liveness: the API answers) and `GET /v1/ready`
//! (readiness: the node has applied the chain up to a block or two behind
//! what consensus reported final), for load balancers and orchestrators.

use crate::api::{ApiContext, ApiError};
use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use eiraku_api::{ErrorBody, HealthView, ReadyView};
use std::sync::atomic::Ordering;
use utoipa::OpenApi;

/// Blocks a ready node may lag behind the finalized tip (applying follows
/// finality by a batch).
const READY_LAG: u64 = 2;

/// Whether the node's API answers.
#[utoipa::path(get, path = "/v1/health", responses((status = 200, body = HealthView)))]
async fn health(State(context): State<ApiContext>) -> Json<HealthView> {
    Json(HealthView {
        status: "ok".into(),
        applied_height: context.chain.finalized_height(),
    })
}

/// Whether the node has caught up with the chain: 503 `not_ready` while
/// nothing is final yet or it is applying blocks behind.
#[utoipa::path(get, path = "/v1/ready", responses((status = 200, body = ReadyView), (status = 503, body = ErrorBody)))]
async fn ready(State(context): State<ApiContext>) -> Result<Json<ReadyView>, ApiError> {
    let view = ReadyView {
        applied_height: context.chain.finalized_height(),
        network_height: context.tip.load(Ordering::Relaxed),
    };
    if is_ready(&view) {
        return Ok(Json(view));
    }
    Err(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "not_ready",
        format!(
            "catching up: applied block {} of {} final",
            view.applied_height, view.network_height
        ),
    ))
}

fn is_ready(view: &ReadyView) -> bool {
    view.network_height > 0 && view.applied_height + READY_LAG >= view.network_height
}

#[derive(OpenApi)]
#[openapi(paths(health, ready), components(schemas(HealthView, ReadyView)))]
pub(crate) struct HealthApiDoc;

/// The routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/ready", get(ready))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(applied_height: u64, network_height: u64) -> ReadyView {
        ReadyView {
            applied_height,
            network_height,
        }
    }

    #[test]
    fn a_node_is_ready_once_something_is_final_and_it_has_applied_it() {
        assert!(!is_ready(&view(0, 0)), "nothing final yet");
        assert!(is_ready(&view(10, 12)));
        assert!(!is_ready(&view(10, 13)), "three blocks behind");
        assert!(is_ready(&view(12, 12)));
    }
}
