//! The registry module (DESIGN.md §5). Notarization: an anchor is valid as
//! soon as it decodes (one digest, or a batch root over 1 to 2^20 digests);
//! its evidence is its place in a finalized block, so it changes no state
//! beyond its sender's nonce. Attestations and consent records come here.

use crate::ExecutionError;
use eiraku_core::registry::RegistryCall;

/// Applies one registry call.
pub(crate) fn apply(call: &RegistryCall) -> Result<(), ExecutionError> {
    match call {
        RegistryCall::Anchor { .. } => Ok(()),
    }
}
