//! The validator set: `GET /v1/validators` shows who signs the current
//! epoch, who signs the next (as governance left the set), and the epochs.

use serde::{Deserialize, Serialize};

/// One validator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetMemberView {
    /// Its consensus key (hex).
    pub key: String,
    /// Where other validators dial it.
    pub p2p_address: String,
}

/// The validator sets and the epochs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidatorsView {
    /// Blocks per epoch (absent: the chain is one epoch).
    pub epoch_length: Option<u64>,
    /// The epoch of the next block.
    pub epoch: u64,
    /// The set signing that epoch, in key order.
    pub active: Vec<SetMemberView>,
    /// The set as governance left it: it signs from the next epoch on.
    pub next: Vec<SetMemberView>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::round_trip;

    #[test]
    fn the_sets_keep_their_wire_form() {
        let validator = SetMemberView {
            key: "ab".into(),
            p2p_address: "127.0.0.1:1".into(),
        };
        let view = ValidatorsView {
            epoch_length: Some(100),
            epoch: 2,
            active: vec![validator.clone()],
            next: vec![validator],
        };
        assert_eq!(
            round_trip(&view),
            r#"{"epoch_length":100,"epoch":2,"active":[{"key":"ab","p2p_address":"127.0.0.1:1"}],"next":[{"key":"ab","p2p_address":"127.0.0.1:1"}]}"#
        );
    }
}
