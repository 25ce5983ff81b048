//! SHA-256 digests: block, transaction and state commitments.

use commonware_cryptography::{Hasher, Sha256};

/// A SHA-256 digest (32 bytes).
pub type Digest = commonware_cryptography::sha256::Digest;

/// SHA-256 of the concatenation of `parts`.
pub fn hash(parts: &[&[u8]]) -> Digest {
    Sha256::hash(parts)
}

/// Serializes a digest as hex (for `#[serde(serialize_with)]`): lower-case
/// hex is the form used in the API and CLI.
pub fn serialize_hex<S: serde::Serializer>(digest: &Digest, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&to_hex(digest))
}

/// Reads a digest written by [`serialize_hex`] (for `#[serde(deserialize_with)]`).
pub fn deserialize_hex<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    from_hex(&text).ok_or_else(|| serde::de::Error::custom("a digest is 64 hex characters"))
}

/// A digest as 64 hex characters.
pub fn to_hex(digest: &Digest) -> String {
    hex::encode(digest.as_ref())
}

/// Parses a 64-character hex digest.
pub fn from_hex(text: &str) -> Option<Digest> {
    let mut array = [0u8; 32];
    hex::decode_to_slice(text.trim_start_matches("0x"), &mut array).ok()?;
    Some(Digest::from(array))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_wrong_lengths() {
        let digest = hash(&[b"eiraku"]);
        let text = to_hex(&digest);
        assert_eq!(from_hex(&text), Some(digest));
        assert_eq!(from_hex(&format!("0x{text}")), Some(digest));
        assert_eq!(from_hex(&text[..62]), None, "31 bytes");
        assert_eq!(from_hex(&format!("{text}00")), None, "33 bytes");
        assert_eq!(from_hex(&text.replace(&text[..1], "g")), None, "not hex");
    }
}
