//! The governance module's state keys: `governance/…`.

use crate::state_key::ModuleKey;

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
