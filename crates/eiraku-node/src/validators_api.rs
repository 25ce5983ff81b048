//! `GET /v1/validators`: the set signing the current epoch and the one
//! governance left for the next, read from the finalized state.

use crate::{api::ApiContext, epochs};
use axum::{extract::State, routing::get, Json, Router};
use eiraku_api::{SetMemberView, ValidatorsView};
use eiraku_core::ValidatorSet;
use utoipa::OpenApi;

/// The validator sets and the epochs.
#[utoipa::path(get, path = "/v1/validators", responses((status = 200, body = ValidatorsView)))]
async fn get_validators(State(context): State<ApiContext>) -> Json<ValidatorsView> {
    let state = context.chain.finalized_state();
    let validators = state.validators();
    let epocher = epochs::epocher(validators.epoch_length());
    Json(ValidatorsView {
        epoch_length: validators.epoch_length(),
        epoch: epochs::epoch_after(&epocher, state.height()).get(),
        active: views(validators.active()),
        next: views(validators.set()),
    })
}

fn views(set: &ValidatorSet) -> Vec<SetMemberView> {
    let views = set.validators().iter().map(|v| SetMemberView {
        key: v.key.to_hex(),
        p2p_address: v.p2p_address.to_string(),
    });
    views.collect()
}

#[derive(OpenApi)]
#[openapi(
    paths(get_validators),
    components(schemas(ValidatorsView, SetMemberView))
)]
pub(crate) struct ValidatorsApiDoc;

/// The validators route.
pub fn routes() -> Router<ApiContext> {
    Router::new().route("/v1/validators", get(get_validators))
}
