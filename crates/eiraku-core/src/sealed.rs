//! Data sealed with HPKE (RFC 9180: DHKEM X25519, HKDF-SHA256,
//! ChaCha20-Poly1305) to each of a set of accounts' X25519 keys: one copy
//! per recipient, each bound by associated data to what it is about.
//! Travel-rule envelopes and registry payloads are sealed this way.

use crate::{travel_rule::TravelKey, travel_rule::TravelSecret, AccountId};
use hpke::{
    aead::ChaCha20Poly1305, kdf::HkdfSha256, kem::X25519HkdfSha256, Deserializable, OpModeR,
    OpModeS, Serializable,
};
use serde::{Deserialize, Serialize};

pub(crate) type Kem = X25519HkdfSha256;

/// Why sealed copies were refused or could not be opened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Bad hex, a bad key, wrong sizes.
    #[error("{0}")]
    Malformed(String),
    /// A recipient has no copy.
    #[error("no copy for {0}")]
    MissingRecipient(AccountId),
    /// A copy for someone not a recipient, or a second copy.
    #[error("a copy for {0}, who is not a recipient")]
    UnexpectedRecipient(AccountId),
    /// The holder has no copy, or it does not open with the holder's key.
    #[error("this key does not open it")]
    CannotOpen,
}

/// One recipient's sealed copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedCopy {
    /// Who can open it.
    pub recipient: AccountId,
    /// HPKE encapsulated key (hex).
    pub encapsulated_key: String,
    /// Ciphertext with tag (hex).
    pub ciphertext: String,
}

/// Seals `plaintext` to each of `recipients` under `info`, bound to `aad`.
pub fn seal(
    plaintext: &[u8],
    info: &[u8],
    aad: &[u8],
    recipients: &[(AccountId, TravelKey)],
) -> Result<Vec<SealedCopy>, SealError> {
    recipients
        .iter()
        .map(|(recipient, key)| {
            let public = <Kem as hpke::Kem>::PublicKey::from_bytes(&key.0)
                .map_err(|e| SealError::Malformed(format!("key of {recipient}: {e}")))?;
            let (encapsulated, ciphertext) = hpke::single_shot_seal::<
                ChaCha20Poly1305,
                HkdfSha256,
                Kem,
            >(
                &OpModeS::Base, &public, info, plaintext, aad
            )
            .map_err(|e| SealError::Malformed(e.to_string()))?;
            Ok(SealedCopy {
                recipient: *recipient,
                encapsulated_key: hex::encode(encapsulated.to_bytes()),
                ciphertext: hex::encode(ciphertext),
            })
        })
        .collect()
}

/// Opens `holder`'s copy among `copies` with its secret.
pub fn open(
    copies: &[SealedCopy],
    holder: &AccountId,
    secret: &TravelSecret,
    info: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, SealError> {
    let copy = (copies.iter().find(|c| c.recipient == *holder)).ok_or(SealError::CannotOpen)?;
    let encapsulated = hex::decode(&copy.encapsulated_key)
        .ok()
        .and_then(|b| <Kem as hpke::Kem>::EncappedKey::from_bytes(&b).ok())
        .ok_or(SealError::CannotOpen)?;
    let ciphertext = hex::decode(&copy.ciphertext).map_err(|_| SealError::CannotOpen)?;
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Kem>(
        &OpModeR::Base,
        secret.private(),
        &encapsulated,
        info,
        &ciphertext,
        aad,
    )
    .map_err(|_| SealError::CannotOpen)
}

/// Checks the copies' form: exactly one well-formed copy for each of
/// `recipients` and for no one else. (Whether a copy really opens only
/// its recipient can tell.)
pub fn check(copies: &[SealedCopy], recipients: &[AccountId]) -> Result<(), SealError> {
    let mut seen: Vec<AccountId> = Vec::with_capacity(copies.len());
    for copy in copies {
        if !recipients.contains(&copy.recipient) || seen.contains(&copy.recipient) {
            return Err(SealError::UnexpectedRecipient(copy.recipient));
        }
        seen.push(copy.recipient);
        let key_ok = hex::decode(&copy.encapsulated_key)
            .ok()
            .is_some_and(|b| <Kem as hpke::Kem>::EncappedKey::from_bytes(&b).is_ok());
        // ChaCha20-Poly1305 appends a 16-byte tag to a non-empty plaintext.
        let ciphertext_ok = hex::decode(&copy.ciphertext).is_ok_and(|c| c.len() > 16);
        if !key_ok || !ciphertext_ok {
            return Err(SealError::Malformed(format!(
                "the copy for {} is not an HPKE ciphertext",
                copy.recipient
            )));
        }
    }
    match recipients.iter().find(|id| !seen.contains(id)) {
        Some(missing) => Err(SealError::MissingRecipient(*missing)),
        None => Ok(()),
    }
}
