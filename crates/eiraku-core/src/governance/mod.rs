//! Calls of the governance module (seed 003, DESIGN.md §6): the
//! institutions that run the ledger change it together, on the record. A
//! voting seat proposes an exact amendment; advisory seats support or
//! object, and the proposer answers every objection before votes count;
//! voting seats vote with reasons; a proposal that passes is enacted by
//! the state machine at its time. Windows are block time (header
//! milliseconds), set at genesis.

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

mod amendment;
mod consent;
pub mod emergency;
mod key;
mod windows;

pub use amendment::{Amendment, NewEconomy, Parameter, SeatKind, MAX_BASKET_PARTS};
pub use consent::{RoleConsent, ROLE_CONSENT_NAMESPACE};
pub use emergency::{EmergencyCall, Scope};
pub use key::GovernanceKey;
pub use windows::{GovernanceGenesis, Windows, WindowsError, MAX_WINDOW_MS, MIN_WINDOW_MS};

/// Fewest voting seats governance keeps (and a genesis may have): fewer
/// would let one or two institutions decide alone.
pub const MIN_VOTING_SEATS: usize = 3;

use crate::{digest, Digest};
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
    /// A step of the emergency procedure.
    Emergency(EmergencyCall),
}

mod hex_digest {
    pub use crate::digest::{deserialize_hex as deserialize, serialize_hex as serialize};
}

impl GovernanceCall {
    const PROPOSE: u8 = 0;
    const ADVISE: u8 = 1;
    const RESPOND: u8 = 2;
    const VOTE: u8 = 3;
    const COMMENT: u8 = 4;
    const RECONSIDER: u8 = 5;
    const VETO: u8 = 6;
    const EMERGENCY: u8 = 7;

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
            GovernanceCall::Emergency(step) => step.name(),
        }
    }
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
            GovernanceCall::Emergency(step) => {
                Self::EMERGENCY.write(buf);
                step.write(buf);
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
            GovernanceCall::Emergency(step) => step.encode_size(),
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
            Self::EMERGENCY => GovernanceCall::Emergency(EmergencyCall::read(buf)?),
            other => return Err(Error::InvalidEnum(other)),
        })
    }
}

/// The digest of a published text, as calls record it.
pub fn text_digest(text: &str) -> Digest {
    digest::hash(&[b"EIRAKU_GOVERNANCE_TEXT", text.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{state_key::ModuleKey, AccountId, Amount};
    use commonware_codec::{Copying, DecodeExt, Encode};

    fn consent() -> RoleConsent {
        let chain = crate::ChainId::new("unit").unwrap();
        RoleConsent::sign(&crate::Keypair::from_seed(4), &chain, &crate::Role::Issuer)
    }

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
            GovernanceCall::Propose {
                amendment: Amendment::Succeed {
                    official: AccountId::from_bytes([8; 32]),
                    successor: AccountId::from_bytes([9; 32]),
                    consent: consent(),
                },
                text,
            },
            GovernanceCall::Propose {
                amendment: Amendment::AddEconomy(NewEconomy {
                    code: crate::EconomyCode::new("VN").unwrap(),
                    currency: crate::CurrencyCode::new("VND").unwrap(),
                    central_bank: AccountId::from_bytes([10; 32]),
                    regulator: AccountId::from_bytes([11; 32]),
                    rate: "0.00004".parse().unwrap(),
                    central_bank_consent: consent(),
                    regulator_consent: consent(),
                }),
                text,
            },
            GovernanceCall::Propose {
                amendment: Amendment::LiftSuspension {
                    bank: AccountId::from_bytes([12; 32]),
                },
                text,
            },
            GovernanceCall::Propose {
                amendment: Amendment::GrantRole {
                    account: AccountId::from_bytes([13; 32]),
                    role: crate::Role::Attester {
                        economy: crate::EconomyCode::new("JP").unwrap(),
                    },
                    consent: consent(),
                },
                text,
            },
            GovernanceCall::Propose {
                amendment: Amendment::RevokeRole {
                    account: AccountId::from_bytes([13; 32]),
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
        let succession = Amendment::Succeed {
            official: AccountId::from_bytes([1; 32]),
            successor: AccountId::from_bytes([2; 32]),
            consent: consent(),
        };
        assert_eq!(succession.class(), ProposalClass::A);
        let lift = Amendment::LiftSuspension {
            bank: AccountId::from_bytes([3; 32]),
        };
        assert_eq!(lift.class(), ProposalClass::B);
        for windows in [GovernanceGenesis::devnet(), GovernanceGenesis::production()] {
            assert_eq!(windows.check(), Ok(()));
            assert!(windows.windows(ProposalClass::A).advice_ms > windows.class_b.advice_ms);
        }
        let mut vetoed_b = GovernanceGenesis::devnet();
        vetoed_b.class_b.veto_ms = 1;
        assert_eq!(vetoed_b.check(), Err(WindowsError::VetoInClassB));
        let mut no_advice = GovernanceGenesis::devnet();
        no_advice.class_a.advice_ms = 0;
        assert_eq!(
            no_advice.check(),
            Err(WindowsError::OutOfBounds {
                class: ProposalClass::A
            })
        );
    }
}
