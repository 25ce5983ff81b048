//! The AMRO-coin dashboard: circulation against backing over time and per
//! economy, the ACU basket in each member currency, cross-border flows over
//! a chosen window, repatriation claims and settlements, seigniorage, and
//! the offline float. Its numbers are the API's (`/v1/money/supply`).

use super::{charts, coin_history::as_coins, format, frame, not_found, render};
use crate::{api::ApiContext, money_api::supply_view};
use axum::{
    extract::{Query, State},
    response::Response,
};
use eiraku_core::{coins::Coins, genesis::CoinUnit, Amount, Call, EconomyCode, MoneyCall};
use eiraku_state::{money::Money, Outcome};
use minijinja::context;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// The windows (in blocks) the flows matrix offers; the first is the default.
const FLOW_WINDOWS: [u64; 3] = [1_000, 100, 10_000];

/// The dashboard's questions: the flows' window, and the economy whose
/// supply over time to draw (else the whole coin's).
#[derive(serde::Deserialize)]
pub struct Window {
    window: Option<u64>,
    economy: Option<String>,
}

/// `/coin`: the dashboard.
pub async fn dashboard(State(context): State<ApiContext>, Query(query): Query<Window>) -> Response {
    let supply = match supply_view(&context) {
        Ok(supply) => supply,
        Err(_) => {
            return not_found(
                &context,
                "This chain runs no coin: its genesis has no money section.",
            )
        }
    };
    let state = context.chain.finalized_state();
    let Some(money) = state.money() else {
        return not_found(&context, "This chain runs no coin.");
    };
    let window = query
        .window
        .filter(|w| FLOW_WINDOWS.contains(w))
        .unwrap_or(FLOW_WINDOWS[0]);
    let economies: Vec<String> = supply
        .economies
        .iter()
        .map(|e| e.code.to_string())
        .collect();
    let flows = flows(&context, window);
    let coins = |amount: Amount| Coins(amount).to_string();
    let frame = context! { section => "coin", ..frame(&context, "coin", "AMRO coin") };
    render(
        &context,
        "coin.html",
        frame,
        context! {
            circulation => coins(supply.circulation),
            offline_float => coins(supply.offline_float),
            own_bonds => coins(supply.own_bonds),
            issued_bonds => coins(Amount(supply.economies.iter().map(|e| e.issued_bonds.0).sum())),
            contributed => coins(supply.contributed),
            height => supply.height,
            over_time => super::coin_history::over_time(&context, query.economy.as_deref()),
            per_economy => per_economy(&supply),
            basket => basket(money),
            economies => economies,
            flows => flows.rows(&economies),
            flow_blocks => flows.blocks,
            window => window,
            windows => FLOW_WINDOWS,
            economy_rows => supply.economies.iter().map(|e| context! {
                code => e.code.to_string(),
                currency => e.currency.to_string(),
                own_bonds => coins(e.own_bonds),
                issued_bonds => coins(e.issued_bonds),
                offline_float => coins(e.offline_float),
                seigniorage => coins(e.seigniorage),
            }).collect::<Vec<_>>(),
            claims => supply.claims.iter().map(|c| context! {
                creditor => c.creditor.to_string(), debtor => c.debtor.to_string(), amount => coins(c.amount),
            }).collect::<Vec<_>>(),
            settlements => money.settlements.iter().map(|s| context! {
                id => s.id, creditor => s.creditor.to_string(), debtor => s.debtor.to_string(),
                amount => coins(s.amount), proposed => format::utc_time(s.proposed_ms),
                confirmed => s.confirmed_ms.map(format::utc_time),
            }).collect::<Vec<_>>(),
            periods => supply.seigniorage_periods.iter().map(|p| context! {
                from => format::utc_time(p.from_ms), to => format::utc_time(p.to_ms),
                income => coins(p.income), operating_cost => coins(p.operating_cost),
                reserve => coins(p.reserve),
                shares => p.shares.iter().map(|(e, a)| format!("{e} {}", coins(*a))).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
        },
    )
}

/// Own and issued bonds, per economy.
fn per_economy(supply: &eiraku_api::SupplyView) -> String {
    let codes: Vec<String> = supply
        .economies
        .iter()
        .map(|e| e.code.to_string())
        .collect();
    let bars = |name, colour, value: fn(&eiraku_api::EconomySupply) -> Amount| charts::Bars {
        name,
        colour,
        values: supply
            .economies
            .iter()
            .map(|e| as_coins(value(e).0))
            .collect(),
    };
    charts::grouped_bars(
        &codes,
        &[
            bars("own bonds", charts::GREY, |e| e.own_bonds),
            bars("issued bonds", charts::ORANGE, |e| e.issued_bonds),
        ],
        eiraku_core::coins::coin_symbol(),
    )
}

/// One currency of the basket.
#[derive(Serialize)]
struct BasketRow {
    currency: String,
    quantity: String,
    rate: String,
    one_coin: String,
}

/// The basket, and what one coin is worth in each member currency at the
/// latest rates (exact decimals, rounded for display only).
fn basket(money: &Money) -> Vec<BasketRow> {
    let rate_of = |currency| {
        money
            .economies
            .values()
            .find(|b| b.currency == currency)
            .map(|b| b.rate.value())
            .unwrap_or(Decimal::ONE)
    };
    let parts: Vec<(eiraku_core::CurrencyCode, Decimal)> = match &money.unit {
        CoinUnit::Basket { basket } => basket
            .iter()
            .map(|p| (p.currency, p.quantity.value()))
            .collect(),
        CoinUnit::Single { currency } => vec![(*currency, Decimal::ONE)],
    };
    // Checked: a rate is any positive decimal a central bank posted.
    let unit_value = (parts.iter()).try_fold(Decimal::ZERO, |sum, (c, q)| {
        sum.checked_add(q.checked_mul(rate_of(*c))?)
    });
    let mut rows: Vec<BasketRow> = money
        .economies
        .values()
        .map(|books| {
            let quantity = parts
                .iter()
                .find(|(c, _)| *c == books.currency)
                .map(|(_, q)| *q);
            BasketRow {
                currency: books.currency.to_string(),
                quantity: quantity.map_or("—".into(), |q| q.normalize().to_string()),
                rate: books.rate.to_string(),
                one_coin: (unit_value.and_then(|v| v.checked_div(books.rate.value())))
                    .map_or("—".into(), |v| v.round_dp(4).normalize().to_string()),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.currency.cmp(&b.currency));
    rows
}

/// Successful payments between economies over a window of blocks.
#[derive(Default)]
struct Flows {
    between: BTreeMap<(EconomyCode, EconomyCode), u128>,
    /// Blocks read.
    blocks: u64,
    /// Transactions read.
    read: usize,
}

impl Flows {
    /// One row per paying economy: the coins it paid each other economy.
    fn rows(&self, economies: &[String]) -> Vec<(String, Vec<String>)> {
        economies
            .iter()
            .map(|from| {
                let cells = economies.iter().map(|to| {
                    let key = (EconomyCode::new(from).ok(), EconomyCode::new(to).ok());
                    match key {
                        (Some(f), Some(t)) if f != t => self
                            .between
                            .get(&(f, t))
                            .map_or(String::new(), |a| format!("{:.2}", as_coins(*a))),
                        _ => "·".into(),
                    }
                });
                (from.clone(), cells.collect())
            })
            .collect()
    }
}

/// Most transactions the flows matrix reads: its cost is bounded whatever
/// the traffic; the page says how many blocks it covered.
const FLOW_TRANSACTIONS: usize = 20_000;

/// Reads the last `window` blocks (or fewer, up to [`FLOW_TRANSACTIONS`])
/// for successful cross-border payments.
fn flows(context: &ApiContext, window: u64) -> Flows {
    let state = context.chain.finalized_state();
    let economy_of = |id: &eiraku_core::AccountId| -> Option<EconomyCode> {
        state.authority().grant(id).and_then(|g| g.role.economy())
    };
    let store = context.chain.store();
    let newest = context.chain.finalized_height();
    let mut flows = Flows::default();
    for height in (newest.saturating_sub(window - 1).max(1)..=newest).rev() {
        if flows.read >= FLOW_TRANSACTIONS {
            break;
        }
        let (Ok(Some(block)), Ok(Some(outcomes))) =
            (store.block(height), store.block_outcomes(height))
        else {
            break;
        };
        flows.blocks += 1;
        flows.read += block.transactions.len();
        for (tx, outcome) in block.transactions.iter().zip(&outcomes) {
            let Call::Money(MoneyCall::Pay { to, amount, .. }) = &tx.transaction.call else {
                continue;
            };
            let (Some(from), Some(to)) = (economy_of(&tx.transaction.sender), economy_of(to))
            else {
                continue;
            };
            if from != to && *outcome == Outcome::Success {
                *flows.between.entry((from, to)).or_default() += amount.0;
            }
        }
    }
    flows
}
