//! State sync: what a joining validator asks its peers for (the state's
//! target and the keys of its entries; the operations themselves travel in
//! QMDB's binary encoding).

use eiraku_core::proof::Handoff;
use serde::{Deserialize, Serialize};

/// `GET /v1/sync/target`: the state a joining validator can sync to now,
/// with what proves it final. Checked, not trusted: the certificate against
/// the validator sets (followed from genesis through `handoffs`), the
/// operations root against the header's state root through `witness`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncTargetView {
    /// Height of the block whose state this is.
    pub height: u64,
    /// The block (hex of its encoding).
    pub block: String,
    /// Its finalization certificate (hex).
    pub certificate: String,
    /// The validator-set changes from genesis to the block's epoch.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub handoffs: Vec<Handoff>,
    /// Root of the state's operation log (hex).
    pub ops_root: String,
    /// First operation of the log a new copy needs.
    pub start: u64,
    /// Operations in the log at this height.
    pub size: u64,
    /// Witness that the header's state root commits to `ops_root` (hex).
    pub witness: String,
}

/// `GET /v1/sync/keys`: keys of the state's entries (hex of their
/// encoding), in order, after `after`. Values are not sent: the joining
/// validator reads them from the state it verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncKeysView {
    /// Up to `count` keys.
    pub keys: Vec<String>,
    /// Whether keys follow the last one.
    pub more: bool,
}

/// Query of `GET /v1/sync/keys`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct SyncKeysQuery {
    /// Keys after this one (hex); from the first without.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(pattern = "^([0-9a-f]{2})*$"))]
    pub after: Option<String>,
    /// Most keys in the answer (1 to 10,000).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 10000))]
    pub count: u32,
}

/// Most keys one answer carries.
pub const MAX_SYNC_KEYS: u32 = 10_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::round_trip;

    #[test]
    fn sync_views_keep_their_wire_form() {
        let keys = SyncKeysView {
            keys: vec!["0a".into()],
            more: true,
        };
        assert_eq!(round_trip(&keys), r#"{"keys":["0a"],"more":true}"#);
        let query: SyncKeysQuery = serde_json::from_str(r#"{"count":5}"#).unwrap();
        assert_eq!(query.after, None);
    }
}
