//! Where the money module's entries live in the state (see
//! [`crate::state_key`]): `money/…` keys.

use crate::{state_key::ModuleKey, AccountId, EconomyCode};
use std::fmt;

/// One entry of the money module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MoneyKey {
    /// The module's settings: unit, numeraire, rate age limit, travel-rule
    /// threshold, issuer, end of the last seigniorage period.
    Config,
    /// One member economy's books.
    Economy(EconomyCode),
    /// The key a bank or regulator receives travel-rule data under.
    TravelKey(AccountId),
    /// A freeze on an account.
    Freeze(AccountId),
    /// A contribution, by number.
    Contribution(u64),
    /// An outstanding claim of `creditor` on `debtor`.
    Claim {
        /// The economy owed.
        creditor: EconomyCode,
        /// The economy that owes.
        debtor: EconomyCode,
    },
    /// A settlement, by number.
    Settlement(u64),
    /// A closed seigniorage period, by number.
    SeigniorPeriod(u64),
    /// A bank's suspension by its central bank.
    Suspension(AccountId),
}

impl ModuleKey for MoneyKey {
    const TAG: u8 = 0x03;
    const NAME: &'static str = "money";
    const FORMS: &'static str = "money/config, money/economy/<code>, money/travel-key/<hex>, \
money/freeze/<hex>, money/contribution/<n>, money/claim/<creditor>/<debtor>, \
money/settlement/<n>, money/seigniorage/<n>, money/suspension/<hex>";

    fn write_bytes(&self, out: &mut Vec<u8>) {
        let (kind, natural): (u8, &[u8]) = match self {
            MoneyKey::Config => (0, &[]),
            MoneyKey::Economy(code) => (1, code.as_str().as_bytes()),
            MoneyKey::TravelKey(id) => (2, id.as_bytes()),
            MoneyKey::Freeze(id) => (3, id.as_bytes()),
            MoneyKey::Contribution(n) => return numbered(out, 4, *n),
            MoneyKey::Claim { creditor, debtor } => {
                out.push(5);
                out.extend_from_slice(creditor.as_str().as_bytes());
                out.extend_from_slice(debtor.as_str().as_bytes());
                return;
            }
            MoneyKey::Settlement(n) => return numbered(out, 6, *n),
            MoneyKey::SeigniorPeriod(n) => return numbered(out, 7, *n),
            MoneyKey::Suspension(id) => (8, id.as_bytes()),
        };
        out.push(kind);
        out.extend_from_slice(natural);
    }

    fn read_bytes(bytes: &[u8]) -> Option<Self> {
        let (&kind, natural) = bytes.split_first()?;
        let account = || Some(AccountId::from_bytes(natural.try_into().ok()?));
        let number = || Some(u64::from_be_bytes(natural.try_into().ok()?));
        let economy = |part: &[u8]| EconomyCode::new(std::str::from_utf8(part).ok()?).ok();
        Some(match kind {
            0 if natural.is_empty() => MoneyKey::Config,
            1 if natural.len() == 2 => MoneyKey::Economy(economy(natural)?),
            2 => MoneyKey::TravelKey(account()?),
            3 => MoneyKey::Freeze(account()?),
            4 => MoneyKey::Contribution(number()?),
            5 if natural.len() == 4 => MoneyKey::Claim {
                creditor: economy(&natural[..2])?,
                debtor: economy(&natural[2..])?,
            },
            6 => MoneyKey::Settlement(number()?),
            7 => MoneyKey::SeigniorPeriod(number()?),
            8 => MoneyKey::Suspension(account()?),
            _ => return None,
        })
    }

    fn write_text(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyKey::Config => write!(f, "config"),
            MoneyKey::Economy(code) => write!(f, "economy/{code}"),
            MoneyKey::TravelKey(id) => write!(f, "travel-key/{id}"),
            MoneyKey::Freeze(id) => write!(f, "freeze/{id}"),
            MoneyKey::Contribution(n) => write!(f, "contribution/{n}"),
            MoneyKey::Claim { creditor, debtor } => write!(f, "claim/{creditor}/{debtor}"),
            MoneyKey::Settlement(n) => write!(f, "settlement/{n}"),
            MoneyKey::SeigniorPeriod(n) => write!(f, "seigniorage/{n}"),
            MoneyKey::Suspension(id) => write!(f, "suspension/{id}"),
        }
    }

    fn parse_parts(parts: &[&str]) -> Result<Self, Option<String>> {
        let account = |hex: &str| AccountId::from_hex(hex).map_err(Some);
        let economy = |code: &str| EconomyCode::new(code).map_err(Some);
        let number = |n: &str| {
            n.parse::<u64>()
                .map_err(|_| Some(format!("{n:?} is not a number")))
        };
        match parts {
            ["config"] => Ok(MoneyKey::Config),
            ["economy", code] => Ok(MoneyKey::Economy(economy(code)?)),
            ["travel-key", id] => Ok(MoneyKey::TravelKey(account(id)?)),
            ["freeze", id] => Ok(MoneyKey::Freeze(account(id)?)),
            ["contribution", n] => Ok(MoneyKey::Contribution(number(n)?)),
            ["claim", creditor, debtor] => Ok(MoneyKey::Claim {
                creditor: economy(creditor)?,
                debtor: economy(debtor)?,
            }),
            ["settlement", n] => Ok(MoneyKey::Settlement(number(n)?)),
            ["seigniorage", n] => Ok(MoneyKey::SeigniorPeriod(number(n)?)),
            ["suspension", id] => Ok(MoneyKey::Suspension(account(id)?)),
            _ => Err(None),
        }
    }
}

/// A numbered entry's kind tag and big-endian number.
fn numbered(out: &mut Vec<u8>, kind: u8, n: u64) {
    out.push(kind);
    out.extend_from_slice(&n.to_be_bytes());
}
