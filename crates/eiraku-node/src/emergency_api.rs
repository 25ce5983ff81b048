//! The emergency procedure's read API: `GET /v1/governance/emergency`,
//! public like the rest of governance. Its steps are signed transactions
//! posted at `POST /v1/tx`.

use crate::{
    api::{ApiContext, ApiError},
    governance_api::governance_or_404,
};
use axum::{extract::State, routing::get, Json, Router};
pub use eiraku_api::{ConsultationView, DeclarationView, EmergencyView, MinutesView};
use eiraku_core::{digest, Role};
use eiraku_state::governance::{Consultation, Declaration};
use utoipa::OpenApi;

/// Most consultations and declarations one answer lists (the newest).
const NEWEST: usize = 64;

/// The emergency procedure's record at the finalized state.
#[utoipa::path(get, path = "/v1/governance/emergency",
    responses((status = 200, body = EmergencyView), (status = 404, body = crate::api::ErrorBody)))]
async fn get_emergency(State(context): State<ApiContext>) -> Result<Json<EmergencyView>, ApiError> {
    emergency_view(&context).map(Json)
}

/// The emergency procedure's record at the finalized state.
pub(crate) fn emergency_view(context: &ApiContext) -> Result<EmergencyView, ApiError> {
    let (state, governance) = governance_or_404(context)?;
    let now_ms = state.timestamp_ms();
    let emergency = governance.emergency();
    let officer = state
        .money()
        .map(|money| money.issuer)
        .filter(|issuer| state.authority().role(issuer) == Some(Role::Issuer));
    let newest = |len: usize| len.saturating_sub(NEWEST);
    let consultations = emergency.consultations().values();
    let declarations = emergency.declarations().values();
    Ok(EmergencyView {
        height: state.height(),
        now_ms,
        officer,
        reviewers: governance.rules().reviewers.iter().copied().collect(),
        in_force: emergency.in_force(now_ms).map(|d| d.id),
        reviews_overdue: (emergency.declarations().values())
            .filter(|d| d.review_overdue(now_ms))
            .map(|d| d.id)
            .collect(),
        consultations: (consultations.skip(newest(emergency.consultations().len())))
            .map(consultation)
            .collect(),
        declarations: (declarations.skip(newest(emergency.declarations().len())))
            .map(|d| declaration(d, now_ms))
            .collect(),
    })
}

fn consultation(c: &Consultation) -> ConsultationView {
    ConsultationView {
        id: c.id,
        trigger: digest::to_hex(&c.trigger),
        requested_ms: c.requested_ms,
        answered_by: c.answer.map(|a| a.by),
        answer: c.answer.map(|a| digest::to_hex(&a.text)),
        answered_ms: c.answer.map(|a| a.at_ms),
        declared: c.declared,
    }
}

/// A declaration as the API shows it, at block time `now_ms`.
pub fn declaration(d: &Declaration, now_ms: u64) -> DeclarationView {
    DeclarationView {
        id: d.id,
        consultation: d.consultation,
        unanswered: d.unanswered,
        pause: d.scope.pause.clone(),
        freeze: d.scope.freeze.clone(),
        declared_ms: d.declared_ms,
        expires_ms: d.expires_ms,
        in_force: d.in_force(now_ms),
        ratifications: d.ratifications,
        ratified_by: d.ratified_by.iter().copied().collect(),
        minutes: (d.minutes.iter())
            .map(|(minutes, at_ms)| MinutesView {
                minutes: digest::to_hex(minutes),
                at_ms: *at_ms,
            })
            .collect(),
        review_due_ms: d.review_due_ms(),
        review_overdue: d.review_overdue(now_ms),
        reviewed_by: d.review.map(|r| r.by),
        review: d.review.map(|r| digest::to_hex(&r.report)),
        reviewed_ms: d.review.map(|r| r.at_ms),
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(get_emergency),
    components(schemas(EmergencyView, ConsultationView, DeclarationView, MinutesView))
)]
pub(crate) struct EmergencyApiDoc;

/// The emergency route.
pub fn routes() -> Router<ApiContext> {
    Router::new().route("/v1/governance/emergency", get(get_emergency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::{
        governance::{emergency::REVIEW_DUE_MS, Scope},
        hash, AccountId,
    };
    use eiraku_state::governance::Review;

    #[test]
    fn a_lapsed_unreviewed_declaration_shows_its_review_overdue() {
        let mut declared = Declaration {
            id: 3,
            consultation: 4,
            unanswered: true,
            scope: Scope {
                pause: vec!["money".into()],
                freeze: vec![],
            },
            declared_ms: 1_000,
            expires_ms: 2_000,
            ratified_by: Default::default(),
            ratifications: 0,
            minutes: std::iter::once((hash(&[b"m"]), 1_000)).collect(),
            review: None,
        };
        let due = 1_000 + REVIEW_DUE_MS;
        let early = declaration(&declared, 1_500);
        assert!(early.in_force && !early.review_overdue);
        let late = declaration(&declared, due);
        assert!(!late.in_force && late.review_overdue);
        assert_eq!(late.review_due_ms, due);
        declared.review = Some(Review {
            by: AccountId::from_bytes([5; 32]),
            report: hash(&[b"r"]),
            at_ms: due + 1,
        });
        let reviewed = declaration(&declared, due + 2);
        assert!(!reviewed.review_overdue);
        assert_eq!(reviewed.reviewed_by, Some(AccountId::from_bytes([5; 32])));
    }
}
