//! The registry module (DESIGN.md §5). Notarization: an anchor is valid as
//! soon as it decodes (one digest, or a batch root over 1 to 2^20 digests).
//! The first anchoring of a root is the one that counts: the state records
//! it under the state root, and a later anchoring of the same root fails
//! with a receipt naming the first. Attestations and consent records come
//! here.

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
}

impl RegistryError {
    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::AlreadyAnchored { .. } => "already_anchored",
        }
    }
}

/// The registries' state: every anchored root, where it was first anchored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Registry {
    anchors: OrdMap<Digest, FirstAnchor>,
}

impl Registry {
    /// Rebuilds the module from stored anchors (a node restarting).
    pub fn restore(anchors: impl IntoIterator<Item = (Digest, FirstAnchor)>) -> Self {
        Self {
            anchors: anchors.into_iter().collect(),
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

    /// Applies one registry call of transaction `tx_hash` in block `height`.
    pub(crate) fn run(
        &mut self,
        call: &RegistryCall,
        tx_hash: TxHash,
        height: u64,
    ) -> Result<(), RegistryError> {
        match call {
            RegistryCall::Anchor { root, .. } => {
                if let Some(first) = self.anchors.get(root) {
                    return Err(RegistryError::AlreadyAnchored {
                        first_tx: digest::to_hex(&first.tx_hash),
                        height: first.height,
                    });
                }
                self.anchors.insert(*root, FirstAnchor { tx_hash, height });
                Ok(())
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
        let done = self.run(call, cx.tx.hash(), cx.env.height);
        Some(done.map_err(ExecutionError::from))
    }

    fn accounts_touched(call: &Call) -> Option<Vec<&AccountId>> {
        matches!(call, Call::Registry(_)).then(Vec::new)
    }

    fn from_entries(entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError> {
        let mut anchors = OrdMap::new();
        for (key, value) in entries {
            if let StateKey::Registry(RegistryKey::Anchor(root)) = key {
                let first = FirstAnchor::from_bytes(value)
                    .ok_or_else(|| EntryError::new(*key, "not 40 bytes"))?;
                anchors.insert(*root, first);
            }
        }
        Ok(Self { anchors })
    }

    fn entries(&self, out: &mut Vec<Change>) {
        for (root, first) in &self.anchors {
            out.push((
                StateKey::Registry(RegistryKey::Anchor(*root)),
                Some(first.to_bytes().to_vec()),
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
        registry.run(&call, first, 5).unwrap();
        let error = registry.run(&call, second, 9).unwrap_err();
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
