//! The vocabulary of the AMRO coin (DESIGN.md §3): economy and currency
//! codes, on-chain roles, FX rates and the calls of the `money` module.
//!
//! The rules live in `eiraku-state`; this module only names things and gives
//! each one canonical binary form.

use crate::{travel_rule::TravelKey, AccountId, Amount, Digest};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, FixedSize, RangeCfg, Read, ReadExt, Write};

pub use crate::money_units::{Code, CurrencyCode, EconomyCode, Rate};
pub use crate::role::{RetailKind, Role};

/// Longest free text a money call carries (an instrument id, a reason).
pub const MAX_TEXT_BYTES: usize = 256;

/// A call of the money module. Who may send each is checked on chain
/// against the sender's [`Role`]. Its JSON form (for the API) is tagged by
/// `call`, named as [`MoneyCall::name`] spells it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum MoneyCall {
    /// A central bank posts its own currency's rate: numeraire units per one
    /// unit of its currency.
    PostRate {
        /// The rate.
        rate: Rate,
    },
    /// A central bank sets the caps of one KYC tier in its economy.
    SetTierCaps {
        /// The tier.
        tier: u8,
        /// Largest balance an account of this tier may hold.
        balance_cap: Amount,
        /// Largest single transfer such an account may send.
        transfer_cap: Amount,
    },
    /// A central bank opens a bank, or a bank opens a merchant or person
    /// account, in its own economy.
    OpenAccount {
        /// The account (its key).
        account: AccountId,
        /// [`Role::Bank`] or [`Role::Retail`].
        role: Role,
    },
    /// A central bank offers sovereign bonds or currency to the issuer.
    Contribute {
        /// The instrument's identifier (e.g. an ISIN).
        instrument: String,
        /// Its currency.
        currency: CurrencyCode,
        /// Face amount, minor units of `currency`.
        face: Amount,
        /// Yield, basis points per year.
        yield_bps: u32,
        /// Maturity, milliseconds since the Unix epoch.
        maturity_ms: u64,
    },
    /// The issuer accepts a contribution: issuance bonds worth its ACU value
    /// at current rates go to the contributor's own account.
    AcceptContribution {
        /// The contribution's number.
        id: u64,
    },
    /// A central bank withdraws its own contribution while it is pending
    /// (not accepted): nothing offered stays stuck for ever.
    WithdrawContribution {
        /// The contribution's number.
        id: u64,
    },
    /// A central bank issues coins to one of its banks: the same amount of
    /// issuance bonds moves from its own account to its issued account.
    IssueCoins {
        /// The receiving bank.
        bank: AccountId,
        /// Coins, minor units.
        amount: Amount,
    },
    /// A payment, cross-border included. One at or above the travel-rule
    /// threshold between economies names the digest of its encrypted
    /// originator/beneficiary data.
    Pay {
        /// Receiving account.
        to: AccountId,
        /// Coins, minor units.
        amount: Amount,
        /// Digest of the travel-rule data, when the rule applies.
        #[serde(
            serialize_with = "optional_digest_hex",
            deserialize_with = "optional_digest_from_hex",
            default
        )]
        travel_rule: Option<Digest>,
    },
    /// A bank redeems coins at its central bank: they are burned and issued
    /// bonds move back to own accounts (repatriated through the issuer when
    /// the economy redeems more than it issued).
    Redeem {
        /// Coins, minor units.
        amount: Amount,
    },
    /// A regulator freezes an account of its economy.
    Freeze {
        /// The account.
        account: AccountId,
        /// Why (recorded).
        reason: String,
    },
    /// A regulator lifts a freeze.
    Unfreeze {
        /// The account.
        account: AccountId,
        /// Why (recorded).
        reason: String,
    },
    /// A central bank suspends one of its banks: the bank may no longer
    /// receive issuance, pay, be paid, redeem or open accounts until
    /// governance lifts the suspension (class B).
    SuspendBank {
        /// The bank.
        bank: AccountId,
        /// Why (recorded).
        reason: String,
    },
    /// A debtor central bank records a settlement of a claim against it.
    ProposeSettlement {
        /// The economy owed.
        creditor: EconomyCode,
        /// Amount settled, ACU minor units.
        amount: Amount,
    },
    /// The creditor central bank confirms a settlement; the claim clears.
    ConfirmSettlement {
        /// The settlement's number.
        id: u64,
    },
    /// A bank or regulator registers the X25519 key that travel-rule data
    /// is sealed to.
    RegisterTravelKey {
        /// The public key.
        key: TravelKey,
    },
    /// The issuer closes a seigniorage period at the current block time.
    CloseSeigniorage {
        /// Operating cost of the period, ACU minor units.
        operating_cost: Amount,
        /// Amount kept as investment reserve, ACU minor units.
        reserve: Amount,
    },
    /// A bank moves one of its retail accounts to another KYC tier. An
    /// upgrade names a KYC attestation about the account, valid now, from
    /// an attester of its economy.
    ChangeTier {
        /// The retail account.
        account: AccountId,
        /// Its new tier.
        tier: u8,
        /// The KYC attestation (its transaction's hash); needed to upgrade.
        #[serde(
            serialize_with = "optional_digest_hex",
            deserialize_with = "optional_digest_from_hex",
            default
        )]
        attestation: Option<Digest>,
    },
    /// An agency pushes a purpose-bound purse to a person or merchant of
    /// its economy: `amount` leaves its account for the purse, spendable
    /// only at merchants of `categories` until `expiry_ms`; what is left
    /// then returns to the agency without any transaction.
    PushPurse {
        /// Who may spend it.
        beneficiary: AccountId,
        /// What it holds.
        amount: Amount,
        /// The merchant categories it pays (ISO 18245 codes; 1 to 16).
        categories: Vec<u16>,
        /// When what is left returns (block time, ms since the Unix epoch).
        expiry_ms: u64,
    },
    /// A purse's beneficiary pays a merchant from it.
    SpendPurse {
        /// The purse: the hash of the transaction that pushed it.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        purse: Digest,
        /// The merchant.
        to: AccountId,
        /// How much.
        amount: Amount,
    },
}

/// Most merchant categories a purse names.
pub const MAX_PURSE_CATEGORIES: usize = 16;

fn optional_digest_hex<S: serde::Serializer>(
    digest: &Option<Digest>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match digest {
        Some(digest) => s.serialize_str(&crate::digest::to_hex(digest)),
        None => s.serialize_none(),
    }
}

fn optional_digest_from_hex<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Digest>, D::Error> {
    match <Option<String> as serde::Deserialize>::deserialize(d)? {
        Some(text) => crate::digest::from_hex(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("a digest is 64 hex characters")),
        None => Ok(None),
    }
}

fn write_text(text: &str, buf: &mut impl BufMut) {
    text.as_bytes().write(buf);
}

fn read_text(buf: &mut impl Buf) -> Result<String, Error> {
    read_text_within(buf, MAX_TEXT_BYTES)
}

/// Reads UTF-8 text of at most `max` bytes (length-prefixed).
pub(crate) fn read_text_within(buf: &mut impl Buf, max: usize) -> Result<String, Error> {
    let bytes = Vec::<u8>::read_cfg(buf, &(RangeCfg::new(0..=max), ()))?;
    String::from_utf8(bytes).map_err(|_| Error::Invalid("text", "not UTF-8"))
}

impl MoneyCall {
    const POST_RATE: u8 = 0;
    const SET_TIER_CAPS: u8 = 1;
    const OPEN_ACCOUNT: u8 = 2;
    const CONTRIBUTE: u8 = 3;
    const ACCEPT_CONTRIBUTION: u8 = 4;
    const ISSUE_COINS: u8 = 5;
    const PAY: u8 = 6;
    const REDEEM: u8 = 7;
    const FREEZE: u8 = 8;
    const UNFREEZE: u8 = 9;
    const PROPOSE_SETTLEMENT: u8 = 10;
    const CONFIRM_SETTLEMENT: u8 = 11;
    const CLOSE_SEIGNIORAGE: u8 = 12;
    const REGISTER_TRAVEL_KEY: u8 = 13;
    const WITHDRAW_CONTRIBUTION: u8 = 14;
    const SUSPEND_BANK: u8 = 15;
    const CHANGE_TIER: u8 = 16;
    const PUSH_PURSE: u8 = 17;
    const SPEND_PURSE: u8 = 18;

    /// The call's name, as the API and CLI spell it.
    pub fn name(&self) -> &'static str {
        match self {
            MoneyCall::PostRate { .. } => "post_rate",
            MoneyCall::SetTierCaps { .. } => "set_tier_caps",
            MoneyCall::OpenAccount { .. } => "open_account",
            MoneyCall::Contribute { .. } => "contribute",
            MoneyCall::AcceptContribution { .. } => "accept_contribution",
            MoneyCall::WithdrawContribution { .. } => "withdraw_contribution",
            MoneyCall::IssueCoins { .. } => "issue_coins",
            MoneyCall::Pay { .. } => "pay",
            MoneyCall::Redeem { .. } => "redeem",
            MoneyCall::Freeze { .. } => "freeze",
            MoneyCall::Unfreeze { .. } => "unfreeze",
            MoneyCall::SuspendBank { .. } => "suspend_bank",
            MoneyCall::ProposeSettlement { .. } => "propose_settlement",
            MoneyCall::ConfirmSettlement { .. } => "confirm_settlement",
            MoneyCall::CloseSeigniorage { .. } => "close_seigniorage",
            MoneyCall::RegisterTravelKey { .. } => "register_travel_key",
            MoneyCall::ChangeTier { .. } => "change_tier",
            MoneyCall::PushPurse { .. } => "push_purse",
            MoneyCall::SpendPurse { .. } => "spend_purse",
        }
    }
}

impl Write for MoneyCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            MoneyCall::PostRate { rate } => {
                Self::POST_RATE.write(buf);
                rate.write(buf);
            }
            MoneyCall::SetTierCaps {
                tier,
                balance_cap,
                transfer_cap,
            } => {
                Self::SET_TIER_CAPS.write(buf);
                tier.write(buf);
                balance_cap.write(buf);
                transfer_cap.write(buf);
            }
            MoneyCall::OpenAccount { account, role } => {
                Self::OPEN_ACCOUNT.write(buf);
                account.write(buf);
                role.write(buf);
            }
            MoneyCall::Contribute {
                instrument,
                currency,
                face,
                yield_bps,
                maturity_ms,
            } => {
                Self::CONTRIBUTE.write(buf);
                write_text(instrument, buf);
                currency.write(buf);
                face.write(buf);
                yield_bps.write(buf);
                maturity_ms.write(buf);
            }
            MoneyCall::AcceptContribution { id } => {
                Self::ACCEPT_CONTRIBUTION.write(buf);
                id.write(buf);
            }
            MoneyCall::WithdrawContribution { id } => {
                Self::WITHDRAW_CONTRIBUTION.write(buf);
                id.write(buf);
            }
            MoneyCall::IssueCoins { bank, amount } => {
                Self::ISSUE_COINS.write(buf);
                bank.write(buf);
                amount.write(buf);
            }
            MoneyCall::Pay {
                to,
                amount,
                travel_rule,
            } => {
                Self::PAY.write(buf);
                to.write(buf);
                amount.write(buf);
                travel_rule.write(buf);
            }
            MoneyCall::Redeem { amount } => {
                Self::REDEEM.write(buf);
                amount.write(buf);
            }
            MoneyCall::Freeze { account, reason } => {
                Self::FREEZE.write(buf);
                account.write(buf);
                write_text(reason, buf);
            }
            MoneyCall::Unfreeze { account, reason } => {
                Self::UNFREEZE.write(buf);
                account.write(buf);
                write_text(reason, buf);
            }
            MoneyCall::SuspendBank { bank, reason } => {
                Self::SUSPEND_BANK.write(buf);
                bank.write(buf);
                write_text(reason, buf);
            }
            MoneyCall::ProposeSettlement { creditor, amount } => {
                Self::PROPOSE_SETTLEMENT.write(buf);
                creditor.write(buf);
                amount.write(buf);
            }
            MoneyCall::ConfirmSettlement { id } => {
                Self::CONFIRM_SETTLEMENT.write(buf);
                id.write(buf);
            }
            MoneyCall::CloseSeigniorage {
                operating_cost,
                reserve,
            } => {
                Self::CLOSE_SEIGNIORAGE.write(buf);
                operating_cost.write(buf);
                reserve.write(buf);
            }
            MoneyCall::ChangeTier {
                account,
                tier,
                attestation,
            } => {
                Self::CHANGE_TIER.write(buf);
                account.write(buf);
                tier.write(buf);
                attestation.write(buf);
            }
            MoneyCall::PushPurse {
                beneficiary,
                amount,
                categories,
                expiry_ms,
            } => {
                Self::PUSH_PURSE.write(buf);
                beneficiary.write(buf);
                amount.write(buf);
                categories.write(buf);
                expiry_ms.write(buf);
            }
            MoneyCall::SpendPurse { purse, to, amount } => {
                Self::SPEND_PURSE.write(buf);
                purse.write(buf);
                to.write(buf);
                amount.write(buf);
            }
            MoneyCall::RegisterTravelKey { key } => {
                Self::REGISTER_TRAVEL_KEY.write(buf);
                buf.put_slice(&key.0);
            }
        }
    }
}

impl EncodeSize for MoneyCall {
    fn encode_size(&self) -> usize {
        1 + match self {
            MoneyCall::PostRate { rate } => rate.encode_size(),
            MoneyCall::SetTierCaps { .. } => 1 + 2 * Amount::SIZE,
            MoneyCall::OpenAccount { account, role } => account.encode_size() + role.encode_size(),
            MoneyCall::Contribute { instrument, .. } => {
                instrument.as_bytes().encode_size() + CurrencyCode::SIZE + Amount::SIZE + 4 + 8
            }
            MoneyCall::AcceptContribution { .. }
            | MoneyCall::WithdrawContribution { .. }
            | MoneyCall::ConfirmSettlement { .. } => 8,
            MoneyCall::IssueCoins { bank, .. } => bank.encode_size() + Amount::SIZE,
            MoneyCall::Pay {
                to, travel_rule, ..
            } => to.encode_size() + Amount::SIZE + travel_rule.encode_size(),
            MoneyCall::Redeem { .. } => Amount::SIZE,
            MoneyCall::Freeze { account, reason }
            | MoneyCall::Unfreeze { account, reason }
            | MoneyCall::SuspendBank {
                bank: account,
                reason,
            } => account.encode_size() + reason.as_bytes().encode_size(),
            MoneyCall::ProposeSettlement { .. } => EconomyCode::SIZE + Amount::SIZE,
            MoneyCall::CloseSeigniorage { .. } => 2 * Amount::SIZE,
            MoneyCall::RegisterTravelKey { .. } => 32,
            MoneyCall::ChangeTier {
                account,
                attestation,
                ..
            } => account.encode_size() + 1 + attestation.encode_size(),
            MoneyCall::PushPurse {
                beneficiary,
                categories,
                ..
            } => beneficiary.encode_size() + Amount::SIZE + categories.encode_size() + 8,
            MoneyCall::SpendPurse { to, .. } => 32 + to.encode_size() + Amount::SIZE,
        }
    }
}

impl Read for MoneyCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(match u8::read(buf)? {
            Self::POST_RATE => MoneyCall::PostRate {
                rate: Rate::read(buf)?,
            },
            Self::SET_TIER_CAPS => MoneyCall::SetTierCaps {
                tier: u8::read(buf)?,
                balance_cap: Amount::read(buf)?,
                transfer_cap: Amount::read(buf)?,
            },
            Self::OPEN_ACCOUNT => MoneyCall::OpenAccount {
                account: AccountId::read(buf)?,
                role: Role::read(buf)?,
            },
            Self::CONTRIBUTE => MoneyCall::Contribute {
                instrument: read_text(buf)?,
                currency: CurrencyCode::read(buf)?,
                face: Amount::read(buf)?,
                yield_bps: u32::read(buf)?,
                maturity_ms: u64::read(buf)?,
            },
            Self::ACCEPT_CONTRIBUTION => MoneyCall::AcceptContribution {
                id: u64::read(buf)?,
            },
            Self::WITHDRAW_CONTRIBUTION => MoneyCall::WithdrawContribution {
                id: u64::read(buf)?,
            },
            Self::ISSUE_COINS => MoneyCall::IssueCoins {
                bank: AccountId::read(buf)?,
                amount: Amount::read(buf)?,
            },
            Self::PAY => MoneyCall::Pay {
                to: AccountId::read(buf)?,
                amount: Amount::read(buf)?,
                travel_rule: Option::<Digest>::read(buf)?,
            },
            Self::REDEEM => MoneyCall::Redeem {
                amount: Amount::read(buf)?,
            },
            Self::FREEZE => MoneyCall::Freeze {
                account: AccountId::read(buf)?,
                reason: read_text(buf)?,
            },
            Self::UNFREEZE => MoneyCall::Unfreeze {
                account: AccountId::read(buf)?,
                reason: read_text(buf)?,
            },
            Self::SUSPEND_BANK => MoneyCall::SuspendBank {
                bank: AccountId::read(buf)?,
                reason: read_text(buf)?,
            },
            Self::PROPOSE_SETTLEMENT => MoneyCall::ProposeSettlement {
                creditor: EconomyCode::read(buf)?,
                amount: Amount::read(buf)?,
            },
            Self::CONFIRM_SETTLEMENT => MoneyCall::ConfirmSettlement {
                id: u64::read(buf)?,
            },
            Self::CLOSE_SEIGNIORAGE => MoneyCall::CloseSeigniorage {
                operating_cost: Amount::read(buf)?,
                reserve: Amount::read(buf)?,
            },
            Self::CHANGE_TIER => MoneyCall::ChangeTier {
                account: AccountId::read(buf)?,
                tier: u8::read(buf)?,
                attestation: Option::<Digest>::read(buf)?,
            },
            Self::PUSH_PURSE => MoneyCall::PushPurse {
                beneficiary: AccountId::read(buf)?,
                amount: Amount::read(buf)?,
                categories: Vec::<u16>::read_cfg(
                    buf,
                    &(RangeCfg::new(1..=MAX_PURSE_CATEGORIES), ()),
                )?,
                expiry_ms: u64::read(buf)?,
            },
            Self::SPEND_PURSE => MoneyCall::SpendPurse {
                purse: Digest::read(buf)?,
                to: AccountId::read(buf)?,
                amount: Amount::read(buf)?,
            },
            Self::REGISTER_TRAVEL_KEY => MoneyCall::RegisterTravelKey {
                key: TravelKey(<[u8; 32]>::read(buf)?),
            },
            other => return Err(Error::InvalidEnum(other)),
        })
    }
}

#[cfg(test)]
#[path = "money_tests.rs"]
mod tests;
