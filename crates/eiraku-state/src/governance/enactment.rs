//! Counting and enactment: at the start of each block, governance counts
//! the votes of proposals whose voting closed and enacts those whose time
//! has come, in the module each amendment belongs to, in time order. The
//! block's time is the clock. Amendments are checked when proposed and
//! again when enacted; one that can no longer apply fails with a typed
//! reason.

use super::{
    proposal::{vetoed, votes_needed},
    AmendmentError, Governance, Outcome, Proposal,
};
use eiraku_core::{
    governance::{Amendment, Parameter, ProposalClass, SeatKind, MIN_VOTING_SEATS},
    AccountId,
};
use imbl::OrdSet;

impl Governance {
    /// Takes the steps due by `now_ms` in time order: counts the votes of
    /// proposals whose voting closed, up to the first proposal whose
    /// enactment is due, which it returns with its amendment. The caller
    /// enacts it before asking again, so a count after an enactment (a
    /// seat removed, say) sees it.
    pub(crate) fn next_enactment(&mut self, now_ms: u64) -> Option<(u64, Amendment)> {
        while let Some(((at, id), ())) = self.due.get_min().cloned() {
            if at > now_ms {
                break;
            }
            self.due.remove(&(at, id));
            let rules = &self.rules;
            let proposal = self.proposals.get_mut(&id).expect("due proposals exist");
            match proposal.outcome {
                Outcome::Open => {
                    proposal.outcome = tally(proposal, &rules.voting, now_ms);
                    if let Outcome::Passed { enact_ms, .. } = proposal.outcome {
                        self.due.insert((enact_ms, id), ());
                    }
                }
                // Vetoes are counted again among the advisory seats of now:
                // one removed since may have tipped them.
                Outcome::Passed { .. }
                    if proposal.class == ProposalClass::A
                        && vetoed(
                            proposal.vetoes_from(&rules.advisory),
                            rules.advisory.len() as u32,
                        ) =>
                {
                    proposal.outcome = Outcome::Vetoed { at_ms: now_ms };
                }
                Outcome::Passed { .. } => return Some((id, proposal.amendment.clone())),
                _ => unreachable!("only open and passed proposals are due"),
            }
        }
        None
    }

    /// Records how enacting proposal `id` at `now_ms` went.
    pub(crate) fn record_enactment(
        &mut self,
        id: u64,
        now_ms: u64,
        result: Result<(), AmendmentError>,
    ) {
        let proposal = self
            .proposals
            .get_mut(&id)
            .expect("enacted proposals exist");
        proposal.outcome = match result {
            Ok(()) => Outcome::Enacted { at_ms: now_ms },
            Err(reason) => Outcome::Failed {
                at_ms: now_ms,
                reason,
            },
        };
    }

    /// Whether `amendment` could apply now: checked when it is proposed (so
    /// no seat spends a cycle on one that cannot) and again when enacted.
    pub(crate) fn check_amendment(&self, amendment: &Amendment) -> Result<(), AmendmentError> {
        let rules = &self.rules;
        match amendment {
            Amendment::SetParameter(parameter) => check_parameter(parameter),
            Amendment::SetWindows { class, windows } => windows
                .check(*class)
                .map_err(|_| AmendmentError::BadWindows),
            Amendment::AddSeat { account, .. } => {
                if self.is_seated(account) {
                    return Err(AmendmentError::AlreadySeated);
                }
                Ok(())
            }
            Amendment::RemoveSeat { account, kind } => {
                if !seats(rules, *kind).contains(account) {
                    return Err(AmendmentError::NotSeated);
                }
                if *kind == SeatKind::Voting && rules.voting.len() <= MIN_VOTING_SEATS {
                    return Err(AmendmentError::TooFewVotingSeats);
                }
                Ok(())
            }
            Amendment::ReplaceKey { new_key, .. } => new_key
                .public_key()
                .map(drop)
                .map_err(|_| AmendmentError::InvalidKey),
            Amendment::SetBasket { basket } => {
                let ordered = basket.windows(2).all(|w| w[0].currency < w[1].currency);
                let sized = (1..=eiraku_core::governance::MAX_BASKET_PARTS).contains(&basket.len());
                if ordered && sized {
                    Ok(())
                } else {
                    Err(AmendmentError::BadBasket)
                }
            }
            // Checked against the validator set by the state before the
            // proposal reaches governance (`State::check_proposal`).
            Amendment::ChangeValidators(_) => Ok(()),
            // Checked against the roles with them (`check_succession`,
            // `check_accession`).
            Amendment::Succeed { .. } | Amendment::AddEconomy(_) => Ok(()),
            // Checked against the money books (`Money::check_lift`) and
            // the roles (`crate::registry_roles`).
            Amendment::LiftSuspension { .. }
            | Amendment::GrantRole { .. }
            | Amendment::RevokeRole { .. } => Ok(()),
        }
    }

    /// Enacts an amendment to governance itself (its seats or windows).
    pub(crate) fn enact(&mut self, amendment: &Amendment) -> Option<Result<(), AmendmentError>> {
        if let Amendment::SetParameter(_)
        | Amendment::ReplaceKey { .. }
        | Amendment::SetBasket { .. }
        | Amendment::ChangeValidators(_)
        | Amendment::Succeed { .. }
        | Amendment::AddEconomy(_)
        | Amendment::LiftSuspension { .. }
        | Amendment::GrantRole { .. }
        | Amendment::RevokeRole { .. } = amendment
        {
            return None;
        }
        if let Err(reason) = self.check_amendment(amendment) {
            return Some(Err(reason));
        }
        let rules = &mut self.rules;
        match *amendment {
            Amendment::SetWindows { class, windows } => match class {
                ProposalClass::A => rules.windows.class_a = windows,
                ProposalClass::B => rules.windows.class_b = windows,
            },
            Amendment::AddSeat { account, kind } => {
                rules.seats_mut(kind).insert(account);
            }
            Amendment::RemoveSeat { account, kind } => {
                rules.seats_mut(kind).remove(&account);
            }
            Amendment::SetParameter(_)
            | Amendment::ReplaceKey { .. }
            | Amendment::SetBasket { .. }
            | Amendment::ChangeValidators(_)
            | Amendment::Succeed { .. }
            | Amendment::AddEconomy(_)
            | Amendment::LiftSuspension { .. }
            | Amendment::GrantRole { .. }
            | Amendment::RevokeRole { .. } => unreachable!("returned above"),
        }
        Some(Ok(()))
    }
}

impl Governance {
    /// The proposal, still open or waiting for enactment, that names
    /// `account` as a new holder of a role (a successor, a new economy's
    /// official, a registry role's holder), if any. Such an account is
    /// reserved: were anyone to give it a role first, the proposal would
    /// fail at enactment, and a thief holding an official's key could
    /// block its own succession for ever. Only waiting proposals are
    /// visited (at most four per voting seat).
    pub fn reserving(&self, account: &AccountId) -> Option<u64> {
        self.waiting(|amendment| Self::new_holders(amendment).contains(account))
    }

    /// The first proposal, still open or waiting for enactment, whose
    /// amendment `matches` (only those are visited).
    pub(crate) fn waiting(&self, matches: impl Fn(&Amendment) -> bool) -> Option<u64> {
        self.due.keys().map(|(_, id)| *id).find(|id| {
            let proposal = self.proposals.get(id).expect("due proposals exist");
            matches(&proposal.amendment)
        })
    }

    /// The accounts an amendment gives a role to.
    pub(crate) fn new_holders(amendment: &Amendment) -> Vec<AccountId> {
        match amendment {
            Amendment::Succeed { successor, .. } => vec![*successor],
            Amendment::AddEconomy(economy) => vec![economy.central_bank, economy.regulator],
            Amendment::GrantRole { account, .. } => vec![*account],
            _ => Vec::new(),
        }
    }

    /// Whether `account` holds a seat of any kind.
    pub(crate) fn is_seated(&self, account: &AccountId) -> bool {
        let rules = &self.rules;
        [&rules.voting, &rules.advisory, &rules.reviewers]
            .iter()
            .any(|seats| seats.contains(account))
    }

    /// Seats a new economy's central bank (voting: one economy, one vote)
    /// and regulator (advisory).
    pub(crate) fn seat_economy(&mut self, central_bank: AccountId, regulator: AccountId) {
        self.rules.voting.insert(central_bank);
        self.rules.advisory.insert(regulator);
    }

    /// Gives `predecessor`'s seats to `successor` (a succession governance
    /// enacted): votes the predecessor cast stop counting, since votes
    /// count among the seats of the count. Its proposals still open or
    /// waiting become the successor's, who answers their objections (the
    /// old key no longer can); only those are visited (`due`).
    pub(crate) fn pass_seats(&mut self, predecessor: &AccountId, successor: AccountId) {
        let rules = &mut self.rules;
        for seats in [&mut rules.voting, &mut rules.advisory, &mut rules.reviewers] {
            if seats.remove(predecessor).is_some() {
                seats.insert(successor);
            }
        }
        let waiting: Vec<u64> = self.due.keys().map(|(_, id)| *id).collect();
        for id in waiting {
            let proposal = self.proposals.get_mut(&id).expect("due proposals exist");
            if proposal.proposer == *predecessor {
                proposal.proposer = successor;
            }
        }
    }
}

/// Whether a parameter's new value can govern: a rate age limit of zero
/// would make every rate stale.
pub(crate) fn check_parameter(parameter: &Parameter) -> Result<(), AmendmentError> {
    match parameter {
        Parameter::MaxRateAgeMs(0) => Err(AmendmentError::ZeroRateAge),
        Parameter::KeyReplacementDelayMs(ms)
            if !(eiraku_core::governance::MIN_WINDOW_MS
                ..=eiraku_core::governance::MAX_WINDOW_MS)
                .contains(ms) =>
        {
            Err(AmendmentError::BadDelay)
        }
        _ => Ok(()),
    }
}

fn seats(rules: &super::Rules, kind: SeatKind) -> &OrdSet<AccountId> {
    match kind {
        SeatKind::Voting => &rules.voting,
        SeatKind::Advisory => &rules.advisory,
        SeatKind::Reviewer => &rules.reviewers,
    }
}

/// The outcome of a proposal whose voting closed, counted at `now_ms`
/// among the voting seats then. A passed class-A proposal's veto window
/// runs from the count, so a late count (after the chain stood still)
/// still leaves the advisory seats their whole window.
fn tally(proposal: &Proposal, seats: &OrdSet<AccountId>, now_ms: u64) -> Outcome {
    let yes = proposal.yes_votes(seats);
    let needed = votes_needed(proposal.class, seats.len() as u32);
    if yes < needed || proposal.unanswered_objection().is_some() {
        return Outcome::Rejected { yes, needed };
    }
    let veto_ms = match proposal.class {
        ProposalClass::A => proposal.windows.veto_ms,
        ProposalClass::B => 0,
    };
    let veto_ends_ms = now_ms
        .max(proposal.voting_closes_ms())
        .saturating_add(veto_ms);
    Outcome::Passed {
        yes,
        veto_ends_ms,
        enact_ms: veto_ends_ms.saturating_add(proposal.windows.delay_ms),
    }
}

/// When a proposal's next step is due: counting its votes while open,
/// enactment once passed, none after.
pub(super) fn next_step_ms(proposal: &Proposal) -> Option<u64> {
    match proposal.outcome {
        Outcome::Open => Some(proposal.voting_closes_ms()),
        Outcome::Passed { enact_ms, .. } => Some(enact_ms),
        _ => None,
    }
}
