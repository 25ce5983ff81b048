//! A class's windows and the governance section of a genesis file, with
//! their binary form.

use super::ProposalClass;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, Read, ReadExt, Write};
use serde::{Deserialize, Serialize};

/// Shortest window: a second, so each holds blocks.
pub const MIN_WINDOW_MS: u64 = 1000;
/// Longest window: a year, so deadlines never saturate.
pub const MAX_WINDOW_MS: u64 = 365 * 24 * 60 * 60 * 1000;

/// Why windows cannot govern a class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WindowsError {
    /// A window too short to hold blocks, or so long a deadline is never
    /// reached.
    #[error("class {class:?}: advice, review, voting (and class A's veto) windows last from {MIN_WINDOW_MS} ms to {MAX_WINDOW_MS} ms, the delay at most {MAX_WINDOW_MS} ms")]
    OutOfBounds {
        /// The class.
        class: ProposalClass,
    },
    /// Class B has no veto window.
    #[error("class B: only class A has a veto window")]
    VetoInClassB,
}

/// A class's windows, in block time (milliseconds): advice, then review,
/// then voting, each starting when the one before ends; then, for class A
/// only, the veto window; a passed proposal is enacted `delay_ms` after
/// that.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Windows {
    /// Advisory seats support or object.
    pub advice_ms: u64,
    /// Everyone reads the advice and the responses.
    pub review_ms: u64,
    /// Voting seats vote.
    pub voting_ms: u64,
    /// Advisory seats may veto a passed class-A proposal (0 for class B).
    pub veto_ms: u64,
    /// From the end of the veto window (or the close of voting) to
    /// enactment.
    pub delay_ms: u64,
}

impl Windows {
    /// Whole units of `unit_ms`, as genesis files set them.
    pub fn of(unit_ms: u64, [advice, review, voting, veto, delay]: [u64; 5]) -> Self {
        Self {
            advice_ms: advice * unit_ms,
            review_ms: review * unit_ms,
            voting_ms: voting * unit_ms,
            veto_ms: veto * unit_ms,
            delay_ms: delay * unit_ms,
        }
    }

    /// Why these windows cannot govern `class`, if they cannot: advice,
    /// review and voting (and class A's veto window) last from
    /// [`MIN_WINDOW_MS`] to [`MAX_WINDOW_MS`], so every window holds blocks
    /// and every deadline is reached; the delay at most [`MAX_WINDOW_MS`];
    /// class B has no veto window.
    pub fn check(&self, class: ProposalClass) -> Result<(), WindowsError> {
        let lasting = MIN_WINDOW_MS..=MAX_WINDOW_MS;
        let mut must_last = vec![self.advice_ms, self.review_ms, self.voting_ms];
        match class {
            ProposalClass::A => must_last.push(self.veto_ms),
            ProposalClass::B if self.veto_ms != 0 => return Err(WindowsError::VetoInClassB),
            ProposalClass::B => {}
        }
        if !must_last.iter().all(|ms| lasting.contains(ms)) || self.delay_ms > MAX_WINDOW_MS {
            return Err(WindowsError::OutOfBounds { class });
        }
        Ok(())
    }
}

/// The governance section of a genesis file. The seats follow the money
/// section: each economy's central bank holds a voting seat (one economy,
/// one vote: seed 004 §6), each regulator an advisory seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovernanceGenesis {
    /// Windows of class-A proposals.
    pub class_a: Windows,
    /// Windows of class-B proposals.
    pub class_b: Windows,
}

impl GovernanceGenesis {
    /// The documented production defaults, in days: class A 14 of advice,
    /// 7 of review, 7 of voting, 7 of veto, 30 before it takes effect;
    /// class B 7, 3, 5, none, 7.
    pub fn production() -> Self {
        const DAY_MS: u64 = 24 * 60 * 60 * 1000;
        Self {
            class_a: Windows::of(DAY_MS, [14, 7, 7, 7, 30]),
            class_b: Windows::of(DAY_MS, [7, 3, 5, 0, 7]),
        }
    }

    /// Seconds, so a person can watch a whole cycle on the devnet: class B
    /// 20 s of advice, 5 of review, 30 of voting, 5 before it takes effect
    /// (a minute); class A 40, 10, 40, 15 of veto, 10.
    pub fn devnet() -> Self {
        Self {
            class_a: Windows::of(1000, [40, 10, 40, 15, 10]),
            class_b: Windows::of(1000, [20, 5, 30, 0, 5]),
        }
    }

    /// Why these windows cannot govern, if they cannot.
    pub fn check(&self) -> Result<(), WindowsError> {
        self.class_a.check(ProposalClass::A)?;
        self.class_b.check(ProposalClass::B)
    }

    /// The windows of `class`.
    pub fn windows(&self, class: ProposalClass) -> &Windows {
        match class {
            ProposalClass::A => &self.class_a,
            ProposalClass::B => &self.class_b,
        }
    }
}

impl Write for Windows {
    fn write(&self, buf: &mut impl BufMut) {
        for ms in [
            self.advice_ms,
            self.review_ms,
            self.voting_ms,
            self.veto_ms,
            self.delay_ms,
        ] {
            ms.write(buf);
        }
    }
}

impl EncodeSize for Windows {
    fn encode_size(&self) -> usize {
        5 * 8
    }
}

impl Read for Windows {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Windows {
            advice_ms: u64::read(buf)?,
            review_ms: u64::read(buf)?,
            voting_ms: u64::read(buf)?,
            veto_ms: u64::read(buf)?,
            delay_ms: u64::read(buf)?,
        })
    }
}
