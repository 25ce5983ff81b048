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
pub use eiraku_api::{
    Acceptance, ClaimView, ContributionView, DepositView, EconomyBooks, EconomySupply, FreezeView,
    MoneyStateView, PurseView, SeigniorPeriodView, SettlementView, SupplyView, TravelRecipient,
};
use eiraku_core::{digest, AccountId, Amount};
use eiraku_state::money::{Claim, Contribution, Economy, Money, SeigniorPeriod, Settlement};
use utoipa::OpenApi;

fn money_or_404(context: &ApiContext) -> Result<(u64, Money), ApiError> {
    let state = context.chain.finalized_state();
    let money = state.money().cloned().ok_or_else(no_money_module)?;
    Ok((state.height(), money))
}

fn no_money_module() -> ApiError {
    ApiError::not_found("this chain has no money module (its genesis has no money section)")
}

fn sum(values: impl Iterator<Item = u128>) -> Amount {
    Amount(values.sum())
}

/// The coin's backing: circulation, bonds per economy, claims, seigniorage.
#[utoipa::path(get, path = "/v1/money/supply",
    responses((status = 200, body = SupplyView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_supply(State(context): State<ApiContext>) -> Result<Json<SupplyView>, ApiError> {
    supply_view(&context).map(Json)
}

/// The coin's backing at the finalized state.
pub(crate) fn supply_view(context: &ApiContext) -> Result<SupplyView, ApiError> {
    let (height, money) = money_or_404(context)?;
    let economies = money
        .economies
        .iter()
        .map(|(code, books)| EconomySupply {
            code: *code,
            currency: books.currency,
            rate: books.rate,
            rate_posted_ms: books.rate_posted_ms,
            own_bonds: books.own_bonds,
            issued_bonds: books.issued_bonds,
            contributed: books.contributed,
            seigniorage: books.seigniorage,
            tiers: books.tiers.values().copied().collect(),
            offline_float: books.offline_float,
        })
        .collect();
    Ok(SupplyView {
        height,
        circulation: money.circulation(),
        offline_float: money.offline_float(),
        own_bonds: sum(money.economies.values().map(|b| b.own_bonds.0)),
        contributed: sum(money.economies.values().map(|b| b.contributed.0)),
        pending_contributions: money
            .contributions
            .iter()
            .filter(|c| c.accepted.is_none())
            .count(),
        economies,
        claims: money.claims().into_iter().map(claim_view).collect(),
        seigniorage_periods: money.seigniorage_periods.iter().map(period_view).collect(),
    })
}

/// The whole money state: unit, economies, travel keys, freezes,
/// contributions, claims, settlements and seigniorage periods (roles are
/// the authority module's: `GET /v1/account/{id}`).
#[utoipa::path(get, path = "/v1/money",
    responses((status = 200, body = MoneyStateView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_money(State(context): State<ApiContext>) -> Result<Json<MoneyStateView>, ApiError> {
    let (height, money) = money_or_404(&context)?;
    Ok(Json(money_state_view(height, &money)))
}

/// The whole money state as the API shows it.
fn money_state_view(height: u64, money: &Money) -> MoneyStateView {
    MoneyStateView {
        unit: money.unit.clone(),
        numeraire: money.numeraire,
        max_rate_age_ms: money.max_rate_age_ms,
        travel_rule_threshold: money.travel_rule_threshold,
        issuer: money.issuer,
        economies: money
            .economies
            .iter()
            .map(|(code, books)| (*code, economy_books(books)))
            .collect(),
        travel_keys: money.travel_keys.iter().map(|(a, k)| (*a, *k)).collect(),
        frozen: money
            .frozen
            .iter()
            .map(|(account, freeze)| {
                let view = FreezeView {
                    reason: freeze.reason.clone(),
                    since_ms: freeze.since_ms,
                };
                (*account, view)
            })
            .collect(),
        contributions: money.contributions.iter().map(contribution_view).collect(),
        claims: money.claims().into_iter().map(claim_view).collect(),
        settlements: money.settlements.iter().map(settlement_view).collect(),
        seigniorage_closed_ms: money.seigniorage_closed_ms,
        seigniorage_periods: money.seigniorage_periods.iter().map(period_view).collect(),
        height,
    }
}

fn economy_books(books: &Economy) -> EconomyBooks {
    EconomyBooks {
        currency: books.currency,
        central_bank: books.central_bank,
        regulator: books.regulator,
        rate: books.rate,
        rate_posted_ms: books.rate_posted_ms,
        own_bonds: books.own_bonds,
        issued_bonds: books.issued_bonds,
        contributed: books.contributed,
        tiers: books.tiers.clone(),
        seigniorage: books.seigniorage,
        offline_float: books.offline_float,
    }
}

fn contribution_view(contribution: &Contribution) -> ContributionView {
    ContributionView {
        id: contribution.id,
        economy: contribution.economy,
        instrument: contribution.instrument.clone(),
        currency: contribution.currency,
        face: contribution.face,
        yield_bps: contribution.yield_bps,
        maturity_ms: contribution.maturity_ms,
        offered_ms: contribution.offered_ms,
        accepted: contribution.accepted.map(|a| Acceptance {
            acu_value: a.acu_value,
            accepted_ms: a.accepted_ms,
        }),
        withdrawn_ms: contribution.withdrawn_ms,
    }
}

fn settlement_view(settlement: &Settlement) -> SettlementView {
    SettlementView {
        id: settlement.id,
        creditor: settlement.creditor,
        debtor: settlement.debtor,
        amount: settlement.amount,
        proposed_ms: settlement.proposed_ms,
        confirmed_ms: settlement.confirmed_ms,
    }
}

fn claim_view(claim: Claim) -> ClaimView {
    ClaimView {
        creditor: claim.creditor,
        debtor: claim.debtor,
        amount: claim.amount,
    }
}

fn period_view(period: &SeigniorPeriod) -> SeigniorPeriodView {
    SeigniorPeriodView {
        from_ms: period.from_ms,
        to_ms: period.to_ms,
        income: period.income,
        operating_cost: period.operating_cost,
        reserve: period.reserve,
        shares: period.shares.clone(),
    }
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
#[utoipa::path(get, path = "/v1/money/travel-rule/{digest}", params(("digest" = String, Path, description = "hex digest", pattern = "^[0-9a-fA-F]{64}$")),
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
    params(("payer" = String, Path, description = "hex account", pattern = "^[0-9a-fA-F]{64}$"), ("payee" = String, Path, description = "hex account", pattern = "^[0-9a-fA-F]{64}$")),
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
            .map(|(account, key)| TravelRecipient { account, key })
            .collect(),
    ))
}

/// An open purpose-bound purse (spent out or expired ones are gone).
#[utoipa::path(get, path = "/v1/purses/{id}", params(("id" = String, Path, description = "the pushing transaction's hash (hex)", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = PurseView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_purse(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
) -> Result<Json<PurseView>, ApiError> {
    let id = digest::from_hex(&text).ok_or_else(|| {
        ApiError::bad_request("a purse is named by its transaction's hash: 64 hex characters")
    })?;
    let state = context.chain.finalized_state();
    let money = state.money().ok_or_else(no_money_module)?;
    let purse = money.purses.open.get(&id).ok_or_else(|| {
        ApiError::not_found(format!(
            "no purse {text} is open (never pushed, spent out, expired, or not final yet)"
        ))
    })?;
    Ok(Json(PurseView {
        id: text.to_lowercase(),
        payer: purse.payer.to_hex(),
        beneficiary: purse.beneficiary.to_hex(),
        economy: purse.economy.to_string(),
        balance: purse.balance.0.to_string(),
        expiry_ms: purse.expiry_ms,
        categories: purse.categories.clone(),
        height: state.height(),
    }))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        get_purse,
        get_supply,
        get_money,
        post_travel_rule,
        get_travel_rule,
        get_travel_recipients
    ),
    components(schemas(
        SupplyView,
        EconomySupply,
        ClaimView,
        SeigniorPeriodView,
        MoneyStateView,
        EconomyBooks,
        ContributionView,
        Acceptance,
        SettlementView,
        FreezeView,
        DepositView,
        TravelRecipient,
        PurseView
    ))
)]
pub(crate) struct MoneyApiDoc;

/// The money routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/money/supply", get(get_supply))
        .route("/v1/money", get(get_money))
        .route("/v1/purses/{id}", get(get_purse))
        .route("/v1/money/travel-rule", post(post_travel_rule))
        .route("/v1/money/travel-rule/{digest}", get(get_travel_rule))
        .route(
            "/v1/money/travel-rule/recipients/{payer}/{payee}",
            get(get_travel_recipients),
        )
}
