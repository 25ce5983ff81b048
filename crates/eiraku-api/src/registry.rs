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
        };
        assert_eq!(
            round_trip(&view),
            r#"{"digest":"ab","tx_hash":"cd","height":4,"timestamp_ms":5}"#
        );
    }
}
