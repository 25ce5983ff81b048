//! The emergency procedure's state and rules (calls and times in
//! [`eiraku_core::governance::emergency`]). At most one declaration is in
//! force at a time, and it is the newest: what every transaction is
//! checked against is one lookup.

use super::{Caller, EmergencyError, Governance, GovernanceError};
use eiraku_core::{
    governance::{
        emergency::{CONSULTATION_WAIT_MS, LAPSE_MS, RATIFIED_FOR_MS, REVIEW_DUE_MS},
        EmergencyCall, Scope,
    },
    AccountId, Call, Digest, Role,
};
use imbl::{OrdMap, OrdSet, Vector};

/// Most minutes one declaration keeps.
pub const MAX_MINUTES: usize = 512;

/// How long a consultation stays good for a declaration: a day.
pub const CONSULTATION_VALID_MS: u64 = 24 * 60 * 60 * 1000;

/// Money as a whole and the money calls that are officials' and banks'
/// own powers: a scope naming them reaches roles.
const OFFICIAL: [&str; 8] = [
    "money",
    "money.post_rate",
    "money.set_tier_caps",
    "money.open_account",
    "money.freeze",
    "money.unfreeze",
    "money.suspend_bank",
    "money.register_travel_key",
];

/// What a scope may pause: the ordinary flow of money and records. The
/// officials' own powers (rates, tiers, opening accounts, freezes) are not
/// the officer's to suspend: pausing rates would also sink a basket
/// re-weighing governance passed.
const PAUSABLE: [&str; 15] = [
    "transfer",
    "cash",
    "cash.load",
    "cash.deposit",
    "registry",
    "registry.anchor",
    "money.pay",
    "money.redeem",
    "money.issue_coins",
    "money.contribute",
    "money.accept_contribution",
    "money.withdraw_contribution",
    "money.propose_settlement",
    "money.confirm_settlement",
    "money.close_seigniorage",
];

/// An advisory seat's answer to a consultation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The advisory seat.
    pub by: AccountId,
    /// Digest of its advice.
    pub text: Digest,
    /// Block time of the answer.
    pub at_ms: u64,
}

/// The officer's request for consultation, and the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consultation {
    /// Its number, from 0.
    pub id: u64,
    /// Digest of what happened.
    pub trigger: Digest,
    /// Block time of the request.
    pub requested_ms: u64,
    /// The first advisory seat's answer, if one came.
    pub answer: Option<Answer>,
    /// The declaration that followed it, if one did.
    pub declared: Option<u64>,
}

/// A review filed by a reviewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Review {
    /// The reviewer.
    pub by: AccountId,
    /// Digest of the review.
    pub report: Digest,
    /// Block time it was filed.
    pub at_ms: u64,
}

/// An emergency declaration with its whole record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    /// Its number, from 0.
    pub id: u64,
    /// The consultation it followed.
    pub consultation: u64,
    /// Whether it was declared without an answer (the hour passed).
    pub unanswered: bool,
    /// What it pauses and freezes.
    pub scope: Scope,
    /// Block time of the declaration.
    pub declared_ms: u64,
    /// In force until this block time (72 hours, then 30 days from each
    /// ratification).
    pub expires_ms: u64,
    /// Voting seats that ratified in the current round.
    pub ratified_by: OrdSet<AccountId>,
    /// How many times a majority ratified it.
    pub ratifications: u32,
    /// Minutes (digest, block time), the first filed with the declaration.
    pub minutes: Vector<(Digest, u64)>,
    /// The outside review, once filed.
    pub review: Option<Review>,
}

impl Declaration {
    /// Whether it is in force at `now_ms` (it lapses by itself).
    pub fn in_force(&self, now_ms: u64) -> bool {
        now_ms < self.expires_ms
    }

    /// Block time by which its review is due.
    pub fn review_due_ms(&self) -> u64 {
        self.declared_ms.saturating_add(REVIEW_DUE_MS)
    }

    /// Whether its review is overdue at `now_ms`.
    pub fn review_overdue(&self, now_ms: u64) -> bool {
        self.review.is_none() && now_ms >= self.review_due_ms()
    }
}

/// The procedure's record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Emergency {
    pub(super) consultations: OrdMap<u64, Consultation>,
    pub(super) declarations: OrdMap<u64, Declaration>,
}

impl Emergency {
    /// Every consultation, by number.
    pub fn consultations(&self) -> &OrdMap<u64, Consultation> {
        &self.consultations
    }

    /// Every declaration, by number.
    pub fn declarations(&self) -> &OrdMap<u64, Declaration> {
        &self.declarations
    }

    /// The declaration in force at `now_ms`, if any: only the newest can be.
    pub fn in_force(&self, now_ms: u64) -> Option<&Declaration> {
        let (_, newest) = self.declarations.get_max()?;
        newest.in_force(now_ms).then_some(newest)
    }

    /// Refuses `call` from `sender` when the declaration in force pauses
    /// it or freezes the sender (governance's own calls stay open: they
    /// are how the declaration is ratified and reviewed). A sender `in
    /// office` (an official or a seat: asked only of a frozen sender) is
    /// never frozen: a declaration may
    /// not reach roles, and one made before a successor took office must
    /// not bind it.
    pub fn check(
        &self,
        call: &Call,
        sender: &AccountId,
        in_office: impl FnOnce() -> bool,
        now_ms: u64,
    ) -> Result<(), GovernanceError> {
        let Some(declaration) = self.in_force(now_ms) else {
            return Ok(());
        };
        if let Some(entry) = declaration.scope.pauses(call) {
            return Err(EmergencyError::Paused {
                declaration: declaration.id,
                by: entry.to_string(),
            }
            .into());
        }
        // Governance stays open to a frozen account, and so do its keys: a
        // freeze must never stop a holder from cancelling a replacement.
        let defends = matches!(call, Call::Governance(_) | Call::Keys(_));
        if !defends && declaration.scope.freezes(sender) && !in_office() {
            return Err(EmergencyError::FrozenByDeclaration {
                declaration: declaration.id,
            }
            .into());
        }
        Ok(())
    }
}

impl Governance {
    /// Runs one step of the emergency procedure.
    pub(super) fn emergency_step(
        &mut self,
        caller: &Caller<'_>,
        step: &EmergencyCall,
    ) -> Result<(), GovernanceError> {
        match step {
            EmergencyCall::RequestConsultation { trigger } => {
                self.check_officer(caller)?;
                let id = next_id(&self.emergency.consultations);
                let consultation = Consultation {
                    id,
                    trigger: *trigger,
                    requested_ms: caller.now_ms,
                    answer: None,
                    declared: None,
                };
                self.emergency.consultations.insert(id, consultation);
                Ok(())
            }
            EmergencyCall::Consulted { consultation, text } => {
                self.consulted(caller, *consultation, *text)
            }
            EmergencyCall::Declare {
                consultation,
                scope,
                minutes,
            } => self.declare(caller, *consultation, scope, *minutes),
            EmergencyCall::Ratify { declaration } => self.ratify(caller, *declaration),
            EmergencyCall::AppendMinutes {
                declaration,
                minutes,
            } => {
                self.check_officer(caller)?;
                let declaration = self.declaration_mut(*declaration)?;
                if declaration.minutes.len() >= MAX_MINUTES {
                    return Err(EmergencyError::MinutesFull {
                        limit: MAX_MINUTES as u32,
                    }
                    .into());
                }
                declaration.minutes.push_back((*minutes, caller.now_ms));
                Ok(())
            }
            EmergencyCall::Review {
                declaration,
                report,
            } => self.review(caller, *declaration, *report),
        }
    }

    /// The officer is the issuer: governance's executor.
    fn check_officer(&self, caller: &Caller<'_>) -> Result<(), GovernanceError> {
        match caller.authority.role(caller.sender) {
            Some(Role::Issuer) => Ok(()),
            _ => Err(EmergencyError::NotEmergencyOfficer.into()),
        }
    }

    fn consulted(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        text: Digest,
    ) -> Result<(), GovernanceError> {
        if !self.rules.advisory.contains(caller.sender) {
            return Err(GovernanceError::NotAdvisorySeat);
        }
        let consultation = self.consultation_mut(id)?;
        if consultation.answer.is_some() || consultation.declared.is_some() {
            return Err(EmergencyError::AlreadyConsulted { consultation: id }.into());
        }
        consultation.answer = Some(Answer {
            by: *caller.sender,
            text,
            at_ms: caller.now_ms,
        });
        Ok(())
    }

    fn declare(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        scope: &Scope,
        minutes: Digest,
    ) -> Result<(), GovernanceError> {
        self.check_officer(caller)?;
        let now_ms = caller.now_ms;
        if let Some(overdue) =
            (self.emergency.declarations.values()).find(|d| d.review_overdue(now_ms))
        {
            return Err(EmergencyError::ReviewOverdue {
                declaration: overdue.id,
            }
            .into());
        }
        if let Some(current) = self.emergency.in_force(now_ms) {
            return Err(EmergencyError::DeclarationInForce {
                declaration: current.id,
            }
            .into());
        }
        self.check_scope(scope, caller)?;
        let declaration_id = next_id(&self.emergency.declarations);
        let consultation = self.consultation_mut(id)?;
        if consultation.declared.is_some() {
            return Err(EmergencyError::ConsultationUsed { consultation: id }.into());
        }
        // A consultation is for one crisis: asked after the last declaration
        // ended and used within a day, so an old one cannot chain
        // declarations past their lapse.
        let requested_ms = consultation.requested_ms;
        let last_ended = self
            .emergency
            .declarations
            .get_max()
            .map(|(_, d)| d.expires_ms);
        let consultation = self.consultation_mut(id)?;
        if last_ended.is_some_and(|ended| requested_ms < ended)
            || now_ms > requested_ms.saturating_add(CONSULTATION_VALID_MS)
        {
            return Err(EmergencyError::ConsultationStale { consultation: id }.into());
        }
        let waited_until = requested_ms.saturating_add(CONSULTATION_WAIT_MS);
        if consultation.answer.is_none() && now_ms < waited_until {
            return Err(EmergencyError::NotConsulted {
                consultation: id,
                until_ms: waited_until,
            }
            .into());
        }
        consultation.declared = Some(declaration_id);
        let unanswered = consultation.answer.is_none();
        let declaration = Declaration {
            id: declaration_id,
            consultation: id,
            unanswered,
            scope: scope.clone(),
            declared_ms: now_ms,
            expires_ms: now_ms.saturating_add(LAPSE_MS),
            ratified_by: OrdSet::new(),
            ratifications: 0,
            minutes: Vector::unit((minutes, now_ms)),
            review: None,
        };
        self.emergency
            .declarations
            .insert(declaration_id, declaration);
        Ok(())
    }

    /// A scope can only pause and freeze; it may not reach roles: freezing
    /// an official or a seat, or pausing governance or keys (through which
    /// seats act and holders defend their accounts), is refused.
    fn check_scope(&self, scope: &Scope, caller: &Caller<'_>) -> Result<(), GovernanceError> {
        if scope.pause.is_empty() && scope.freeze.is_empty() {
            return Err(EmergencyError::EmptyScope.into());
        }
        for entry in &scope.pause {
            if PAUSABLE.contains(&entry.as_str()) {
                continue;
            }
            let module = entry.split_once('.').map_or(entry.as_str(), |(m, _)| m);
            let what = entry.clone();
            let touches =
                matches!(module, "governance" | "keys") || OFFICIAL.contains(&entry.as_str());
            return Err(match touches {
                true => EmergencyError::TouchesRoles { what },
                false => EmergencyError::UnknownScope { what },
            }
            .into());
        }
        let rules = &self.rules;
        for account in &scope.freeze {
            let official = (caller.authority.role(account)).is_some_and(|r| r.is_official());
            let seated = rules.voting.contains(account)
                || rules.advisory.contains(account)
                || rules.reviewers.contains(account);
            if official || seated {
                return Err(EmergencyError::TouchesRoles {
                    what: account.to_string(),
                }
                .into());
            }
        }
        Ok(())
    }

    fn ratify(&mut self, caller: &Caller<'_>, id: u64) -> Result<(), GovernanceError> {
        if !self.rules.voting.contains(caller.sender) {
            return Err(GovernanceError::NotVotingSeat);
        }
        let voting = self.rules.voting.clone();
        let majority = voting.len() / 2 + 1;
        let declaration = self.declaration_mut(id)?;
        if !declaration.in_force(caller.now_ms) {
            return Err(EmergencyError::NotInForce { declaration: id }.into());
        }
        if declaration.ratified_by.insert(*caller.sender).is_some() {
            return Err(EmergencyError::AlreadyRatified { declaration: id }.into());
        }
        // Seats removed since they ratified no longer count.
        let seated = (declaration.ratified_by.iter()).filter(|seat| voting.contains(*seat));
        if seated.count() >= majority {
            declaration.expires_ms = caller.now_ms.saturating_add(RATIFIED_FOR_MS);
            declaration.ratified_by = OrdSet::new();
            declaration.ratifications += 1;
        }
        Ok(())
    }

    fn review(
        &mut self,
        caller: &Caller<'_>,
        id: u64,
        report: Digest,
    ) -> Result<(), GovernanceError> {
        if !self.rules.reviewers.contains(caller.sender) {
            return Err(EmergencyError::NotReviewer.into());
        }
        let declaration = self.declaration_mut(id)?;
        if declaration.review.is_some() {
            return Err(EmergencyError::AlreadyReviewed { declaration: id }.into());
        }
        declaration.review = Some(Review {
            by: *caller.sender,
            report,
            at_ms: caller.now_ms,
        });
        Ok(())
    }

    fn consultation_mut(&mut self, id: u64) -> Result<&mut Consultation, GovernanceError> {
        (self.emergency.consultations.get_mut(&id))
            .ok_or(EmergencyError::NoSuchConsultation { consultation: id }.into())
    }

    fn declaration_mut(&mut self, id: u64) -> Result<&mut Declaration, GovernanceError> {
        (self.emergency.declarations.get_mut(&id))
            .ok_or(EmergencyError::NoSuchDeclaration { declaration: id }.into())
    }
}

fn next_id<V: Clone>(map: &OrdMap<u64, V>) -> u64 {
    map.get_max().map_or(0, |(last, _)| last + 1)
}
