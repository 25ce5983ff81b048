//! The binary form of the emergency procedure's entries (one per
//! consultation, one per declaration with its whole record): what the
//! state root commits to. A decoder accepts exactly one encoding.

use super::{
    codec::{read_set, whole, write_set},
    emergency::{Answer, Consultation, Declaration, Review},
};
use crate::money_codec::{read_list, write_len};
use commonware_codec::{Buf, Copying, Error, ReadExt, Write};
use eiraku_core::{governance::Scope, AccountId, Digest};

/// A consultation entry.
pub fn consultation(c: &Consultation) -> Vec<u8> {
    let mut buf = Vec::new();
    c.id.write(&mut buf);
    c.trigger.write(&mut buf);
    c.requested_ms.write(&mut buf);
    match &c.answer {
        None => 0u8.write(&mut buf),
        Some(answer) => {
            1u8.write(&mut buf);
            answer.by.write(&mut buf);
            answer.text.write(&mut buf);
            answer.at_ms.write(&mut buf);
        }
    }
    c.declared.write(&mut buf);
    buf
}

/// Reads [`consultation`].
pub fn read_consultation(bytes: &[u8]) -> Result<Consultation, Error> {
    let buf = &mut Copying(bytes);
    let consultation = Consultation {
        id: u64::read(buf)?,
        trigger: Digest::read(buf)?,
        requested_ms: u64::read(buf)?,
        answer: match u8::read(buf)? {
            0 => None,
            1 => Some(Answer {
                by: AccountId::read(buf)?,
                text: Digest::read(buf)?,
                at_ms: u64::read(buf)?,
            }),
            other => return Err(Error::InvalidEnum(other)),
        },
        declared: Option::<u64>::read(buf)?,
    };
    whole(buf, consultation)
}

/// A declaration entry.
pub fn declaration(d: &Declaration) -> Vec<u8> {
    let mut buf = Vec::new();
    d.id.write(&mut buf);
    d.consultation.write(&mut buf);
    d.unanswered.write(&mut buf);
    d.scope.write(&mut buf);
    d.declared_ms.write(&mut buf);
    d.expires_ms.write(&mut buf);
    write_set(&d.ratified_by, &mut buf);
    d.ratifications.write(&mut buf);
    write_len(d.minutes.len(), &mut buf);
    for (minutes, at_ms) in &d.minutes {
        minutes.write(&mut buf);
        at_ms.write(&mut buf);
    }
    match &d.review {
        None => 0u8.write(&mut buf),
        Some(review) => {
            1u8.write(&mut buf);
            review.by.write(&mut buf);
            review.report.write(&mut buf);
            review.at_ms.write(&mut buf);
        }
    }
    buf
}

/// Reads [`declaration`].
pub fn read_declaration(bytes: &[u8]) -> Result<Declaration, Error> {
    let buf = &mut Copying(bytes);
    let declaration = Declaration {
        id: u64::read(buf)?,
        consultation: u64::read(buf)?,
        unanswered: bool::read(buf)?,
        scope: Scope::read(buf)?,
        declared_ms: u64::read(buf)?,
        expires_ms: u64::read(buf)?,
        ratified_by: read_set(buf)?,
        ratifications: u32::read(buf)?,
        minutes: read_list(buf, |buf| Ok((Digest::read(buf)?, u64::read(buf)?)))?,
        review: read_review(buf)?,
    };
    whole(buf, declaration)
}

fn read_review<B: Buf>(buf: &mut B) -> Result<Option<Review>, Error> {
    Ok(match u8::read(buf)? {
        0 => None,
        1 => Some(Review {
            by: AccountId::read(buf)?,
            report: Digest::read(buf)?,
            at_ms: u64::read(buf)?,
        }),
        other => return Err(Error::InvalidEnum(other)),
    })
}
