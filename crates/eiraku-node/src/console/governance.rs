//! Governance in the open: the seats, every proposal with its whole record
//! (advice and responses, votes with reasons, the countdown to each
//! window's end) and the emergency declarations with their minutes and
//! review. The numbers and texts are the API's (`/v1/governance…`).

use super::{format, frame, not_found, refusal, render, Console};
use crate::{
    api::ApiContext,
    emergency_api::emergency_view,
    governance_api::{governance_view, proposal_view, proposals_view},
};
use axum::{
    extract::{Path, State},
    response::Response,
};
use eiraku_api::ProposalView;
use minijinja::{context, Value};

/// Proposals the overview lists (the newest).
const NEWEST_PROPOSALS: u64 = 50;

/// `/governance`: seats, windows, proposals, emergencies.
pub async fn overview(State(context): State<ApiContext>) -> Response {
    let view = match governance_view(&context) {
        Ok(view) => view,
        Err(error) => return refusal(&context, error),
    };
    let console = &context.console;
    let from = view.proposals.saturating_sub(NEWEST_PROPOSALS);
    let mut proposals =
        proposals_view(&context, from, NEWEST_PROPOSALS as usize).unwrap_or_default();
    proposals.reverse();
    let now_ms = context.chain.finalized_state().timestamp_ms();
    let emergency = emergency_view(&context).ok();
    let names = |ids: &[eiraku_core::AccountId]| -> Vec<Value> {
        ids.iter().map(|id| account(console, id)).collect()
    };
    render(
        &context,
        "governance.html",
        context! { section => "governance", ..frame(&context, "governance", "Governance") },
        context! {
            voting => names(&view.voting_seats),
            advisory => names(&view.advisory_seats),
            reviewers => names(&view.reviewers),
            class_a => windows(&view.class_a),
            class_b => windows(&view.class_b),
            proposals => proposals.iter().map(|p| summary(console, p, now_ms)).collect::<Vec<_>>(),
            count => view.proposals,
            declarations => emergency.as_ref().map(|e| e.declarations.iter().rev().map(|d| context! {
                id => d.id,
                pause => d.pause.join(", "),
                freeze => names(&d.freeze),
                declared => format::utc_time(d.declared_ms),
                expires => format::utc_time(d.expires_ms),
                in_force => d.in_force,
                ratifications => d.ratifications,
                minutes => d.minutes.iter().map(|m| context! { text => m.minutes.clone(), at => format::utc_time(m.at_ms) }).collect::<Vec<_>>(),
                review_due => format::utc_time(d.review_due_ms),
                review_overdue => d.review_overdue,
                reviewed_by => d.reviewed_by.map(|r| account(console, &r)),
            }).collect::<Vec<_>>()).unwrap_or_default(),
        },
    )
}

/// `/governance/proposals/{id}`: one proposal's whole record.
pub async fn proposal(State(context): State<ApiContext>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return not_found(&context, &format!("{id:?} is not a proposal number."));
    };
    let view = match proposal_view(&context, id) {
        Ok(view) => view,
        Err(error) => return refusal(&context, error),
    };
    let console = &context.console;
    let now_ms = context.chain.finalized_state().timestamp_ms();
    let deadline = |name: &str, ends_ms: u64| {
        context! {
            name => name, ends => format::utc_time(ends_ms), ends_ms => ends_ms,
            left => left(ends_ms, now_ms),
        }
    };
    render(
        &context,
        "proposal.html",
        context! { section => "governance", ..frame(&context, "proposal", &format!("Proposal {id}")) },
        context! {
            p => summary(console, &view, now_ms),
            now_ms => now_ms,
            amendment => serde_json::to_string_pretty(&view.amendment).unwrap_or_default(),
            deadlines => vec![
                deadline("advice", view.advice_ends_ms),
                deadline("review (voting opens)", view.voting_opens_ms),
                deadline("voting closes", view.voting_closes_ms),
                deadline("veto", view.veto_ends_ms),
                deadline("takes effect", view.enact_ms),
            ],
            advice => view.advice.iter().map(|a| context! {
                round => a.round, by => account(console, &a.by), stance => serde_plain(&a.stance),
                text => a.text.clone(), at => format::utc_time(a.at_ms), response => a.response.clone(),
            }).collect::<Vec<_>>(),
            votes => view.votes.iter().map(|v| context! {
                seat => account(console, &v.seat), choice => serde_plain(&v.choice),
                reason => v.reason.clone(), at => format::utc_time(v.at_ms),
            }).collect::<Vec<_>>(),
            reconsider => view.reconsider.iter().map(|r| remark(console, r)).collect::<Vec<_>>(),
            vetoes => view.vetoes.iter().map(|r| remark(console, r)).collect::<Vec<_>>(),
        },
    )
}

/// A proposal's line: number, class, proposer, phase, status, votes.
fn summary(console: &Console, p: &ProposalView, now_ms: u64) -> Value {
    let yes = p
        .votes
        .iter()
        .filter(|v| serde_plain(&v.choice) == "yes")
        .count();
    context! {
        id => p.id, class => serde_plain(&p.class), proposer => account(console, &p.proposer),
        phase => p.phase.clone(), status => serde_plain(&p.status),
        proposed => format::utc_time(p.proposed_ms), round => p.round,
        yes => yes, votes => p.votes.len(), votes_needed => p.votes_needed,
        text => p.text.clone(), comments => p.comments,
        next => next_deadline(p, now_ms),
    }
}

/// The end of the window the proposal is in, and the time left.
fn next_deadline(p: &ProposalView, now_ms: u64) -> Option<String> {
    let ends = [
        p.advice_ends_ms,
        p.voting_opens_ms,
        p.voting_closes_ms,
        p.veto_ends_ms,
    ];
    let next = ends.into_iter().find(|&end| end > now_ms)?;
    Some(format!("{} left", left(next, now_ms)))
}

/// `3 d 4 h`, `12 min 5 s`: time from `now_ms` to `ends_ms` (block time).
fn left(ends_ms: u64, now_ms: u64) -> String {
    if ends_ms <= now_ms {
        return "over".into();
    }
    let s = (ends_ms - now_ms) / 1000;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        3600..=86_399 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

fn remark(console: &Console, r: &eiraku_api::RemarkView) -> Value {
    context! { round => r.round, by => account(console, &r.by), text => r.text.clone(), at => format::utc_time(r.at_ms) }
}

/// An account as a link: its id and the name people know it by.
fn account(console: &Console, id: &eiraku_core::AccountId) -> Value {
    context! { id => id.to_hex(), name => console.names.name_of(id) }
}

/// A unit enum's JSON name (`yes`, `object`, `passed`), or its JSON.
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(serde_json::Value::Object(fields)) => {
            (fields.get("status").or_else(|| fields.values().next()))
                .and_then(|v| v.as_str())
                .map_or_else(|| format!("{fields:?}"), str::to_owned)
        }
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn windows(w: &eiraku_core::governance::Windows) -> Value {
    let span = |ms: u64| left(ms, 0);
    context! {
        advice => span(w.advice_ms), review => span(w.review_ms), voting => span(w.voting_ms),
        veto => span(w.veto_ms), delay => span(w.delay_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_at_a_glance() {
        assert_eq!(left(5_000, 10_000), "over");
        assert_eq!(left(12_000, 0), "12 s");
        assert_eq!(left(725_000, 0), "12 min 5 s");
        assert_eq!(left(3 * 86_400_000 + 4 * 3_600_000, 0), "3 d 4 h");
    }
}
