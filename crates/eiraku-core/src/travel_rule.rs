//! Travel-rule data (FATF recommendation 16): who sends and who receives a
//! cross-border payment, sealed with HPKE (RFC 9180: DHKEM X25519,
//! HKDF-SHA256, ChaCha20-Poly1305) to each party entitled to read it — the
//! payer's bank, the payee's bank, and the regulators of both economies.
//! The sealed envelope travels off chain; the payment carries only its
//! digest, which binds the payment to exactly these bytes.
//!
//! Each copy is sealed with the envelope's header (payer, payee, amount) as
//! associated data, so a copy cannot be moved under another payment.

pub use crate::sealed::SealedCopy;
use crate::{
    hash,
    sealed::{self, Kem, SealError},
    AccountId, Amount, Digest,
};
use hpke::{Deserializable, Kem as _, Serializable};
use serde::{Deserialize, Serialize};
use std::fmt;

/// HPKE `info`: domain separation for Eiraku's travel-rule copies.
const INFO: &[u8] = b"EIRAKU_TRAVEL_RULE_V1";

/// The envelope format's version.
pub const ENVELOPE_VERSION: u8 = 1;

/// Largest envelope a node accepts, in bytes of JSON.
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024;

/// Why an envelope was refused or could not be opened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TravelRuleError {
    /// Not an envelope (bad JSON, bad hex, wrong sizes).
    #[error("malformed travel-rule envelope: {0}")]
    Malformed(String),
    /// A version this node does not know.
    #[error("travel-rule envelope version {0} is not supported (expected {ENVELOPE_VERSION})")]
    Version(u8),
    /// A party entitled to read it has no copy.
    #[error("travel-rule envelope has no copy for {0}")]
    MissingRecipient(AccountId),
    /// A copy for someone not entitled to it, or a second copy.
    #[error("travel-rule envelope has a copy for {0}, who is not entitled to one")]
    UnexpectedRecipient(AccountId),
    /// The holder has no copy, or it does not open with the holder's key.
    #[error("this key does not open the travel-rule envelope")]
    CannotOpen,
}

impl From<SealError> for TravelRuleError {
    fn from(error: SealError) -> Self {
        match error {
            SealError::Malformed(why) => TravelRuleError::Malformed(why),
            SealError::MissingRecipient(id) => TravelRuleError::MissingRecipient(id),
            SealError::UnexpectedRecipient(id) => TravelRuleError::UnexpectedRecipient(id),
            SealError::CannotOpen => TravelRuleError::CannotOpen,
        }
    }
}

/// An X25519 public key for travel-rule copies (hex in JSON).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TravelKey(pub [u8; 32]);

impl fmt::Debug for TravelKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TravelKey({})", hex::encode(self.0))
    }
}

impl Serialize for TravelKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for TravelKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let mut key = [0u8; 32];
        hex::decode_to_slice(&text, &mut key).map_err(serde::de::Error::custom)?;
        Ok(Self(key))
    }
}

/// The secret half of a [`TravelKey`].
pub struct TravelSecret(<Kem as hpke::Kem>::PrivateKey);

impl TravelSecret {
    /// A fresh key pair.
    pub fn generate() -> (Self, TravelKey) {
        let (secret, public) = Kem::gen_keypair();
        (Self(secret), public_key(&public))
    }

    /// The public half.
    pub fn public(&self) -> TravelKey {
        public_key(&Kem::sk_to_pk(&self.0))
    }

    /// Hex of the secret, for a key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// The HPKE private key (for opening sealed copies).
    pub(crate) fn private(&self) -> &<Kem as hpke::Kem>::PrivateKey {
        &self.0
    }

    /// Reads [`TravelSecret::to_hex`].
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let bytes = hex::decode(text.trim()).map_err(|e| e.to_string())?;
        <Kem as hpke::Kem>::PrivateKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|e| e.to_string())
    }
}

fn public_key(key: &<Kem as hpke::Kem>::PublicKey) -> TravelKey {
    let mut out = [0u8; 32];
    out.copy_from_slice(&key.to_bytes());
    TravelKey(out)
}

/// One party as the travel rule describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Full name.
    pub name: String,
    /// Its account on the ledger.
    pub account: AccountId,
    /// Address, national id or date and place of birth, as the rule asks.
    pub details: String,
}

/// What is sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravelRuleData {
    /// The originator.
    pub originator: Party,
    /// The beneficiary.
    pub beneficiary: Party,
}

/// The envelope: a clear header naming the payment, and one sealed copy per
/// entitled party.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Format version ([`ENVELOPE_VERSION`]).
    pub version: u8,
    /// The paying account.
    pub payer: AccountId,
    /// The paid account.
    pub payee: AccountId,
    /// The payment's amount.
    pub amount: Amount,
    /// The sealed copies.
    pub copies: Vec<SealedCopy>,
}

impl Envelope {
    fn header(payer: &AccountId, payee: &AccountId, amount: Amount) -> Vec<u8> {
        let mut aad = Vec::with_capacity(80);
        aad.extend_from_slice(payer.as_bytes());
        aad.extend_from_slice(payee.as_bytes());
        aad.extend_from_slice(&amount.0.to_be_bytes());
        aad
    }

    /// Seals `data` for a payment to each of `recipients`.
    pub fn seal(
        data: &TravelRuleData,
        payer: AccountId,
        payee: AccountId,
        amount: Amount,
        recipients: &[(AccountId, TravelKey)],
    ) -> Result<Self, TravelRuleError> {
        let plaintext = serde_json::to_vec(data).expect("travel-rule data serializes");
        let aad = Self::header(&payer, &payee, amount);
        let copies = sealed::seal(&plaintext, INFO, &aad, recipients)?;
        Ok(Self {
            version: ENVELOPE_VERSION,
            payer,
            payee,
            amount,
            copies,
        })
    }

    /// Opens `holder`'s copy with its secret.
    pub fn open(
        &self,
        holder: &AccountId,
        secret: &TravelSecret,
    ) -> Result<TravelRuleData, TravelRuleError> {
        let aad = Self::header(&self.payer, &self.payee, self.amount);
        let plaintext = sealed::open(&self.copies, holder, secret, INFO, &aad)?;
        serde_json::from_slice(&plaintext).map_err(|_| TravelRuleError::CannotOpen)
    }

    /// The canonical bytes (compact JSON, fields in declared order).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an envelope serializes")
    }

    /// The digest a payment carries: SHA-256 of the canonical bytes.
    pub fn digest(&self) -> Digest {
        hash(&[b"EIRAKU_TRAVEL_RULE", &self.to_bytes()])
    }

    /// Parses an envelope a client sent.
    pub fn from_json(bytes: &[u8]) -> Result<Self, TravelRuleError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(TravelRuleError::Malformed(format!(
                "{} bytes, more than {MAX_ENVELOPE_BYTES}",
                bytes.len()
            )));
        }
        serde_json::from_slice(bytes).map_err(|e| TravelRuleError::Malformed(e.to_string()))
    }

    /// Checks the envelope's form: its version, and exactly one well-formed
    /// copy for each of `entitled` and for no one else. (Whether a copy
    /// really opens only its recipient can tell.)
    pub fn check(&self, entitled: &[AccountId]) -> Result<(), TravelRuleError> {
        if self.version != ENVELOPE_VERSION {
            return Err(TravelRuleError::Version(self.version));
        }
        Ok(sealed::check(&self.copies, entitled)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Keypair;

    fn id(seed: u64) -> AccountId {
        Keypair::from_seed(seed).account_id()
    }

    fn data() -> TravelRuleData {
        let party = |name: &str, seed| Party {
            name: name.into(),
            account: id(seed),
            details: "1-2-3 Chiyoda, Tokyo".into(),
        };
        TravelRuleData {
            originator: party("Sato Hanako", 1),
            beneficiary: party("Maria Santos", 2),
        }
    }

    #[test]
    fn each_recipient_opens_its_copy_and_no_one_else_does() {
        let parties: Vec<(AccountId, TravelSecret)> = (10..14)
            .map(|seed| (id(seed), TravelSecret::generate().0))
            .collect();
        let keys: Vec<(AccountId, TravelKey)> =
            parties.iter().map(|(id, s)| (*id, s.public())).collect();
        let envelope = Envelope::seal(&data(), id(1), id(2), Amount(150_000), &keys).unwrap();
        let entitled: Vec<AccountId> = keys.iter().map(|(id, _)| *id).collect();
        envelope.check(&entitled).unwrap();
        for (holder, secret) in &parties {
            assert_eq!(envelope.open(holder, secret).unwrap(), data());
        }
        let (stranger, _) = TravelSecret::generate();
        assert_eq!(
            envelope.open(&parties[0].0, &stranger),
            Err(TravelRuleError::CannotOpen)
        );
        // A copy moved under another payment's header does not open.
        let mut moved = envelope.clone();
        moved.amount = Amount(1);
        assert_eq!(
            moved.open(&parties[0].0, &parties[0].1),
            Err(TravelRuleError::CannotOpen)
        );
        assert_ne!(moved.digest(), envelope.digest());
        // JSON round trip keeps the digest.
        let back = Envelope::from_json(&envelope.to_bytes()).unwrap();
        assert_eq!(back.digest(), envelope.digest());
        let secret = &parties[1].1;
        assert_eq!(
            TravelSecret::from_hex(&secret.to_hex()).unwrap().public(),
            secret.public()
        );
    }

    #[test]
    fn malformed_and_incomplete_envelopes_are_refused() {
        let keys: Vec<(AccountId, TravelKey)> = (10..13)
            .map(|seed| (id(seed), TravelSecret::generate().1))
            .collect();
        let entitled: Vec<AccountId> = keys.iter().map(|(id, _)| *id).collect();
        let envelope = Envelope::seal(&data(), id(1), id(2), Amount(5), &keys[..2]).unwrap();
        assert_eq!(
            envelope.check(&entitled),
            Err(TravelRuleError::MissingRecipient(entitled[2]))
        );
        assert_eq!(
            envelope.check(&entitled[..1]),
            Err(TravelRuleError::UnexpectedRecipient(entitled[1]))
        );
        let mut garbled = envelope.clone();
        garbled.copies[0].ciphertext = "00ff".into();
        assert!(matches!(
            garbled.check(&entitled[..2]),
            Err(TravelRuleError::Malformed(_))
        ));
        let mut future = envelope.clone();
        future.version = 9;
        assert_eq!(
            future.check(&entitled[..2]),
            Err(TravelRuleError::Version(9))
        );
        assert!(matches!(
            Envelope::from_json(b"{\"version\": 1}"),
            Err(TravelRuleError::Malformed(_))
        ));
    }
}
