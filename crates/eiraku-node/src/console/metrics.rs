//! Metrics at a glance: finality latency (consensus's own histogram),
//! throughput (from the latest finalized blocks), the peers' connections
//! and the node's gauges, read from the same Prometheus text `/metrics`
//! serves.

use super::{charts, format, frame, render};
use crate::api::{metrics::metrics_text, ApiContext};
use axum::{extract::State, response::Response};
use minijinja::context;

/// Blocks the throughput chart covers.
const THROUGHPUT_BLOCKS: u64 = 300;
/// The consensus histogram of finalization latency (seconds).
const FINALIZATION: &str = "validator_orchestrator_simplex_voter_finalization_latency";

/// One sample of the exposition text: name, labels, value.
struct Sample<'a> {
    name: &'a str,
    labels: &'a str,
    value: f64,
}

/// The samples of a Prometheus text exposition (comments skipped).
fn samples(text: &str) -> impl Iterator<Item = Sample<'_>> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            Some(Sample {
                name,
                labels,
                value: value.parse().ok()?,
            })
        })
}

/// A label's value in a sample's label text.
fn label<'a>(labels: &'a str, key: &str) -> Option<&'a str> {
    labels.split(',').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.trim_matches('"'))
    })
}

/// Finalization latency over every epoch: count, mean and the bucket
/// bounds the 50th and 99th percentiles fall under (seconds).
#[derive(Default, serde::Serialize)]
struct Latency {
    count: u64,
    mean_ms: u64,
    p50_ms: Option<u64>,
    p99_ms: Option<u64>,
}

fn latency(text: &str) -> Latency {
    let (mut sum, mut count) = (0.0, 0.0);
    let mut buckets: std::collections::BTreeMap<u64, f64> = Default::default();
    for s in samples(text) {
        match s.name.strip_prefix(FINALIZATION) {
            Some("_sum") => sum += s.value,
            Some("_count") => count += s.value,
            Some("_bucket") => {
                if let Some(le) = label(s.labels, "le").and_then(|le| le.parse::<f64>().ok()) {
                    *buckets.entry((le * 1000.0) as u64).or_default() += s.value;
                }
            }
            _ => {}
        }
    }
    let under = |share: f64| {
        buckets
            .iter()
            .find(|(_, n)| **n >= share * count)
            .map(|(le, _)| *le)
    };
    Latency {
        count: count as u64,
        mean_ms: if count > 0.0 {
            (sum / count * 1000.0) as u64
        } else {
            0
        },
        p50_ms: (count > 0.0).then(|| under(0.5)).flatten(),
        p99_ms: (count > 0.0).then(|| under(0.99)).flatten(),
    }
}

/// `/status`: the node at a glance.
pub async fn page(State(context): State<ApiContext>) -> Response {
    let text = metrics_text(&context);
    let gauge = |name: &str| {
        samples(&text)
            .find(|s| s.name == name)
            .map(|s| s.value as u64)
    };
    let (per_block, tps) = throughput(&context);
    let peers: Vec<_> = samples(&text)
        .filter(|s| s.name == "network_tracker_directory_connected")
        .filter_map(|s| {
            let key = label(s.labels, "peer")?;
            let name = super::names::validator_name(&context, key);
            Some(context! { name => name, since => format::utc_time(s.value as u64) })
        })
        .collect();
    let chart = charts::step_lines(
        &[charts::Line {
            name: "transactions per block",
            colour: charts::BLUE,
            points: per_block,
        }],
        "transactions",
    );
    let frame = context! { section => "status", ..frame(&context, "status", "Node status") };
    render(
        &context,
        "status.html",
        frame,
        context! {
            latency => latency(&text),
            tps => tps,
            chart => chart,
            peers => peers,
            validators => context.chain.genesis().validators.len(),
            finalized_height => gauge("eiraku_finalized_height"),
            consensus_height => gauge("eiraku_consensus_finalized_height"),
            mempool => gauge("eiraku_mempool_transactions"),
            blocks_executed => gauge("eiraku_blocks_executed_total"),
            store_commits => gauge("eiraku_store_commits_total"),
            write_stalls => gauge("eiraku_store_write_stalls_total"),
        },
    )
}

/// Transactions per block over the latest blocks, and transactions per
/// second over their span of block time.
fn throughput(context: &ApiContext) -> (Vec<(u64, f64)>, String) {
    let newest = context.chain.finalized_height();
    let store = context.chain.store();
    let mut points = Vec::new();
    let mut txs = 0usize;
    let (first_ms, last_ms);
    let oldest = newest.saturating_sub(THROUGHPUT_BLOCKS - 1).max(1);
    for height in oldest..=newest {
        // The stored outcomes count the transactions without the block.
        let Ok(Some(outcomes)) = store.block_outcomes(height) else {
            continue;
        };
        txs += outcomes.len();
        points.push((height, outcomes.len() as f64));
    }
    // The span of block time: the first and the last block's header.
    let time_of = |height| {
        store
            .block(height)
            .ok()
            .flatten()
            .map(|b| b.header.timestamp_ms)
    };
    first_ms = time_of(oldest);
    last_ms = time_of(newest);
    let span_ms = last_ms
        .zip(first_ms)
        .map_or(0, |(l, f)| l.saturating_sub(f));
    let tps = if span_ms == 0 {
        "—".into()
    } else {
        format!("{:.1}", txs as f64 * 1000.0 / span_ms as f64)
    };
    (points, tps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_latency_histogram() {
        let text = format!(
            "# HELP x\n{FINALIZATION}_bucket{{epoch=\"1\",le=\"0.05\"}} 50\n{FINALIZATION}_bucket{{epoch=\"1\",le=\"0.1\"}} 99\n{FINALIZATION}_bucket{{epoch=\"1\",le=\"+Inf\"}} 100\n{FINALIZATION}_sum{{epoch=\"1\"}} 4\n{FINALIZATION}_count{{epoch=\"1\"}} 100\n"
        );
        let l = latency(&text);
        assert_eq!(
            (l.count, l.mean_ms, l.p50_ms, l.p99_ms),
            (100, 40, Some(50), Some(100))
        );
    }
}
