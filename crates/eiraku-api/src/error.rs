//! Refusals: every error the API answers is an [`ErrorBody`].

use serde::{Deserialize, Serialize};

/// A refusal: `{"error": {"code", "message"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The refusal.
    pub error: ErrorDetail,
}

/// Machine code and human message of a refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable code: `malformed`, `oversized`, `bad_signature`, `wrong_chain_id`,
    /// `unknown_account`, `wrong_key`, `nonce_used`, `nonce_gap`, `duplicate`, `insufficient_funds`,
    /// `busy`, `not_found`, `bad_request`, `internal`, and each module's own
    /// (`not_central_bank`, `travel_rule_required`, …). An open set: a
    /// string, not an enum, so an older client still reads a newer code.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
}

impl ErrorDetail {
    /// A refusal with `code` and `message`.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_body_keeps_its_wire_form() {
        let body = ErrorBody {
            error: ErrorDetail::new("nonce_used", "nonce 0 was used"),
        };
        let text = serde_json::to_string(&body).unwrap();
        assert_eq!(
            text,
            r#"{"error":{"code":"nonce_used","message":"nonce 0 was used"}}"#
        );
        assert_eq!(serde_json::from_str::<ErrorBody>(&text).unwrap(), body);
    }
}
