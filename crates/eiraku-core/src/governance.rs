//! Calls of the governance module (seed 003, DESIGN.md §6): the
//! institutions that run the ledger change it together, on the record. A
//! voting seat proposes an exact amendment; advisory seats support or
//! object, and the proposer answers every objection before votes count;
//! voting seats vote with reasons; a proposal that passes is enacted by
//! the state machine at its time. Windows are block time (header
//! milliseconds), set at genesis.

use crate::{digest, state_key::ModuleKey, AccountId, Amount, Digest};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, Read, ReadExt, Write};
use serde::{Deserialize, Serialize};

/// How much a proposal changes, which sets its windows and threshold:
/// class A (validators, economies, official roles, seats, the basket, these
/// rules) needs two thirds of the voting seats, class B (parameters) more
/// than half.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalClass {
    /// Changes who runs the ledger or what the coin is.
    A,
    /// Changes a parameter.
    B,
}

/// A parameter genesis sets, with its new value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parameter {
    /// Rates older than this (block time, ms) are stale.
    MaxRateAgeMs(u64),
    /// Cross-border payments from this many coin minor units carry
    /// travel-rule data.
    TravelRuleThreshold(Amount),
}

/// A kind of seat that governance grants and removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatKind {
    /// Proposes and votes.
    Voting,
    /// Advises; vetoes class-A decisions with the other advisory seats.
    Advisory,
}

/// What a proposal changes: its exact payload, enacted as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Amendment {
    /// Set one parameter (class B).
    SetParameter(Parameter),
    /// Change a class's windows: these rules themselves (class A). Running
    /// proposals keep the windows they were made under.
    SetWindows {
        /// The class whose windows change.
        class: ProposalClass,
        /// Its new windows.
        windows: Windows,
    },
    /// Seat an account (class A).
    AddSeat {
        /// The account.
        account: AccountId,
        /// Voting or advisory.
        kind: SeatKind,
    },
    /// Unseat an account (class A).
    RemoveSeat {
        /// The account.
        account: AccountId,
        /// Voting or advisory.
        kind: SeatKind,
    },
}

impl Amendment {
    /// The class the amendment's proposal belongs to.
    pub fn class(&self) -> ProposalClass {
        match self {
            Amendment::SetParameter(_) => ProposalClass::B,
            Amendment::SetWindows { .. }
            | Amendment::AddSeat { .. }
            | Amendment::RemoveSeat { .. } => ProposalClass::A,
        }
    }
}

/// An advisory seat's position on a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// For it.
    Support,
    /// Against it: the proposer must answer before votes count.
    Object,
}

/// A voting seat's vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// For.
    Yes,
    /// Against (dissent stays on record with its reason).
    No,
    /// Neither; counts as not yes.
    Abstain,
}

/// A governance call. Texts (a proposal's rationale, advice, responses,
/// reasons for votes) are published off chain; the chain records their
/// SHA-256 digests, so what was said cannot be changed later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum GovernanceCall {
    /// A voting seat proposes `amendment`, with its rationale.
    Propose {
        /// What would change.
        amendment: Amendment,
        /// Digest of the rationale.
        #[serde(with = "hex_digest")]
        text: Digest,
    },
    /// An advisory seat supports or objects, during the advice window.
    Advise {
        /// The proposal's number.
        proposal: u64,
        /// For or against.
        stance: Stance,
        /// Digest of the advice.
        #[serde(with = "hex_digest")]
        text: Digest,
    },
    /// The proposer answers objection number `objection` (in the order
    /// advice arrived), before voting closes.
    Respond {
        /// The proposal's number.
        proposal: u64,
        /// Index of the objection among the proposal's advice.
        objection: u32,
        /// Digest of the response.
        #[serde(with = "hex_digest")]
        text: Digest,
    },
    /// A voting seat votes during the voting window, with its reason.
    Vote {
        /// The proposal's number.
        proposal: u64,
        /// Yes, no or abstain.
        choice: Choice,
        /// Digest of the reason.
        #[serde(with = "hex_digest")]
        reason: Digest,
    },
    /// Anyone holding a role comments, until voting closes.
    Comment {
        /// The proposal's number.
        proposal: u64,
        /// Digest of the comment.
        #[serde(with = "hex_digest")]
        text: Digest,
    },
    /// A seat asks to send the proposal back, before voting opens: a third
    /// of the voting seats, or two advisory seats, restart its windows
    /// (once per proposal).
    Reconsider {
        /// The proposal's number.
        proposal: u64,
        /// Digest of the reasons.
        #[serde(with = "hex_digest")]
        text: Digest,
    },
    /// An advisory seat vetoes a passed class-A proposal during its veto
    /// window: two thirds of the advisory seats stop it.
    Veto {
        /// The proposal's number.
        proposal: u64,
        /// Digest of the reasons.
        #[serde(with = "hex_digest")]
        text: Digest,
    },
}

mod hex_digest {
    pub use crate::digest::{deserialize_hex as deserialize, serialize_hex as serialize};
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
    #[serde(default)]
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
    /// review and voting must last, and only class A has a veto window.
    pub fn check(&self, class: ProposalClass) -> Result<(), String> {
        if self.advice_ms == 0 || self.review_ms == 0 || self.voting_ms == 0 {
            return Err("advice, review and voting windows must last".into());
        }
        if class == ProposalClass::B && self.veto_ms != 0 {
            return Err("only class A has a veto window".into());
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
    pub fn check(&self) -> Result<(), String> {
        let a = self.class_a.check(ProposalClass::A);
        let b = self.class_b.check(ProposalClass::B);
        a.map_err(|e| format!("class A: {e}"))?;
        b.map_err(|e| format!("class B: {e}"))
    }

    /// The windows of `class`.
    pub fn windows(&self, class: ProposalClass) -> &Windows {
        match class {
            ProposalClass::A => &self.class_a,
            ProposalClass::B => &self.class_b,
        }
    }
}

impl GovernanceCall {
    const PROPOSE: u8 = 0;
    const ADVISE: u8 = 1;
    const RESPOND: u8 = 2;
    const VOTE: u8 = 3;
    const COMMENT: u8 = 4;
    const RECONSIDER: u8 = 5;
    const VETO: u8 = 6;

    /// The call's name, as its JSON form spells it.
    pub fn name(&self) -> &'static str {
        match self {
            GovernanceCall::Propose { .. } => "propose",
            GovernanceCall::Advise { .. } => "advise",
            GovernanceCall::Respond { .. } => "respond",
            GovernanceCall::Vote { .. } => "vote",
            GovernanceCall::Comment { .. } => "comment",
            GovernanceCall::Reconsider { .. } => "reconsider",
            GovernanceCall::Veto { .. } => "veto",
        }
    }
}

impl Write for Parameter {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            Parameter::MaxRateAgeMs(ms) => {
                0u8.write(buf);
                ms.write(buf);
            }
            Parameter::TravelRuleThreshold(amount) => {
                1u8.write(buf);
                amount.write(buf);
            }
        }
    }
}

impl EncodeSize for Parameter {
    fn encode_size(&self) -> usize {
        1 + match self {
            Parameter::MaxRateAgeMs(ms) => ms.encode_size(),
            Parameter::TravelRuleThreshold(amount) => amount.encode_size(),
        }
    }
}

impl Read for Parameter {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        match u8::read(buf)? {
            0 => Ok(Parameter::MaxRateAgeMs(u64::read(buf)?)),
            1 => Ok(Parameter::TravelRuleThreshold(Amount::read(buf)?)),
            other => Err(Error::InvalidEnum(other)),
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

impl Amendment {
    const SET_PARAMETER: u8 = 0;
    const SET_WINDOWS: u8 = 1;
    const ADD_SEAT: u8 = 2;
    const REMOVE_SEAT: u8 = 3;
}

impl Write for Amendment {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            Amendment::SetParameter(parameter) => {
                Self::SET_PARAMETER.write(buf);
                parameter.write(buf);
            }
            Amendment::SetWindows { class, windows } => {
                Self::SET_WINDOWS.write(buf);
                class.write(buf);
                windows.write(buf);
            }
            Amendment::AddSeat { account, kind } => {
                Self::ADD_SEAT.write(buf);
                account.write(buf);
                kind.write(buf);
            }
            Amendment::RemoveSeat { account, kind } => {
                Self::REMOVE_SEAT.write(buf);
                account.write(buf);
                kind.write(buf);
            }
        }
    }
}

impl EncodeSize for Amendment {
    fn encode_size(&self) -> usize {
        1 + match self {
            Amendment::SetParameter(parameter) => parameter.encode_size(),
            Amendment::SetWindows { windows, .. } => 1 + windows.encode_size(),
            Amendment::AddSeat { account, .. } | Amendment::RemoveSeat { account, .. } => {
                account.encode_size() + 1
            }
        }
    }
}

impl Read for Amendment {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(match u8::read(buf)? {
            Self::SET_PARAMETER => Amendment::SetParameter(Parameter::read(buf)?),
            Self::SET_WINDOWS => Amendment::SetWindows {
                class: ProposalClass::read(buf)?,
                windows: Windows::read(buf)?,
            },
            Self::ADD_SEAT => Amendment::AddSeat {
                account: AccountId::read(buf)?,
                kind: SeatKind::read(buf)?,
            },
            Self::REMOVE_SEAT => Amendment::RemoveSeat {
                account: AccountId::read(buf)?,
                kind: SeatKind::read(buf)?,
            },
            other => return Err(Error::InvalidEnum(other)),
        })
    }
}

/// A one-byte enum's codec: its variants in tag order.
macro_rules! byte_enum {
    ($name:ident: $($variant:ident = $tag:literal),+) => {
        impl Write for $name {
            fn write(&self, buf: &mut impl BufMut) {
                let tag: u8 = match self {
                    $($name::$variant => $tag,)+
                };
                tag.write(buf);
            }
        }

        impl EncodeSize for $name {
            fn encode_size(&self) -> usize {
                1
            }
        }

        impl Read for $name {
            type Cfg = ();
            fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
                match u8::read(buf)? {
                    $($tag => Ok($name::$variant),)+
                    other => Err(Error::InvalidEnum(other)),
                }
            }
        }
    };
}

byte_enum!(Stance: Support = 0, Object = 1);
byte_enum!(Choice: Yes = 0, No = 1, Abstain = 2);
byte_enum!(ProposalClass: A = 0, B = 1);
byte_enum!(SeatKind: Voting = 0, Advisory = 1);

impl Write for GovernanceCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            GovernanceCall::Propose { amendment, text } => {
                Self::PROPOSE.write(buf);
                amendment.write(buf);
                text.write(buf);
            }
            GovernanceCall::Advise {
                proposal,
                stance,
                text,
            } => {
                Self::ADVISE.write(buf);
                proposal.write(buf);
                stance.write(buf);
                text.write(buf);
            }
            GovernanceCall::Respond {
                proposal,
                objection,
                text,
            } => {
                Self::RESPOND.write(buf);
                proposal.write(buf);
                objection.write(buf);
                text.write(buf);
            }
            GovernanceCall::Vote {
                proposal,
                choice,
                reason,
            } => {
                Self::VOTE.write(buf);
                proposal.write(buf);
                choice.write(buf);
                reason.write(buf);
            }
            GovernanceCall::Comment { proposal, text }
            | GovernanceCall::Reconsider { proposal, text }
            | GovernanceCall::Veto { proposal, text } => {
                let tag = match self {
                    GovernanceCall::Comment { .. } => Self::COMMENT,
                    GovernanceCall::Reconsider { .. } => Self::RECONSIDER,
                    _ => Self::VETO,
                };
                tag.write(buf);
                proposal.write(buf);
                text.write(buf);
            }
        }
    }
}

impl EncodeSize for GovernanceCall {
    fn encode_size(&self) -> usize {
        1 + match self {
            GovernanceCall::Propose { amendment, text } => {
                amendment.encode_size() + text.encode_size()
            }
            GovernanceCall::Advise { text, .. } => 8 + 1 + text.encode_size(),
            GovernanceCall::Respond { text, .. } => 8 + 4 + text.encode_size(),
            GovernanceCall::Vote { reason, .. } => 8 + 1 + reason.encode_size(),
            GovernanceCall::Comment { text, .. }
            | GovernanceCall::Reconsider { text, .. }
            | GovernanceCall::Veto { text, .. } => 8 + text.encode_size(),
        }
    }
}

impl Read for GovernanceCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(match u8::read(buf)? {
            Self::PROPOSE => GovernanceCall::Propose {
                amendment: Amendment::read(buf)?,
                text: Digest::read(buf)?,
            },
            Self::ADVISE => GovernanceCall::Advise {
                proposal: u64::read(buf)?,
                stance: Stance::read(buf)?,
                text: Digest::read(buf)?,
            },
            Self::RESPOND => GovernanceCall::Respond {
                proposal: u64::read(buf)?,
                objection: u32::read(buf)?,
                text: Digest::read(buf)?,
            },
            Self::VOTE => GovernanceCall::Vote {
                proposal: u64::read(buf)?,
                choice: Choice::read(buf)?,
                reason: Digest::read(buf)?,
            },
            Self::COMMENT => GovernanceCall::Comment {
                proposal: u64::read(buf)?,
                text: Digest::read(buf)?,
            },
            Self::RECONSIDER => GovernanceCall::Reconsider {
                proposal: u64::read(buf)?,
                text: Digest::read(buf)?,
            },
            Self::VETO => GovernanceCall::Veto {
                proposal: u64::read(buf)?,
                text: Digest::read(buf)?,
            },
            other => return Err(Error::InvalidEnum(other)),
        })
    }
}

/// One entry of the governance module in the state (see
/// [`crate::state_key`]): `governance/…` keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GovernanceKey {
    /// The seats and the windows.
    Rules,
    /// A proposal with its whole record: advice, responses, votes, outcome.
    Proposal(u64),
}

impl ModuleKey for GovernanceKey {
    const TAG: u8 = 0x05;
    const NAME: &'static str = "governance";
    const FORMS: &'static str = "governance/rules, governance/proposal/<number>";

    fn write_bytes(&self, out: &mut Vec<u8>) {
        match self {
            GovernanceKey::Rules => out.push(0),
            GovernanceKey::Proposal(id) => {
                out.push(1);
                out.extend_from_slice(&id.to_be_bytes());
            }
        }
    }

    fn read_bytes(bytes: &[u8]) -> Option<Self> {
        match bytes.split_first()? {
            (0, []) => Some(GovernanceKey::Rules),
            (1, id) => Some(GovernanceKey::Proposal(u64::from_be_bytes(
                <[u8; 8]>::try_from(id).ok()?,
            ))),
            _ => None,
        }
    }

    fn write_text(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GovernanceKey::Rules => write!(f, "rules"),
            GovernanceKey::Proposal(id) => write!(f, "proposal/{id}"),
        }
    }

    fn parse_parts(parts: &[&str]) -> Result<Self, Option<String>> {
        match parts {
            ["rules"] => Ok(GovernanceKey::Rules),
            ["proposal", id] => id
                .parse()
                .map(GovernanceKey::Proposal)
                .map_err(|_| Some(format!("{id:?} is not a proposal number"))),
            _ => Err(None),
        }
    }
}

/// The digest of a published text, as calls record it.
pub fn text_digest(text: &str) -> Digest {
    digest::hash(&[b"EIRAKU_GOVERNANCE_TEXT", text.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{Copying, DecodeExt, Encode};

    fn calls() -> Vec<GovernanceCall> {
        let text = text_digest("why");
        vec![
            GovernanceCall::Propose {
                amendment: Amendment::SetParameter(Parameter::TravelRuleThreshold(Amount(7))),
                text,
            },
            GovernanceCall::Propose {
                amendment: Amendment::SetParameter(Parameter::MaxRateAgeMs(60_000)),
                text,
            },
            GovernanceCall::Advise {
                proposal: 3,
                stance: Stance::Object,
                text,
            },
            GovernanceCall::Respond {
                proposal: 3,
                objection: 1,
                text,
            },
            GovernanceCall::Propose {
                amendment: Amendment::SetWindows {
                    class: ProposalClass::A,
                    windows: GovernanceGenesis::devnet().class_a,
                },
                text,
            },
            GovernanceCall::Propose {
                amendment: Amendment::RemoveSeat {
                    account: AccountId::from_bytes([7; 32]),
                    kind: SeatKind::Advisory,
                },
                text,
            },
            GovernanceCall::Comment { proposal: 1, text },
            GovernanceCall::Reconsider { proposal: 2, text },
            GovernanceCall::Veto { proposal: 3, text },
            GovernanceCall::Vote {
                proposal: u64::MAX,
                choice: Choice::Abstain,
                reason: text,
            },
        ]
    }

    #[test]
    fn every_call_round_trips_in_binary_and_json() {
        for call in calls() {
            let bytes = call.encode();
            assert_eq!(bytes.len(), call.encode_size(), "{}", call.name());
            assert_eq!(
                GovernanceCall::decode(Copying(bytes.as_ref())).unwrap(),
                call
            );
            let json = serde_json::to_string(&call).unwrap();
            assert_eq!(serde_json::from_str::<GovernanceCall>(&json).unwrap(), call);
        }
    }

    #[test]
    fn unknown_tags_and_truncations_are_refused() {
        for call in calls() {
            let bytes = call.encode();
            for cut in 0..bytes.len() {
                assert!(GovernanceCall::decode(Copying(&bytes[..cut])).is_err());
            }
        }
        let mut vote = calls().pop().unwrap().encode().to_vec();
        vote[9] = 3; // no such choice
        assert!(GovernanceCall::decode(Copying(vote.as_slice())).is_err());
        assert!(GovernanceCall::decode(Copying([9u8].as_slice())).is_err());
    }

    #[test]
    fn keys_round_trip_and_refuse_other_lengths() {
        for key in [GovernanceKey::Rules, GovernanceKey::Proposal(258)] {
            let mut bytes = Vec::new();
            key.write_bytes(&mut bytes);
            assert_eq!(GovernanceKey::read_bytes(&bytes), Some(key));
            bytes.push(0);
            assert_eq!(GovernanceKey::read_bytes(&bytes), None);
        }
        assert_eq!(
            GovernanceKey::parse_parts(&["proposal", "12"]),
            Ok(GovernanceKey::Proposal(12))
        );
        assert!(GovernanceKey::parse_parts(&["proposal", "x"]).is_err());
    }

    #[test]
    fn an_amendment_names_its_class() {
        let set = Amendment::SetParameter(Parameter::MaxRateAgeMs(1));
        assert_eq!(set.class(), ProposalClass::B);
        let seat = Amendment::AddSeat {
            account: AccountId::from_bytes([1; 32]),
            kind: SeatKind::Voting,
        };
        assert_eq!(seat.class(), ProposalClass::A);
        for windows in [GovernanceGenesis::devnet(), GovernanceGenesis::production()] {
            assert_eq!(windows.check(), Ok(()));
            assert!(windows.windows(ProposalClass::A).advice_ms > windows.class_b.advice_ms);
        }
        let mut vetoed_b = GovernanceGenesis::devnet();
        vetoed_b.class_b.veto_ms = 1;
        assert!(vetoed_b.check().is_err());
        let mut no_advice = GovernanceGenesis::devnet();
        no_advice.class_a.advice_ms = 0;
        assert!(no_advice.check().is_err());
    }
}
