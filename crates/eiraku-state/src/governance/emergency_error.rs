//! Why a step of the emergency procedure was refused, or a call refused
//! while a declaration is in force. Each names the rule.

/// Why an emergency step, or a call under a declaration, was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum EmergencyError {
    /// The declaration in force pauses this call.
    #[error("paused by emergency declaration {declaration} ({by})")]
    Paused {
        /// The declaration.
        declaration: u64,
        /// The scope entry that pauses it.
        by: String,
    },
    /// The declaration in force freezes the sender.
    #[error("the sender is frozen by emergency declaration {declaration}")]
    FrozenByDeclaration {
        /// The declaration.
        declaration: u64,
    },
    /// Only the emergency officer (the issuer) requests, declares and
    /// keeps minutes.
    #[error("only the emergency officer (the issuer) may do this")]
    NotEmergencyOfficer,
    /// Only reviewers file reviews.
    #[error("the sender is not a reviewer")]
    NotReviewer,
    /// No consultation has this number.
    #[error("no consultation {consultation}")]
    NoSuchConsultation {
        /// The number asked for.
        consultation: u64,
    },
    /// No declaration has this number.
    #[error("no declaration {declaration}")]
    NoSuchDeclaration {
        /// The number asked for.
        declaration: u64,
    },
    /// A consultation is answered once, before a declaration.
    #[error("consultation {consultation} is already answered")]
    AlreadyConsulted {
        /// The consultation.
        consultation: u64,
    },
    /// Neither an advisory seat's answer nor an hour without one yet.
    #[error("consultation {consultation} has no answer; without one a declaration waits until {until_ms} ms of block time")]
    NotConsulted {
        /// The consultation.
        consultation: u64,
        /// When the officer may declare without an answer.
        until_ms: u64,
    },
    /// A consultation asked before the last declaration ended, or more
    /// than a day ago.
    #[error("consultation {consultation} is stale: a declaration follows a consultation asked after the last declaration ended, within a day")]
    ConsultationStale {
        /// The consultation.
        consultation: u64,
    },
    /// One declaration per consultation.
    #[error("consultation {consultation} already led to a declaration")]
    ConsultationUsed {
        /// The consultation.
        consultation: u64,
    },
    /// One declaration in force at a time.
    #[error("declaration {declaration} is in force")]
    DeclarationInForce {
        /// The declaration in force.
        declaration: u64,
    },
    /// A review is overdue: no new declaration until it is filed.
    #[error("the review of declaration {declaration} is overdue: no new declaration until a reviewer files it")]
    ReviewOverdue {
        /// The declaration.
        declaration: u64,
    },
    /// A scope that pauses and freezes nothing.
    #[error("the scope pauses and freezes nothing")]
    EmptyScope,
    /// A scope may not reach roles: freezing an official or a seat, or
    /// pausing governance or keys.
    #[error("a declaration may not touch roles: {what}")]
    TouchesRoles {
        /// The scope entry.
        what: String,
    },
    /// A scope entry naming no module of the chain.
    #[error("{what} names nothing a declaration can pause (transfer, registry, or a money call such as money.pay)")]
    UnknownScope {
        /// The scope entry.
        what: String,
    },
    /// Ratification needs a declaration in force.
    #[error("declaration {declaration} is not in force")]
    NotInForce {
        /// The declaration.
        declaration: u64,
    },
    /// One ratification per voting seat and round.
    #[error("this seat already ratified declaration {declaration} in this round")]
    AlreadyRatified {
        /// The declaration.
        declaration: u64,
    },
    /// One review per declaration.
    #[error("declaration {declaration} is already reviewed")]
    AlreadyReviewed {
        /// The declaration.
        declaration: u64,
    },
    /// A declaration keeps a bounded number of minutes.
    #[error("a declaration keeps at most {limit} minutes")]
    MinutesFull {
        /// The limit.
        limit: u32,
    },
}

impl EmergencyError {
    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            EmergencyError::Paused { .. } => "paused",
            EmergencyError::FrozenByDeclaration { .. } => "frozen_by_declaration",
            EmergencyError::NotEmergencyOfficer => "not_emergency_officer",
            EmergencyError::NotReviewer => "not_reviewer",
            EmergencyError::NoSuchConsultation { .. } => "no_such_consultation",
            EmergencyError::NoSuchDeclaration { .. } => "no_such_declaration",
            EmergencyError::AlreadyConsulted { .. } => "already_consulted",
            EmergencyError::NotConsulted { .. } => "not_consulted",
            EmergencyError::ConsultationUsed { .. } => "consultation_used",
            EmergencyError::ConsultationStale { .. } => "consultation_stale",
            EmergencyError::DeclarationInForce { .. } => "declaration_in_force",
            EmergencyError::ReviewOverdue { .. } => "review_overdue",
            EmergencyError::EmptyScope => "empty_scope",
            EmergencyError::TouchesRoles { .. } => "touches_roles",
            EmergencyError::UnknownScope { .. } => "unknown_scope",
            EmergencyError::NotInForce { .. } => "not_in_force",
            EmergencyError::AlreadyRatified { .. } => "already_ratified",
            EmergencyError::AlreadyReviewed { .. } => "already_reviewed",
            EmergencyError::MinutesFull { .. } => "minutes_full",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_json_tags_and_survive_a_round_trip_as_governance_errors() {
        let errors = [
            EmergencyError::Paused {
                declaration: 1,
                by: "money.pay".into(),
            },
            EmergencyError::NotConsulted {
                consultation: 2,
                until_ms: 3,
            },
            EmergencyError::EmptyScope,
            EmergencyError::TouchesRoles {
                what: "keys".into(),
            },
        ];
        for error in errors {
            let json = serde_json::to_value(&error).unwrap();
            assert_eq!(json["code"], error.code());
            let wrapped = crate::ExecutionError::from(super::super::GovernanceError::from(error));
            let text = serde_json::to_string(&wrapped).unwrap();
            assert_eq!(
                serde_json::from_str::<crate::ExecutionError>(&text).unwrap(),
                wrapped
            );
        }
    }
}
