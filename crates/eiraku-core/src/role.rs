//! On-chain roles: who an account is to the money module and to
//! governance (officials, banks, retail accounts, registry roles), with
//! their canonical binary form.

use crate::money::EconomyCode;
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, FixedSize, Read, ReadExt, Write};

/// What a retail account is. In JSON, beside the role's other fields:
/// `"kind": "person"`, or `"kind": "merchant", "category": 5411`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RetailKind {
    /// A shop or other business.
    Merchant {
        /// Its merchant category code (ISO 18245, e.g. 5411 for grocery
        /// stores), set by its bank: what purpose-bound purses pay for.
        /// 0 (also when absent in JSON): no category.
        #[serde(default)]
        category: u16,
    },
    /// A natural person.
    Person,
}

impl RetailKind {
    /// A merchant of no particular category (code 0).
    pub const MERCHANT: RetailKind = RetailKind::Merchant { category: 0 };
}

/// An account's role in the money module. Retail accounts carry the KYC tier
/// their bank assigned; the tier's caps are set per economy by its central
/// bank.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// The issuance operator (AMRO). One per chain.
    Issuer,
    /// The central bank of an economy.
    CentralBank {
        /// Its economy.
        economy: EconomyCode,
    },
    /// The regulator (and auditor) of an economy.
    Regulator {
        /// Its economy.
        economy: EconomyCode,
    },
    /// A bank, opened by its economy's central bank.
    Bank {
        /// Its economy.
        economy: EconomyCode,
    },
    /// A merchant or person, opened by a bank of its economy.
    Retail {
        /// Its economy.
        economy: EconomyCode,
        /// Merchant (with its category) or person.
        #[serde(flatten)]
        kind: RetailKind,
        /// KYC tier.
        tier: u8,
    },
    /// A registry authority of an economy (creates registries and names
    /// their writers), granted by governance (class B).
    RegistryAuthority {
        /// Its economy.
        economy: EconomyCode,
    },
    /// An attester of an economy (issues attestations such as KYC
    /// results), granted by governance (class B).
    Attester {
        /// Its economy.
        economy: EconomyCode,
    },
    /// The offline-cash issuance center of an economy (seals notes against
    /// loads, checks deposits), granted by governance (class B).
    CashCenter {
        /// Its economy.
        economy: EconomyCode,
    },
    /// The device supply center of an economy (certifies offline wallets),
    /// granted by governance (class B).
    DeviceCenter {
        /// Its economy.
        economy: EconomyCode,
    },
    /// A public agency or aid organisation of an economy: holds coins (an
    /// account at the central bank, which opens it) and pushes benefits
    /// and aid, purpose-bound purses among them.
    Agency {
        /// Its economy.
        economy: EconomyCode,
    },
}

impl Role {
    /// Whether it is an official's: the issuer, a central bank or a
    /// regulator (roles only genesis or governance give).
    pub fn is_official(&self) -> bool {
        matches!(
            self,
            Role::Issuer | Role::CentralBank { .. } | Role::Regulator { .. }
        )
    }

    /// Whether governance grants and revokes it by a class-B proposal: the
    /// registries' roles and the offline-cash centers (officials pass by
    /// class-A successions).
    pub fn is_registry_role(&self) -> bool {
        matches!(
            self,
            Role::RegistryAuthority { .. }
                | Role::Attester { .. }
                | Role::CashCenter { .. }
                | Role::DeviceCenter { .. }
        )
    }

    /// Whether only governance grants it, and so replaces its lost key: an
    /// official's or a registry role.
    pub fn is_governed(&self) -> bool {
        self.is_official() || self.is_registry_role()
    }

    /// The economy the role belongs to (none for the issuer).
    pub fn economy(&self) -> Option<EconomyCode> {
        match self {
            Role::Issuer => None,
            Role::CentralBank { economy }
            | Role::Regulator { economy }
            | Role::Bank { economy }
            | Role::Retail { economy, .. }
            | Role::RegistryAuthority { economy }
            | Role::Attester { economy }
            | Role::CashCenter { economy }
            | Role::DeviceCenter { economy }
            | Role::Agency { economy } => Some(*economy),
        }
    }

    const ISSUER: u8 = 0;
    const CENTRAL_BANK: u8 = 1;
    const REGULATOR: u8 = 2;
    const BANK: u8 = 3;
    const MERCHANT: u8 = 4;
    const PERSON: u8 = 5;
    const REGISTRY_AUTHORITY: u8 = 6;
    const ATTESTER: u8 = 7;
    const CASH_CENTER: u8 = 8;
    const DEVICE_CENTER: u8 = 9;
    const AGENCY: u8 = 10;
}

impl Role {
    /// Its wire tag.
    fn tag(&self) -> u8 {
        match self {
            Role::Issuer => Self::ISSUER,
            Role::CentralBank { .. } => Self::CENTRAL_BANK,
            Role::Regulator { .. } => Self::REGULATOR,
            Role::Bank { .. } => Self::BANK,
            Role::Retail {
                kind: RetailKind::Merchant { .. },
                ..
            } => Self::MERCHANT,
            Role::Retail {
                kind: RetailKind::Person,
                ..
            } => Self::PERSON,
            Role::RegistryAuthority { .. } => Self::REGISTRY_AUTHORITY,
            Role::Attester { .. } => Self::ATTESTER,
            Role::CashCenter { .. } => Self::CASH_CENTER,
            Role::DeviceCenter { .. } => Self::DEVICE_CENTER,
            Role::Agency { .. } => Self::AGENCY,
        }
    }
}

/// The tag, then the economy (all but the issuer's), then a retail
/// account's tier, then a merchant's category.
impl Write for Role {
    fn write(&self, buf: &mut impl BufMut) {
        self.tag().write(buf);
        if let Some(economy) = self.economy() {
            economy.write(buf);
        }
        if let Role::Retail { tier, kind, .. } = self {
            tier.write(buf);
            if let RetailKind::Merchant { category } = kind {
                category.write(buf);
            }
        }
    }
}

impl EncodeSize for Role {
    fn encode_size(&self) -> usize {
        match self {
            Role::Issuer => 1,
            Role::Retail {
                kind: RetailKind::Merchant { .. },
                ..
            } => 1 + EconomyCode::SIZE + 1 + 2,
            Role::Retail { .. } => 1 + EconomyCode::SIZE + 1,
            _ => 1 + EconomyCode::SIZE,
        }
    }
}

impl Read for Role {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let tag = u8::read(buf)?;
        if tag == Self::ISSUER {
            return Ok(Role::Issuer);
        }
        let economy = EconomyCode::read(buf)?;
        Ok(match tag {
            Self::CENTRAL_BANK => Role::CentralBank { economy },
            Self::REGULATOR => Role::Regulator { economy },
            Self::BANK => Role::Bank { economy },
            Self::REGISTRY_AUTHORITY => Role::RegistryAuthority { economy },
            Self::ATTESTER => Role::Attester { economy },
            Self::CASH_CENTER => Role::CashCenter { economy },
            Self::DEVICE_CENTER => Role::DeviceCenter { economy },
            Self::AGENCY => Role::Agency { economy },
            Self::MERCHANT => {
                let tier = u8::read(buf)?;
                Role::Retail {
                    economy,
                    kind: RetailKind::Merchant {
                        category: u16::read(buf)?,
                    },
                    tier,
                }
            }
            Self::PERSON => Role::Retail {
                economy,
                kind: RetailKind::Person,
                tier: u8::read(buf)?,
            },
            other => return Err(Error::InvalidEnum(other)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{Copying, DecodeExt, Encode};

    #[test]
    fn every_role_round_trips_and_unknown_tags_are_refused() {
        let economy = EconomyCode::new("JP").unwrap();
        let roles = [
            Role::Issuer,
            Role::CentralBank { economy },
            Role::Regulator { economy },
            Role::Bank { economy },
            Role::Retail {
                economy,
                kind: RetailKind::Merchant { category: 5411 },
                tier: 2,
            },
            Role::Retail {
                economy,
                kind: RetailKind::Person,
                tier: 0,
            },
            Role::RegistryAuthority { economy },
            Role::Attester { economy },
            Role::CashCenter { economy },
            Role::DeviceCenter { economy },
            Role::Agency { economy },
        ];
        for role in roles {
            let bytes = role.encode();
            assert_eq!(bytes.len(), role.encode_size());
            assert_eq!(Role::decode(Copying(bytes.as_ref())).unwrap(), role);
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        }
        let shop = r#"{"role":"retail","economy":"JP","kind":"merchant","category":5411,"tier":2}"#;
        assert_eq!(serde_json::to_string(&roles[4]).unwrap(), shop);
        let person = r#"{"role":"retail","economy":"JP","kind":"person","tier":0}"#;
        assert_eq!(serde_json::to_string(&roles[5]).unwrap(), person);
        let attester = Role::Attester { economy };
        assert!(attester.is_registry_role() && attester.is_governed() && !attester.is_official());
        assert!(!Role::Bank { economy }.is_governed());
        let mut unknown = attester.encode().to_vec();
        unknown[0] = 11;
        assert!(Role::decode(Copying(unknown.as_slice())).is_err());
    }
}
