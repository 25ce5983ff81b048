//! Light-client checks of state proofs: that a key has a value, or no value,
//! under a block's state root.
//!
//! The node's state lives in a QMDB `current::ordered::variable` database
//! (commonware-storage) keyed by 32-byte hashed keys with byte-string values;
//! its canonical root is the block header's state root. The node encodes the
//! database's proofs with the chain's one codec; this module decodes them
//! with bounded configurations and verifies them. No runtime, no database:
//! anyone holding a trusted root can call these functions.
//!
//! Both checks return `false`, never panic, for bytes that do not decode,
//! decode with bytes left over, or exceed the bounds below.

use crate::Digest;
use commonware_codec::{Copying, Decode, RangeCfg};
use commonware_cryptography::Sha256;
use commonware_storage::{
    mmr,
    qmdb::{
        any::value::VariableEncoding,
        current::ordered::proof::constant::{ExclusionProof, KeyValueProof},
    },
};

/// Size in bytes of a bitmap chunk of the state database (a const parameter
/// of its type and of its proofs; the database and the proofs must agree).
pub const CHUNK_BYTES: usize = 32;

/// Largest value the state database stores, in bytes. The node refuses
/// larger writes, and the database decodes its log with this bound.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Most digests a proof may carry. A proof path has about two digests per
/// bit of the operation count (siblings plus peaks), so 128 covers any
/// database with fewer than 2^64 operations while bounding what a hostile
/// proof can make the decoder allocate.
pub const MAX_PROOF_DIGESTS: usize = 128;

/// The value type stored under each key.
pub type Value = Vec<u8>;

/// Proof that a key currently has a given value.
pub type PresenceProof = KeyValueProof<mmr::Family, Digest, Digest, CHUNK_BYTES>;

/// Proof that a key currently has no value.
pub type AbsenceProof =
    ExclusionProof<mmr::Family, Digest, VariableEncoding<Value>, Digest, CHUNK_BYTES>;

/// Decode bound of one value (also the database's log codec bound for values).
pub fn value_cfg() -> (RangeCfg<usize>, ()) {
    ((0..=MAX_VALUE_BYTES).into(), ())
}

/// Decode configuration of a [`PresenceProof`].
fn presence_cfg() -> <PresenceProof as commonware_codec::Read>::Cfg {
    (MAX_PROOF_DIGESTS, ())
}

/// Decode configuration of an [`AbsenceProof`]: proof, neighbouring update
/// (key, value) and commit metadata.
fn absence_cfg() -> <AbsenceProof as commonware_codec::Read>::Cfg {
    (MAX_PROOF_DIGESTS, ((), value_cfg()), value_cfg())
}

/// Decodes an encoded [`PresenceProof`], or `None` if the bytes are not exactly one.
pub fn decode_presence(proof: &[u8]) -> Option<PresenceProof> {
    PresenceProof::decode_cfg(Copying(proof), &presence_cfg()).ok()
}

/// Decodes an encoded [`AbsenceProof`], or `None` if the bytes are not exactly one.
pub fn decode_absence(proof: &[u8]) -> Option<AbsenceProof> {
    AbsenceProof::decode_cfg(Copying(proof), &absence_cfg()).ok()
}

/// Whether `proof` (an encoded [`PresenceProof`]) shows that `key` has
/// exactly `value` in the state committed to by `root`.
pub fn verify_present(proof: &[u8], key: &Digest, value: &[u8], root: &Digest) -> bool {
    if value.len() > MAX_VALUE_BYTES {
        // The database never stores such a value, so no honest proof exists.
        return false;
    }
    decode_presence(proof).is_some_and(|proof| {
        proof.verify::<Sha256, VariableEncoding<Value>>(*key, value.to_vec(), root)
    })
}

/// Whether `proof` (an encoded [`AbsenceProof`]) shows that `key` has no
/// value in the state committed to by `root`.
pub fn verify_absent(proof: &[u8], key: &Digest, root: &Digest) -> bool {
    decode_absence(proof).is_some_and(|proof| proof.verify::<Sha256>(key, root))
}

// Proofs made by a real database are tested with the node's state store
// (`eiraku_node::state_db`), which is what produces them.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash;

    #[test]
    fn garbage_and_empty_bytes_are_refused() {
        let key = hash(&[b"key"]);
        let root = hash(&[b"root"]);
        let inputs: Vec<Vec<u8>> = vec![
            Vec::new(),
            vec![0],
            vec![1],
            vec![0xff; 7],
            vec![0xff; 4096],
            vec![0; 4096],
            (0..=255u8).cycle().take(1000).collect(),
        ];
        for bytes in &inputs {
            assert!(!verify_present(bytes, &key, b"value", &root));
            assert!(!verify_absent(bytes, &key, &root));
        }
    }

    #[test]
    fn oversized_values_are_refused_before_decoding() {
        let key = hash(&[b"key"]);
        let root = hash(&[b"root"]);
        let value = vec![0u8; MAX_VALUE_BYTES + 1];
        assert!(!verify_present(&[], &key, &value, &root));
    }
}
