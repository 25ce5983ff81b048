//! `eiraku cash simulate`: runs the offline-cash simulator with progress
//! bars and prints what the issuance center found against the truth.

use crate::bench::bar;
use eiraku_cash::simulation::{self, Config, Phase, Report};
use std::{fmt::Write as _, io::IsTerminal, path::Path, time::Instant};

/// Runs a simulation, the center's database in `dir`; returns the report
/// and the wall-clock seconds it took.
pub fn simulate(config: &Config, dir: &Path, show_progress: bool) -> anyhow::Result<(Report, u64)> {
    let started = Instant::now();
    let mut current: Option<(Phase, indicatif::ProgressBar)> = None;
    // Without a terminal the bars are hidden: print a line every tenth.
    let lines = show_progress && !std::io::stderr().is_terminal();
    let mut last_tenth = (Phase::Loading, 0);
    let report = simulation::run(config, dir, |phase, done, total| {
        let tenth = done * 10 / total.max(1);
        if lines && (phase, tenth) != last_tenth {
            last_tenth = (phase, tenth);
            eprintln!(
                "{phase:?}: {done}/{total} ({} s)",
                started.elapsed().as_secs()
            );
        }
        if current.as_ref().map(|(p, _)| *p) != Some(phase) {
            if let Some((_, finished)) = current.take() {
                finished.finish();
            }
            let label = match phase {
                Phase::Loading => "loading",
                Phase::Paying => "paying",
                Phase::Depositing => "depositing",
            };
            current = Some((phase, bar(show_progress, total, label)));
        }
        if let Some((_, progress)) = &current {
            progress.set_position(done);
        }
    })?;
    if let Some((_, finished)) = current {
        finished.finish();
    }
    Ok((report, started.elapsed().as_secs()))
}

/// The report as people read it.
pub fn render(config: &Config, report: &Report, seconds: u64) -> String {
    let mut out = String::new();
    let yes_no = |ok: bool| if ok { "yes" } else { "NO" };
    let refused: Vec<String> = report
        .refused
        .iter()
        .map(|(why, count)| format!("{why} {count}"))
        .collect();
    let _ = writeln!(
        out,
        "wallets                  {} ({} cloned: secure element copied, both copies spend)",
        report.wallets,
        report.cloned.len()
    );
    let _ = writeln!(
        out,
        "payments                 {} attempted, {} completed, refused: {}",
        report.transfers_attempted,
        report.transfers_completed,
        if refused.is_empty() {
            "none".to_string()
        } else {
            refused.join(", ")
        }
    );
    let permille = report.completed_with_funds_permille();
    let _ = writeln!(
        out,
        "completed                {}.{} % of the payments whose payer had the funds",
        permille / 10,
        permille % 10
    );
    let _ = writeln!(
        out,
        "notes                    {} issued (loads and refreshes), {} deposited, {} refreshes of worn notes (hop limit {})",
        report.notes_issued, report.notes_deposited, report.refreshes, config.limits.max_hops
    );
    let _ = writeln!(
        out,
        "hops                     {} history entries opened and checked at deposit",
        report.hops_checked
    );
    let _ = writeln!(
        out,
        "deposit checks           {} notes/s ({} notes in {} ms of deposit processing, one core)",
        report.deposits_per_second(),
        report.notes_deposited,
        report.deposit_time.as_millis()
    );
    let double_spent = report.double_spent.len();
    let caught = report.double_spent.intersection(&report.detected).count();
    let _ = writeln!(
        out,
        "double-spent notes       {double_spent} put into circulation twice; {caught} detected at deposit ({}); {} double spends reported in all",
        if double_spent == caught { "100 %" } else { "MISSED SOME" },
        report.detected.len()
    );
    let _ = writeln!(
        out,
        "culprits identified      {} of {} cloned wallets; evidence verified with the culprit's public key alone: {} of {}",
        report.culprits.intersection(&report.cloned).count(),
        report.cloned.len(),
        report.evidence_verified,
        report.evidence_verified + report.evidence_failed
    );
    let _ = writeln!(out, "honest wallets accused   {}", report.honest_accused);
    let _ = writeln!(
        out,
        "value                    issued {} = credited {}: {}",
        report.issued_value,
        report.credited_value,
        yes_no(report.issued_value == report.credited_value)
    );
    let _ = writeln!(
        out,
        "honest wallets           owed {} by their books; hold {} + {} in double-spent notes they accepted (recoverable from the culprits by the evidence): {}",
        report.honest_entitled,
        report.honest_credited,
        report.honest_received_double_spent,
        yes_no(report.value_conserved())
    );
    let _ = writeln!(
        out,
        "verdict                  {} (seed {}, {seconds} s)",
        if report.all_detected() && report.value_conserved() {
            "every double spend caught, every culprit proven, no honest wallet accused, value conserved"
        } else {
            "FAILED"
        },
        config.seed
    );
    out
}
