//! Accounts, amounts and keys.
//!
//! An account is identified by its Ed25519 public key; whoever holds the
//! private key signs for it. Amounts are integers in minor units.

use crate::PublicKey;
use bytes::BufMut;
use commonware_codec::Buf;
use commonware_codec::{Copying, DecodeExt, Encode, Error, FixedSize, Read, ReadExt, Write};
use commonware_cryptography::{ed25519, Signer};
use commonware_math::algebra::Random;
use std::fmt;

/// An account identifier: the 32 bytes of the account holder's Ed25519
/// public key. Kept as bytes, not as a decoded curve point: decoding a key
/// costs a square root on the curve, and only a sender's key ever needs it
/// (to check a signature). Bytes that are not a valid key can receive funds
/// but can never sign for them.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountId([u8; 32]);

/// Byte order, compared eight bytes at a time: maps of millions of accounts
/// compare ids on every step of every lookup, and ids are random, so the
/// first eight bytes almost always decide.
impl Ord for AccountId {
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let words = |id: &Self| {
            let mut words = [0u64; 4];
            for (word, bytes) in words.iter_mut().zip(id.0.chunks_exact(8)) {
                *word = u64::from_be_bytes(bytes.try_into().expect("eight bytes"));
            }
            words
        };
        words(self).cmp(&words(other))
    }
}

impl PartialOrd for AccountId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The bytes of an account id are not an Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("account {0} is not a valid Ed25519 public key")]
pub struct InvalidKey(pub AccountId);

impl AccountId {
    /// Encoded size in bytes.
    pub const SIZE: usize = 32;

    /// The account of `key`.
    pub fn from_public_key(key: &PublicKey) -> Self {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(key.as_ref());
        Self(bytes)
    }

    /// An account id from its raw bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Decodes the bytes as an Ed25519 public key (a curve point
    /// decompression: not free, so callers that check many signatures
    /// cache the result).
    pub fn public_key(&self) -> Result<PublicKey, InvalidKey> {
        PublicKey::decode(Copying(self.0.as_slice())).map_err(|_| InvalidKey(*self))
    }

    /// Lower-case hex of the 32 key bytes: the account's printed name.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses the hex form printed by [`AccountId::to_hex`].
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let bytes = hex::decode(text.trim_start_matches("0x"))
            .map_err(|_| format!("account id {text:?} is not hex"))?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(AccountId)
            .map_err(|_| {
                format!(
                    "account id must be {} bytes ({} hex characters), got {}",
                    Self::SIZE,
                    Self::SIZE * 2,
                    bytes.len()
                )
            })
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.to_hex())
    }
}

impl Write for AccountId {
    fn write(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.0);
    }
}

impl FixedSize for AccountId {
    const SIZE: usize = 32;
}

impl Read for AccountId {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        <[u8; 32]>::read(buf).map(AccountId)
    }
}

impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AccountId::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// An amount in minor units. Never negative, never fractional.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub u128);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0);

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// `self - other`, or `None` if it would go below zero.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Write for Amount {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl FixedSize for Amount {
    const SIZE: usize = 16;
}

impl Read for Amount {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        u128::read(buf).map(Amount)
    }
}

// JSON carries amounts as decimal strings: u128 does not fit a JSON number
// that every client parses exactly.
impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Number(u64),
        }
        match Repr::deserialize(d)? {
            Repr::Text(text) => text.parse::<u128>().map(Amount).map_err(|_| {
                serde::de::Error::custom(format!(
                    "amount {text:?} is not a whole number of minor units"
                ))
            }),
            Repr::Number(n) => Ok(Amount(n as u128)),
        }
    }
}

/// An Ed25519 key pair. The private half never leaves this value except
/// through [`Keypair::to_secret_hex`], used only to write key files.
#[derive(Clone)]
pub struct Keypair {
    private: ed25519::PrivateKey,
}

impl Keypair {
    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Self {
        Self {
            private: ed25519::PrivateKey::random(rand::rng()),
        }
    }

    /// A key derived from a seed. Deterministic: for tests, simulations and
    /// benchmark accounts only, never for real funds.
    pub fn from_seed(seed: u64) -> Self {
        Self {
            private: ed25519::PrivateKey::from_seed(seed),
        }
    }

    /// The key pair of an engine private key (as a stored secure element
    /// or key file holds it).
    pub fn from_private_key(private: ed25519::PrivateKey) -> Self {
        Self { private }
    }

    /// The account this key signs for.
    pub fn account_id(&self) -> AccountId {
        AccountId::from_public_key(&self.private.public_key())
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        self.private.public_key()
    }

    /// Signs `message` under `namespace`.
    pub fn sign(&self, namespace: &[u8], message: &[u8]) -> ed25519::Signature {
        self.private.sign(namespace, message)
    }

    /// The engine's private key type, for the consensus and p2p layers.
    pub fn private_key(&self) -> &ed25519::PrivateKey {
        &self.private
    }

    /// Hex of the 32-byte secret, for key files.
    pub fn to_secret_hex(&self) -> String {
        hex::encode(self.private.encode())
    }

    /// Reads the hex written by [`Keypair::to_secret_hex`].
    pub fn from_secret_hex(text: &str) -> Result<Self, String> {
        let bytes = hex::decode(text.trim()).map_err(|_| "key file is not hex".to_string())?;
        ed25519::PrivateKey::decode(Copying(bytes.as_slice()))
            .map(|private| Self { private })
            .map_err(|_| "key file does not hold a 32-byte Ed25519 secret".to_string())
    }
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({})", self.account_id())
    }
}

/// One account's state (a state-root leaf's value, so light clients read it too).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    /// Balance in minor units.
    pub balance: Amount,
    /// The next nonce this account's transactions must carry.
    pub nonce: u64,
}

impl Account {
    /// Encoded size: balance (16) + nonce (8).
    pub const ENCODED_LEN: usize = 24;

    /// Fixed binary form used for state-root leaves and storage.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        out[..16].copy_from_slice(&self.balance.0.to_be_bytes());
        out[16..].copy_from_slice(&self.nonce.to_be_bytes());
        out
    }

    /// Reads [`Account::to_bytes`]; `None` if the length is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::ENCODED_LEN {
            return None;
        }
        let balance = u128::from_be_bytes(bytes[..16].try_into().ok()?);
        let nonce = u64::from_be_bytes(bytes[16..].try_into().ok()?);
        Some(Self {
            balance: Amount(balance),
            nonce,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn account_ids_order_as_their_bytes(
            a: [u8; 32],
            b: [u8; 32],
            shared in 0usize..=32,
        ) {
            // Ids sharing a prefix of any length, so every word decides once.
            let mut b = b;
            b[..shared].copy_from_slice(&a[..shared]);
            let (x, y) = (AccountId::from_bytes(a), AccountId::from_bytes(b));
            proptest::prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            proptest::prop_assert_eq!(x.partial_cmp(&y), Some(a.cmp(&b)));
        }
    }

    #[test]
    fn account_id_hex_round_trip() {
        let id = Keypair::from_seed(7).account_id();
        assert_eq!(AccountId::from_hex(&id.to_hex()).unwrap(), id);
        assert!(AccountId::from_hex("zz").unwrap_err().contains("not hex"));
        assert!(AccountId::from_hex("abcd")
            .unwrap_err()
            .contains("32 bytes"));
    }

    #[test]
    fn account_id_decodes_to_its_key_or_names_itself() {
        let key = Keypair::from_seed(7);
        assert_eq!(key.account_id().public_key().unwrap(), key.public_key());
        // y = 2 is not on the curve: such bytes name an account that can
        // receive but never sign.
        let mut bytes = [0u8; 32];
        bytes[0] = 2;
        let not_a_key = AccountId::from_bytes(bytes);
        assert_eq!(not_a_key.public_key(), Err(InvalidKey(not_a_key)));
    }

    #[test]
    fn secret_round_trip() {
        let key = Keypair::generate();
        let back = Keypair::from_secret_hex(&key.to_secret_hex()).unwrap();
        assert_eq!(back.account_id(), key.account_id());
    }

    #[test]
    fn amount_codec_round_trip() {
        let encoded = Amount(u128::MAX).encode();
        assert_eq!(encoded.len(), 16);
        assert_eq!(Amount::decode(encoded).unwrap(), Amount(u128::MAX));
    }
}
