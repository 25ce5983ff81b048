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
