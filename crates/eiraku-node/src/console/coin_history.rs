//! The dashboard's supply over time: circulation against its backing, for
//! the whole coin or one economy, from the points the node keeps
//! ([`supply_history`]), each point's books checked again.

use super::{charts, format, supply_history};
use crate::api::ApiContext;
use eiraku_core::{coins::Coins, Amount};
use minijinja::{context, Value};
use supply_history::{EconomyPoint, SupplyPoint};

/// Rows of the latest points the page lists under the chart.
const LISTED_POINTS: usize = 8;

/// The chart, the check of every drawn point's books, and the latest
/// points; for `economy` when one is named (and known), else the whole coin.
pub fn over_time(context: &ApiContext, economy: Option<&str>) -> Value {
    let points = supply_history::latest(&context.chain, supply_history::CHART_POINTS);
    let broken: Vec<Value> = points
        .iter()
        .filter_map(|p| p.books().err().map(|why| (p.height, why.to_string())))
        .map(|(height, why)| context! { height, why })
        .collect();
    let coins = |minor: u128| Coins(Amount(minor)).to_string();
    let listed = points.iter().rev().take(LISTED_POINTS).map(|p| {
        let books = p.books();
        context! {
            height => p.height,
            time => format::utc_time(p.timestamp_ms),
            circulation => coins(p.circulation),
            issued_bonds => coins(p.issued_bonds),
            offline_float => coins(p.offline_float),
            books => books.is_ok(),
            why => books.err().map(|why| why.to_string()),
        }
    });
    let economy = economy.filter(|code| {
        let known = |p: &SupplyPoint| p.economies.iter().any(|e| e.code == *code);
        points.last().is_some_and(known)
    });
    context! {
        chart => match economy {
            Some(code) => economy_chart(&points, code),
            None => coin_chart(&points),
        },
        economy,
        economies => points.last().map(|p| p.economies.iter().map(|e| e.code.clone()).collect::<Vec<_>>()),
        checked => points.iter().filter(|p| !p.economies.is_empty()).count(),
        drawn => points.len(),
        broken,
        listed => listed.collect::<Vec<_>>(),
    }
}

/// Minor units as coins, for a chart's axis only.
pub fn as_coins(minor: u128) -> f64 {
    minor as f64 / 100.0
}

fn line(
    name: &'static str,
    colour: plotters::style::RGBColor,
    points: impl Iterator<Item = (u64, u128)>,
) -> charts::Line {
    let points = points.map(|(height, minor)| (height, as_coins(minor)));
    charts::Line {
        name,
        colour,
        points: points.collect(),
    }
}

/// Circulation against the issued bonds backing it, for the whole coin.
fn coin_chart(points: &[SupplyPoint]) -> String {
    let of = |value: fn(&SupplyPoint) -> u128| points.iter().map(move |p| (p.height, value(p)));
    charts::step_lines(
        &[
            line(
                "issued bonds (backing)",
                charts::ORANGE,
                of(|p| p.issued_bonds),
            ),
            line("circulation", charts::BLUE, of(|p| p.circulation)),
        ],
        eiraku_core::coins::coin_symbol(),
    )
}

/// One economy's issued bonds (its coins out), own bonds and float.
fn economy_chart(points: &[SupplyPoint], code: &str) -> String {
    let of = |value: fn(&EconomyPoint) -> u128| {
        let economy = move |p: &SupplyPoint| {
            let books = p.economies.iter().find(|e| e.code == code)?;
            Some((p.height, value(books)))
        };
        points.iter().filter_map(economy)
    };
    charts::step_lines(
        &[
            line("own bonds", charts::GREY, of(|e| e.own_bonds)),
            line(
                "issued bonds (its coins out)",
                charts::ORANGE,
                of(|e| e.issued_bonds),
            ),
            line("offline float", charts::BLUE, of(|e| e.offline_float)),
        ],
        eiraku_core::coins::coin_symbol(),
    )
}
