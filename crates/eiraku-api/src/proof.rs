//! Proofs and audits: `GET /v1/audit/blocks` (stored blocks as encoded, for
//! `eiraku verify --rpc`). The proofs of `GET /v1/proof/tx/{hash}` and
//! `GET /v1/proof/state/{key}` are [`eiraku_core::proof::TxProof`] and
//! [`eiraku_core::proof::StateProof`]: the light client's own types.

use serde::{Deserialize, Serialize};

/// Most blocks one `GET /v1/audit/blocks` returns.
pub const MAX_AUDIT_BLOCKS: u64 = 256;

/// Which stored blocks to return (the query of `GET /v1/audit/blocks`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct AuditBlocksQuery {
    /// First height.
    pub from: u64,
    /// How many (at most 256).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 256))]
    pub count: u64,
}

/// One stored block as encoded, with its certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditBlock {
    /// Height.
    pub height: u64,
    /// The block's canonical encoding (hex).
    pub block: String,
    /// Its encoded finalization certificate (hex), when this node holds it.
    pub certificate: Option<String>,
}

/// Consecutive stored blocks, as encoded: what an auditor re-validates
/// (nothing here is trusted; the genesis file is).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditBlocksView {
    /// The node's latest finalized height.
    pub finalized_height: u64,
    /// The blocks asked for that this node has, from `from` on.
    pub blocks: Vec<AuditBlock>,
}

/// What a node found checking a proof file against its genesis validator
/// set (`POST /v1/proof/check`): the same light client as `eiraku proof
/// verify`, run by this node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProofCheckView {
    /// `notary`, `transaction`, `state` or `credential`.
    pub kind: String,
    /// Whether it holds.
    pub valid: bool,
    /// What it proves, or why it fails, in words.
    pub summary: String,
    /// The proven block's height, when it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// The proven block's time, when it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_ms: Option<u64>,
}

impl From<eiraku_core::proof::ProofVerdict> for ProofCheckView {
    fn from(verdict: eiraku_core::proof::ProofVerdict) -> Self {
        let eiraku_core::proof::ProofVerdict {
            kind,
            valid,
            summary,
            height,
            timestamp_ms,
        } = verdict;
        Self {
            kind,
            valid,
            summary,
            height,
            timestamp_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::round_trip;

    #[test]
    fn audit_blocks_keep_their_wire_form() {
        let view = AuditBlocksView {
            finalized_height: 8,
            blocks: vec![AuditBlock {
                height: 1,
                block: "00ff".into(),
                certificate: None,
            }],
        };
        assert_eq!(
            round_trip(&view),
            r#"{"finalized_height":8,"blocks":[{"height":1,"block":"00ff","certificate":null}]}"#
        );
        round_trip(&AuditBlocksQuery { from: 1, count: 2 });
    }
}
