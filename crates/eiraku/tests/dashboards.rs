//! The operator's dashboards hold to what a node exports: `/metrics` passes
//! `promtool check metrics` (format and a help text for every metric, the
//! engine's included), the alert rules pass `promtool check rules`, and
//! every metric the Grafana dashboard and the alert rules query is one a
//! running validator with the money module exports. promtool comes from
//! Debian's `prometheus` package, installed by `.ci/setup`.

mod common;

use common::TestNetwork;
use std::{
    collections::BTreeSet,
    io::Write,
    path::Path,
    process::{Command, Stdio},
};

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The metric names a PromQL expression reads (identifiers followed by
/// `{`, `[` or a space/close, that are not functions or keywords).
fn metric_names(expr: &str) -> BTreeSet<String> {
    const WORDS: [&str; 16] = [
        "sum",
        "by",
        "rate",
        "increase",
        "count",
        "histogram_quantile",
        "max_over_time",
        "predict_linear",
        "le",
        "route",
        "instance",
        "status",
        "economy",
        "path",
        "and",
        "or",
    ];
    let mut names = BTreeSet::new();
    let mut word = String::new();
    let mut in_quotes = false;
    for c in expr.chars().chain([' ']) {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if !in_quotes && (c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            word.push(c);
            continue;
        }
        let is_name = word.contains('_') && !word.starts_with(|c: char| c.is_ascii_digit());
        if is_name && !WORDS.contains(&word.as_str()) && c != '(' {
            names.insert(word.clone());
        }
        word.clear();
    }
    names
}

/// Every metric family name in an exposition (`# TYPE name kind`), with the
/// sample suffixes a histogram or counter adds.
fn exported(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("# TYPE ") else {
            continue;
        };
        let mut parts = rest.split_whitespace();
        let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        names.insert(name.to_string());
        match kind {
            "histogram" => {
                for suffix in ["_bucket", "_sum", "_count"] {
                    names.insert(format!("{name}{suffix}"));
                }
            }
            "counter" => {
                names.insert(format!("{name}_total"));
            }
            _ => {}
        }
    }
    names
}

fn promtool(args: &[&str], input: Option<&str>) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs (installed by .ci/setup: Debian's prometheus package)");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.unwrap_or("").as_bytes()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
fn dashboards_and_alerts_read_what_a_node_exports() {
    // Two validators: the peers' metrics appear with a peer.
    let network = TestNetwork::start_with(2, true);
    let client = network.client(0);
    // A request or two so the API's own metrics have samples.
    client.status().unwrap();
    let url = format!("{}/metrics", client.base());
    let text = ureq::get(&url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();

    let (ok, report) = promtool(&["check", "metrics"], Some(&text));
    assert!(
        ok && report.trim().is_empty(),
        "promtool check metrics:\n{report}"
    );

    let rules = repo().join("deploy/prometheus/alerts.yml");
    let (ok, report) = promtool(&["check", "rules", rules.to_str().unwrap()], None);
    assert!(ok, "promtool check rules:\n{report}");

    let exported = exported(&text);
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("deploy/grafana/eiraku.json")).unwrap(),
    )
    .unwrap();
    let mut queried = BTreeSet::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            queried.extend(metric_names(target["expr"].as_str().unwrap()));
        }
    }
    let alerts = std::fs::read_to_string(&rules).unwrap();
    for line in alerts.lines() {
        if let Some(expr) = line.trim().strip_prefix("expr: ") {
            queried.extend(metric_names(expr));
        }
    }
    assert!(
        queried.len() >= 15,
        "too few metrics found in the queries: {queried:?}"
    );
    let missing: Vec<_> = queried.difference(&exported).collect();
    assert!(missing.is_empty(), "queried but not exported: {missing:?}");
}
