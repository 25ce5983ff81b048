//! The emergency procedure's record (everything public), at
//! `GET /v1/governance/emergency`: consultations, declarations with their
//! scope, ratifications, minutes and review, and whether each is in force
//! and whether its review is overdue, at the state's block time.

use eiraku_core::AccountId;
use serde::{Deserialize, Serialize};

/// The procedure's record: the newest consultations and declarations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmergencyView {
    /// Height of the state this was read from.
    pub height: u64,
    /// Block time of that state: what "in force" and "overdue" mean here.
    pub now_ms: u64,
    /// The emergency officer (the issuer), when the chain has one.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub officer: Option<AccountId>,
    /// The reviewers.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub reviewers: Vec<AccountId>,
    /// The declaration in force, if any.
    pub in_force: Option<u64>,
    /// Declarations whose review is overdue (no new declaration until
    /// they are reviewed).
    pub reviews_overdue: Vec<u64>,
    /// The newest consultations (at most 64), oldest first.
    pub consultations: Vec<ConsultationView>,
    /// The newest declarations (at most 64), oldest first.
    pub declarations: Vec<DeclarationView>,
}

/// A request for consultation and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsultationView {
    /// Its number.
    pub id: u64,
    /// Digest of the trigger (hex).
    pub trigger: String,
    /// Block time of the request.
    pub requested_ms: u64,
    /// The advisory seat that answered.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub answered_by: Option<AccountId>,
    /// Digest of its answer (hex).
    pub answer: Option<String>,
    /// Block time of the answer.
    pub answered_ms: Option<u64>,
    /// The declaration that followed.
    pub declared: Option<u64>,
}

/// One entry of a declaration's minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MinutesView {
    /// Digest of the minutes (hex).
    pub minutes: String,
    /// Block time they were filed.
    pub at_ms: u64,
}

/// A declaration with its record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclarationView {
    /// Its number.
    pub id: u64,
    /// The consultation it followed.
    pub consultation: u64,
    /// Declared after an hour without an answer.
    pub unanswered: bool,
    /// Modules and calls it pauses.
    pub pause: Vec<String>,
    /// Accounts it freezes.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub freeze: Vec<AccountId>,
    /// Block time of the declaration.
    pub declared_ms: u64,
    /// In force until this block time.
    pub expires_ms: u64,
    /// Whether it is in force now.
    pub in_force: bool,
    /// How many times a majority of the voting seats ratified it.
    pub ratifications: u32,
    /// Voting seats that ratified in the current round.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub ratified_by: Vec<AccountId>,
    /// Its minutes, in order.
    pub minutes: Vec<MinutesView>,
    /// Block time its review is due by.
    pub review_due_ms: u64,
    /// Whether the review is overdue now.
    pub review_overdue: bool,
    /// The reviewer, once the review is filed.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub reviewed_by: Option<AccountId>,
    /// Digest of the review (hex).
    pub review: Option<String>,
    /// Block time of the review.
    pub reviewed_ms: Option<u64>,
}
