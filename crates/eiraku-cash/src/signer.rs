//! Who signs for the issuance center: notes and blacklists are sealed with
//! its Ed25519 key through this trait, so the key can live in software (the
//! default, for development and simulation) or in a hardware security
//! module behind PKCS#11 ([`crate::pkcs11::Pkcs11Signer`]), as the seed's
//! "master key kept in a physically secure place" asks.

use commonware_cryptography::ed25519;
use eiraku_core::{Keypair, PublicKey};

/// A signing device failed: the center stops the operation rather than
/// issue anything unsigned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("issuance-center signer: {0}")]
pub struct SignerError(pub String);

/// Signs for the issuance center.
pub trait NoteSigner: Send + Sync {
    /// The key signatures verify under.
    fn public_key(&self) -> PublicKey;

    /// Signs `message` in `namespace`, exactly as
    /// [`commonware_cryptography::Signer::sign`] does, so that
    /// [`commonware_cryptography::Verifier::verify`] checks it.
    fn sign(&self, namespace: &[u8], message: &[u8]) -> Result<ed25519::Signature, SignerError>;
}

/// The key in process memory.
pub struct SoftwareSigner(pub Keypair);

impl NoteSigner for SoftwareSigner {
    fn public_key(&self) -> PublicKey {
        self.0.public_key()
    }

    fn sign(&self, namespace: &[u8], message: &[u8]) -> Result<ed25519::Signature, SignerError> {
        Ok(self.0.sign(namespace, message))
    }
}
