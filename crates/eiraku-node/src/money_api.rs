//! The money module's read API (DESIGN.md §3): the backing summary at
//! `/v1/money/supply` and the whole money state at `/v1/money`. Money
//! operations are signed transactions, submitted like any other at
//! `POST /v1/tx`.

use crate::{
    api::{ApiContext, ApiError},
    travel_gateway::{self, GatewayError},
};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use eiraku_core::{digest, AccountId};
use eiraku_state::money::{Claim, Money};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// One economy's books.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EconomySupply {
    /// Economy code (ISO 3166, e.g. `JP`).
    pub code: String,
    /// Its currency (ISO 4217).
    pub currency: String,
    /// Its currency's rate against the numeraire (decimal string).
    pub rate: String,
    /// Block time the rate was posted.
    pub rate_posted_ms: u64,
    /// Issuance bonds in its own account (自己口), coin minor units.
    pub own_bonds: String,
    /// Issuance bonds in its issued account (顧客口): its coins still out.
    pub issued_bonds: String,
    /// Value of its accepted contributions.
    pub contributed: String,
    /// Seigniorage allocated to it so far.
    pub seigniorage: String,
    /// Its KYC tiers and their caps, by tier.
    #[schema(value_type = Vec<Object>)]
    pub tiers: Vec<eiraku_core::TierCaps>,
}

/// An outstanding claim between central banks.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClaimView {
    /// The economy owed.
    pub creditor: String,
    /// The economy that owes.
    pub debtor: String,
    /// Coin minor units.
    pub amount: String,
}

/// The backing of the coin at one height.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupplyView {
    /// Height of the state this was read from.
    pub height: u64,
    /// Coins in circulation (minor units): equal to Σ issued bonds.
    pub circulation: String,
    /// Σ own-account bonds.
    pub own_bonds: String,
    /// Σ accepted contributions.
    pub contributed: String,
    /// Contributions offered and not yet accepted.
    pub pending_contributions: usize,
    /// Per economy.
    pub economies: Vec<EconomySupply>,
    /// Outstanding claims from repatriation.
    pub claims: Vec<ClaimView>,
    /// Closed seigniorage periods, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub seigniorage_periods: serde_json::Value,
}

fn money_or_404(context: &ApiContext) -> Result<(u64, Money), ApiError> {
    let state = context.chain.finalized_state();
    let money = state.money().cloned().ok_or_else(no_money_module)?;
    Ok((state.height(), money))
}

fn no_money_module() -> ApiError {
    ApiError::not_found("this chain has no money module (its genesis has no money section)")
}

fn sum(values: impl Iterator<Item = u128>) -> String {
    values.sum::<u128>().to_string()
}

/// The coin's backing: circulation, bonds per economy, claims, seigniorage.
#[utoipa::path(get, path = "/v1/money/supply",
    responses((status = 200, body = SupplyView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_supply(State(context): State<ApiContext>) -> Result<Json<SupplyView>, ApiError> {
    let (height, money) = money_or_404(&context)?;
    let economies = money
        .economies
        .iter()
        .map(|(code, books)| EconomySupply {
            code: code.to_string(),
            currency: books.currency.to_string(),
            rate: books.rate.to_string(),
            rate_posted_ms: books.rate_posted_ms,
            own_bonds: books.own_bonds.to_string(),
            issued_bonds: books.issued_bonds.to_string(),
            contributed: books.contributed.to_string(),
            seigniorage: books.seigniorage.to_string(),
            tiers: books.tiers.values().copied().collect(),
        })
        .collect();
    let claims = money
        .claims()
        .into_iter()
        .map(
            |Claim {
                 creditor,
                 debtor,
                 amount,
             }| ClaimView {
                creditor: creditor.to_string(),
                debtor: debtor.to_string(),
                amount: amount.to_string(),
            },
        )
        .collect();
    Ok(Json(SupplyView {
        height,
        circulation: money.circulation().to_string(),
        own_bonds: sum(money.economies.values().map(|b| b.own_bonds.0)),
        contributed: sum(money.economies.values().map(|b| b.contributed.0)),
        pending_contributions: money
            .contributions
            .iter()
            .filter(|c| c.accepted.is_none())
            .count(),
        economies,
        claims,
        seigniorage_periods: serde_json::to_value(&money.seigniorage_periods)
            .map_err(ApiError::internal)?,
    }))
}

/// The whole money state: unit, economies, travel keys, freezes,
/// contributions, claims, settlements and seigniorage periods (roles are
/// the authority module's: `GET /v1/account/{id}`).
#[utoipa::path(get, path = "/v1/money",
    responses((status = 200, body = Object), (status = 404, body = crate::api::ErrorBody)))]
async fn get_money(State(context): State<ApiContext>) -> Result<Json<serde_json::Value>, ApiError> {
    let (height, money) = money_or_404(&context)?;
    let mut value = serde_json::to_value(&money).map_err(ApiError::internal)?;
    value["height"] = height.into();
    Ok(Json(value))
}

impl From<GatewayError> for ApiError {
    fn from(error: GatewayError) -> Self {
        let status = match error {
            GatewayError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, error.code(), error.to_string())
    }
}

/// Where a deposited envelope can be found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DepositView {
    /// The digest the payment names (hex).
    pub digest: String,
}

/// One party entitled to a payment's travel-rule data.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TravelRecipient {
    /// Its account (hex).
    pub account: String,
    /// The X25519 key to seal its copy to (hex).
    pub key: String,
}

/// Deposit a sealed travel-rule envelope (JSON) before the payment that
/// names it: checked against the parties entitled to it (both banks, both
/// regulators) and kept for them.
#[utoipa::path(post, path = "/v1/money/travel-rule", request_body(content = Object, content_type = "application/json"),
    responses((status = 201, body = DepositView), (status = 400, body = crate::api::ErrorBody)))]
async fn post_travel_rule(
    State(context): State<ApiContext>,
    body: Bytes,
) -> Result<(StatusCode, Json<DepositView>), ApiError> {
    let digest = travel_gateway::deposit(&context.chain, &body)?;
    Ok((
        StatusCode::CREATED,
        Json(DepositView {
            digest: digest::to_hex(&digest),
        }),
    ))
}

/// A deposited envelope (only its recipients can open their copies).
#[utoipa::path(get, path = "/v1/money/travel-rule/{digest}", params(("digest" = String, Path, description = "hex digest")),
    responses((status = 200, body = Object), (status = 404, body = crate::api::ErrorBody)))]
async fn get_travel_rule(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
) -> Result<Json<eiraku_core::travel_rule::Envelope>, ApiError> {
    let digest = digest::from_hex(&text)
        .ok_or_else(|| ApiError::bad_request("a digest is 64 hex characters"))?;
    travel_gateway::envelope(&context.chain, &digest)?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no travel-rule envelope {text} here")))
}

/// Who a payment's travel-rule data must be sealed to, with their keys.
#[utoipa::path(get, path = "/v1/money/travel-rule/recipients/{payer}/{payee}",
    params(("payer" = String, Path, description = "hex account"), ("payee" = String, Path, description = "hex account")),
    responses((status = 200, body = Vec<TravelRecipient>), (status = 400, body = crate::api::ErrorBody)))]
async fn get_travel_recipients(
    State(context): State<ApiContext>,
    Path((payer, payee)): Path<(String, String)>,
) -> Result<Json<Vec<TravelRecipient>>, ApiError> {
    let payer = AccountId::from_hex(&payer).map_err(ApiError::bad_request)?;
    let payee = AccountId::from_hex(&payee).map_err(ApiError::bad_request)?;
    let state = context.chain.finalized_state();
    let money = state.money().ok_or_else(no_money_module)?;
    let recipients = money
        .travel_rule_recipients(state.authority(), &payer, &payee)
        .map_err(GatewayError::from)?;
    Ok(Json(
        recipients
            .into_iter()
            .map(|(account, key)| TravelRecipient {
                account: account.to_hex(),
                key: hex::encode(key.0),
            })
            .collect(),
    ))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        get_supply,
        get_money,
        post_travel_rule,
        get_travel_rule,
        get_travel_recipients
    ),
    components(schemas(SupplyView, EconomySupply, ClaimView, DepositView, TravelRecipient))
)]
pub(crate) struct MoneyApiDoc;

/// The money routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/money/supply", get(get_supply))
        .route("/v1/money", get(get_money))
        .route("/v1/money/travel-rule", post(post_travel_rule))
        .route("/v1/money/travel-rule/{digest}", get(get_travel_rule))
        .route(
            "/v1/money/travel-rule/recipients/{payer}/{payee}",
            get(get_travel_recipients),
        )
}
