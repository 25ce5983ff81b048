//! SHA-256 digests: block, transaction and state commitments.

use commonware_cryptography::{Hasher, Sha256};

/// A SHA-256 digest (32 bytes).
pub type Digest = commonware_cryptography::sha256::Digest;

/// SHA-256 of the concatenation of `parts`.
pub fn hash(parts: &[&[u8]]) -> Digest {
    Sha256::hash(parts)
}

/// Lower-case hex of a digest, the form used in the API and CLI.
pub fn to_hex(digest: &Digest) -> String {
    hex::encode(digest.as_ref())
}

/// Parses a 64-character hex digest.
pub fn from_hex(text: &str) -> Option<Digest> {
    let bytes = hex::decode(text.trim_start_matches("0x")).ok()?;
    let array: [u8; 32] = bytes.try_into().ok()?;
    Some(Digest::from(array))
}
