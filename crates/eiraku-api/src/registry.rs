//! The registries' reads: `GET /v1/notary/{digest}` (where a digest or
//! batch root was first anchored). Anchoring itself is a signed transaction,
//! posted at `POST /v1/notary` and answered with a
//! [`crate::SubmitResponse`].

use serde::{Deserialize, Serialize};

/// Where a digest was anchored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnchorView {
    /// The digest or batch root (hex).
    pub digest: String,
    /// The anchoring transaction (hex); `GET /v1/proof/tx/{hash}` proves it.
    pub tx_hash: String,
    /// Height of its finalized block.
    pub height: u64,
    /// The block's time (ms since the Unix epoch): the notarized time.
    pub timestamp_ms: u64,
    /// For a file's digest inside a batch: the batch root anchored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_root: Option<String>,
    /// For a file's digest inside a batch: its position in the batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// The digests of an anchored batch, so that a node finds a file by its own
/// digest (`POST /v1/notary/batches`). The node keeps them only if they
/// make the root, and the root is anchored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotaryBatch {
    /// The anchored batch root (hex).
    pub root: String,
    /// The batch's digests in order (hex).
    pub leaves: Vec<String>,
}

/// An attestation, and whether it holds at the finalized state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttestationView {
    /// Its name: the hash of the transaction that recorded it (hex).
    pub id: String,
    /// Who attested (hex account).
    pub attester: String,
    /// Who it is about (hex account).
    pub subject: String,
    /// Digest of the claim's schema (hex).
    pub schema: String,
    /// Digest of the claim (hex).
    pub claim: String,
    /// Start of validity, ms since the Unix epoch.
    pub valid_from_ms: u64,
    /// End of validity (exclusive).
    pub valid_until_ms: u64,
    /// Block time it was recorded.
    pub attested_ms: u64,
    /// Block time it was revoked, if it was.
    pub revoked_ms: Option<u64>,
    /// Finalized height read.
    pub height: u64,
    /// Whether it holds at that height's block time: in its window and not
    /// revoked. `GET /v1/proof/state/registry/attestation/{id}` proves the
    /// entry.
    pub valid_now: bool,
}

/// A consent, and whether it holds at the finalized state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentView {
    /// Its name: the hash of the transaction that granted it (hex).
    pub id: String,
    /// The person whose data it is (hex account).
    pub subject: String,
    /// Who may use the data (hex account).
    pub data_user: String,
    /// For what.
    pub purpose: String,
    /// Which categories of data.
    pub categories: Vec<String>,
    /// Until when (block time, ms, exclusive).
    pub until_ms: u64,
    /// Block time it was granted.
    pub granted_ms: u64,
    /// Block time it was revoked, if it was.
    pub revoked_ms: Option<u64>,
    /// Accesses logged under it (`GET /v1/consents/{id}/accesses`).
    pub accesses: u64,
    /// Whether it holds at the finalized block's time.
    pub active_now: bool,
    /// Finalized height read.
    pub height: u64,
}

/// One logged access under a consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessView {
    /// Its number under the consent (its state key: `registry/access/{consent}/{n}`).
    pub n: u64,
    /// The data category accessed.
    pub category: String,
    /// Digest of what was accessed (hex).
    pub digest: String,
    /// Block time of the entry.
    pub at_ms: u64,
}

/// A registered work and its terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkView {
    /// Digest of the work (hex).
    pub work: String,
    /// Its holder (hex account).
    pub holder: String,
    /// A licence's price, coin minor units (decimal string).
    pub price: String,
    /// How long a licence lasts, ms.
    pub licence_ms: u64,
    /// The holder's share of a resale, basis points.
    pub royalty_bps: u16,
}

/// An account's licence of a work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenceView {
    /// End of its validity (block time, exclusive).
    pub until_ms: u64,
    /// Its resale offer, coin minor units, if offered.
    pub offer: Option<String>,
    /// Whether it is valid at the finalized block's time.
    pub valid_now: bool,
}

/// A registry of versioned records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistryView {
    /// Its name.
    pub name: String,
    /// The registry authority that created it (hex account).
    pub authority: String,
    /// SHA-256 of its records' JSON Schema (hex).
    pub schema: String,
    /// Who may write (hex accounts).
    pub writers: Vec<String>,
    /// The access group (hex accounts).
    pub members: Vec<String>,
    /// Block time it was created.
    pub created_ms: u64,
}

/// One version of a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordView {
    /// Its version.
    pub version: u64,
    /// SHA-256 of the payload (hex).
    pub payload: String,
    /// Digest of the sealed envelope (hex).
    pub envelope: String,
    /// Its writer (hex account).
    pub writer: String,
    /// Block time it was written.
    pub at_ms: u64,
    /// Its state key, for `GET /v1/proof/state/{key}`.
    pub state_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::round_trip;

    #[test]
    fn an_anchor_keeps_its_wire_form() {
        let view = AnchorView {
            digest: "ab".into(),
            tx_hash: "cd".into(),
            height: 4,
            timestamp_ms: 5,
            batch_root: None,
            position: None,
        };
        assert_eq!(
            round_trip(&view),
            r#"{"digest":"ab","tx_hash":"cd","height":4,"timestamp_ms":5}"#
        );
        let in_batch = AnchorView {
            batch_root: Some("ef".into()),
            position: Some(2),
            ..view
        };
        assert_eq!(
            round_trip(&in_batch),
            r#"{"digest":"ab","tx_hash":"cd","height":4,"timestamp_ms":5,"batch_root":"ef","position":2}"#
        );
    }
}
