//! Governance's read API (DESIGN.md §6), all public: the seats and windows
//! at `/v1/governance`, every proposal with its record at
//! `/v1/governance/proposals`, one at `/v1/governance/proposals/{id}`.
//! Governance calls are signed transactions, posted at `POST /v1/tx`.

use crate::api::{ApiContext, ApiError};
use axum::{
    extract::{Path, Query, State},
    routing::get,
    Json, Router,
};
pub use eiraku_api::{
    AdviceView, GovernanceView, ProposalStatus, ProposalView, RemarkView, VoteView,
};
use eiraku_core::digest;
use eiraku_state::governance::{
    phase_name, proposal::votes_needed, Governance, Outcome, Proposal, Remark,
};
use std::sync::Arc;
use utoipa::OpenApi;

pub(crate) fn governance_or_404(
    context: &ApiContext,
) -> Result<(Arc<eiraku_state::State>, Governance), ApiError> {
    let state = context.chain.finalized_state();
    let governance = state.governance().cloned().ok_or_else(|| {
        ApiError::not_found("this chain has no governance (its genesis has no governance section)")
    })?;
    Ok((state, governance))
}

/// The seats and the windows of each class.
#[utoipa::path(get, path = "/v1/governance",
    responses((status = 200, body = GovernanceView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_governance(
    State(context): State<ApiContext>,
) -> Result<Json<GovernanceView>, ApiError> {
    governance_view(&context).map(Json)
}

/// The seats and the windows of each class, at the finalized state.
pub(crate) fn governance_view(context: &ApiContext) -> Result<GovernanceView, ApiError> {
    let (state, governance) = governance_or_404(context)?;
    let rules = governance.rules();
    Ok(GovernanceView {
        height: state.height(),
        voting_seats: rules.voting.iter().copied().collect(),
        advisory_seats: rules.advisory.iter().copied().collect(),
        class_a: rules.windows.class_a,
        class_b: rules.windows.class_b,
        proposals: governance.proposals().len() as u64,
        reviewers: rules.reviewers.iter().copied().collect(),
    })
}

/// Which page of a list to return.
#[derive(serde::Deserialize, utoipa::IntoParams)]
struct PageQuery {
    /// First item's number (default 0).
    from: Option<u64>,
    /// How many (default and at most 256).
    #[param(minimum = 0, maximum = 256)]
    count: Option<usize>,
}

/// Most items one request lists.
const MAX_PAGE: usize = 256;

/// Proposals with their whole record, oldest first, a page at a time.
#[utoipa::path(get, path = "/v1/governance/proposals", params(PageQuery),
    responses((status = 200, body = Vec<ProposalView>), (status = 404, body = crate::api::ErrorBody)))]
async fn get_proposals(
    State(context): State<ApiContext>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Vec<ProposalView>>, ApiError> {
    let count = page.count.unwrap_or(MAX_PAGE).min(MAX_PAGE);
    proposals_view(&context, page.from.unwrap_or(0), count).map(Json)
}

/// Up to `count` proposals from number `from` on, with their whole record.
pub(crate) fn proposals_view(
    context: &ApiContext,
    from: u64,
    count: usize,
) -> Result<Vec<ProposalView>, ApiError> {
    let (state, governance) = governance_or_404(context)?;
    let seats = governance.rules().voting.len() as u32;
    let views = governance.proposals().range(from..).take(count);
    let now_ms = state.timestamp_ms();
    Ok(views.map(|(_, p)| view(p, seats, now_ms)).collect())
}

/// One proposal with its whole record.
#[utoipa::path(get, path = "/v1/governance/proposals/{id}", params(("id" = u64, Path, description = "proposal number")),
    responses((status = 200, body = ProposalView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_proposal(
    State(context): State<ApiContext>,
    Path(id): Path<u64>,
) -> Result<Json<ProposalView>, ApiError> {
    proposal_view(&context, id).map(Json)
}

/// One proposal with its whole record.
pub(crate) fn proposal_view(context: &ApiContext, id: u64) -> Result<ProposalView, ApiError> {
    let (state, governance) = governance_or_404(context)?;
    let proposal = governance
        .proposals()
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("no proposal {id} (or not final yet)")))?;
    let seats = governance.rules().voting.len() as u32;
    Ok(view(proposal, seats, state.timestamp_ms()))
}

/// A proposal's comments, in order, a page at a time.
#[utoipa::path(get, path = "/v1/governance/proposals/{id}/comments",
    params(("id" = u64, Path, description = "proposal number"), PageQuery),
    responses((status = 200, body = Vec<RemarkView>), (status = 404, body = crate::api::ErrorBody)))]
async fn get_comments(
    State(context): State<ApiContext>,
    Path(id): Path<u64>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Vec<RemarkView>>, ApiError> {
    let (_, governance) = governance_or_404(&context)?;
    if !governance.proposals().contains_key(&id) {
        return Err(ApiError::not_found(format!(
            "no proposal {id} (or not final yet)"
        )));
    }
    let count = page.count.unwrap_or(MAX_PAGE).min(MAX_PAGE);
    let from = u32::try_from(page.from.unwrap_or(0)).unwrap_or(u32::MAX);
    let comments = governance.comments(id, from, count);
    Ok(Json(comments.iter().map(remark).collect()))
}

/// A proposal as the API shows it, at block time `now_ms`.
fn view(p: &Proposal, seats: u32, now_ms: u64) -> ProposalView {
    ProposalView {
        id: p.id,
        class: p.class,
        proposer: p.proposer,
        amendment: p.amendment.clone(),
        text: digest::to_hex(&p.text),
        proposed_ms: p.proposed_ms,
        round: p.round,
        opened_ms: p.opened_ms,
        advice_ends_ms: p.advice_ends_ms(),
        voting_opens_ms: p.voting_opens_ms(),
        voting_closes_ms: p.voting_closes_ms(),
        veto_ends_ms: p.veto_ends_ms(),
        enact_ms: p.enact_ms(),
        phase: phase_name(p.phase(now_ms)),
        votes_needed: votes_needed(p.class, seats),
        advice: p
            .advice
            .iter()
            .map(|a| AdviceView {
                round: a.round,
                by: a.by,
                stance: a.stance,
                text: digest::to_hex(&a.text),
                at_ms: a.at_ms,
                response: a.response.as_ref().map(digest::to_hex),
            })
            .collect(),
        votes: p
            .votes
            .iter()
            .map(|(seat, ballot)| VoteView {
                seat: *seat,
                choice: ballot.choice,
                reason: digest::to_hex(&ballot.reason),
                at_ms: ballot.at_ms,
            })
            .collect(),
        comments: p.comments,
        reconsider: p.reconsider.iter().map(remark).collect(),
        vetoes: p.vetoes.iter().map(remark).collect(),
        status: status(&p.outcome),
    }
}

fn remark(r: &Remark) -> RemarkView {
    RemarkView {
        round: r.round,
        by: r.by,
        text: digest::to_hex(&r.text),
        at_ms: r.at_ms,
    }
}

fn status(outcome: &Outcome) -> ProposalStatus {
    match outcome.clone() {
        Outcome::Open => ProposalStatus::Open,
        Outcome::Passed {
            yes,
            veto_ends_ms,
            enact_ms,
        } => ProposalStatus::Passed {
            yes,
            veto_ends_ms,
            enact_ms,
        },
        Outcome::Rejected { yes, needed } => ProposalStatus::Rejected { yes, needed },
        Outcome::Enacted { at_ms } => ProposalStatus::Enacted { at_ms },
        Outcome::Vetoed { at_ms } => ProposalStatus::Vetoed { at_ms },
        Outcome::Failed { at_ms, reason } => ProposalStatus::Failed {
            at_ms,
            reason: serde_json::to_value(reason).expect("reasons serialize")["code"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            message: reason.to_string(),
        },
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(get_governance, get_proposals, get_proposal, get_comments),
    components(schemas(
        GovernanceView,
        ProposalView,
        AdviceView,
        VoteView,
        RemarkView,
        ProposalStatus
    ))
)]
pub(crate) struct GovernanceApiDoc;

/// The governance routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/governance", get(get_governance))
        .route("/v1/governance/proposals", get(get_proposals))
        .route("/v1/governance/proposals/{id}", get(get_proposal))
        .route("/v1/governance/proposals/{id}/comments", get(get_comments))
        .merge(crate::emergency_api::routes())
}
