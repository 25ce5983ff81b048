//! The registry module (DESIGN.md §5). Notarization: an anchor is valid as
//! soon as it decodes (one digest, or a batch root over 1 to 2^20 digests).
//! The first anchoring of a root is the one that counts: the state records
//! it under the state root, and a later anchoring of the same root fails
//! with a receipt naming the first. Attestations (`attestation.rs`) are
//! recorded by attesters and revoked by them. Consent records come here.

mod attestation;

pub use eiraku_core::attestation::{Attestation, MAX_VALIDITY_MS};

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
        }
    }
}

/// The registries' state: every anchored root, where it was first anchored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Registry {
    anchors: OrdMap<Digest, FirstAnchor>,
    attestations: OrdMap<Digest, Attestation>,
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
            attestations: OrdMap::new(),
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
        let done = self.run(call, &caller);
        Some(done.map_err(ExecutionError::from))
    }

    fn accounts_touched(call: &Call) -> Option<Vec<&AccountId>> {
        matches!(call, Call::Registry(_)).then(Vec::new)
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
