//! The governance module's state keys: `governance/…`.

use crate::state_key::ModuleKey;

/// One entry of the governance module in the state (see
/// [`crate::state_key`]): `governance/…` keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GovernanceKey {
    /// The seats and the windows.
    Rules,
    /// A proposal with its record: advice, responses, votes, outcome.
    Proposal(u64),
    /// A comment on a proposal, by its number among the proposal's.
    Comment {
        /// The proposal.
        proposal: u64,
        /// The comment's number, from 0.
        number: u32,
    },
    /// A consultation of the emergency procedure.
    Consultation(u64),
    /// An emergency declaration with its record.
    Declaration(u64),
}

impl ModuleKey for GovernanceKey {
    const TAG: u8 = 0x05;
    const NAME: &'static str = "governance";
    const FORMS: &'static str = "governance/rules, governance/proposal/<number>, governance/comment/<proposal>/<number>, governance/consultation/<number>, governance/declaration/<number>";

    fn write_bytes(&self, out: &mut Vec<u8>) {
        match self {
            GovernanceKey::Rules => out.push(0),
            GovernanceKey::Proposal(id) => {
                out.push(1);
                out.extend_from_slice(&id.to_be_bytes());
            }
            GovernanceKey::Comment { proposal, number } => {
                out.push(2);
                out.extend_from_slice(&proposal.to_be_bytes());
                out.extend_from_slice(&number.to_be_bytes());
            }
            GovernanceKey::Consultation(id) => {
                out.push(3);
                out.extend_from_slice(&id.to_be_bytes());
            }
            GovernanceKey::Declaration(id) => {
                out.push(4);
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
            (2, rest) if rest.len() == 12 => Some(GovernanceKey::Comment {
                proposal: u64::from_be_bytes(rest[..8].try_into().ok()?),
                number: u32::from_be_bytes(rest[8..].try_into().ok()?),
            }),
            (3, id) => Some(GovernanceKey::Consultation(u64::from_be_bytes(
                <[u8; 8]>::try_from(id).ok()?,
            ))),
            (4, id) => Some(GovernanceKey::Declaration(u64::from_be_bytes(
                <[u8; 8]>::try_from(id).ok()?,
            ))),
            _ => None,
        }
    }

    fn write_text(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GovernanceKey::Rules => write!(f, "rules"),
            GovernanceKey::Proposal(id) => write!(f, "proposal/{id}"),
            GovernanceKey::Comment { proposal, number } => {
                write!(f, "comment/{proposal}/{number}")
            }
            GovernanceKey::Consultation(id) => write!(f, "consultation/{id}"),
            GovernanceKey::Declaration(id) => write!(f, "declaration/{id}"),
        }
    }

    fn parse_parts(parts: &[&str]) -> Result<Self, Option<String>> {
        let number = |text: &str| {
            text.parse()
                .map_err(|_| Some(format!("{text:?} is not a number")))
        };
        match parts {
            ["rules"] => Ok(GovernanceKey::Rules),
            ["proposal", id] => Ok(GovernanceKey::Proposal(number(id)?)),
            ["consultation", id] => Ok(GovernanceKey::Consultation(number(id)?)),
            ["declaration", id] => Ok(GovernanceKey::Declaration(number(id)?)),
            ["comment", proposal, n] => Ok(GovernanceKey::Comment {
                proposal: number(proposal)?,
                number: u32::try_from(number(n)?)
                    .map_err(|_| Some(format!("{n:?} is not a comment number")))?,
            }),
            _ => Err(None),
        }
    }
}
