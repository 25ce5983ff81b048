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
    /// An economy's cash-center keys (offline cash).
    CashCenter(EconomyCode),
    /// An economy's device-center key (offline cash).
    DeviceKey(EconomyCode),
    /// An offline wallet's binding to its account, by wallet number.
    Wallet(u64),
    /// The evidence an offline wallet was blacklisted on, by wallet number.
    Blacklisted(u64),
    /// A note credited by a deposit, by its issuing center's economy and
    /// serial: never credited again.
    Spent {
        /// The issuing center's economy.
        economy: EconomyCode,
        /// The note's serial.
        serial: u64,
    },
    /// A load whose notes its cash center has not recorded as issued yet,
    /// by the loading account and the load's nonce.
    Load {
        /// The loading account.
        account: AccountId,
        /// The load transaction's nonce.
        nonce: u64,
    },
    /// Coins an account loaded into offline wallets that are not credited
    /// back yet (by anyone): what its KYC tier's balance cap counts besides
    /// its balance.
    OfflineHeld(AccountId),
    /// Notes a cash center issued against one load, by its economy and the
    /// first serial of their range.
    Issued {
        /// The issuing center's economy.
        economy: EconomyCode,
        /// The range's first serial.
        first_serial: u64,
    },
    /// A purpose-bound purse, by the hash of the transaction that pushed it.
    Purse(crate::Digest),
}

impl ModuleKey for MoneyKey {
    const TAG: u8 = 0x03;
    const NAME: &'static str = "money";
    const FORMS: &'static str = "money/config, money/economy/<code>, money/travel-key/<hex>, \
money/freeze/<hex>, money/contribution/<n>, money/claim/<creditor>/<debtor>, \
money/settlement/<n>, money/seigniorage/<n>, money/suspension/<hex>, money/cash-center/<code>, \
money/device-key/<code>, money/wallet/<n>, money/spent/<code>/<n>, money/blacklisted/<n>, \
money/load/<hex>/<n>, money/issued/<code>/<n>, money/offline-held/<hex>, money/purse/<hex digest>";

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
            MoneyKey::CashCenter(code) => (9, code.as_str().as_bytes()),
            MoneyKey::DeviceKey(code) => (10, code.as_str().as_bytes()),
            MoneyKey::Wallet(n) => return numbered(out, 11, *n),
            MoneyKey::Blacklisted(n) => return numbered(out, 13, *n),
            MoneyKey::Spent { economy, serial } => return by_serial(out, 12, economy, *serial),
            MoneyKey::Issued {
                economy,
                first_serial,
            } => return by_serial(out, 15, economy, *first_serial),
            MoneyKey::OfflineHeld(id) => (16, id.as_bytes()),
            MoneyKey::Purse(id) => (17, id.as_ref()),
            MoneyKey::Load { account, nonce } => {
                out.push(14);
                out.extend_from_slice(account.as_bytes());
                out.extend_from_slice(&nonce.to_be_bytes());
                return;
            }
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
            9 if natural.len() == 2 => MoneyKey::CashCenter(economy(natural)?),
            10 if natural.len() == 2 => MoneyKey::DeviceKey(economy(natural)?),
            11 => MoneyKey::Wallet(number()?),
            13 => MoneyKey::Blacklisted(number()?),
            12 if natural.len() == 10 => MoneyKey::Spent {
                economy: economy(&natural[..2])?,
                serial: u64::from_be_bytes(natural[2..].try_into().ok()?),
            },
            15 if natural.len() == 10 => MoneyKey::Issued {
                economy: economy(&natural[..2])?,
                first_serial: u64::from_be_bytes(natural[2..].try_into().ok()?),
            },
            16 => MoneyKey::OfflineHeld(account()?),
            17 => MoneyKey::Purse(crate::Digest::from(<[u8; 32]>::try_from(natural).ok()?)),
            14 if natural.len() == 40 => MoneyKey::Load {
                account: AccountId::from_bytes(natural[..32].try_into().ok()?),
                nonce: u64::from_be_bytes(natural[32..].try_into().ok()?),
            },
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
            MoneyKey::CashCenter(code) => write!(f, "cash-center/{code}"),
            MoneyKey::DeviceKey(code) => write!(f, "device-key/{code}"),
            MoneyKey::Wallet(n) => write!(f, "wallet/{n}"),
            MoneyKey::Blacklisted(n) => write!(f, "blacklisted/{n}"),
            MoneyKey::Spent { economy, serial } => write!(f, "spent/{economy}/{serial}"),
            MoneyKey::Load { account, nonce } => write!(f, "load/{account}/{nonce}"),
            MoneyKey::OfflineHeld(id) => write!(f, "offline-held/{id}"),
            MoneyKey::Purse(id) => write!(f, "purse/{}", crate::digest::to_hex(id)),
            MoneyKey::Issued {
                economy,
                first_serial,
            } => write!(f, "issued/{economy}/{first_serial}"),
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
            ["cash-center", code] => Ok(MoneyKey::CashCenter(economy(code)?)),
            ["device-key", code] => Ok(MoneyKey::DeviceKey(economy(code)?)),
            ["wallet", n] => Ok(MoneyKey::Wallet(number(n)?)),
            ["blacklisted", n] => Ok(MoneyKey::Blacklisted(number(n)?)),
            ["spent", code, n] => Ok(MoneyKey::Spent {
                economy: economy(code)?,
                serial: number(n)?,
            }),
            ["offline-held", id] => Ok(MoneyKey::OfflineHeld(account(id)?)),
            ["purse", id] => crate::digest::from_hex(id)
                .map(MoneyKey::Purse)
                .ok_or_else(|| Some(format!("{id:?} is not a hex digest"))),
            ["load", id, n] => Ok(MoneyKey::Load {
                account: account(id)?,
                nonce: number(n)?,
            }),
            ["issued", code, n] => Ok(MoneyKey::Issued {
                economy: economy(code)?,
                first_serial: number(n)?,
            }),
            _ => Err(None),
        }
    }
}

/// An entry keyed by an economy and a serial: its kind tag, the economy's
/// letters and the big-endian serial.
fn by_serial(out: &mut Vec<u8>, kind: u8, economy: &EconomyCode, serial: u64) {
    out.push(kind);
    out.extend_from_slice(economy.as_str().as_bytes());
    out.extend_from_slice(&serial.to_be_bytes());
}

/// A numbered entry's kind tag and big-endian number.
fn numbered(out: &mut Vec<u8>, kind: u8, n: u64) {
    out.push(kind);
    out.extend_from_slice(&n.to_be_bytes());
}
