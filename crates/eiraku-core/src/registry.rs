//! Calls of the public registries (DESIGN.md §5). Today: notarization, the
//! anchoring of one digest or of the Merkle root of a batch of digests (the
//! client builds the batch tree; each file's proof carries its path to the
//! root). An anchor is evidence by being in a finalized block; the state
//! keeps the first anchoring of each root under a [`RegistryKey`].

use crate::{
    consent::{read_category, ConsentTerms, MAX_PURPOSE_BYTES},
    digest,
    money::read_text_within,
    record::{
        is_record_key, is_registry_name, read_name, RegistryTerms, MAX_KEY_BYTES, MAX_NAME_BYTES,
    },
    state_key::ModuleKey,
    AccountId, Amount, Digest,
};
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
    /// The sender, a person, consents to a data user's use of categories
    /// of its data for a purpose until a time.
    GrantConsent(ConsentTerms),
    /// The person who granted consent `id` revokes it.
    RevokeConsent {
        /// The consent: the hash of the transaction that granted it.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        id: Digest,
    },
    /// The sender, a data user, logs one access to a category of a
    /// person's data under consent `consent`, for its purpose.
    RecordAccess {
        /// The consent.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        consent: Digest,
        /// The purpose (the consent's).
        purpose: String,
        /// The data category accessed.
        category: String,
        /// Digest of what was accessed (its content stays off the ledger).
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        digest: Digest,
    },
    /// The sender registers itself as the holder of a work (by its
    /// digest), on terms: a licence's price in coins, how long a licence
    /// lasts, and the holder's share of every resale (basis points).
    RegisterWork {
        /// Digest of the work.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        work: Digest,
        /// Price of a licence, coin minor units.
        price: Amount,
        /// How long a licence lasts, ms.
        licence_ms: u64,
        /// The holder's share of a resale's price, basis points (≤ 10,000).
        royalty_bps: u16,
    },
    /// The holder of a work grants a licence free of charge.
    GrantLicence {
        /// The work.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        work: Digest,
        /// Who gets the licence.
        licensee: AccountId,
    },
    /// A licensee offers its licence for resale at a price.
    OfferLicence {
        /// The work.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        work: Digest,
        /// The asking price, coin minor units.
        price: Amount,
    },
    /// The sender buys a licence of a work: from its holder at the work's
    /// price, or from a licensee at its offer (the holder's royalty share
    /// of it goes to the holder). Paid in coins under the money rules, in
    /// this transaction. The buyer names the holder, seller and price it
    /// agrees to: a change of any of them refuses the purchase.
    BuyLicence {
        /// The work.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        work: Digest,
        /// Its holder.
        holder: AccountId,
        /// Who sells: the holder, or a licensee that offered.
        seller: AccountId,
        /// The price.
        price: Amount,
    },
    /// The sender, a registry authority, creates a registry.
    CreateRegistry(RegistryTerms),
    /// The sender, a writer of the registry, records the next version of
    /// a record: its payload's digest and its sealed envelope's.
    WriteRecord {
        /// The registry's name.
        registry: String,
        /// The record's key.
        key: String,
        /// Its version: 1 for a new key, then one more than the last.
        version: u64,
        /// SHA-256 of the payload (JSON).
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        payload: Digest,
        /// Digest of the sealed envelope nodes keep
        /// ([`crate::record::PayloadEnvelope::digest`]).
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        envelope: Digest,
    },
}

impl RegistryCall {
    const ANCHOR: u8 = 0;
    const ATTEST: u8 = 1;
    const REVOKE_ATTESTATION: u8 = 2;
    const GRANT_CONSENT: u8 = 3;
    const REVOKE_CONSENT: u8 = 4;
    const RECORD_ACCESS: u8 = 5;
    const REGISTER_WORK: u8 = 6;
    const GRANT_LICENCE: u8 = 7;
    const OFFER_LICENCE: u8 = 8;
    const BUY_LICENCE: u8 = 9;
    const CREATE_REGISTRY: u8 = 10;
    const WRITE_RECORD: u8 = 11;
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
            RegistryCall::GrantConsent(terms) => {
                Self::GRANT_CONSENT.write(buf);
                terms.write(buf);
            }
            RegistryCall::RevokeConsent { id } => {
                Self::REVOKE_CONSENT.write(buf);
                id.write(buf);
            }
            RegistryCall::RecordAccess {
                consent,
                purpose,
                category,
                digest,
            } => {
                Self::RECORD_ACCESS.write(buf);
                consent.write(buf);
                purpose.as_bytes().write(buf);
                category.as_bytes().write(buf);
                digest.write(buf);
            }
            RegistryCall::RegisterWork {
                work,
                price,
                licence_ms,
                royalty_bps,
            } => {
                Self::REGISTER_WORK.write(buf);
                work.write(buf);
                price.write(buf);
                licence_ms.write(buf);
                royalty_bps.write(buf);
            }
            RegistryCall::GrantLicence { work, licensee } => {
                Self::GRANT_LICENCE.write(buf);
                work.write(buf);
                licensee.write(buf);
            }
            RegistryCall::OfferLicence { work, price } => {
                Self::OFFER_LICENCE.write(buf);
                work.write(buf);
                price.write(buf);
            }
            RegistryCall::BuyLicence {
                work,
                holder,
                seller,
                price,
            } => {
                Self::BUY_LICENCE.write(buf);
                work.write(buf);
                holder.write(buf);
                seller.write(buf);
                price.write(buf);
            }
            RegistryCall::CreateRegistry(terms) => {
                Self::CREATE_REGISTRY.write(buf);
                terms.write(buf);
            }
            RegistryCall::WriteRecord {
                registry,
                key,
                version,
                payload,
                envelope,
            } => {
                Self::WRITE_RECORD.write(buf);
                registry.as_bytes().write(buf);
                key.as_bytes().write(buf);
                version.write(buf);
                payload.write(buf);
                envelope.write(buf);
            }
        }
    }
}

impl EncodeSize for RegistryCall {
    fn encode_size(&self) -> usize {
        match self {
            RegistryCall::Anchor { root, leaves } => 1 + root.encode_size() + leaves.encode_size(),
            RegistryCall::Attest { .. } => 1 + 32 + 32 + 32 + 8 + 8,
            RegistryCall::RevokeAttestation { .. } | RegistryCall::RevokeConsent { .. } => 1 + 32,
            RegistryCall::GrantConsent(terms) => 1 + terms.encode_size(),
            RegistryCall::RecordAccess {
                purpose, category, ..
            } => 1 + 32 + purpose.as_bytes().encode_size() + category.as_bytes().encode_size() + 32,
            RegistryCall::RegisterWork { .. } => 1 + 32 + 16 + 8 + 2,
            RegistryCall::GrantLicence { .. } => 1 + 32 + 32,
            RegistryCall::OfferLicence { .. } => 1 + 32 + 16,
            RegistryCall::BuyLicence { .. } => 1 + 32 + 32 + 32 + 16,
            RegistryCall::CreateRegistry(terms) => 1 + terms.encode_size(),
            RegistryCall::WriteRecord { registry, key, .. } => {
                1 + registry.as_bytes().encode_size() + key.as_bytes().encode_size() + 8 + 64
            }
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
            Self::GRANT_CONSENT => Ok(RegistryCall::GrantConsent(ConsentTerms::read(buf)?)),
            Self::REVOKE_CONSENT => Ok(RegistryCall::RevokeConsent {
                id: Digest::read(buf)?,
            }),
            Self::RECORD_ACCESS => Ok(RegistryCall::RecordAccess {
                consent: Digest::read(buf)?,
                purpose: read_text_within(buf, MAX_PURPOSE_BYTES)?,
                category: read_category(buf)?,
                digest: Digest::read(buf)?,
            }),
            Self::REGISTER_WORK => Ok(RegistryCall::RegisterWork {
                work: Digest::read(buf)?,
                price: Amount::read(buf)?,
                licence_ms: u64::read(buf)?,
                royalty_bps: u16::read(buf)?,
            }),
            Self::GRANT_LICENCE => Ok(RegistryCall::GrantLicence {
                work: Digest::read(buf)?,
                licensee: AccountId::read(buf)?,
            }),
            Self::OFFER_LICENCE => Ok(RegistryCall::OfferLicence {
                work: Digest::read(buf)?,
                price: Amount::read(buf)?,
            }),
            Self::CREATE_REGISTRY => Ok(RegistryCall::CreateRegistry(RegistryTerms::read(buf)?)),
            Self::WRITE_RECORD => {
                let registry = read_name(buf, MAX_NAME_BYTES)?;
                let key = read_name(buf, MAX_KEY_BYTES)?;
                if !is_registry_name(&registry) || !is_record_key(&key) {
                    return Err(Error::Invalid("WriteRecord", "a bad registry name or key"));
                }
                Ok(RegistryCall::WriteRecord {
                    registry,
                    key,
                    version: u64::read(buf)?,
                    payload: Digest::read(buf)?,
                    envelope: Digest::read(buf)?,
                })
            }
            Self::BUY_LICENCE => Ok(RegistryCall::BuyLicence {
                work: Digest::read(buf)?,
                holder: AccountId::read(buf)?,
                seller: AccountId::read(buf)?,
                price: Amount::read(buf)?,
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
    /// A consent, by the hash of the transaction that granted it.
    Consent(Digest),
    /// The `n`-th access logged under a consent.
    Access {
        /// The consent.
        consent: Digest,
        /// Its number under the consent, from 0.
        n: u64,
    },
    /// A registered work, by its digest.
    Work(Digest),
    /// A licence of a work held by an account.
    Licence {
        /// The work.
        work: Digest,
        /// The licensee.
        licensee: AccountId,
    },
    /// A registry of versioned records, by [`crate::record::registry_id`].
    Registry(Digest),
    /// One version of a record, by [`crate::record::record_id`].
    Record {
        /// The record (registry and key).
        record: Digest,
        /// The version, from 1.
        version: u64,
    },
}

impl ModuleKey for RegistryKey {
    const TAG: u8 = 0x04;
    const NAME: &'static str = "registry";
    const FORMS: &'static str = "registry/anchor/<hex digest>, registry/attestation/<hex digest>, \
registry/consent/<hex digest>, registry/access/<hex digest>/<n>, registry/work/<hex digest>, \
registry/licence/<hex digest>/<hex account>, registry/registry/<hex digest>, \
registry/record/<hex digest>/<n>";

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
            RegistryKey::Consent(id) => {
                out.push(2);
                out.extend_from_slice(id.as_ref());
            }
            RegistryKey::Access { consent, n } => {
                out.push(3);
                out.extend_from_slice(consent.as_ref());
                out.extend_from_slice(&n.to_be_bytes());
            }
            RegistryKey::Work(work) => {
                out.push(4);
                out.extend_from_slice(work.as_ref());
            }
            RegistryKey::Licence { work, licensee } => {
                out.push(5);
                out.extend_from_slice(work.as_ref());
                out.extend_from_slice(licensee.as_bytes());
            }
            RegistryKey::Registry(id) => {
                out.push(6);
                out.extend_from_slice(id.as_ref());
            }
            RegistryKey::Record { record, version } => {
                out.push(7);
                out.extend_from_slice(record.as_ref());
                out.extend_from_slice(&version.to_be_bytes());
            }
        }
    }

    fn read_bytes(bytes: &[u8]) -> Option<Self> {
        let digest_at = |part: &[u8]| Some(Digest::from(<[u8; 32]>::try_from(part).ok()?));
        let (&kind, natural) = bytes.split_first()?;
        Some(match kind {
            0 => RegistryKey::Anchor(digest_at(natural)?),
            1 => RegistryKey::Attestation(digest_at(natural)?),
            2 => RegistryKey::Consent(digest_at(natural)?),
            3 if natural.len() == 40 => RegistryKey::Access {
                consent: digest_at(&natural[..32])?,
                n: u64::from_be_bytes(natural[32..].try_into().ok()?),
            },
            4 => RegistryKey::Work(digest_at(natural)?),
            5 if natural.len() == 64 => RegistryKey::Licence {
                work: digest_at(&natural[..32])?,
                licensee: AccountId::from_bytes(natural[32..].try_into().ok()?),
            },
            6 => RegistryKey::Registry(digest_at(natural)?),
            7 if natural.len() == 40 => RegistryKey::Record {
                record: digest_at(&natural[..32])?,
                version: u64::from_be_bytes(natural[32..].try_into().ok()?),
            },
            _ => return None,
        })
    }

    fn write_text(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryKey::Anchor(root) => write!(f, "anchor/{}", digest::to_hex(root)),
            RegistryKey::Attestation(id) => write!(f, "attestation/{}", digest::to_hex(id)),
            RegistryKey::Consent(id) => write!(f, "consent/{}", digest::to_hex(id)),
            RegistryKey::Access { consent, n } => {
                write!(f, "access/{}/{n}", digest::to_hex(consent))
            }
            RegistryKey::Work(work) => write!(f, "work/{}", digest::to_hex(work)),
            RegistryKey::Licence { work, licensee } => {
                write!(f, "licence/{}/{licensee}", digest::to_hex(work))
            }
            RegistryKey::Registry(id) => write!(f, "registry/{}", digest::to_hex(id)),
            RegistryKey::Record { record, version } => {
                write!(f, "record/{}/{version}", digest::to_hex(record))
            }
        }
    }

    fn parse_parts(parts: &[&str]) -> Result<Self, Option<String>> {
        let hex = |text: &str| {
            digest::from_hex(text).ok_or_else(|| Some(format!("{text:?} is not a hex digest")))
        };
        match parts {
            ["anchor", root] => digest::from_hex(root)
                .map(RegistryKey::Anchor)
                .ok_or_else(|| Some(format!("{root:?} is not a hex digest"))),
            ["attestation", id] => hex(id).map(RegistryKey::Attestation),
            ["consent", id] => hex(id).map(RegistryKey::Consent),
            ["access", id, n] => Ok(RegistryKey::Access {
                consent: hex(id)?,
                n: n.parse()
                    .map_err(|_| Some(format!("{n:?} is not a number")))?,
            }),
            ["work", id] => hex(id).map(RegistryKey::Work),
            ["registry", id] => hex(id).map(RegistryKey::Registry),
            ["record", id, n] => Ok(RegistryKey::Record {
                record: hex(id)?,
                version: n
                    .parse()
                    .map_err(|_| Some(format!("{n:?} is not a number")))?,
            }),
            ["licence", id, account] => Ok(RegistryKey::Licence {
                work: hex(id)?,
                licensee: AccountId::from_hex(account).map_err(Some)?,
            }),
            _ => Err(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{hash, Keypair};
    use commonware_codec::{Copying, DecodeExt, Encode};

    #[test]
    fn every_registry_call_round_trips_at_its_size() {
        let (work, who) = (hash(&[b"work"]), Keypair::from_seed(1).account_id());
        let calls = [
            RegistryCall::Anchor {
                root: work,
                leaves: 3,
            },
            RegistryCall::RevokeAttestation { id: work },
            RegistryCall::GrantConsent(ConsentTerms {
                data_user: who,
                purpose: "credit scoring".into(),
                categories: vec!["income".into()],
                until_ms: 5,
            }),
            RegistryCall::RevokeConsent { id: work },
            RegistryCall::RecordAccess {
                consent: work,
                purpose: "credit scoring".into(),
                category: "income".into(),
                digest: work,
            },
            RegistryCall::RegisterWork {
                work,
                price: Amount(5),
                licence_ms: 9,
                royalty_bps: 1_000,
            },
            RegistryCall::GrantLicence {
                work,
                licensee: who,
            },
            RegistryCall::OfferLicence {
                work,
                price: Amount(7),
            },
            RegistryCall::BuyLicence {
                work,
                holder: who,
                seller: who,
                price: Amount(7),
            },
            RegistryCall::CreateRegistry(RegistryTerms {
                name: "companies".into(),
                schema: work,
                writers: vec![who],
                members: vec![who],
            }),
            RegistryCall::WriteRecord {
                registry: "companies".into(),
                key: "7010001008844".into(),
                version: 1,
                payload: work,
                envelope: work,
            },
        ];
        for call in calls {
            let bytes = call.encode();
            assert_eq!(bytes.len(), call.encode_size(), "{call:?}");
            assert_eq!(RegistryCall::decode(Copying(bytes.as_ref())).unwrap(), call);
            let json = serde_json::to_string(&call).unwrap();
            assert_eq!(serde_json::from_str::<RegistryCall>(&json).unwrap(), call);
        }
    }
}
