//! Calls of the public registries (DESIGN.md §5). Today: notarization, the
//! anchoring of one digest or of the Merkle root of a batch of digests (the
//! client builds the batch tree; each file's proof carries its path to the
//! root). An anchor is evidence by being in a finalized block; the state
//! keeps the first anchoring of each root under a [`RegistryKey`].

use crate::{digest, state_key::ModuleKey, AccountId, Digest};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, Read, ReadExt, Write};

/// Most digests one anchored batch may hold.
pub const MAX_BATCH: u32 = 1 << 20;

/// A registry call.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum RegistryCall {
    /// Anchor a digest, or the Merkle root of a batch of `leaves` digests.
    Anchor {
        /// The digest or batch root.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        root: Digest,
        /// How many digests the root covers (1 for a single digest).
        leaves: u32,
    },
    /// The sender, an attester, attests a claim about `subject` (a KYC
    /// result, a qualification): the digest of the claim under `schema`,
    /// valid from `valid_from_ms` until `valid_until_ms`. Bound to the
    /// subject: no call moves it to another account.
    Attest {
        /// The account the claim is about.
        subject: AccountId,
        /// Digest of the claim's schema.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        schema: Digest,
        /// Digest of the claim (its content stays off the ledger).
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        claim: Digest,
        /// Start of validity, ms since the Unix epoch.
        valid_from_ms: u64,
        /// End of validity (exclusive).
        valid_until_ms: u64,
    },
    /// The attester that issued attestation `id` revokes it.
    RevokeAttestation {
        /// The attestation: the hash of the transaction that recorded it.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        id: Digest,
    },
}

impl RegistryCall {
    const ANCHOR: u8 = 0;
    const ATTEST: u8 = 1;
    const REVOKE_ATTESTATION: u8 = 2;
}

impl Write for RegistryCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            RegistryCall::Anchor { root, leaves } => {
                Self::ANCHOR.write(buf);
                root.write(buf);
                leaves.write(buf);
            }
            RegistryCall::Attest {
                subject,
                schema,
                claim,
                valid_from_ms,
                valid_until_ms,
            } => {
                Self::ATTEST.write(buf);
                subject.write(buf);
                schema.write(buf);
                claim.write(buf);
                valid_from_ms.write(buf);
                valid_until_ms.write(buf);
            }
            RegistryCall::RevokeAttestation { id } => {
                Self::REVOKE_ATTESTATION.write(buf);
                id.write(buf);
            }
        }
    }
}

impl EncodeSize for RegistryCall {
    fn encode_size(&self) -> usize {
        match self {
            RegistryCall::Anchor { root, leaves } => 1 + root.encode_size() + leaves.encode_size(),
            RegistryCall::Attest { .. } => 1 + 32 + 32 + 32 + 8 + 8,
            RegistryCall::RevokeAttestation { .. } => 1 + 32,
        }
    }
}

impl Read for RegistryCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        match u8::read(buf)? {
            Self::ANCHOR => {
                let root = Digest::read(buf)?;
                let leaves = u32::read(buf)?;
                if leaves == 0 || leaves > MAX_BATCH {
                    return Err(Error::Invalid("Anchor", "a batch holds 1 to 2^20 digests"));
                }
                Ok(RegistryCall::Anchor { root, leaves })
            }
            Self::ATTEST => Ok(RegistryCall::Attest {
                subject: AccountId::read(buf)?,
                schema: Digest::read(buf)?,
                claim: Digest::read(buf)?,
                valid_from_ms: u64::read(buf)?,
                valid_until_ms: u64::read(buf)?,
            }),
            Self::REVOKE_ATTESTATION => Ok(RegistryCall::RevokeAttestation {
                id: Digest::read(buf)?,
            }),
            other => Err(Error::InvalidEnum(other)),
        }
    }
}

/// One entry of the public registries in the state (see
/// [`crate::state_key`]): `registry/…` keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegistryKey {
    /// The first anchoring of a notarized root.
    Anchor(Digest),
    /// An attestation, by the hash of the transaction that recorded it.
    Attestation(Digest),
}

impl ModuleKey for RegistryKey {
    const TAG: u8 = 0x04;
    const NAME: &'static str = "registry";
    const FORMS: &'static str = "registry/anchor/<hex digest>, registry/attestation/<hex digest>";

    fn write_bytes(&self, out: &mut Vec<u8>) {
        match self {
            RegistryKey::Anchor(root) => {
                out.push(0);
                out.extend_from_slice(root.as_ref());
            }
            RegistryKey::Attestation(id) => {
                out.push(1);
                out.extend_from_slice(id.as_ref());
            }
        }
    }

    fn read_bytes(bytes: &[u8]) -> Option<Self> {
        match bytes.split_first()? {
            (0, root) => Some(RegistryKey::Anchor(Digest::from(
                <[u8; 32]>::try_from(root).ok()?,
            ))),
            (1, id) => Some(RegistryKey::Attestation(Digest::from(
                <[u8; 32]>::try_from(id).ok()?,
            ))),
            _ => None,
        }
    }

    fn write_text(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryKey::Anchor(root) => write!(f, "anchor/{}", digest::to_hex(root)),
            RegistryKey::Attestation(id) => write!(f, "attestation/{}", digest::to_hex(id)),
        }
    }

    fn parse_parts(parts: &[&str]) -> Result<Self, Option<String>> {
        match parts {
            ["anchor", root] => digest::from_hex(root)
                .map(RegistryKey::Anchor)
                .ok_or_else(|| Some(format!("{root:?} is not a hex digest"))),
            ["attestation", id] => digest::from_hex(id)
                .map(RegistryKey::Attestation)
                .ok_or_else(|| Some(format!("{id:?} is not a hex digest"))),
            _ => Err(None),
        }
    }
}
