//! `GET /metrics`: the runtime's Prometheus metrics and the node's own
//! (finalized height, mempool, signatures checked, store commits, block
//! execution, invariant checks, the store's health).

use super::ApiContext;
use axum::{extract::State, response::IntoResponse};

/// The Prometheus text of the runtime and the node.
pub(super) async fn metrics(State(context): State<ApiContext>) -> impl IntoResponse {
    (
        [("content-type", "text/plain; version=0.0.4")],
        metrics_text(&context),
    )
}

/// The Prometheus text of the runtime and the node.
pub(crate) fn metrics_text(context: &ApiContext) -> String {
    let chain = &context.chain;
    let mut text = prometheus_text(&(context.metrics)());
    text.push_str(&format!(
        "# HELP eiraku_finalized_height Highest block applied on this node.\n# TYPE eiraku_finalized_height gauge\neiraku_finalized_height {}\n",
        chain.finalized_height()
    ));
    text.push_str(&format!(
        "# HELP eiraku_mempool_transactions Transactions waiting.\n# TYPE eiraku_mempool_transactions gauge\neiraku_mempool_transactions {}\n",
        chain.mempool_len()
    ));
    text.push_str("# HELP eiraku_signatures_checked_total Transaction signatures checked, on admission or in proposed blocks.\n# TYPE eiraku_signatures_checked_total counter\n");
    for (path, counter) in [
        ("admission", &chain.signatures_checked.admission),
        ("block", &chain.signatures_checked.block),
    ] {
        text.push_str(&format!(
            "eiraku_signatures_checked_total{{path=\"{path}\"}} {}\n",
            counter.load(std::sync::atomic::Ordering::Relaxed)
        ));
    }
    let commits = &chain.commits;
    let load =
        |counter: &std::sync::atomic::AtomicU64| counter.load(std::sync::atomic::Ordering::Relaxed);
    text.push_str(&format!(
        "# HELP eiraku_store_commits_total Durable store commits of finalized blocks.\n# TYPE eiraku_store_commits_total counter\neiraku_store_commits_total {}\n\
         # HELP eiraku_store_committed_blocks_total Finalized blocks written (a commit can carry several).\n# TYPE eiraku_store_committed_blocks_total counter\neiraku_store_committed_blocks_total {}\n\
         # HELP eiraku_finalized_transactions_total Transactions in the finalized blocks this node applied.\n# TYPE eiraku_finalized_transactions_total counter\neiraku_finalized_transactions_total {}\n\
         # HELP eiraku_store_commit_seconds_total Time spent in store commits, fsync included.\n# TYPE eiraku_store_commit_seconds_total counter\neiraku_store_commit_seconds_total {:.6}\n",
        load(&commits.commits),
        load(&commits.blocks),
        load(&commits.transactions),
        load(&commits.micros) as f64 / 1e6,
    ));
    let executions = &chain.executions;
    text.push_str(&format!(
        "# HELP eiraku_blocks_executed_total Blocks executed: built, checked before a vote, or backfilled.\n# TYPE eiraku_blocks_executed_total counter\neiraku_blocks_executed_total {}\n\
         # HELP eiraku_block_execution_seconds_total Time in the state machine (rules and per-transaction invariant checks).\n# TYPE eiraku_block_execution_seconds_total counter\neiraku_block_execution_seconds_total {:.6}\n\
         # HELP eiraku_state_root_seconds_total Time computing state roots (finding a block's changes and merkleizing them).\n# TYPE eiraku_state_root_seconds_total counter\neiraku_state_root_seconds_total {:.6}\n",
        load(&executions.blocks),
        load(&executions.execution_micros) as f64 / 1e6,
        load(&executions.state_root_micros) as f64 / 1e6,
    ));
    text.push_str(&format!(
        "# HELP eiraku_invariant_checks_total Invariant checks in executed blocks: one per transaction that changed a money chain's state.\n# TYPE eiraku_invariant_checks_total counter\neiraku_invariant_checks_total {}\n\
         # HELP eiraku_invariants_broken_total Finalized transactions undone because they would have broken an invariant (a fault in the rules: alert).\n# TYPE eiraku_invariants_broken_total counter\neiraku_invariants_broken_total {}\n\
         # HELP eiraku_invariant_check_seconds_total Time in those checks (part of eiraku_block_execution_seconds_total).\n# TYPE eiraku_invariant_check_seconds_total counter\neiraku_invariant_check_seconds_total {:.9}\n",
        load(&executions.invariant_checks),
        load(&chain.commits.invariants_broken),
        load(&executions.invariant_nanos) as f64 / 1e9,
    ));
    text.push_str(&format!(
        "# HELP eiraku_consensus_finalized_height Highest height consensus has finalized; above eiraku_finalized_height while blocks wait to be applied.\n# TYPE eiraku_consensus_finalized_height gauge\neiraku_consensus_finalized_height {}\n",
        context.tip.load(std::sync::atomic::Ordering::Relaxed).max(chain.finalized_height())
    ));
    text.push_str(&store_metrics(&chain.store().health()));
    text.push_str(&disk_metrics(&context.data_dir));
    let state = chain.finalized_state();
    text.push_str(&governance_metrics(&state));
    text.push_str(&money_metrics(&state));
    text
}

/// One figure of an economy's books.
type EconomyFigure = fn(&eiraku_state::money::Economy) -> u128;

/// The coin's books per economy, in minor units (from the economies'
/// books: never a sum over accounts).
fn money_metrics(state: &eiraku_state::State) -> String {
    let Some(money) = state.money() else {
        return String::new();
    };
    let mut text = format!(
        "# HELP eiraku_money_circulation Coins in accounts (issued, less the offline float and purses), minor units.\n# TYPE eiraku_money_circulation gauge\neiraku_money_circulation {}\n",
        money.circulation().0
    );
    let books: [(&str, &str, EconomyFigure); 4] = [
        (
            "own_bonds",
            "Bonds an economy's central bank holds itself, minor units.",
            |b| b.own_bonds.0,
        ),
        (
            "issued_bonds",
            "Coins issued against an economy's bonds, minor units.",
            |b| b.issued_bonds.0,
        ),
        (
            "contributed",
            "An economy's accepted contributions, minor units.",
            |b| b.contributed.0,
        ),
        (
            "offline_float",
            "Coins of an economy held in offline wallets, minor units.",
            |b| b.offline_float.0,
        ),
    ];
    for (name, help, value) in books {
        text.push_str(&format!(
            "# HELP eiraku_money_{name} {help}\n# TYPE eiraku_money_{name} gauge\n"
        ));
        for (code, economy) in &money.economies {
            text.push_str(&format!(
                "eiraku_money_{name}{{economy=\"{code}\"}} {}\n",
                value(economy)
            ));
        }
    }
    text
}

/// The runtime's metrics, encoded in the OpenMetrics manner (a counter's
/// family named without `_total`, its samples with it, and `# EOF`), in
/// the Prometheus text format this endpoint declares: a counter's `HELP`
/// and `TYPE` name its samples, or Prometheus and promtool take them for
/// metrics without help.
fn prometheus_text(openmetrics: &str) -> String {
    let counters: std::collections::BTreeSet<&str> = (openmetrics.lines())
        .filter_map(|line| line.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .filter(|name| !name.ends_with("_total"))
        .collect();
    let mut text = String::with_capacity(openmetrics.len() + 16 * counters.len());
    for line in openmetrics.lines() {
        if line == "# EOF" {
            continue;
        }
        let family = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let name = rest.split(' ').next()?;
            counters
                .contains(name)
                .then(|| (prefix, name, &rest[name.len()..]))
        });
        match family {
            Some((prefix, name, rest)) => text.push_str(&format!("{prefix}{name}_total{rest}\n")),
            None => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    text
}

/// The store's flush backlog, journals and write stalls, in the
/// Prometheus text format.
fn store_metrics(health: &crate::store::health::StoreHealth) -> String {
    let running_for = health
        .commit_running_for
        .map_or(0.0, |time| time.as_secs_f64());
    let metrics: [(&str, &str, &str, String); 7] = [
        ("eiraku_store_write_buffer_bytes", "gauge", "Bytes in the storage engine's in-memory tables not yet flushed (the flush backlog); writes halt at the limit.", health.write_buffer_bytes.to_string()),
        ("eiraku_store_write_buffer_limit_bytes", "gauge", "The write buffer's limit.", health.write_buffer_limit.to_string()),
        ("eiraku_store_journals", "gauge", "Journal files on disk; 1 when every in-memory table is flushed.", health.journals.to_string()),
        ("eiraku_store_journal_bytes", "gauge", "Bytes of journal on disk.", health.journal_bytes.to_string()),
        ("eiraku_store_flushes_total", "counter", "In-memory tables written out to sorted tables since the node started.", health.flushes.to_string()),
        ("eiraku_store_write_stalls_total", "counter", "Store commits that took longer than a second.", health.write_stalls.to_string()),
        ("eiraku_store_commit_running_seconds", "gauge", "How long the store commit under way has been running (0 when none is).", format!("{running_for:.3}")),
    ];
    metrics
        .iter()
        .map(|(name, kind, help, value)| {
            format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n")
        })
        .collect()
}

/// Governance at a glance: proposals by where they stand, and the seats.
/// Counted over every proposal at each scrape (never on a block's path).
fn governance_metrics(state: &eiraku_state::State) -> String {
    use eiraku_state::governance::Outcome;
    let Some(governance) = state.governance() else {
        return String::new();
    };
    let mut counts = [0u64; 6];
    for proposal in governance.proposals().values() {
        let slot = match proposal.outcome {
            Outcome::Open => 0,
            Outcome::Passed { .. } => 1,
            Outcome::Rejected { .. } => 2,
            Outcome::Enacted { .. } => 3,
            Outcome::Vetoed { .. } => 4,
            Outcome::Failed { .. } => 5,
        };
        counts[slot] += 1;
    }
    let mut text = String::from("# HELP eiraku_governance_proposals Proposals by where they stand.\n# TYPE eiraku_governance_proposals gauge\n");
    let statuses = ["open", "passed", "rejected", "enacted", "vetoed", "failed"];
    for (status, count) in statuses.iter().zip(counts) {
        text.push_str(&format!(
            "eiraku_governance_proposals{{status=\"{status}\"}} {count}\n"
        ));
    }
    let rules = governance.rules();
    text.push_str(&format!(
        "# HELP eiraku_governance_seats Seats by kind.\n# TYPE eiraku_governance_seats gauge\neiraku_governance_seats{{kind=\"voting\"}} {}\neiraku_governance_seats{{kind=\"advisory\"}} {}\neiraku_governance_seats{{kind=\"reviewer\"}} {}\n",
        rules.voting.len(),
        rules.advisory.len(),
        rules.reviewers.len()
    ));
    let now_ms = state.timestamp_ms();
    let emergency = governance.emergency();
    let overdue = (emergency.declarations().values())
        .filter(|d| d.review_overdue(now_ms))
        .count();
    text.push_str(&format!(
        "# HELP eiraku_emergency_in_force Whether an emergency declaration is in force (1) or not (0).\n# TYPE eiraku_emergency_in_force gauge\neiraku_emergency_in_force {}\n# HELP eiraku_emergency_reviews_overdue Emergency declarations whose outside review is overdue.\n# TYPE eiraku_emergency_reviews_overdue gauge\neiraku_emergency_reviews_overdue {overdue}\n",
        u8::from(emergency.in_force(now_ms).is_some()),
    ));
    text
}

/// Free and total bytes of the file system holding the data folder.
fn disk_metrics(data_dir: &std::path::Path) -> String {
    let Some((free, size)) = disk_space(data_dir) else {
        return String::new();
    };
    format!(
        "# HELP eiraku_data_disk_free_bytes Bytes free for the node on the file system of its data folder.\n# TYPE eiraku_data_disk_free_bytes gauge\neiraku_data_disk_free_bytes {free}\n\
         # HELP eiraku_data_disk_size_bytes Size of the file system of the data folder.\n# TYPE eiraku_data_disk_size_bytes gauge\neiraku_data_disk_size_bytes {size}\n"
    )
}

/// (available, total) bytes of the file system at `path` (statvfs).
fn disk_space(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: a NUL-terminated path and a buffer statvfs fills on success.
    let stats = unsafe {
        if libc::statvfs(path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    let block = stats.f_frsize as u64;
    Some((stats.f_bavail as u64 * block, stats.f_blocks as u64 * block))
}

#[cfg(test)]
mod tests {
    use super::prometheus_text;

    #[test]
    fn counters_are_named_as_their_samples_and_eof_goes() {
        let openmetrics = "# HELP sent Messages sent.\n# TYPE sent counter\nsent_total{peer=\"a\"} 3\n\
                           # HELP done_total Already named.\n# TYPE done_total counter\ndone_total 1\n\
                           # HELP depth Queue depth.\n# TYPE depth gauge\ndepth 2\n# EOF\n";
        assert_eq!(
            prometheus_text(openmetrics),
            "# HELP sent_total Messages sent.\n# TYPE sent_total counter\nsent_total{peer=\"a\"} 3\n\
             # HELP done_total Already named.\n# TYPE done_total counter\ndone_total 1\n\
             # HELP depth Queue depth.\n# TYPE depth gauge\ndepth 2\n"
        );
    }
}
