//! The binary form of governance entries (commonware-codec, like every
//! other encoding on the chain): what the state root commits to. Sets and
//! maps are written in key order, and a decoder accepts exactly one
//! encoding of a value.

use super::{Advice, AmendmentError, Ballot, Outcome, Proposal, Remark, Rules};
use crate::money_codec::{read_list, read_map, write_len};
use bytes::BufMut;
use commonware_codec::{Buf, Copying, Error, ReadExt, Write};
use eiraku_core::{
    governance::{Amendment, Choice, ProposalClass, Stance, Windows},
    AccountId, Digest, GovernanceGenesis,
};
use imbl::OrdSet;

/// A rules entry.
pub fn rules(rules: &Rules) -> Vec<u8> {
    let mut buf = Vec::new();
    write_set(&rules.voting, &mut buf);
    write_set(&rules.advisory, &mut buf);
    rules.windows.class_a.write(&mut buf);
    rules.windows.class_b.write(&mut buf);
    write_set(&rules.reviewers, &mut buf);
    buf
}

/// Reads [`rules`].
pub fn read_rules(bytes: &[u8]) -> Result<Rules, Error> {
    let buf = &mut Copying(bytes);
    let rules = Rules {
        voting: read_set(buf)?,
        advisory: read_set(buf)?,
        windows: GovernanceGenesis {
            class_a: Windows::read(buf)?,
            class_b: Windows::read(buf)?,
        },
        reviewers: read_set(buf)?,
    };
    whole(buf, rules)
}

/// A proposal entry.
pub fn proposal(p: &Proposal) -> Vec<u8> {
    let mut buf = Vec::new();
    p.id.write(&mut buf);
    p.class.write(&mut buf);
    p.proposer.write(&mut buf);
    p.amendment.write(&mut buf);
    p.text.write(&mut buf);
    p.proposed_ms.write(&mut buf);
    p.round.write(&mut buf);
    p.opened_ms.write(&mut buf);
    p.windows.write(&mut buf);
    write_len(p.advice.len(), &mut buf);
    for advice in &p.advice {
        write_advice(advice, &mut buf);
    }
    write_len(p.votes.len(), &mut buf);
    for (seat, ballot) in &p.votes {
        seat.write(&mut buf);
        ballot.choice.write(&mut buf);
        ballot.reason.write(&mut buf);
        ballot.at_ms.write(&mut buf);
    }
    p.comments.write(&mut buf);
    for remarks in [&p.reconsider, &p.vetoes] {
        write_len(remarks.len(), &mut buf);
        for remark in remarks {
            write_remark(remark, &mut buf);
        }
    }
    write_outcome(&p.outcome, &mut buf);
    buf
}

/// A comment entry.
pub fn comment(remark: &Remark) -> Vec<u8> {
    let mut buf = Vec::new();
    write_remark(remark, &mut buf);
    buf
}

/// Reads [`comment`].
pub fn read_comment(bytes: &[u8]) -> Result<Remark, Error> {
    let buf = &mut Copying(bytes);
    let remark = read_remark(buf)?;
    whole(buf, remark)
}

/// Reads [`proposal`].
pub fn read_proposal(bytes: &[u8]) -> Result<Proposal, Error> {
    let buf = &mut Copying(bytes);
    let proposal = Proposal {
        id: u64::read(buf)?,
        class: ProposalClass::read(buf)?,
        proposer: AccountId::read(buf)?,
        amendment: Amendment::read(buf)?,
        text: Digest::read(buf)?,
        proposed_ms: u64::read(buf)?,
        round: u32::read(buf)?,
        opened_ms: u64::read(buf)?,
        windows: Windows::read(buf)?,
        advice: read_list(buf, read_advice)?,
        votes: read_map(buf, |buf| {
            let seat = AccountId::read(buf)?;
            let ballot = Ballot {
                choice: Choice::read(buf)?,
                reason: Digest::read(buf)?,
                at_ms: u64::read(buf)?,
            };
            Ok((seat, ballot))
        })?,
        comments: u32::read(buf)?,
        reconsider: read_list(buf, read_remark)?,
        vetoes: read_list(buf, read_remark)?,
        outcome: read_outcome(buf)?,
    };
    if proposal.class != proposal.amendment.class() {
        return Err(Error::Invalid(
            "Proposal",
            "class differs from the amendment's",
        ));
    }
    whole(buf, proposal)
}

pub(super) fn whole<T>(buf: &mut Copying<'_>, value: T) -> Result<T, Error> {
    if bytes::Buf::has_remaining(buf) {
        return Err(Error::ExtraData(bytes::Buf::remaining(buf)));
    }
    Ok(value)
}

pub(super) fn write_set(set: &OrdSet<AccountId>, buf: &mut impl BufMut) {
    write_len(set.len(), buf);
    for id in set {
        id.write(buf);
    }
}

pub(super) fn read_set<B: Buf>(buf: &mut B) -> Result<OrdSet<AccountId>, Error> {
    let entries: Vec<(AccountId, ())> = read_map(buf, |buf| Ok((AccountId::read(buf)?, ())))?;
    Ok(entries.into_iter().map(|(id, ())| id).collect())
}

fn write_remark(r: &Remark, buf: &mut impl BufMut) {
    r.round.write(buf);
    r.by.write(buf);
    r.text.write(buf);
    r.at_ms.write(buf);
}

fn read_remark<B: Buf>(buf: &mut B) -> Result<Remark, Error> {
    Ok(Remark {
        round: u32::read(buf)?,
        by: AccountId::read(buf)?,
        text: Digest::read(buf)?,
        at_ms: u64::read(buf)?,
    })
}

fn write_advice(a: &Advice, buf: &mut impl BufMut) {
    a.round.write(buf);
    a.by.write(buf);
    a.stance.write(buf);
    a.text.write(buf);
    a.at_ms.write(buf);
    a.response.write(buf);
}

fn read_advice<B: Buf>(buf: &mut B) -> Result<Advice, Error> {
    Ok(Advice {
        round: u32::read(buf)?,
        by: AccountId::read(buf)?,
        stance: Stance::read(buf)?,
        text: Digest::read(buf)?,
        at_ms: u64::read(buf)?,
        response: Option::<Digest>::read(buf)?,
    })
}

fn write_outcome(outcome: &Outcome, buf: &mut impl BufMut) {
    match outcome {
        Outcome::Open => 0u8.write(buf),
        Outcome::Passed {
            yes,
            veto_ends_ms,
            enact_ms,
        } => {
            1u8.write(buf);
            yes.write(buf);
            veto_ends_ms.write(buf);
            enact_ms.write(buf);
        }
        Outcome::Rejected { yes, needed } => {
            2u8.write(buf);
            yes.write(buf);
            needed.write(buf);
        }
        Outcome::Enacted { at_ms } => {
            3u8.write(buf);
            at_ms.write(buf);
        }
        Outcome::Failed { at_ms, reason } => {
            4u8.write(buf);
            at_ms.write(buf);
            reason.to_code().write(buf);
        }
        Outcome::Vetoed { at_ms } => {
            5u8.write(buf);
            at_ms.write(buf);
        }
    }
}

fn read_outcome(buf: &mut impl Buf) -> Result<Outcome, Error> {
    Ok(match u8::read(buf)? {
        0 => Outcome::Open,
        1 => Outcome::Passed {
            yes: u32::read(buf)?,
            veto_ends_ms: u64::read(buf)?,
            enact_ms: u64::read(buf)?,
        },
        2 => Outcome::Rejected {
            yes: u32::read(buf)?,
            needed: u32::read(buf)?,
        },
        3 => Outcome::Enacted {
            at_ms: u64::read(buf)?,
        },
        4 => Outcome::Failed {
            at_ms: u64::read(buf)?,
            reason: AmendmentError::from_code(u8::read(buf)?)
                .ok_or(Error::Invalid("Proposal", "no such failure reason"))?,
        },
        5 => Outcome::Vetoed {
            at_ms: u64::read(buf)?,
        },
        other => return Err(Error::InvalidEnum(other)),
    })
}
