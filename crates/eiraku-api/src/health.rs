//! What a load balancer asks: is the node alive, and is it ready to serve.

use serde::{Deserialize, Serialize};

/// `GET /v1/health`: the node's API answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthView {
    /// Always `ok`.
    pub status: String,
    /// The latest block this node applied.
    pub applied_height: u64,
}

/// `GET /v1/ready`: the node has caught up with the chain (else 503).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadyView {
    /// The latest block this node applied.
    pub applied_height: u64,
    /// The latest block consensus reported final.
    pub network_height: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::round_trip;

    #[test]
    fn health_views_keep_their_wire_form() {
        let health = HealthView {
            status: "ok".into(),
            applied_height: 7,
        };
        assert_eq!(round_trip(&health), r#"{"status":"ok","applied_height":7}"#);
        let ready = ReadyView {
            applied_height: 7,
            network_height: 8,
        };
        assert_eq!(
            round_trip(&ready),
            r#"{"applied_height":7,"network_height":8}"#
        );
    }
}
