//! The offline cash's read API: an economy's center keys at
//! `/v1/cash/centers/{economy}` and one wallet's binding and standing at
//! `/v1/cash/wallets/{wallet}`. Wallets read the keys they check notes and
//! peers with; the cash center reads which account a depositing wallet is
//! bound to; auditors re-check blacklist evidence. Every change is a signed
//! transaction posted at `POST /v1/tx`.

use crate::api::{ApiContext, ApiError};
use axum::{
    extract::{Path, State},
    routing::get,
    Json, Router,
};
pub use eiraku_api::{CashCenterView, CashWalletView};
use eiraku_core::{digest, EconomyCode};
use eiraku_state::money::Money;
use utoipa::OpenApi;

fn money_or_404(context: &ApiContext) -> Result<(u64, Money), ApiError> {
    let state = context.chain.finalized_state();
    let money = state.money().cloned().ok_or_else(|| {
        ApiError::not_found("this chain has no money module (its genesis has no money section)")
    })?;
    Ok((state.height(), money))
}

/// An economy's cash-center and device-center keys.
#[utoipa::path(get, path = "/v1/cash/centers/{economy}",
    params(("economy" = String, Path, description = "Two-letter economy code", pattern = "^[A-Z]{2}$")),
    responses((status = 200, body = CashCenterView), (status = 400, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
async fn get_center(
    State(context): State<ApiContext>,
    Path(economy): Path<String>,
) -> Result<Json<CashCenterView>, ApiError> {
    let economy = EconomyCode::new(&economy).map_err(ApiError::bad_request)?;
    let (height, money) = money_or_404(&context)?;
    if !money.economies.contains_key(&economy) {
        return Err(ApiError::not_found(format!(
            "{economy} is not a member economy"
        )));
    }
    let keys = money.cash.centers.get(&economy);
    Ok(Json(CashCenterView {
        height,
        economy,
        note_key: keys.map(|k| k.note_key),
        history_key: keys.map(|k| digest::to_hex(&k.history_key)),
        device_key: money.cash.device_keys.get(&economy).copied(),
    }))
}

/// One wallet's binding and standing.
#[utoipa::path(get, path = "/v1/cash/wallets/{wallet}",
    params(("wallet" = u64, Path, description = "Wallet number")),
    responses((status = 200, body = CashWalletView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_wallet(
    State(context): State<ApiContext>,
    Path(wallet): Path<u64>,
) -> Result<Json<CashWalletView>, ApiError> {
    let (height, money) = money_or_404(&context)?;
    let binding = money.cash.wallets.get(&wallet).ok_or_else(|| {
        ApiError::not_found(format!("wallet {wallet} was never loaded on this chain"))
    })?;
    let listed = money.cash.blacklisted.get(&wallet);
    Ok(Json(CashWalletView {
        height,
        wallet,
        account: binding.account,
        signing_key: binding.signing_key,
        valid_until_ms: binding.valid_until_ms,
        revoked_ms: binding.revoked_ms,
        blacklisted_ms: listed.map(|l| l.at_ms),
        evidence: listed.map(|l| hex::encode(&l.evidence)),
    }))
}

#[derive(OpenApi)]
#[openapi(
    paths(get_center, get_wallet),
    components(schemas(CashCenterView, CashWalletView))
)]
pub(crate) struct CashApiDoc;

/// The offline cash's routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/cash/centers/{economy}", get(get_center))
        .route("/v1/cash/wallets/{wallet}", get(get_wallet))
}
