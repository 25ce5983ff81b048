//! Calls of the governance module (seed 003, DESIGN.md §6): the
//! institutions that run the ledger change it together, on the record. A
//! voting seat proposes an exact amendment; advisory seats support or
//! object, and the proposer answers every objection before votes count;
//! voting seats vote with reasons; a proposal that passes is enacted by
//! the state machine at its time. Windows are block time (header
//! milliseconds), set at genesis.

use crate::{digest, state_key::ModuleKey, Amount, Digest};
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

/// What a proposal changes: its exact payload, enacted as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Amendment {
    /// Set one parameter (class B).
    SetParameter(Parameter),
}

impl Amendment {
    /// The class the amendment's proposal belongs to.
    pub fn class(&self) -> ProposalClass {
        match self {
            Amendment::SetParameter(_) => ProposalClass::B,
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
}

mod hex_digest {
    pub use crate::digest::{deserialize_hex as deserialize, serialize_hex as serialize};
}

/// A class's windows, in block time (milliseconds): advice, then review,
/// then voting, each starting when the one before ends; a passed proposal
/// is enacted `delay_ms` after voting closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Windows {
    /// Advisory seats support or object.
    pub advice_ms: u64,
    /// Everyone reads the advice and the responses.
    pub review_ms: u64,
    /// Voting seats vote.
    pub voting_ms: u64,
    /// From the close of voting to enactment.
    pub delay_ms: u64,
}

impl Windows {
    /// Days, as production networks are expected to use (documented
    /// defaults; a genesis file sets its own).
    pub fn days(advice: u64, review: u64, voting: u64, delay: u64) -> Self {
        const DAY_MS: u64 = 24 * 60 * 60 * 1000;
        Self {
            advice_ms: advice * DAY_MS,
            review_ms: review * DAY_MS,
            voting_ms: voting * DAY_MS,
            delay_ms: delay * DAY_MS,
        }
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
    /// The documented production defaults: class A 14 days of advice, 7 of
    /// review, 7 of voting, 30 before it takes effect; class B 7, 3, 5, 7.
    pub fn production() -> Self {
        Self {
            class_a: Windows::days(14, 7, 7, 30),
            class_b: Windows::days(7, 3, 5, 7),
        }
    }

    /// Seconds, so a person can watch a whole cycle on the devnet: class B
    /// 20 s of advice, 5 of review, 30 of voting, 5 before it takes effect
    /// (a minute); class A 40, 10, 40, 10.
    pub fn devnet() -> Self {
        let seconds = |advice: u64, review: u64, voting: u64, delay: u64| Windows {
            advice_ms: advice * 1000,
            review_ms: review * 1000,
            voting_ms: voting * 1000,
            delay_ms: delay * 1000,
        };
        Self {
            class_a: seconds(40, 10, 40, 10),
            class_b: seconds(20, 5, 30, 5),
        }
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

    /// The call's name, as its JSON form spells it.
    pub fn name(&self) -> &'static str {
        match self {
            GovernanceCall::Propose { .. } => "propose",
            GovernanceCall::Advise { .. } => "advise",
            GovernanceCall::Respond { .. } => "respond",
            GovernanceCall::Vote { .. } => "vote",
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

impl Write for Amendment {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            Amendment::SetParameter(parameter) => {
                0u8.write(buf);
                parameter.write(buf);
            }
        }
    }
}

impl EncodeSize for Amendment {
    fn encode_size(&self) -> usize {
        match self {
            Amendment::SetParameter(parameter) => 1 + parameter.encode_size(),
        }
    }
}

impl Read for Amendment {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        match u8::read(buf)? {
            0 => Ok(Amendment::SetParameter(Parameter::read(buf)?)),
            other => Err(Error::InvalidEnum(other)),
        }
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
        let windows = GovernanceGenesis::devnet();
        assert!(windows.windows(ProposalClass::A).advice_ms > windows.class_b.advice_ms);
    }
}
