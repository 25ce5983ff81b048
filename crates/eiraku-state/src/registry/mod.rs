//! The registry module (DESIGN.md §5). Notarization: an anchor is valid as
//! soon as it decodes (one digest, or a batch root over 1 to 2^20 digests).
//! The first anchoring of a root is the one that counts: the state records
//! it under the state root, and a later anchoring of the same root fails
//! with a receipt naming the first. Attestations (`attestation.rs`) are
//! recorded by attesters and revoked by them. Consent records come here.

mod attestation;
mod consent;
mod records;
mod rights;

pub use consent::{Access, Consent};
pub use eiraku_core::attestation::{Attestation, MAX_VALIDITY_MS};
pub use records::{Record, RegistryDef};
pub use rights::{royalty, Licence, Work};

use crate::{
    changes,
    module::{CallContext, Module},
    Change, EntryError, ExecutionError,
};
use eiraku_core::RegistryKey;
use eiraku_core::{digest, registry::RegistryCall, AccountId, Call, Digest, StateKey, TxHash};
use imbl::OrdMap;

/// Where a root was first anchored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstAnchor {
    /// The anchoring transaction.
    pub tx_hash: TxHash,
    /// Height of its block.
    pub height: u64,
}

impl FirstAnchor {
    /// Its stored form: the transaction hash, then the height (big-endian).
    pub fn to_bytes(&self) -> [u8; 40] {
        let mut bytes = [0u8; 40];
        bytes[..32].copy_from_slice(self.tx_hash.as_ref());
        bytes[32..].copy_from_slice(&self.height.to_be_bytes());
        bytes
    }

    /// Reads [`FirstAnchor::to_bytes`]; `None` for any other length.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let bytes: &[u8; 40] = bytes.try_into().ok()?;
        let hash: [u8; 32] = bytes[..32].try_into().expect("32 bytes");
        let height = u64::from_be_bytes(bytes[32..].try_into().expect("8 bytes"));
        Some(Self {
            tx_hash: Digest::from(hash),
            height,
        })
    }
}

/// Why a registry call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RegistryError {
    /// The root was anchored before; that first anchoring is the one that
    /// counts.
    #[error(
        "already anchored by transaction {first_tx} at height {height}: the first anchoring counts"
    )]
    AlreadyAnchored {
        /// The first anchoring transaction (hex).
        first_tx: String,
        /// Its block's height.
        height: u64,
    },
    /// Only an attester attests.
    #[error("only an attester (a role governance grants) attests")]
    NotAttester,
    /// A validity window that ends before it starts, or spans over ten
    /// years.
    #[error("an attestation is valid from its start until a later end, at most ten years on and within year 9999")]
    BadValidity,
    /// No attestation has that number.
    #[error("no attestation {id} is on record")]
    UnknownAttestation {
        /// The attestation (hex).
        id: String,
    },
    /// Only the attester that issued an attestation revokes it.
    #[error("attestation {id} is revoked only by the attester that issued it")]
    NotItsAttester {
        /// The attestation (hex).
        id: String,
    },
    /// Revoked already.
    #[error("attestation {id} is revoked already")]
    AttestationRevoked {
        /// The attestation (hex).
        id: String,
    },
    /// A consent to oneself, without a purpose, or not lasting from now
    /// to at most ten years on.
    #[error("a consent names another account as data user and a purpose, and lasts from now to at most ten years on")]
    BadConsent,
    /// No consent by that name.
    #[error("no consent {id} is on record")]
    UnknownConsent {
        /// The consent (hex).
        id: String,
    },
    /// Only the person who granted a consent revokes it.
    #[error("consent {id} is revoked only by the person who granted it")]
    NotConsentSubject {
        /// The consent (hex).
        id: String,
    },
    /// Only a consent's data user logs accesses under it.
    #[error("consent {id} was not given to this data user")]
    NotConsentDataUser {
        /// The consent (hex).
        id: String,
    },
    /// The consent was revoked.
    #[error("consent {id} is revoked")]
    ConsentRevoked {
        /// The consent (hex).
        id: String,
    },
    /// The consent's time is over.
    #[error("consent {id} has expired")]
    ConsentExpired {
        /// The consent (hex).
        id: String,
    },
    /// The consent is for another purpose.
    #[error("the consent does not cover the purpose {purpose:?}")]
    PurposeNotConsented {
        /// The purpose claimed.
        purpose: String,
    },
    /// The consent does not cover the category.
    #[error("the consent does not cover data category {category:?}")]
    CategoryNotConsented {
        /// The category.
        category: String,
    },
    /// The work is registered already; the first registration counts.
    #[error("the work is registered already, by {holder}")]
    WorkRegistered {
        /// Its holder (hex).
        holder: String,
    },
    /// A licence that lasts no time or over ten years, or a royalty over
    /// the whole price.
    #[error("a work's licences last from 1 ms to ten years and its royalty is at most 10,000 basis points")]
    BadWorkTerms,
    /// No work has that digest.
    #[error("no work {work} is registered")]
    UnknownWork {
        /// The work (hex).
        work: String,
    },
    /// Only a work's holder grants licences of it (to others).
    #[error("only the work's holder grants its licences, to others")]
    NotWorkHolder,
    /// The account holds no valid licence of the work.
    #[error("account {licensee} holds no valid licence of the work")]
    NoLicence {
        /// The account (hex).
        licensee: String,
    },
    /// The buyer holds a valid licence already.
    #[error("the account holds a valid licence of the work already")]
    AlreadyLicensed,
    /// The work's holder is not the one the buyer named.
    #[error("the work's holder is not the one the purchase names")]
    WorkHolderChanged,
    /// The work's price is not the one the buyer named.
    #[error("a licence of the work costs {}, not the price the purchase names", eiraku_core::coins::Coins(*.price))]
    PriceChanged {
        /// The price now.
        price: eiraku_core::Amount,
    },
    /// The seller offers no licence at that price.
    #[error("the seller does not offer its licence at that price")]
    NotOffered,
    /// Only a registry authority (a role governance grants) creates
    /// registries.
    #[error("only a registry authority creates registries")]
    NotRegistryAuthority,
    /// The name is taken.
    #[error("registry {name} exists already")]
    RegistryExists {
        /// The name.
        name: String,
    },
    /// A member of the access group holds no key payloads are sealed to.
    #[error("member {member} holds no X25519 key on the ledger to seal payloads to")]
    MemberWithoutKey {
        /// The member.
        member: AccountId,
    },
    /// No registry has that name.
    #[error("no registry {name} exists")]
    UnknownRegistry {
        /// The name.
        name: String,
    },
    /// Only a writer of the registry writes to it.
    #[error("only a writer of registry {name} writes to it")]
    NotWriter {
        /// The registry.
        name: String,
    },
    /// A version other than the next.
    #[error("the next version of this record is {expected}")]
    VersionSkipped {
        /// The version a write must carry.
        expected: u64,
    },
}

impl RegistryError {
    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::AlreadyAnchored { .. } => "already_anchored",
            RegistryError::NotAttester => "not_attester",
            RegistryError::BadValidity => "bad_validity",
            RegistryError::UnknownAttestation { .. } => "unknown_attestation",
            RegistryError::NotItsAttester { .. } => "not_its_attester",
            RegistryError::AttestationRevoked { .. } => "attestation_revoked",
            RegistryError::BadConsent => "bad_consent",
            RegistryError::UnknownConsent { .. } => "unknown_consent",
            RegistryError::NotConsentSubject { .. } => "not_consent_subject",
            RegistryError::NotConsentDataUser { .. } => "not_consent_data_user",
            RegistryError::ConsentRevoked { .. } => "consent_revoked",
            RegistryError::ConsentExpired { .. } => "consent_expired",
            RegistryError::PurposeNotConsented { .. } => "purpose_not_consented",
            RegistryError::CategoryNotConsented { .. } => "category_not_consented",
            RegistryError::WorkRegistered { .. } => "work_registered",
            RegistryError::BadWorkTerms => "bad_work_terms",
            RegistryError::UnknownWork { .. } => "unknown_work",
            RegistryError::NotWorkHolder => "not_work_holder",
            RegistryError::NoLicence { .. } => "no_licence",
            RegistryError::AlreadyLicensed => "already_licensed",
            RegistryError::WorkHolderChanged => "work_holder_changed",
            RegistryError::PriceChanged { .. } => "price_changed",
            RegistryError::NotOffered => "not_offered",
            RegistryError::NotRegistryAuthority => "not_registry_authority",
            RegistryError::RegistryExists { .. } => "registry_exists",
            RegistryError::MemberWithoutKey { .. } => "member_without_key",
            RegistryError::UnknownRegistry { .. } => "unknown_registry",
            RegistryError::NotWriter { .. } => "not_writer",
            RegistryError::VersionSkipped { .. } => "version_skipped",
        }
    }
}

/// The registries' state: every anchored root, where it was first anchored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Registry {
    anchors: OrdMap<Digest, FirstAnchor>,
    attestations: OrdMap<Digest, Attestation>,
    consents: OrdMap<Digest, Consent>,
    /// The consents each person granted (not an entry of its own: rebuilt
    /// from the consents).
    consents_of: OrdMap<(AccountId, Digest), ()>,
    accesses: OrdMap<(Digest, u64), Access>,
    works: OrdMap<Digest, Work>,
    licences: OrdMap<(Digest, AccountId), Licence>,
    registries: OrdMap<Digest, RegistryDef>,
    records: OrdMap<(Digest, u64), Record>,
}

/// Who runs a registry call, and when.
pub(crate) struct Caller<'a> {
    /// The transaction's hash.
    pub tx_hash: TxHash,
    /// Its block's height.
    pub height: u64,
    /// Its block's time.
    pub now_ms: u64,
    /// The sender.
    pub sender: &'a AccountId,
    /// The sender's role.
    pub role: Option<eiraku_core::Role>,
}

impl Registry {
    /// Rebuilds the module from stored anchors (a node restarting).
    pub fn restore(anchors: impl IntoIterator<Item = (Digest, FirstAnchor)>) -> Self {
        Self {
            anchors: anchors.into_iter().collect(),
            ..Self::default()
        }
    }

    /// Where `root` was first anchored, if it was.
    pub fn anchor(&self, root: &Digest) -> Option<&FirstAnchor> {
        self.anchors.get(root)
    }

    /// Every anchor in root order.
    pub fn anchors(&self) -> &OrdMap<Digest, FirstAnchor> {
        &self.anchors
    }

    /// Applies one registry call.
    pub(crate) fn run(
        &mut self,
        call: &RegistryCall,
        caller: &Caller<'_>,
    ) -> Result<(), RegistryError> {
        match call {
            RegistryCall::Anchor { root, .. } => {
                if let Some(first) = self.anchors.get(root) {
                    return Err(RegistryError::AlreadyAnchored {
                        first_tx: digest::to_hex(&first.tx_hash),
                        height: first.height,
                    });
                }
                let first = FirstAnchor {
                    tx_hash: caller.tx_hash,
                    height: caller.height,
                };
                self.anchors.insert(*root, first);
                Ok(())
            }
            RegistryCall::Attest {
                subject,
                schema,
                claim,
                valid_from_ms,
                valid_until_ms,
            } => {
                let attestation = Attestation {
                    attester: *caller.sender,
                    subject: *subject,
                    schema: *schema,
                    claim: *claim,
                    valid_from_ms: *valid_from_ms,
                    valid_until_ms: *valid_until_ms,
                    attested_ms: caller.now_ms,
                    revoked_ms: None,
                };
                self.attest(caller.role, caller.tx_hash, attestation)
            }
            RegistryCall::RevokeAttestation { id } => {
                self.revoke_attestation(caller.sender, *id, caller.now_ms)
            }
            RegistryCall::GrantConsent(terms) => self.grant_consent(caller, terms),
            RegistryCall::RevokeConsent { id } => self.revoke_consent(caller, id),
            RegistryCall::RecordAccess {
                consent,
                purpose,
                category,
                digest,
            } => self.record_access(caller, consent, purpose, category, digest),
            RegistryCall::RegisterWork {
                work,
                price,
                licence_ms,
                royalty_bps,
            } => {
                let terms = Work {
                    holder: *caller.sender,
                    price: *price,
                    licence_ms: *licence_ms,
                    royalty_bps: *royalty_bps,
                };
                self.register_work(caller, work, terms)
            }
            RegistryCall::GrantLicence { work, licensee } => {
                self.grant_licence(caller, work, licensee)
            }
            RegistryCall::OfferLicence { work, price } => self.offer_licence(caller, work, *price),
            RegistryCall::WriteRecord {
                registry,
                key,
                version,
                payload,
                envelope,
            } => self.write_record(caller, (registry, key, *version), payload, envelope),
            RegistryCall::BuyLicence { .. } | RegistryCall::CreateRegistry(_) => {
                unreachable!("it reads the money module: Registry::apply runs it")
            }
        }
    }
}

impl Module for Registry {
    fn apply(
        &mut self,
        call: &Call,
        cx: &mut CallContext<'_, '_>,
    ) -> Option<Result<(), ExecutionError>> {
        let Call::Registry(call) = call else {
            return None;
        };
        let sender = &cx.tx.transaction.sender;
        let caller = Caller {
            tx_hash: cx.tx.hash(),
            height: cx.env.height,
            now_ms: cx.env.timestamp_ms,
            sender,
            role: cx.authority.role(sender),
        };
        if let RegistryCall::BuyLicence {
            work,
            holder,
            seller,
            price,
        } = call
        {
            let terms = (holder, seller, *price);
            let (money, roles) = (cx.money, &*cx.authority);
            return Some(self.buy_licence(&caller, money, cx.accounts, roles, work, terms));
        }
        let done = match call {
            RegistryCall::CreateRegistry(terms) => self.create_registry(&caller, cx.money, terms),
            _ => self.run(call, &caller),
        };
        Some(done.map_err(ExecutionError::from))
    }

    fn accounts_touched(call: &Call) -> Option<Vec<&AccountId>> {
        match call {
            Call::Registry(RegistryCall::BuyLicence { holder, seller, .. }) => {
                Some(vec![holder, seller])
            }
            Call::Registry(_) => Some(Vec::new()),
            _ => None,
        }
    }

    fn from_entries(entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError> {
        let mut registry = Self::default();
        for (key, value) in entries {
            match key {
                StateKey::Registry(RegistryKey::Anchor(root)) => {
                    let first = FirstAnchor::from_bytes(value)
                        .ok_or_else(|| EntryError::new(*key, "not 40 bytes"))?;
                    registry.anchors.insert(*root, first);
                }
                StateKey::Registry(RegistryKey::Attestation(id)) => {
                    let attestation = Attestation::from_bytes(value)
                        .ok_or_else(|| EntryError::new(*key, "not an attestation"))?;
                    registry.attestations.insert(*id, attestation);
                }
                StateKey::Registry(RegistryKey::Consent(id)) => {
                    let consent = Consent::from_bytes(value)
                        .ok_or_else(|| EntryError::new(*key, "not a consent"))?;
                    registry.consents_of.insert((consent.subject, *id), ());
                    registry.consents.insert(*id, consent);
                }
                StateKey::Registry(RegistryKey::Access { consent, n }) => {
                    let access = Access::from_bytes(value)
                        .ok_or_else(|| EntryError::new(*key, "not an access"))?;
                    registry.accesses.insert((*consent, *n), access);
                }
                StateKey::Registry(RegistryKey::Work(work)) => {
                    let terms = Work::from_bytes(value)
                        .ok_or_else(|| EntryError::new(*key, "not a work"))?;
                    registry.works.insert(*work, terms);
                }
                StateKey::Registry(RegistryKey::Licence { work, licensee }) => {
                    let licence = Licence::from_bytes(value)
                        .ok_or_else(|| EntryError::new(*key, "not a licence"))?;
                    registry.licences.insert((*work, *licensee), licence);
                }
                StateKey::Registry(RegistryKey::Registry(id)) => {
                    let def = RegistryDef::from_bytes(value)
                        .ok_or_else(|| EntryError::new(*key, "not a registry"))?;
                    registry.registries.insert(*id, def);
                }
                StateKey::Registry(RegistryKey::Record { record, version }) => {
                    let stored = Record::from_bytes(value)
                        .ok_or_else(|| EntryError::new(*key, "not a record"))?;
                    registry.records.insert((*record, *version), stored);
                }
                _ => {}
            }
        }
        Ok(registry)
    }

    fn entries(&self, out: &mut Vec<Change>) {
        for (root, first) in &self.anchors {
            out.push((
                StateKey::Registry(RegistryKey::Anchor(*root)),
                Some(first.to_bytes().to_vec()),
            ));
        }
        for (id, attestation) in &self.attestations {
            out.push((
                StateKey::Registry(RegistryKey::Attestation(*id)),
                Some(attestation.to_bytes()),
            ));
        }
        let mut put = |key: RegistryKey, value: Vec<u8>| {
            out.push((StateKey::Registry(key), Some(value)));
        };
        for (id, consent) in &self.consents {
            put(RegistryKey::Consent(*id), consent.to_bytes());
        }
        for ((consent, n), access) in &self.accesses {
            let (consent, n) = (*consent, *n);
            put(RegistryKey::Access { consent, n }, access.to_bytes());
        }
        for (work, terms) in &self.works {
            put(RegistryKey::Work(*work), terms.to_bytes());
        }
        for ((work, licensee), licence) in &self.licences {
            let (work, licensee) = (*work, *licensee);
            put(RegistryKey::Licence { work, licensee }, licence.to_bytes());
        }
        for (id, def) in &self.registries {
            put(RegistryKey::Registry(*id), def.to_bytes());
        }
        for ((record, version), stored) in &self.records {
            let (record, version) = (*record, *version);
            put(RegistryKey::Record { record, version }, stored.to_bytes());
        }
    }

    fn changes(&self, before: &Self, out: &mut Vec<Change>) {
        changes::map(
            &before.anchors,
            &self.anchors,
            |key| StateKey::Registry(RegistryKey::Anchor(key)),
            |first| first.to_bytes().to_vec(),
            out,
        );
        changes::map(
            &before.attestations,
            &self.attestations,
            |id| StateKey::Registry(RegistryKey::Attestation(id)),
            Attestation::to_bytes,
            out,
        );
        let key = StateKey::Registry;
        changes::map(
            &before.consents,
            &self.consents,
            |id| key(RegistryKey::Consent(id)),
            Consent::to_bytes,
            out,
        );
        changes::map(
            &before.accesses,
            &self.accesses,
            |(consent, n)| key(RegistryKey::Access { consent, n }),
            Access::to_bytes,
            out,
        );
        changes::map(
            &before.works,
            &self.works,
            |work| key(RegistryKey::Work(work)),
            Work::to_bytes,
            out,
        );
        changes::map(
            &before.licences,
            &self.licences,
            |(work, licensee)| key(RegistryKey::Licence { work, licensee }),
            Licence::to_bytes,
            out,
        );
        changes::map(
            &before.registries,
            &self.registries,
            |id| key(RegistryKey::Registry(id)),
            RegistryDef::to_bytes,
            out,
        );
        changes::map(
            &before.records,
            &self.records,
            |(record, version)| key(RegistryKey::Record { record, version }),
            Record::to_bytes,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::hash;

    #[test]
    fn the_first_anchoring_counts_and_a_later_one_names_it() {
        let mut registry = Registry::default();
        let root = hash(&[b"batch"]);
        let call = RegistryCall::Anchor { root, leaves: 3 };
        let (first, second) = (hash(&[b"tx1"]), hash(&[b"tx2"]));
        let sender = AccountId::from_bytes([1; 32]);
        let caller = |tx_hash, height| Caller {
            tx_hash,
            height,
            now_ms: 0,
            sender: &sender,
            role: None,
        };
        registry.run(&call, &caller(first, 5)).unwrap();
        let error = registry.run(&call, &caller(second, 9)).unwrap_err();
        assert_eq!(
            error,
            RegistryError::AlreadyAnchored {
                first_tx: digest::to_hex(&first),
                height: 5
            }
        );
        assert_eq!(
            registry.anchor(&root),
            Some(&FirstAnchor {
                tx_hash: first,
                height: 5
            })
        );
        let bytes = registry.anchor(&root).unwrap().to_bytes();
        assert_eq!(
            FirstAnchor::from_bytes(&bytes),
            registry.anchor(&root).copied()
        );
        assert_eq!(FirstAnchor::from_bytes(&bytes[1..]), None);
    }
}
