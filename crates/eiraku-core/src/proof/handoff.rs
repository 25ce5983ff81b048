//! Validator-set handoffs: how a light client that knows only the genesis
//! set comes to trust the sets governance put in after it.
//!
//! The set that signs epoch `e + 1` is the state's `validators/active`
//! entry after the last block of epoch `e`. A handoff carries that block's
//! header, its finalization certificate (signed by epoch `e`'s set, which
//! the client trusts already) and a proof of the entry under the header's
//! state root. A proof made in a later epoch carries one handoff per set
//! change since genesis, in order.

use super::{decode_header, hex_field, LightClient, ProofError};
use crate::{kv_proof, validators::ValidatorsKey, StateKey, ValidatorSet};
use serde::{Deserialize, Serialize};

/// Most handoffs one proof carries.
pub const MAX_HANDOFFS: usize = 1024;

/// One epoch's handing over to a new validator set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    /// The header (hex) of the last block of the epoch before the change.
    pub header: String,
    /// That block's finalization certificate (hex).
    pub certificate: String,
    /// The set that signs from the next epoch on (hex of its encoding).
    pub set: String,
    /// Proof (hex) that the header's state root holds `set` under
    /// `validators/active`.
    pub proof: String,
}

impl LightClient {
    /// This client, having followed `handoffs` (in order) from the sets it
    /// knows: each certified by the set of its epoch, each for a later
    /// epoch than the one before.
    pub fn following(&self, handoffs: &[Handoff]) -> Result<LightClient, ProofError> {
        if handoffs.len() > MAX_HANDOFFS {
            return Err(ProofError::Malformed("handoffs"));
        }
        let mut client = self.clone();
        for handoff in handoffs {
            client.follow(handoff)?;
        }
        Ok(client)
    }

    fn follow(&mut self, handoff: &Handoff) -> Result<(), ProofError> {
        let header = decode_header(&handoff.header)?;
        let bad = |why| ProofError::BadHandoff {
            height: header.height,
            why,
        };
        if !self.ends_epoch(header.height) {
            return Err(bad("the block does not end an epoch"));
        }
        let next = self.epoch_of(header.height) + 1;
        if self
            .sets
            .last_key_value()
            .is_some_and(|(known, _)| *known >= next)
        {
            return Err(bad(
                "handoffs must follow one another, each to a later epoch",
            ));
        }
        self.verify_finality(
            &header,
            &hex_field(&handoff.certificate, "handoff certificate")?,
        )?;
        let set_bytes = hex_field(&handoff.set, "handoff set")?;
        let set = ValidatorSet::from_bytes(&set_bytes).ok_or(bad("the set does not decode"))?;
        let proof = hex_field(&handoff.proof, "handoff proof")?;
        let key = StateKey::Validators(ValidatorsKey::Active).hashed();
        if !kv_proof::verify_present(&proof, &key, &set_bytes, &header.state_root) {
            return Err(bad("the set is not the block's active set"));
        }
        self.enter_epoch(next, &set);
        Ok(())
    }
}
