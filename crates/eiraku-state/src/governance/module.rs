//! The governance module behind the module interface: the calls it takes
//! and the state keys it holds (`governance/rules`, one
//! `governance/proposal/<n>` per proposal with its whole record).

use super::{
    codec, emergency_codec, AmendmentError, Caller, Emergency, Governance, GovernanceError,
    Proposal, Remark,
};
use crate::{
    changes::map,
    module::{CallContext, Module},
    Change, EntryError, ExecutionError,
};
use eiraku_core::{governance::Amendment, AccountId, Call, GovernanceKey, StateKey};
use imbl::OrdMap;

/// Governance is set at genesis: a chain's states all have it or all lack
/// it.
impl Module for Option<Governance> {
    fn apply(
        &mut self,
        call: &Call,
        cx: &mut CallContext<'_, '_>,
    ) -> Option<Result<(), ExecutionError>> {
        let Call::Governance(call) = call else {
            return None;
        };
        let Some(governance) = self else {
            return Some(Err(GovernanceError::NoGovernance.into()));
        };
        let sender = &cx.tx.transaction.sender;
        let caller = Caller {
            sender,
            has_role: cx.authority.role(sender).is_some(),
            now_ms: cx.env.timestamp_ms,
            authority: cx.authority,
        };
        Some(governance.apply(&caller, call).map_err(Into::into))
    }

    fn accounts_touched(call: &Call) -> Option<Vec<&AccountId>> {
        matches!(call, Call::Governance(_)).then(Vec::new)
    }

    fn enact(&mut self, amendment: &Amendment, _now_ms: u64) -> Option<Result<(), AmendmentError>> {
        self.as_mut()?.enact(amendment)
    }

    fn entries(&self, out: &mut Vec<Change>) {
        let Some(governance) = self else {
            return;
        };
        out.push((
            StateKey::Governance(GovernanceKey::Rules),
            Some(codec::rules(&governance.rules)),
        ));
        for (id, proposal) in &governance.proposals {
            out.push((
                StateKey::Governance(GovernanceKey::Proposal(*id)),
                Some(codec::proposal(proposal)),
            ));
        }
        for ((proposal, number), remark) in &governance.comments {
            let key = GovernanceKey::Comment {
                proposal: *proposal,
                number: *number,
            };
            out.push((StateKey::Governance(key), Some(codec::comment(remark))));
        }
        let emergency = &governance.emergency;
        for (id, consultation) in &emergency.consultations {
            let key = StateKey::Governance(GovernanceKey::Consultation(*id));
            out.push((key, Some(emergency_codec::consultation(consultation))));
        }
        for (id, declaration) in &emergency.declarations {
            let key = StateKey::Governance(GovernanceKey::Declaration(*id));
            out.push((key, Some(emergency_codec::declaration(declaration))));
        }
    }

    fn from_entries(entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError> {
        let mut rules = None;
        let mut proposals = OrdMap::new();
        let mut comments = OrdMap::new();
        let mut emergency = Emergency::default();
        for (key, value) in entries {
            let StateKey::Governance(own) = key else {
                continue;
            };
            let bad = |why: commonware_codec::Error| EntryError::new(*key, why.to_string());
            match *own {
                GovernanceKey::Rules => rules = Some(codec::read_rules(value).map_err(bad)?),
                GovernanceKey::Proposal(id) => {
                    let proposal = codec::read_proposal(value).map_err(bad)?;
                    if proposal.id != id {
                        return Err(EntryError::new(*key, "holds another proposal"));
                    }
                    proposals.insert(id, proposal);
                }
                GovernanceKey::Comment { proposal, number } => {
                    let remark = codec::read_comment(value).map_err(bad)?;
                    comments.insert((proposal, number), remark);
                }
                GovernanceKey::Consultation(id) => {
                    let consultation = emergency_codec::read_consultation(value).map_err(bad)?;
                    if consultation.id != id {
                        return Err(EntryError::new(*key, "holds another consultation"));
                    }
                    emergency.consultations.insert(id, consultation);
                }
                GovernanceKey::Declaration(id) => {
                    let declaration = emergency_codec::read_declaration(value).map_err(bad)?;
                    if declaration.id != id {
                        return Err(EntryError::new(*key, "holds another declaration"));
                    }
                    emergency.declarations.insert(id, declaration);
                }
            }
        }
        check_numbering(&proposals, &comments)?;
        match rules {
            Some(rules) => {
                let mut governance = Governance::restore(rules, proposals, comments);
                governance.emergency = emergency;
                Ok(Some(governance))
            }
            None if proposals.is_empty() => Ok(None),
            None => Err(EntryError::new(
                StateKey::Governance(GovernanceKey::Rules),
                "proposals without governance rules",
            )),
        }
    }

    fn changes(&self, before: &Self, out: &mut Vec<Change>) {
        let (Some(before), Some(after)) = (before, self) else {
            return;
        };
        if before.rules != after.rules {
            out.push((
                StateKey::Governance(GovernanceKey::Rules),
                Some(codec::rules(&after.rules)),
            ));
        }
        map(
            &before.proposals,
            &after.proposals,
            |id| StateKey::Governance(GovernanceKey::Proposal(id)),
            codec::proposal,
            out,
        );
        map(
            &before.comments,
            &after.comments,
            |(proposal, number)| StateKey::Governance(GovernanceKey::Comment { proposal, number }),
            codec::comment,
            out,
        );
        let (was, is) = (&before.emergency, &after.emergency);
        map(
            &was.consultations,
            &is.consultations,
            |id| StateKey::Governance(GovernanceKey::Consultation(id)),
            emergency_codec::consultation,
            out,
        );
        map(
            &was.declarations,
            &is.declarations,
            |id| StateKey::Governance(GovernanceKey::Declaration(id)),
            emergency_codec::declaration,
            out,
        );
    }
}

/// Proposals are numbered 0, 1, 2, … and each one's comments 0 to its
/// count: a stored state with gaps was not written by this module.
fn check_numbering(
    proposals: &OrdMap<u64, Proposal>,
    comments: &OrdMap<(u64, u32), Remark>,
) -> Result<(), EntryError> {
    let gap = |key: GovernanceKey, why: &str| Err(EntryError::new(StateKey::Governance(key), why));
    for (expected, id) in proposals.keys().enumerate() {
        if *id != expected as u64 {
            return gap(
                GovernanceKey::Proposal(*id),
                "proposals are not numbered from 0 without gaps",
            );
        }
    }
    let mut counted: OrdMap<u64, u32> = OrdMap::new();
    for (proposal, number) in comments.keys() {
        let next = counted.get(proposal).copied().unwrap_or(0);
        if *number != next {
            let key = GovernanceKey::Comment {
                proposal: *proposal,
                number: *number,
            };
            return gap(key, "comments are not numbered from 0 without gaps");
        }
        counted.insert(*proposal, next + 1);
    }
    for (id, proposal) in proposals {
        if counted.get(id).copied().unwrap_or(0) != proposal.comments {
            return gap(
                GovernanceKey::Proposal(*id),
                "its comment count differs from its comments",
            );
        }
    }
    if counted.keys().any(|id| !proposals.contains_key(id)) {
        return gap(
            GovernanceKey::Rules,
            "comments on a proposal that does not exist",
        );
    }
    Ok(())
}
