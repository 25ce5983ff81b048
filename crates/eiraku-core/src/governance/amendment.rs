//! What a proposal changes: amendments, the parameters they set and the
//! seats they grant or remove, with their binary form.

use super::{ProposalClass, RoleConsent, Windows};
use crate::{
    AccountId, Amount, BasketPart, CurrencyCode, EconomyCode, Rate, Role, ValidatorChange,
};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, Read, ReadExt, Write};
use serde::{Deserialize, Serialize};

/// A parameter genesis sets, with its new value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parameter {
    /// Rates older than this (block time, ms) are stale.
    MaxRateAgeMs(u64),
    /// Cross-border payments from this many coin minor units carry
    /// travel-rule data.
    TravelRuleThreshold(Amount),
    /// The time lock of a lost key's replacement (block time, ms).
    KeyReplacementDelayMs(u64),
}

/// A kind of seat that governance grants and removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatKind {
    /// Proposes and votes.
    Voting,
    /// Advises; vetoes class-A decisions with the other advisory seats.
    Advisory,
    /// Reviews emergency declarations (an outside auditor).
    Reviewer,
}

/// A member economy governance admits: its books open empty, its central
/// bank takes a voting seat and its regulator an advisory one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEconomy {
    /// Its code.
    pub code: EconomyCode,
    /// Its currency (no other economy's).
    pub currency: CurrencyCode,
    /// Its central bank: a fresh key.
    pub central_bank: AccountId,
    /// Its regulator: a fresh key.
    pub regulator: AccountId,
    /// Its currency's opening rate (numeraire per unit), posted at the
    /// enactment.
    pub rate: Rate,
    /// The central bank's key's consent to the role.
    pub central_bank_consent: RoleConsent,
    /// The regulator's key's consent to the role.
    pub regulator_consent: RoleConsent,
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
    /// Give an official (the issuer, a central bank, a regulator) or a
    /// registry role whose key was lost or stolen a new key (class A): no
    /// bank or central bank opened them, so only governance can.
    ReplaceKey {
        /// The official's account.
        account: AccountId,
        /// The key that signs for it from the enactment on.
        new_key: AccountId,
    },
    /// Re-weigh the ACU (class A): `basket` gives the new composition's
    /// proportions. At enactment, with fresh rates, the quantities are
    /// scaled so one ACU is worth what it was worth just before (to within
    /// one minor unit of the numeraire), as the ECU was re-weighted. Coins
    /// and bonds already issued do not change.
    SetBasket {
        /// One part per currency, in currency order.
        basket: Vec<BasketPart>,
    },
    /// Change the validator set (class A): it takes effect at the next
    /// epoch boundary, through the engine's epoch reconfiguration. A
    /// validator's consensus key rotates as a change that adds the new key
    /// and removes the old.
    ChangeValidators(ValidatorChange),
    /// Revoke an official's role (the issuer, a central bank, a regulator)
    /// and grant it to a successor (class A), so no bond, book or seat is
    /// orphaned: the successor takes over the role, the books that name
    /// it, its governance seat, its travel-rule key and its balance. The
    /// banks a central bank opened stay opened, now under the successor.
    Succeed {
        /// The official whose role is revoked.
        official: AccountId,
        /// The account (a new key) that holds the role from the enactment
        /// on.
        successor: AccountId,
        /// The successor's consent to the official's role.
        consent: RoleConsent,
    },
    /// Admit a member economy (class A). It joins with empty books: its
    /// central bank contributes bonds and sets its KYC tiers afterwards, and
    /// its currency enters the ACU only by a basket change.
    AddEconomy(NewEconomy),
    /// Lift a bank's suspension by its central bank (class B): a bank
    /// returns to the network when the member economies agree.
    LiftSuspension {
        /// The suspended bank.
        bank: AccountId,
    },
    /// Grant a registry role (a registry authority or an attester of an
    /// economy) to a fresh account (class B).
    GrantRole {
        /// The account.
        account: AccountId,
        /// The role: a registry role only.
        role: Role,
        /// The account's consent to the role.
        consent: RoleConsent,
    },
    /// Revoke a registry role (class B); its grant stays on record.
    RevokeRole {
        /// The account that holds it.
        account: AccountId,
    },
}

/// Most currencies a basket holds.
pub const MAX_BASKET_PARTS: usize = 32;

impl Amendment {
    /// The class the amendment's proposal belongs to.
    pub fn class(&self) -> ProposalClass {
        match self {
            // How soon a bank may take over a customer's key is about who
            // controls accounts, not a tuning knob.
            Amendment::SetParameter(Parameter::KeyReplacementDelayMs(_)) => ProposalClass::A,
            Amendment::SetParameter(_)
            | Amendment::LiftSuspension { .. }
            | Amendment::GrantRole { .. }
            | Amendment::RevokeRole { .. } => ProposalClass::B,
            Amendment::SetWindows { .. }
            | Amendment::AddSeat { .. }
            | Amendment::RemoveSeat { .. }
            | Amendment::ReplaceKey { .. }
            | Amendment::SetBasket { .. }
            | Amendment::ChangeValidators(_)
            | Amendment::Succeed { .. }
            | Amendment::AddEconomy(_) => ProposalClass::A,
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
            Parameter::KeyReplacementDelayMs(ms) => {
                2u8.write(buf);
                ms.write(buf);
            }
        }
    }
}

impl EncodeSize for Parameter {
    fn encode_size(&self) -> usize {
        1 + match self {
            Parameter::MaxRateAgeMs(ms) | Parameter::KeyReplacementDelayMs(ms) => ms.encode_size(),
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
            2 => Ok(Parameter::KeyReplacementDelayMs(u64::read(buf)?)),
            other => Err(Error::InvalidEnum(other)),
        }
    }
}

impl Amendment {
    const SET_PARAMETER: u8 = 0;
    const SET_WINDOWS: u8 = 1;
    const ADD_SEAT: u8 = 2;
    const REMOVE_SEAT: u8 = 3;
    const REPLACE_KEY: u8 = 4;
    const SET_BASKET: u8 = 5;
    const CHANGE_VALIDATORS: u8 = 6;
    const SUCCEED: u8 = 7;
    const ADD_ECONOMY: u8 = 8;
    const LIFT_SUSPENSION: u8 = 9;
    const GRANT_ROLE: u8 = 10;
    const REVOKE_ROLE: u8 = 11;
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
            Amendment::ReplaceKey { account, new_key } => {
                Self::REPLACE_KEY.write(buf);
                account.write(buf);
                new_key.write(buf);
            }
            Amendment::SetBasket { basket } => {
                Self::SET_BASKET.write(buf);
                (basket.len() as u8).write(buf);
                for part in basket {
                    part.currency.write(buf);
                    part.quantity.write(buf);
                }
            }
            Amendment::ChangeValidators(change) => {
                Self::CHANGE_VALIDATORS.write(buf);
                change.write(buf);
            }
            Amendment::Succeed {
                official,
                successor,
                consent,
            } => {
                Self::SUCCEED.write(buf);
                official.write(buf);
                successor.write(buf);
                consent.write(buf);
            }
            Amendment::AddEconomy(economy) => {
                Self::ADD_ECONOMY.write(buf);
                economy.code.write(buf);
                economy.currency.write(buf);
                economy.central_bank.write(buf);
                economy.regulator.write(buf);
                economy.rate.write(buf);
                economy.central_bank_consent.write(buf);
                economy.regulator_consent.write(buf);
            }
            Amendment::LiftSuspension { bank } => {
                Self::LIFT_SUSPENSION.write(buf);
                bank.write(buf);
            }
            Amendment::GrantRole {
                account,
                role,
                consent,
            } => {
                Self::GRANT_ROLE.write(buf);
                account.write(buf);
                role.write(buf);
                consent.write(buf);
            }
            Amendment::RevokeRole { account } => {
                Self::REVOKE_ROLE.write(buf);
                account.write(buf);
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
            Amendment::ReplaceKey { account, new_key } => {
                account.encode_size() + new_key.encode_size()
            }
            Amendment::Succeed {
                official,
                successor,
                consent,
            } => official.encode_size() + successor.encode_size() + consent.encode_size(),
            Amendment::SetBasket { basket } => {
                1 + (basket.iter())
                    .map(|p| p.currency.encode_size() + p.quantity.encode_size())
                    .sum::<usize>()
            }
            Amendment::ChangeValidators(change) => change.encode_size(),
            Amendment::AddEconomy(economy) => {
                economy.code.encode_size()
                    + economy.currency.encode_size()
                    + economy.central_bank.encode_size()
                    + economy.regulator.encode_size()
                    + economy.rate.encode_size()
                    + economy.central_bank_consent.encode_size()
                    + economy.regulator_consent.encode_size()
            }
            Amendment::LiftSuspension { bank: account } | Amendment::RevokeRole { account } => {
                account.encode_size()
            }
            Amendment::GrantRole {
                account,
                role,
                consent,
            } => account.encode_size() + role.encode_size() + consent.encode_size(),
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
            Self::REPLACE_KEY => Amendment::ReplaceKey {
                account: AccountId::read(buf)?,
                new_key: AccountId::read(buf)?,
            },
            Self::SET_BASKET => Amendment::SetBasket {
                basket: read_basket(buf)?,
            },
            Self::CHANGE_VALIDATORS => Amendment::ChangeValidators(ValidatorChange::read(buf)?),
            Self::SUCCEED => Amendment::Succeed {
                official: AccountId::read(buf)?,
                successor: AccountId::read(buf)?,
                consent: RoleConsent::read(buf)?,
            },
            Self::ADD_ECONOMY => Amendment::AddEconomy(NewEconomy {
                code: EconomyCode::read(buf)?,
                currency: CurrencyCode::read(buf)?,
                central_bank: AccountId::read(buf)?,
                regulator: AccountId::read(buf)?,
                rate: Rate::read(buf)?,
                central_bank_consent: RoleConsent::read(buf)?,
                regulator_consent: RoleConsent::read(buf)?,
            }),
            Self::LIFT_SUSPENSION => Amendment::LiftSuspension {
                bank: AccountId::read(buf)?,
            },
            Self::GRANT_ROLE => Amendment::GrantRole {
                account: AccountId::read(buf)?,
                role: Role::read(buf)?,
                consent: RoleConsent::read(buf)?,
            },
            Self::REVOKE_ROLE => Amendment::RevokeRole {
                account: AccountId::read(buf)?,
            },
            other => return Err(Error::InvalidEnum(other)),
        })
    }
}

byte_enum!(SeatKind: Voting = 0, Advisory = 1, Reviewer = 2);

/// A basket: 1 to 32 parts, currencies strictly ascending (one encoding).
fn read_basket(buf: &mut impl Buf) -> Result<Vec<BasketPart>, Error> {
    let len = u8::read(buf)? as usize;
    if len == 0 || len > MAX_BASKET_PARTS {
        return Err(Error::Invalid(
            "SetBasket",
            "a basket holds 1 to 32 currencies",
        ));
    }
    let basket = (0..len)
        .map(|_| {
            Ok(BasketPart {
                currency: CurrencyCode::read(buf)?,
                quantity: Rate::read(buf)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    if !basket.windows(2).all(|w| w[0].currency < w[1].currency) {
        return Err(Error::Invalid(
            "SetBasket",
            "currencies are not strictly ascending",
        ));
    }
    Ok(basket)
}
