//! The chain identifier: a short ASCII name every transaction signs over, so a
//! transaction for one network can never be replayed on another.

use bytes::BufMut;
use commonware_codec::Buf;
use commonware_codec::{EncodeSize, Error, RangeCfg, Read, Write};
use std::{fmt, sync::Arc};

/// Longest accepted chain id, in bytes.
pub const MAX_CHAIN_ID_LEN: usize = 32;

/// A chain identifier: 1–32 characters of `[a-z0-9-]`.
///
/// Shared, not copied: every transaction carries one, and transactions are
/// cloned on their way through mempool and blocks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChainId(Arc<str>);

impl ChainId {
    /// Validates and wraps a chain id.
    pub fn new(name: &str) -> Result<Self, String> {
        let valid = !name.is_empty()
            && name.len() <= MAX_CHAIN_ID_LEN
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(Arc::from(name)))
        } else {
            Err(format!(
                "chain id {name:?} must be 1-{MAX_CHAIN_ID_LEN} characters of a-z, 0-9 and '-'"
            ))
        }
    }

    /// The chain id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Write for ChainId {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.as_bytes().write(buf);
    }
}

impl EncodeSize for ChainId {
    fn encode_size(&self) -> usize {
        self.0.as_bytes().encode_size()
    }
}

impl Read for ChainId {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let bytes = Vec::<u8>::read_cfg(buf, &(RangeCfg::new(1..=MAX_CHAIN_ID_LEN), ()))?;
        let text =
            std::str::from_utf8(&bytes).map_err(|_| Error::Invalid("ChainId", "not UTF-8"))?;
        ChainId::new(text).map_err(|_| Error::Invalid("ChainId", "bad characters"))
    }
}

impl serde::Serialize for ChainId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ChainId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ChainId::new(&text).map_err(serde::de::Error::custom)
    }
}
