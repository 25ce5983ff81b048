//! Why a governance call was refused, and why an amendment cannot apply.
//! Each names the rule broken.

/// Why an amendment cannot apply: checked when proposed, and again when
/// enacted (a proposal that passed but can no longer apply is recorded as
/// failed with this reason, a code in the state).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize,
)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AmendmentError {
    /// The account already holds a seat (one seat per account).
    #[error("the account already holds a seat")]
    AlreadySeated,
    /// The account holds no seat of that kind.
    #[error("the account holds no seat of that kind")]
    NotSeated,
    /// Fewer than three voting seats would remain.
    #[error("at least three voting seats remain")]
    TooFewVotingSeats,
    /// Windows out of bounds.
    #[error("windows last from a second to a year, and only class A has a veto window")]
    BadWindows,
    /// A rate age limit of zero.
    #[error("a rate age limit of zero would make every rate stale")]
    ZeroRateAge,
    /// No module of the chain applies it.
    #[error("no module of this chain applies this amendment")]
    NoModule,
    /// A key replacement time lock out of bounds.
    #[error("a key replacement time lock lasts from a second to a year")]
    BadDelay,
    /// The new key's bytes are not an Ed25519 public key.
    #[error("the new key is not a valid Ed25519 public key")]
    InvalidKey,
    /// Governance replaces only officials' keys (banks and customers have
    /// the authority that opened them).
    #[error("governance replaces only the keys of the issuer, central banks and regulators")]
    NotAnOfficial,
    /// The new key signs for the account already.
    #[error("the new key already signs for the account")]
    SameKey,
    /// The coin is a single currency, not a basket.
    #[error("the coin is not a basket")]
    NotABasket,
    /// A basket currency is neither an economy's nor the numeraire.
    #[error("a basket currency belongs to no member economy")]
    UnknownCurrency,
    /// A basket currency's rate is too old at the switch.
    #[error(
        "a basket currency's rate is stale at the switch: a basket changes only with fresh rates"
    )]
    StaleRates,
    /// Re-weighing would move the ACU's value.
    #[error("the re-weighed basket would not keep the ACU's value within one minor unit")]
    BasketValueMoved,
    /// A basket that is empty, too large, unordered or out of range.
    #[error("a basket holds 1 to 32 currencies in order, each in a quantity that can be scaled")]
    BadBasket,
    /// A validator change that adds and removes no one, or names one twice.
    #[error("a validator change adds or removes someone, each once")]
    EmptyValidatorChange,
    /// A joining validator's consent is not its key's signature for this
    /// chain and address.
    #[error("a joining validator's consent does not verify for this chain and address")]
    BadConsent,
    /// A joining key validates already.
    #[error("a joining validator is a validator already")]
    AlreadyValidator,
    /// A key to remove does not validate.
    #[error("a validator to remove is not in the set")]
    NotValidator,
    /// The set would shrink below four validators.
    #[error("at least four validators remain (one may fail)")]
    TooFewValidators,
    /// The set would grow beyond its limit.
    #[error("a validator set holds at most 128 validators")]
    TooManyValidators,
    /// More than a third of the set would leave at once.
    #[error("one change removes at most a third of the validators")]
    RemovesTooManyValidators,
    /// The validators staying from the active set would not be a quorum of
    /// the new set, or more than a third of them would leave, counting
    /// every change enacted in this epoch.
    #[error("the validators staying from this epoch's set must be a quorum of the next set, and at most a third of them leave (counting every change enacted this epoch)")]
    BreaksContinuity,
    /// A successor must be a fresh account: one that holds or held a
    /// role (or a seat) would merge two offices in one key.
    #[error("the successor holds or held a role: name a new key")]
    SuccessorHoldsRole,
    /// Class B grants and revokes only registry roles.
    #[error("a class-B proposal grants and revokes only registry roles (registry authorities and attesters)")]
    NotARegistryRole,
    /// The role's economy is not a member.
    #[error("the role's economy is not a member economy")]
    UnknownEconomy,
    /// The account holds or held a role.
    #[error("the account holds or held a role: name a fresh key")]
    HoldsRole,
    /// A new role holder's consent is not its key's signature of this
    /// chain and the role.
    #[error("the new holder's consent does not verify: its key signs this chain and the role it accepts (`eiraku keys consent`)")]
    RoleConsentInvalid,
    /// Another waiting proposal gives the account a role.
    #[error("another proposal still waiting gives this account a role")]
    AccountReserved,
    /// A lift of the bank's suspension is waiting already.
    #[error("a proposal to lift this bank's suspension is waiting already")]
    LiftWaiting,
    /// The bank is not suspended.
    #[error("the bank is not suspended")]
    NotSuspended,
    /// The economy, or another with its currency, is a member already.
    #[error("the economy, or another economy with its currency, is a member already")]
    EconomyExists,
    /// A new economy's central bank and regulator must be two fresh keys.
    #[error("a new economy's central bank and regulator must be two different keys that hold or held no role and no seat")]
    NewOfficialsNotFresh,
    /// The chain runs one epoch: its genesis set no epoch length.
    #[error("this chain runs one epoch (its genesis sets no epoch_length), so its validators cannot change")]
    NoEpochs,
}

impl From<eiraku_core::validators::ChangeRefused> for AmendmentError {
    fn from(refused: eiraku_core::validators::ChangeRefused) -> Self {
        use eiraku_core::validators::ChangeRefused;
        match refused {
            ChangeRefused::Malformed => AmendmentError::EmptyValidatorChange,
            ChangeRefused::BadConsent => AmendmentError::BadConsent,
            ChangeRefused::AlreadyValidator => AmendmentError::AlreadyValidator,
            ChangeRefused::NotValidator => AmendmentError::NotValidator,
            ChangeRefused::TooFew => AmendmentError::TooFewValidators,
            ChangeRefused::TooMany => AmendmentError::TooManyValidators,
            ChangeRefused::RemovesTooMany => AmendmentError::RemovesTooManyValidators,
            ChangeRefused::BreaksContinuity => AmendmentError::BreaksContinuity,
        }
    }
}

impl AmendmentError {
    /// Every reason, in the order of its stored code.
    pub const ALL: [AmendmentError; 34] = [
        AmendmentError::AlreadySeated,
        AmendmentError::NotSeated,
        AmendmentError::TooFewVotingSeats,
        AmendmentError::BadWindows,
        AmendmentError::ZeroRateAge,
        AmendmentError::NoModule,
        AmendmentError::BadDelay,
        AmendmentError::InvalidKey,
        AmendmentError::NotAnOfficial,
        AmendmentError::SameKey,
        AmendmentError::NotABasket,
        AmendmentError::UnknownCurrency,
        AmendmentError::StaleRates,
        AmendmentError::BasketValueMoved,
        AmendmentError::BadBasket,
        AmendmentError::EmptyValidatorChange,
        AmendmentError::BadConsent,
        AmendmentError::AlreadyValidator,
        AmendmentError::NotValidator,
        AmendmentError::TooFewValidators,
        AmendmentError::TooManyValidators,
        AmendmentError::RemovesTooManyValidators,
        AmendmentError::NoEpochs,
        AmendmentError::BreaksContinuity,
        AmendmentError::SuccessorHoldsRole,
        AmendmentError::EconomyExists,
        AmendmentError::NewOfficialsNotFresh,
        AmendmentError::NotSuspended,
        AmendmentError::NotARegistryRole,
        AmendmentError::UnknownEconomy,
        AmendmentError::HoldsRole,
        AmendmentError::AccountReserved,
        AmendmentError::LiftWaiting,
        AmendmentError::RoleConsentInvalid,
    ];

    /// Its stored code (its place in [`AmendmentError::ALL`]).
    pub fn to_code(self) -> u8 {
        Self::ALL.iter().position(|e| *e == self).expect("listed") as u8
    }

    /// The reason stored under `code`.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(code as usize).copied()
    }
}

/// Why a governance call was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum GovernanceError {
    /// The chain's genesis has no governance section.
    #[error("this chain has no governance module")]
    NoGovernance,
    /// Only voting seats propose and vote.
    #[error("the sender holds no voting seat")]
    NotVotingSeat,
    /// Only advisory seats advise.
    #[error("the sender holds no advisory seat")]
    NotAdvisorySeat,
    /// The amendment cannot apply (it would fail at enactment).
    #[error("the amendment cannot apply: {reason}")]
    InvalidAmendment {
        /// Why.
        reason: AmendmentError,
    },
    /// A seat has this many proposals open or waiting already.
    #[error("this seat has {limit} proposals open or waiting for enactment already")]
    TooManyOpen {
        /// The limit.
        limit: u32,
    },
    /// Only seats ask to reconsider.
    #[error("the sender holds no seat")]
    NotASeat,
    /// Only accounts holding a role comment.
    #[error("only an account holding a role comments")]
    NoRole,
    /// Only the proposer answers objections.
    #[error("only the proposer responds to advice on proposal {proposal}")]
    NotProposer {
        /// The proposal.
        proposal: u64,
    },
    /// No proposal has this number.
    #[error("no proposal {proposal}")]
    NoSuchProposal {
        /// The number asked for.
        proposal: u64,
    },
    /// The call's window is not open at this block's time.
    #[error("the {window} window of proposal {proposal} is not open (it is in its {now} window)")]
    WindowNotOpen {
        /// The proposal.
        proposal: u64,
        /// The window the call needs.
        window: String,
        /// The window the proposal is in.
        now: String,
    },
    /// One advice per advisory seat and proposal.
    #[error("this seat already advised on proposal {proposal}")]
    AlreadyAdvised {
        /// The proposal.
        proposal: u64,
    },
    /// One vote per voting seat and proposal; it stays on record.
    #[error("this seat already voted on proposal {proposal}")]
    AlreadyVoted {
        /// The proposal.
        proposal: u64,
    },
    /// The advice at this index is not an objection.
    #[error("advice {objection} on proposal {proposal} is not an objection")]
    NoSuchObjection {
        /// The proposal.
        proposal: u64,
        /// The index given.
        objection: u32,
    },
    /// An objection is answered once.
    #[error("objection {objection} on proposal {proposal} is already answered")]
    AlreadyAnswered {
        /// The proposal.
        proposal: u64,
        /// The objection.
        objection: u32,
    },
    /// One request to reconsider per seat and round.
    #[error("this seat already asked to reconsider proposal {proposal}")]
    AlreadyRequested {
        /// The proposal.
        proposal: u64,
    },
    /// A proposal is sent back at most once.
    #[error("proposal {proposal} was already sent back once: it goes to the vote")]
    SendBacksUsed {
        /// The proposal.
        proposal: u64,
    },
    /// Only a passed class-A proposal in its veto window can be vetoed.
    #[error("proposal {proposal} cannot be vetoed: {why}")]
    NotVetoable {
        /// The proposal.
        proposal: u64,
        /// Why not.
        why: String,
    },
    /// One veto per advisory seat.
    #[error("this seat already vetoed proposal {proposal}")]
    AlreadyVetoed {
        /// The proposal.
        proposal: u64,
    },
    /// Votes count only once every objection is answered.
    #[error("objection {objection} on proposal {proposal} is unanswered: no vote counts until the proposer answers every objection")]
    UnansweredObjection {
        /// The proposal.
        proposal: u64,
        /// The first unanswered objection.
        objection: u32,
    },
    /// A rule of the emergency procedure.
    #[error(transparent)]
    #[serde(untagged)]
    Emergency(#[from] super::EmergencyError),
}

impl GovernanceError {
    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            GovernanceError::NoGovernance => "no_governance",
            GovernanceError::NotVotingSeat => "not_voting_seat",
            GovernanceError::NotAdvisorySeat => "not_advisory_seat",
            GovernanceError::NoRole => "no_role",
            GovernanceError::InvalidAmendment { .. } => "invalid_amendment",
            GovernanceError::TooManyOpen { .. } => "too_many_open",
            GovernanceError::NotASeat => "not_a_seat",
            GovernanceError::NotProposer { .. } => "not_proposer",
            GovernanceError::NoSuchProposal { .. } => "no_such_proposal",
            GovernanceError::WindowNotOpen { .. } => "window_not_open",
            GovernanceError::AlreadyAdvised { .. } => "already_advised",
            GovernanceError::AlreadyVoted { .. } => "already_voted",
            GovernanceError::NoSuchObjection { .. } => "no_such_objection",
            GovernanceError::AlreadyAnswered { .. } => "already_answered",
            GovernanceError::UnansweredObjection { .. } => "unanswered_objection",
            GovernanceError::AlreadyRequested { .. } => "already_requested",
            GovernanceError::SendBacksUsed { .. } => "send_backs_used",
            GovernanceError::NotVetoable { .. } => "not_vetoable",
            GovernanceError::AlreadyVetoed { .. } => "already_vetoed",
            GovernanceError::Emergency(error) => error.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_json_tags() {
        for error in [
            GovernanceError::NoGovernance,
            GovernanceError::NotVotingSeat,
            GovernanceError::NotAdvisorySeat,
            GovernanceError::NotProposer { proposal: 1 },
            GovernanceError::NoSuchProposal { proposal: 1 },
            GovernanceError::WindowNotOpen {
                proposal: 1,
                window: "voting".into(),
                now: "advice".into(),
            },
            GovernanceError::AlreadyAdvised { proposal: 1 },
            GovernanceError::AlreadyVoted { proposal: 1 },
            GovernanceError::NoSuchObjection {
                proposal: 1,
                objection: 2,
            },
            GovernanceError::AlreadyAnswered {
                proposal: 1,
                objection: 2,
            },
            GovernanceError::UnansweredObjection {
                proposal: 1,
                objection: 2,
            },
            GovernanceError::NoRole,
            GovernanceError::InvalidAmendment {
                reason: AmendmentError::TooFewVotingSeats,
            },
            GovernanceError::TooManyOpen { limit: 4 },
            GovernanceError::NotASeat,
            GovernanceError::AlreadyRequested { proposal: 1 },
            GovernanceError::SendBacksUsed { proposal: 1 },
            GovernanceError::NotVetoable {
                proposal: 1,
                why: "class B".into(),
            },
            GovernanceError::AlreadyVetoed { proposal: 1 },
        ] {
            let json = serde_json::to_value(&error).unwrap();
            assert_eq!(json["code"], error.code());
            let back: GovernanceError = serde_json::from_value(json).unwrap();
            assert_eq!(back, error);
        }
    }

    #[test]
    fn amendment_reasons_keep_their_stored_codes() {
        for (code, reason) in AmendmentError::ALL.iter().enumerate() {
            assert_eq!(reason.to_code(), code as u8);
            assert_eq!(AmendmentError::from_code(code as u8), Some(*reason));
        }
        assert_eq!(
            AmendmentError::from_code(AmendmentError::ALL.len() as u8),
            None
        );
    }
}
