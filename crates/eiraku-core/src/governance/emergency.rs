//! The emergency procedure (seed 003's procedure for a crisis, issue 14
//! item 6): the emergency officer (the issuer, governance's executor) asks
//! an advisory seat for consultation; once one answers, or an hour of block
//! time passes unanswered (on the record), the officer may declare a scope
//! that pauses named calls and freezes named accounts. A scope can name
//! nothing else: no role, validator, basket or balance is reachable
//! through it. The declaration lapses after 72 hours of block time unless
//! a majority of the voting seats ratifies it (30 more days each time);
//! the officer appends minutes at any time; a reviewer files a review
//! within 90 days, and while one is overdue no new declaration is possible.

use super::hex_digest;
use crate::{AccountId, Call, Digest};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, Read, ReadExt, Write};
use serde::{Deserialize, Serialize};

/// An hour: how long the officer waits for an advisory seat's answer
/// before declaring without one.
pub const CONSULTATION_WAIT_MS: u64 = 60 * 60 * 1000;
/// 72 hours: a declaration nobody ratifies lapses after this.
pub const LAPSE_MS: u64 = 72 * 60 * 60 * 1000;
/// 30 days: how long each ratification keeps a declaration in force.
pub const RATIFIED_FOR_MS: u64 = 30 * 24 * 60 * 60 * 1000;
/// 90 days: a reviewer's review of a declaration is due by then.
pub const REVIEW_DUE_MS: u64 = 90 * 24 * 60 * 60 * 1000;
/// Most calls or modules one scope pauses.
pub const MAX_PAUSED: usize = 16;
/// Most accounts one scope freezes.
pub const MAX_FROZEN: usize = 64;
/// Longest name in a scope (`money.propose_settlement`).
const MAX_NAME: usize = 48;

/// What a declaration pauses and freezes; both lists sorted, each entry
/// once (one encoding per scope).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Modules (`money`, `registry`, `transfer`) or single calls
    /// (`money.pay`) that are refused while the declaration is in force.
    #[serde(default)]
    pub pause: Vec<String>,
    /// Accounts whose transactions (other than governance's) are refused.
    #[serde(default)]
    pub freeze: Vec<AccountId>,
}

impl Scope {
    /// The entry of `pause` that stops `call`, if one does.
    pub fn pauses(&self, call: &Call) -> Option<&str> {
        let (module, name) = call.path();
        self.pause
            .iter()
            .map(String::as_str)
            .find(|entry| match entry.split_once('.') {
                Some((m, c)) => m == module && c == name,
                None => *entry == module,
            })
    }

    /// Whether `account` is frozen by it.
    pub fn freezes(&self, account: &AccountId) -> bool {
        self.freeze.binary_search(account).is_ok()
    }
}

/// A step of the emergency procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum EmergencyCall {
    /// The officer asks the advisory seats for consultation on `trigger`.
    RequestConsultation {
        /// Digest of what happened.
        #[serde(with = "hex_digest")]
        trigger: Digest,
    },
    /// An advisory seat answers a consultation.
    Consulted {
        /// The consultation's number.
        consultation: u64,
        /// Digest of the advice.
        #[serde(with = "hex_digest")]
        text: Digest,
    },
    /// The officer declares an emergency of `scope`, after consultation.
    Declare {
        /// The consultation it follows.
        consultation: u64,
        /// What it pauses and freezes.
        scope: Scope,
        /// Digest of the minutes so far.
        #[serde(with = "hex_digest")]
        minutes: Digest,
    },
    /// A voting seat ratifies a declaration in force.
    Ratify {
        /// The declaration's number.
        declaration: u64,
    },
    /// The officer appends minutes to a declaration.
    AppendMinutes {
        /// The declaration's number.
        declaration: u64,
        /// Digest of the minutes.
        #[serde(with = "hex_digest")]
        minutes: Digest,
    },
    /// A reviewer files the outside review of a declaration.
    Review {
        /// The declaration's number.
        declaration: u64,
        /// Digest of the review.
        #[serde(with = "hex_digest")]
        report: Digest,
    },
}

impl EmergencyCall {
    const REQUEST_CONSULTATION: u8 = 0;
    const CONSULTED: u8 = 1;
    const DECLARE: u8 = 2;
    const RATIFY: u8 = 3;
    const APPEND_MINUTES: u8 = 4;
    const REVIEW: u8 = 5;

    /// The step's name, as its JSON form spells it.
    pub fn name(&self) -> &'static str {
        match self {
            EmergencyCall::RequestConsultation { .. } => "request_consultation",
            EmergencyCall::Consulted { .. } => "consulted",
            EmergencyCall::Declare { .. } => "declare",
            EmergencyCall::Ratify { .. } => "ratify",
            EmergencyCall::AppendMinutes { .. } => "append_minutes",
            EmergencyCall::Review { .. } => "review",
        }
    }
}

impl Write for EmergencyCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            EmergencyCall::RequestConsultation { trigger } => {
                Self::REQUEST_CONSULTATION.write(buf);
                trigger.write(buf);
            }
            EmergencyCall::Consulted { consultation, text } => {
                Self::CONSULTED.write(buf);
                consultation.write(buf);
                text.write(buf);
            }
            EmergencyCall::Declare {
                consultation,
                scope,
                minutes,
            } => {
                Self::DECLARE.write(buf);
                consultation.write(buf);
                scope.write(buf);
                minutes.write(buf);
            }
            EmergencyCall::Ratify { declaration } => {
                Self::RATIFY.write(buf);
                declaration.write(buf);
            }
            EmergencyCall::AppendMinutes {
                declaration,
                minutes,
            } => {
                Self::APPEND_MINUTES.write(buf);
                declaration.write(buf);
                minutes.write(buf);
            }
            EmergencyCall::Review {
                declaration,
                report,
            } => {
                Self::REVIEW.write(buf);
                declaration.write(buf);
                report.write(buf);
            }
        }
    }
}

impl EncodeSize for EmergencyCall {
    fn encode_size(&self) -> usize {
        1 + match self {
            EmergencyCall::RequestConsultation { trigger } => trigger.encode_size(),
            EmergencyCall::Ratify { .. } => 8,
            EmergencyCall::Declare { scope, .. } => 8 + scope.encode_size() + 32,
            EmergencyCall::Consulted { .. }
            | EmergencyCall::AppendMinutes { .. }
            | EmergencyCall::Review { .. } => 8 + 32,
        }
    }
}

impl Read for EmergencyCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(match u8::read(buf)? {
            Self::REQUEST_CONSULTATION => EmergencyCall::RequestConsultation {
                trigger: Digest::read(buf)?,
            },
            Self::CONSULTED => EmergencyCall::Consulted {
                consultation: u64::read(buf)?,
                text: Digest::read(buf)?,
            },
            Self::DECLARE => EmergencyCall::Declare {
                consultation: u64::read(buf)?,
                scope: Scope::read(buf)?,
                minutes: Digest::read(buf)?,
            },
            Self::RATIFY => EmergencyCall::Ratify {
                declaration: u64::read(buf)?,
            },
            Self::APPEND_MINUTES => EmergencyCall::AppendMinutes {
                declaration: u64::read(buf)?,
                minutes: Digest::read(buf)?,
            },
            Self::REVIEW => EmergencyCall::Review {
                declaration: u64::read(buf)?,
                report: Digest::read(buf)?,
            },
            other => return Err(Error::InvalidEnum(other)),
        })
    }
}

/// Wire form: a count byte and each name (a length byte and lower-case
/// ASCII letters, `_` and at most one `.`), then a count byte and each
/// frozen account; both lists strictly ascending.
impl Write for Scope {
    fn write(&self, buf: &mut impl BufMut) {
        (self.pause.len() as u8).write(buf);
        for name in &self.pause {
            (name.len() as u8).write(buf);
            buf.put_slice(name.as_bytes());
        }
        (self.freeze.len() as u8).write(buf);
        for account in &self.freeze {
            account.write(buf);
        }
    }
}

impl EncodeSize for Scope {
    fn encode_size(&self) -> usize {
        2 + self.pause.iter().map(|n| 1 + n.len()).sum::<usize>() + 32 * self.freeze.len()
    }
}

impl Read for Scope {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let paused = u8::read(buf)? as usize;
        if paused > MAX_PAUSED {
            return Err(Error::Invalid("Scope", "pauses more than 16 names"));
        }
        let mut pause = Vec::with_capacity(paused);
        for _ in 0..paused {
            let len = u8::read(buf)? as usize;
            if len == 0 || len > MAX_NAME || buf.remaining() < len {
                return Err(Error::Invalid("Scope", "a name is empty, too long or cut"));
            }
            let mut bytes = vec![0u8; len];
            buf.copy_to_slice(&mut bytes);
            let name =
                String::from_utf8(bytes)
                    .ok()
                    .filter(|n| is_name(n))
                    .ok_or(Error::Invalid(
                        "Scope",
                        "a name is not module or module.call",
                    ))?;
            pause.push(name);
        }
        let frozen = u8::read(buf)? as usize;
        if frozen > MAX_FROZEN {
            return Err(Error::Invalid("Scope", "freezes more than 64 accounts"));
        }
        let freeze = (0..frozen)
            .map(|_| AccountId::read(buf))
            .collect::<Result<Vec<_>, _>>()?;
        let ascending = |w: &[String]| w[0] < w[1];
        if !pause.windows(2).all(ascending) || !freeze.windows(2).all(|w| w[0] < w[1]) {
            return Err(Error::Invalid("Scope", "lists are not strictly ascending"));
        }
        Ok(Scope { pause, freeze })
    }
}

/// `module` or `module.call`: lower-case letters and `_`.
pub fn is_name(name: &str) -> bool {
    let part = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    match name.split_once('.') {
        Some((module, call)) => part(module) && part(call),
        None => part(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{governance::GovernanceCall, Amount};
    use commonware_codec::{Copying, DecodeExt, Encode};

    fn scope() -> Scope {
        Scope {
            pause: vec!["money.pay".into(), "registry".into()],
            freeze: vec![
                AccountId::from_bytes([1; 32]),
                AccountId::from_bytes([2; 32]),
            ],
        }
    }

    #[test]
    fn every_step_round_trips_in_binary_and_json() {
        let digest = crate::hash(&[b"x"]);
        for step in [
            EmergencyCall::RequestConsultation { trigger: digest },
            EmergencyCall::Consulted {
                consultation: 1,
                text: digest,
            },
            EmergencyCall::Declare {
                consultation: 2,
                scope: scope(),
                minutes: digest,
            },
            EmergencyCall::Ratify { declaration: 3 },
            EmergencyCall::AppendMinutes {
                declaration: 4,
                minutes: digest,
            },
            EmergencyCall::Review {
                declaration: 5,
                report: digest,
            },
        ] {
            let call = GovernanceCall::Emergency(step);
            let bytes = call.encode();
            assert_eq!(bytes.len(), call.encode_size());
            assert_eq!(
                GovernanceCall::decode(Copying(bytes.as_ref())).unwrap(),
                call
            );
            for cut in 0..bytes.len() {
                assert!(GovernanceCall::decode(Copying(&bytes[..cut])).is_err());
            }
            let json = serde_json::to_string(&call).unwrap();
            assert_eq!(serde_json::from_str::<GovernanceCall>(&json).unwrap(), call);
        }
    }

    #[test]
    fn a_scope_has_one_encoding_and_names_only_calls() {
        let mut unsorted = scope();
        unsorted.pause.reverse();
        assert!(Scope::decode(Copying(unsorted.encode().as_ref())).is_err());
        let mut twice = scope();
        twice.freeze[1] = twice.freeze[0];
        assert!(Scope::decode(Copying(twice.encode().as_ref())).is_err());
        for bad in ["Money", "money.", ".pay", "money.pay.now", "money pay", ""] {
            let odd = Scope {
                pause: vec![bad.into()],
                freeze: vec![],
            };
            assert!(
                Scope::decode(Copying(odd.encode().as_ref())).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_scope_pauses_a_module_or_one_call() {
        let pay = Call::Money(crate::MoneyCall::Pay {
            to: AccountId::from_bytes([3; 32]),
            amount: Amount(1),
            travel_rule: None,
        });
        let transfer = Call::Transfer {
            to: AccountId::from_bytes([3; 32]),
            amount: Amount(1),
        };
        assert_eq!(scope().pauses(&pay), Some("money.pay"));
        assert_eq!(scope().pauses(&transfer), None);
        let all = Scope {
            pause: vec!["transfer".into()],
            freeze: vec![],
        };
        assert_eq!(all.pauses(&transfer), Some("transfer"));
        assert!(scope().freezes(&AccountId::from_bytes([2; 32])));
        assert!(!scope().freezes(&AccountId::from_bytes([9; 32])));
    }
}
