//! The authority module: who holds which role, who granted it, when, and
//! under which rule. Roles are its own state, not the money module's: money
//! reads them here, and the modules that come next (registries, governance,
//! the offline wallet's centers) will too.

use crate::layered::LayeredMap;
use bytes::BufMut;
use commonware_codec::{Buf, DecodeExt, Error, Read, ReadExt, Write};
use eiraku_core::{AccountId, Genesis, Role};
use serde::{Deserialize, Serialize};

/// The rule a role was granted under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantRule {
    /// Written in the genesis file.
    Genesis,
    /// A central bank opened one of its economy's banks.
    CentralBankOpensBank,
    /// A bank opened a merchant or person account of its economy.
    BankOpensRetail,
    /// Governance named the account its predecessor's successor (the
    /// grant's `granted_by` is the predecessor).
    Succession,
    /// Governance admitted a member economy with this account as its
    /// central bank or regulator.
    Accession,
    /// Governance granted a registry role by a class-B proposal.
    Governance,
    /// The account's bank moved it to another KYC tier (an upgrade on a
    /// valid KYC attestation); `granted_by` names the bank.
    BankChangesTier,
    /// A central bank opened a public agency or aid organisation of its
    /// economy.
    CentralBankOpensAgency,
}

/// Why an account no longer holds the role its grant names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Revocation {
    /// Block time governance revoked it.
    pub revoked_ms: u64,
    /// The account that holds the role now, when it passed to a
    /// successor (a registry role governance revoked has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<AccountId>,
}

/// One account's role and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    /// The role.
    #[serde(flatten)]
    pub role: Role,
    /// The account that granted it (none for genesis roles).
    pub granted_by: Option<AccountId>,
    /// Block time of the grant (genesis time for genesis roles).
    pub granted_ms: u64,
    /// The rule it was granted under.
    pub rule: GrantRule,
    /// Set once governance revoked it: the record stays, so who held the
    /// role, and until when, remains on the ledger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Revocation>,
}

/// Every role on the chain, by account. A layered map: copies of the
/// state share it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Authority {
    grants: LayeredMap<AccountId, RoleGrant>,
    /// Grants made by the call being run, not yet in `grants`: they land
    /// with [`Authority::settle`] once the call is known good, so a failed
    /// call or a dry run never writes the shared map (a write copies its
    /// path through millions of grants). Empty between calls.
    staged: Vec<(AccountId, RoleGrant)>,
}

impl Authority {
    /// The roles a genesis file grants: the money section's issuer, central
    /// banks and regulators, and every account listed with a role (whose
    /// `bank` field names the bank that opened it).
    pub fn from_genesis(genesis: &Genesis) -> Self {
        let mut authority = Self::default();
        let at_genesis = |role, granted_by| RoleGrant {
            role,
            granted_by,
            granted_ms: genesis.genesis_time_ms,
            rule: GrantRule::Genesis,
            revoked: None,
        };
        if let Some(money) = &genesis.money {
            authority.insert(money.issuer, at_genesis(Role::Issuer, None));
            for economy in &money.economies {
                let code = economy.code;
                let central_bank = Role::CentralBank { economy: code };
                let regulator = Role::Regulator { economy: code };
                authority.insert(economy.central_bank, at_genesis(central_bank, None));
                authority.insert(economy.regulator, at_genesis(regulator, None));
            }
        }
        for account in &genesis.accounts {
            if let Some(role) = account.role {
                authority.insert(account.id, at_genesis(role, account.bank));
            }
        }
        authority.settle();
        authority
    }

    /// Rebuilds the module from stored grants (a node restarting).
    pub fn restore(grants: impl IntoIterator<Item = (AccountId, RoleGrant)>) -> Self {
        Self {
            grants: grants.into_iter().collect(),
            staged: Vec::new(),
        }
    }

    /// An account's role, if it has one.
    pub fn role(&self, id: &AccountId) -> Option<Role> {
        self.grant(id).map(|grant| grant.role)
    }

    /// An account's grant, if it holds a role (a revoked one it does not).
    pub fn grant(&self, id: &AccountId) -> Option<&RoleGrant> {
        self.record(id).filter(|grant| grant.revoked.is_none())
    }

    /// An account's grant, revoked or not: its record.
    pub fn record(&self, id: &AccountId) -> Option<&RoleGrant> {
        match self.staged.iter().find(|(staged, _)| staged == id) {
            Some((_, grant)) => Some(grant),
            None => self.grants.get(id),
        }
    }

    /// Every grant, revoked ones too, in account order (a sort: for
    /// listings and genesis).
    pub fn grants(&self) -> impl ExactSizeIterator<Item = (&AccountId, &RoleGrant)> {
        self.grants.iter()
    }

    /// The grants as a layered map (for comparing states).
    pub(crate) fn grants_map(&self) -> &LayeredMap<AccountId, RoleGrant> {
        &self.grants
    }

    /// Ends a block: its grants become a layer the next states share.
    pub(crate) fn seal(&mut self) {
        self.grants.seal();
    }

    /// How many accounts hold or held a role.
    pub fn len(&self) -> usize {
        self.grants.len()
    }

    /// Whether no account holds or held a role.
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }

    /// Records a grant. The caller has checked the rule that allows it.
    pub(crate) fn insert(&mut self, id: AccountId, grant: RoleGrant) {
        self.staged.retain(|(staged, _)| *staged != id);
        self.staged.push((id, grant));
    }

    /// Moves `predecessor`'s role to `successor` at `now_ms` (governance
    /// enacting a succession, which checked both): the predecessor's grant
    /// stays on record, revoked and naming its successor.
    pub(crate) fn succeed(&mut self, predecessor: AccountId, successor: AccountId, now_ms: u64) {
        let mut revoked = *self
            .grant(&predecessor)
            .expect("the predecessor holds a role");
        let grant = RoleGrant {
            role: revoked.role,
            granted_by: Some(predecessor),
            granted_ms: now_ms,
            rule: GrantRule::Succession,
            revoked: None,
        };
        revoked.revoked = Some(Revocation {
            revoked_ms: now_ms,
            successor: Some(successor),
        });
        self.insert(predecessor, revoked);
        self.insert(successor, grant);
        self.settle();
    }

    /// Revokes `account`'s role at `now_ms`, with no successor (governance
    /// revoking a registry role, which checked it): the grant stays on
    /// record.
    pub(crate) fn revoke(&mut self, account: AccountId, now_ms: u64) {
        let mut revoked = *self.grant(&account).expect("the account holds a role");
        revoked.revoked = Some(Revocation {
            revoked_ms: now_ms,
            successor: None,
        });
        self.insert(account, revoked);
        self.settle();
    }

    /// Drops the running call's grants: the call failed. Grants only ever
    /// change through staging, so this undoes the call's every change to
    /// roles (no copy of the map is needed).
    pub(crate) fn discard_staged(&mut self) {
        self.staged.clear();
    }

    /// Writes the running call's grants into the map: the call is good.
    pub(crate) fn settle(&mut self) {
        for (id, grant) in self.staged.drain(..) {
            self.grants.insert(id, grant);
        }
    }
}

impl GrantRule {
    fn tag(self) -> u8 {
        match self {
            GrantRule::Genesis => 0,
            GrantRule::CentralBankOpensBank => 1,
            GrantRule::BankOpensRetail => 2,
            GrantRule::Succession => 3,
            GrantRule::Accession => 4,
            GrantRule::Governance => 5,
            GrantRule::BankChangesTier => 6,
            GrantRule::CentralBankOpensAgency => 7,
        }
    }

    fn from_tag(tag: u8) -> Result<Self, Error> {
        match tag {
            0 => Ok(GrantRule::Genesis),
            1 => Ok(GrantRule::CentralBankOpensBank),
            2 => Ok(GrantRule::BankOpensRetail),
            3 => Ok(GrantRule::Succession),
            4 => Ok(GrantRule::Accession),
            5 => Ok(GrantRule::Governance),
            6 => Ok(GrantRule::BankChangesTier),
            7 => Ok(GrantRule::CentralBankOpensAgency),
            _ => Err(Error::InvalidEnum(tag)),
        }
    }
}

impl RoleGrant {
    /// The canonical encoding: what the state root commits to and what a
    /// node stores.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(64);
        self.write(&mut buf);
        buf
    }

    /// Decodes [`RoleGrant::to_bytes`], refusing trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::decode(commonware_codec::Copying(bytes))
    }
}

impl Write for RoleGrant {
    fn write(&self, buf: &mut impl BufMut) {
        self.role.write(buf);
        self.granted_by.write(buf);
        self.granted_ms.write(buf);
        self.rule.tag().write(buf);
        self.revoked.is_some().write(buf);
        if let Some(revocation) = &self.revoked {
            revocation.revoked_ms.write(buf);
            revocation.successor.write(buf);
        }
    }
}

impl Read for RoleGrant {
    type Cfg = ();

    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            role: Role::read(buf)?,
            granted_by: Option::<AccountId>::read(buf)?,
            granted_ms: u64::read(buf)?,
            rule: GrantRule::from_tag(u8::read(buf)?)?,
            revoked: if bool::read(buf)? {
                Some(Revocation {
                    revoked_ms: u64::read(buf)?,
                    successor: Option::<AccountId>::read(buf)?,
                })
            } else {
                None
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::{EconomyCode, RetailKind};

    #[test]
    fn grants_round_trip_and_refuse_damage() {
        let grant = RoleGrant {
            role: Role::Retail {
                economy: EconomyCode::new("JP").unwrap(),
                kind: RetailKind::Person,
                tier: 2,
            },
            granted_by: Some(AccountId::from_bytes([7; 32])),
            granted_ms: 1_700_000_000_000,
            rule: GrantRule::BankOpensRetail,
            revoked: None,
        };
        let revoked = RoleGrant {
            rule: GrantRule::Succession,
            revoked: Some(Revocation {
                revoked_ms: 1_800_000_000_000,
                successor: Some(AccountId::from_bytes([8; 32])),
            }),
            ..grant
        };
        let revoked_bytes = revoked.to_bytes();
        assert_eq!(RoleGrant::from_bytes(&revoked_bytes).unwrap(), revoked);
        assert!(RoleGrant::from_bytes(&revoked_bytes[..revoked_bytes.len() - 1]).is_err());
        let bytes = grant.to_bytes();
        assert_eq!(RoleGrant::from_bytes(&bytes).unwrap(), grant);
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(RoleGrant::from_bytes(&longer).is_err());
        let mut bad_rule = bytes.clone();
        let rule_at = bad_rule.len() - 2;
        bad_rule[rule_at] = 9;
        assert!(RoleGrant::from_bytes(&bad_rule).is_err());
        let mut bad_flag = bytes.clone();
        *bad_flag.last_mut().unwrap() = 2;
        assert!(RoleGrant::from_bytes(&bad_flag).is_err());
        assert!(RoleGrant::from_bytes(&bad_rule).is_err());
        assert!(RoleGrant::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn a_staged_grant_is_seen_at_once_and_lands_only_when_settled() {
        let bank = AccountId::from_bytes([1; 32]);
        let person = AccountId::from_bytes([2; 32]);
        let grant = |role| RoleGrant {
            role,
            granted_by: Some(bank),
            granted_ms: 5,
            rule: GrantRule::BankOpensRetail,
            revoked: None,
        };
        let economy = EconomyCode::new("JP").unwrap();
        let retail = |tier| Role::Retail {
            economy,
            kind: RetailKind::Person,
            tier,
        };
        let settled = Authority::restore([(bank, grant(Role::Bank { economy }))]);
        let mut running = settled.clone();
        running.insert(person, grant(retail(1)));
        running.insert(person, grant(retail(2)));
        assert_eq!(
            running.role(&person),
            Some(retail(2)),
            "the last grant wins"
        );
        assert!(
            running.grants_map().ptr_eq(settled.grants_map()),
            "the shared map is not written before the call settles"
        );
        assert_eq!(running.len(), 1);
        let mut failed = running.clone();
        failed.discard_staged();
        assert_eq!(
            failed.role(&person),
            None,
            "a failed call's grants are dropped"
        );
        assert_eq!(failed, settled);
        running.settle();
        assert_eq!(running.role(&person), Some(retail(2)));
        assert_eq!(running.len(), 2);
        assert_eq!(settled.role(&person), None);
    }
}
