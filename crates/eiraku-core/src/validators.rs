//! The validator set as governance changes it: who signs consensus in an
//! epoch and where the others dial them.
//!
//! The set lives in the state (`validators/set`). Governance changes it with
//! a class-A [`ValidatorChange`]; the set that signs epoch `e + 1` is the one
//! the state holds after the last block of epoch `e`, so a change enacted
//! during an epoch takes effect at the next boundary. Each new validator
//! consents by signing its key and address for this chain
//! ([`Joiner::consent`]), so no operator is added against its will or at an
//! address it does not serve.

use crate::{AccountId, ChainId, Keypair, PublicKey};
use bytes::BufMut;
use commonware_codec::{
    Buf, Copying, DecodeExt, Encode, EncodeSize, Error, RangeCfg, Read, ReadExt, Write,
};
use commonware_cryptography::{ed25519, Verifier as _};
use commonware_utils::{ordered::Set, TryCollect as _};
use curve25519_dalek::edwards::CompressedEdwardsY;
use std::net::SocketAddr;

/// Namespace of a joining validator's consent signature.
pub const JOIN_NAMESPACE: &[u8] = b"EIRAKU_VALIDATOR_JOIN";
/// Fewest validators a change may leave (one may fail: n = 3f + 1).
pub const MIN_VALIDATORS: usize = 4;
/// Most validators a set holds (its stored entry stays small).
pub const MAX_VALIDATORS: usize = 128;
/// Most validators one change adds or removes.
pub const MAX_CHANGED: usize = 32;

/// One validator: its consensus (and p2p) key and the address peers dial.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validator {
    /// Ed25519 public key of its votes and p2p identity.
    pub key: AccountId,
    /// Where other validators dial it.
    pub p2p_address: SocketAddr,
}

/// A validator governance adds, with its operator's consent.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Joiner {
    /// The new validator.
    pub validator: Validator,
    /// Its key's signature of [`Joiner::consent_message`] (hex).
    #[serde(with = "hex_signature")]
    pub consent: ed25519::Signature,
}

/// A change of the validator set (class A).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ValidatorChange {
    /// Validators that join, in key order.
    pub add: Vec<Joiner>,
    /// Keys of validators that leave, in order.
    pub remove: Vec<AccountId>,
}

/// A validator set: keys strictly ascending (the order consensus indexes
/// signers by).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidatorSet(Vec<Validator>);

/// Why a change cannot apply to a set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeRefused {
    /// It adds and removes no one, or names someone twice.
    Malformed,
    /// A joiner's consent does not verify for this chain.
    BadConsent,
    /// A joiner is a validator already.
    AlreadyValidator,
    /// A key to remove is not a validator.
    NotValidator,
    /// Fewer than [`MIN_VALIDATORS`] would remain.
    TooFew,
    /// More than [`MAX_VALIDATORS`] would result.
    TooMany,
    /// More than a third of the current set would leave at once.
    RemovesTooMany,
    /// The validators carried over from the active set would not be a
    /// quorum of the new set on their own (joiners may be offline at
    /// first), or more than a third of the active set would leave.
    BreaksContinuity,
}

impl Joiner {
    /// What a joining validator signs: the chain, its key and its address.
    pub fn consent_message(chain_id: &ChainId, validator: &Validator) -> Vec<u8> {
        let mut message = chain_id.encode().to_vec();
        message.extend_from_slice(&validator.encode());
        message
    }

    /// The consent of `key`'s validator to join `chain_id` at `p2p_address`.
    pub fn sign(chain_id: &ChainId, key: &Keypair, p2p_address: SocketAddr) -> Self {
        let validator = Validator {
            key: key.account_id(),
            p2p_address,
        };
        let consent = key.sign(JOIN_NAMESPACE, &Self::consent_message(chain_id, &validator));
        Self { validator, consent }
    }

    /// Whether the consent is the joiner's own, for `chain_id`, with a key
    /// nobody can sign for without its secret and an address one can dial.
    pub fn consents(&self, chain_id: &ChainId) -> bool {
        let message = Self::consent_message(chain_id, &self.validator);
        is_strong_key(&self.validator.key)
            && is_dialable(&self.validator.p2p_address)
            && (self.validator.key.public_key())
                .is_ok_and(|key| key.verify(JOIN_NAMESPACE, &message, &self.consent))
    }
}

/// Whether `key` is a canonical Ed25519 point outside the small-order
/// subgroup. Verification accepts small-order keys (ZIP-215), for which a
/// signature of any message exists without any secret: as a validator key
/// one would let anyone sign its votes.
pub fn is_strong_key(key: &AccountId) -> bool {
    let compressed = CompressedEdwardsY(*key.as_bytes());
    compressed
        .decompress()
        .is_some_and(|point| !point.is_small_order() && point.compress() == compressed)
}

/// Whether peers can dial `address`: not unspecified, multicast or port 0.
pub fn is_dialable(address: &SocketAddr) -> bool {
    let ip = address.ip();
    !(ip.is_unspecified() || ip.is_multicast() || address.port() == 0)
}

impl ValidatorSet {
    /// A set from validators in any order; `None` when a key repeats.
    pub fn new(mut validators: Vec<Validator>) -> Option<Self> {
        validators.sort_by_key(|v| v.key);
        let unique = validators.windows(2).all(|w| w[0].key < w[1].key);
        unique.then_some(Self(validators))
    }

    /// Its validators, in key order.
    pub fn validators(&self) -> &[Validator] {
        &self.0
    }

    /// How many validators it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Its consensus keys, in the order certificates index signers by.
    pub fn participants(&self) -> Set<PublicKey> {
        let keys = self.0.iter().filter_map(|v| v.key.public_key().ok());
        keys.try_collect()
            .expect("a validator set holds each key once")
    }

    /// Whether `key` is one of its validators.
    pub fn contains(&self, key: &AccountId) -> bool {
        self.0.binary_search_by(|v| v.key.cmp(key)).is_ok()
    }

    /// The set after `change`, or why it cannot apply on `chain_id`.
    pub fn after(
        &self,
        change: &ValidatorChange,
        chain_id: &ChainId,
    ) -> Result<ValidatorSet, ChangeRefused> {
        let next = self.after_consented(change)?;
        if !change.add.iter().all(|joiner| joiner.consents(chain_id)) {
            return Err(ChangeRefused::BadConsent);
        }
        Ok(next)
    }

    /// The set after `change` whose joiners' consents were checked already.
    pub fn after_consented(&self, change: &ValidatorChange) -> Result<ValidatorSet, ChangeRefused> {
        if change.add.is_empty() && change.remove.is_empty() {
            return Err(ChangeRefused::Malformed);
        }
        if change.add.iter().any(|j| self.contains(&j.validator.key)) {
            return Err(ChangeRefused::AlreadyValidator);
        }
        if !change.remove.iter().all(|key| self.contains(key)) {
            return Err(ChangeRefused::NotValidator);
        }
        if change.remove.len() > self.len() / 3 {
            return Err(ChangeRefused::RemovesTooMany);
        }
        let remaining = self
            .0
            .iter()
            .filter(|v| !change.remove.contains(&v.key))
            .cloned();
        let joined = change.add.iter().map(|j| j.validator.clone());
        let next =
            ValidatorSet::new(remaining.chain(joined).collect()).ok_or(ChangeRefused::Malformed)?;
        if next.len() < MIN_VALIDATORS {
            return Err(ChangeRefused::TooFew);
        }
        if next.len() > MAX_VALIDATORS {
            return Err(ChangeRefused::TooMany);
        }
        Ok(next)
    }

    /// Whether `next` may follow this (active) set at one epoch boundary:
    /// at most a third of it leaves, and those who stay are a quorum of
    /// `next` by themselves. Checked over all the changes enacted within
    /// an epoch together, so that stacked proposals cannot do what one may
    /// not.
    pub fn continues_into(&self, next: &ValidatorSet) -> Result<(), ChangeRefused> {
        let carried = self.0.iter().filter(|v| next.contains(&v.key)).count();
        let leaving = self.len() - carried;
        let quorum = next.len() - (next.len().saturating_sub(1)) / 3;
        if leaving > self.len() / 3 || carried < quorum {
            return Err(ChangeRefused::BreaksContinuity);
        }
        Ok(())
    }

    /// The stored form (the chain's codec).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode().to_vec()
    }

    /// Reads [`ValidatorSet::to_bytes`]; `None` for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        Self::decode(Copying(bytes)).ok()
    }
}

impl Write for Validator {
    fn write(&self, buf: &mut impl BufMut) {
        self.key.write(buf);
        self.p2p_address.write(buf);
    }
}

impl EncodeSize for Validator {
    fn encode_size(&self) -> usize {
        self.key.encode_size() + self.p2p_address.encode_size()
    }
}

impl Read for Validator {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            key: AccountId::read(buf)?,
            p2p_address: SocketAddr::read(buf)?,
        })
    }
}

impl Write for ValidatorSet {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl EncodeSize for ValidatorSet {
    fn encode_size(&self) -> usize {
        self.0.encode_size()
    }
}

impl Read for ValidatorSet {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let validators =
            Vec::<Validator>::read_cfg(buf, &(RangeCfg::from(1..=MAX_VALIDATORS), ()))?;
        if !validators.windows(2).all(|w| w[0].key < w[1].key) {
            return Err(Error::Invalid(
                "ValidatorSet",
                "keys are not strictly ascending",
            ));
        }
        Ok(Self(validators))
    }
}

impl Write for ValidatorChange {
    fn write(&self, buf: &mut impl BufMut) {
        (self.add.len() as u8).write(buf);
        for joiner in &self.add {
            joiner.validator.write(buf);
            joiner.consent.write(buf);
        }
        (self.remove.len() as u8).write(buf);
        for key in &self.remove {
            key.write(buf);
        }
    }
}

impl EncodeSize for ValidatorChange {
    fn encode_size(&self) -> usize {
        let joiners: usize = (self.add.iter())
            .map(|j| j.validator.encode_size() + j.consent.encode_size())
            .sum();
        2 + joiners + self.remove.len() * 32
    }
}

impl Read for ValidatorChange {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let count = |buf: &mut _| -> Result<usize, Error> {
            let n = u8::read(buf)? as usize;
            if n > MAX_CHANGED {
                return Err(Error::Invalid("ValidatorChange", "more than 32 validators"));
            }
            Ok(n)
        };
        let add = (0..count(buf)?)
            .map(|_| {
                Ok(Joiner {
                    validator: Validator::read(buf)?,
                    consent: ed25519::Signature::read(buf)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let remove = (0..count(buf)?)
            .map(|_| AccountId::read(buf))
            .collect::<Result<Vec<_>, Error>>()?;
        let ascending_add = add
            .windows(2)
            .all(|w| w[0].validator.key < w[1].validator.key);
        let ascending_remove = remove.windows(2).all(|w| w[0] < w[1]);
        if !(ascending_add && ascending_remove) {
            return Err(Error::Invalid(
                "ValidatorChange",
                "keys are not strictly ascending",
            ));
        }
        Ok(Self { add, remove })
    }
}

/// Signatures as hex in JSON.
pub(crate) mod hex_signature {
    use super::*;
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        signature: &ed25519::Signature,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(signature.encode()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ed25519::Signature, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = hex::decode(&text).map_err(D::Error::custom)?;
        ed25519::Signature::decode(Copying(&bytes[..]))
            .map_err(|_| D::Error::custom("not a 64-byte Ed25519 signature"))
    }
}

/// The keys of the `validators` module's entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValidatorsKey {
    /// The set as governance last left it (the next epoch's).
    Set,
    /// The set of the epoch of the next block: the governance set as it
    /// stood after the last block of the epoch before.
    Active,
    /// Blocks per epoch (fixed at genesis; absent on a chain of one epoch,
    /// whose set cannot change).
    EpochLength,
}

impl crate::state_key::ModuleKey for ValidatorsKey {
    const TAG: u8 = 0x07;
    const NAME: &'static str = "validators";
    const FORMS: &'static str = "validators/set, validators/active, validators/epoch_length";

    fn write_bytes(&self, out: &mut Vec<u8>) {
        out.push(match self {
            ValidatorsKey::Set => 0,
            ValidatorsKey::EpochLength => 1,
            ValidatorsKey::Active => 2,
        });
    }

    fn read_bytes(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0] => Some(ValidatorsKey::Set),
            [1] => Some(ValidatorsKey::EpochLength),
            [2] => Some(ValidatorsKey::Active),
            _ => None,
        }
    }

    fn write_text(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ValidatorsKey::Set => "set",
            ValidatorsKey::EpochLength => "epoch_length",
            ValidatorsKey::Active => "active",
        })
    }

    fn parse_parts(parts: &[&str]) -> Result<Self, Option<String>> {
        match parts {
            ["set"] => Ok(ValidatorsKey::Set),
            ["epoch_length"] => Ok(ValidatorsKey::EpochLength),
            ["active"] => Ok(ValidatorsKey::Active),
            _ => Err(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StateKey;

    fn chain() -> ChainId {
        ChainId::new("eiraku-validators").unwrap()
    }

    fn set_of(seeds: std::ops::Range<u64>) -> ValidatorSet {
        let validators = seeds
            .map(|seed| Validator {
                key: Keypair::from_seed(seed).account_id(),
                p2p_address: SocketAddr::from(([127, 0, 0, 1], 9000 + seed as u16)),
            })
            .collect();
        ValidatorSet::new(validators).unwrap()
    }

    fn joiner(seed: u64) -> Joiner {
        let address = SocketAddr::from(([127, 0, 0, 1], 9000 + seed as u16));
        Joiner::sign(&chain(), &Keypair::from_seed(seed), address)
    }

    #[test]
    fn adding_one_and_removing_one_keeps_the_set_ordered() {
        let set = set_of(0..4);
        let leaving = set.validators()[2].key;
        let change = ValidatorChange {
            add: vec![joiner(9)],
            remove: vec![leaving],
        };
        let next = set.after(&change, &chain()).unwrap();
        assert_eq!(next.len(), 4);
        assert!(next.contains(&Keypair::from_seed(9).account_id()));
        assert!(!next.contains(&leaving));
        assert_eq!(ValidatorSet::from_bytes(&next.to_bytes()), Some(next));
    }

    #[test]
    fn each_rule_refuses_its_attack() {
        let set = set_of(0..6);
        let keys: Vec<AccountId> = set.validators().iter().map(|v| v.key).collect();
        let refused = |add: Vec<Joiner>, remove: Vec<AccountId>| {
            set.after(&ValidatorChange { add, remove }, &chain())
                .unwrap_err()
        };
        assert_eq!(refused(vec![], vec![]), ChangeRefused::Malformed);
        assert_eq!(
            refused(vec![joiner(1)], vec![]),
            ChangeRefused::AlreadyValidator
        );
        let stranger = Keypair::from_seed(50).account_id();
        assert_eq!(refused(vec![], vec![stranger]), ChangeRefused::NotValidator);
        // Six validators: at most two leave at once, and four must remain.
        assert_eq!(
            refused(vec![], keys[..3].to_vec()),
            ChangeRefused::RemovesTooMany
        );
        let four = set_of(0..4);
        let shrink = ValidatorChange {
            add: vec![],
            remove: vec![four.validators()[0].key],
        };
        assert_eq!(four.after(&shrink, &chain()), Err(ChangeRefused::TooFew));
        // A consent signed for another chain, or for another address.
        let elsewhere = ChainId::new("eiraku-other").unwrap();
        let other_chain = Joiner::sign(
            &elsewhere,
            &Keypair::from_seed(9),
            "127.0.0.1:1".parse().unwrap(),
        );
        assert_eq!(
            refused(vec![other_chain], vec![]),
            ChangeRefused::BadConsent
        );
        let mut moved = joiner(9);
        moved.validator.p2p_address = "10.0.0.1:9009".parse().unwrap();
        assert_eq!(refused(vec![moved], vec![]), ChangeRefused::BadConsent);
        // The identity point with R = identity, s = 0 "signs" any message:
        // a validator key nobody holds.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut signature = [0u8; 64];
        signature[0] = 1;
        let forged = Joiner {
            validator: Validator {
                key: AccountId::from_bytes(identity),
                p2p_address: "127.0.0.1:9100".parse().unwrap(),
            },
            consent: ed25519::Signature::decode(Copying(&signature[..])).unwrap(),
        };
        let message = Joiner::consent_message(&chain(), &forged.validator);
        let key = forged.validator.key.public_key().unwrap();
        assert!(
            key.verify(JOIN_NAMESPACE, &message, &forged.consent),
            "verification alone accepts it"
        );
        assert_eq!(refused(vec![forged], vec![]), ChangeRefused::BadConsent);
        // An address nobody can dial.
        let unspecified = Joiner::sign(
            &chain(),
            &Keypair::from_seed(9),
            "0.0.0.0:9009".parse().unwrap(),
        );
        assert_eq!(
            refused(vec![unspecified], vec![]),
            ChangeRefused::BadConsent
        );
    }

    #[test]
    fn generated_keys_are_strong() {
        assert!((0..50).all(|seed| is_strong_key(&Keypair::from_seed(seed).account_id())));
    }

    #[test]
    fn a_change_round_trips_and_unordered_keys_are_refused() {
        let mut change = ValidatorChange {
            add: vec![joiner(9), joiner(10)],
            remove: vec![],
        };
        change.add.sort_by_key(|j| j.validator.key);
        let bytes = change.encode();
        assert_eq!(
            ValidatorChange::decode(Copying(&bytes[..])).unwrap(),
            change
        );
        change.add.reverse();
        assert!(ValidatorChange::decode(Copying(&change.encode()[..])).is_err());
    }

    #[test]
    fn the_set_key_round_trips() {
        let key = StateKey::Validators(ValidatorsKey::Set);
        assert_eq!(StateKey::from_bytes(&key.to_bytes()), Some(key));
        assert_eq!(key.to_string(), "validators/set");
        assert_eq!("validators/set".parse::<StateKey>().unwrap(), key);
    }
}
