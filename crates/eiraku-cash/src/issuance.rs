//! The issuance center's keys: the note-sealing key (Ed25519; in production
//! in an HSM) and the history key (X25519) each wallet agrees its history
//! key with.

use crate::{
    history::HistoryKey,
    note::{Note, SealedNote, NOTE_NAMESPACE},
    signer::{NoteSigner, SignerError, SoftwareSigner},
    CashError, WalletNumber,
};
use commonware_codec::Encode;
use eiraku_core::{hash, Keypair, PublicKey};
use x25519_dalek::StaticSecret;

/// What wallets and e-vaults know of the issuance center.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CenterPublicKeys {
    /// Checks note seals.
    pub signing: PublicKey,
    /// History entries are sealed to it.
    pub history: [u8; 32],
}

/// The issuance center's secret keys.
pub struct IssuanceCenterKeys {
    signer: Box<dyn NoteSigner>,
    signing_public: PublicKey,
    history_secret: StaticSecret,
    history_public: [u8; 32],
}

impl IssuanceCenterKeys {
    /// Fresh keys from the operating system's randomness.
    pub fn generate() -> Self {
        Self::with_signer(
            Box::new(SoftwareSigner(Keypair::generate())),
            StaticSecret::random().to_bytes(),
        )
    }

    /// Keys derived from a seed: for tests and simulations only.
    pub fn from_seed(seed: u64) -> Self {
        let digest = hash(&[b"eiraku-cash/center-seed", &seed.to_le_bytes()]);
        let mut secret = [0u8; 32];
        secret.copy_from_slice(digest.as_ref());
        Self::with_signer(Box::new(SoftwareSigner(Keypair::from_seed(seed))), secret)
    }

    /// Keys with the signing key behind `signer` (software or an HSM) and
    /// the history secret `history_secret` (an X25519 secret).
    pub fn with_signer(signer: Box<dyn NoteSigner>, history_secret: [u8; 32]) -> Self {
        let history_secret = StaticSecret::from(history_secret);
        let history_public = x25519_dalek::PublicKey::from(&history_secret).to_bytes();
        Self {
            signing_public: signer.public_key(),
            signer,
            history_secret,
            history_public,
        }
    }

    /// The public half.
    pub fn public(&self) -> CenterPublicKeys {
        CenterPublicKeys {
            signing: self.signing_public.clone(),
            history: self.history_public,
        }
    }

    /// Signs a blacklist message (see [`crate::center::SignedBlacklist`]).
    pub(crate) fn sign_blacklist(
        &self,
        message: &[u8],
    ) -> Result<commonware_cryptography::ed25519::Signature, SignerError> {
        self.signer
            .sign(crate::center::BLACKLIST_NAMESPACE, message)
    }

    /// Seals a note.
    pub fn seal(&self, note: Note) -> Result<SealedNote, SignerError> {
        let seal = self.signer.sign(NOTE_NAMESPACE, &note.encode())?;
        Ok(SealedNote { note, seal })
    }

    /// A freshly sealed note in hand (ACU, issuer 1, no end of life): for
    /// tests.
    #[cfg(test)]
    pub(crate) fn test_note(&self, serial: u64, denomination: u64) -> crate::NoteInHand {
        crate::NoteInHand {
            note: self
                .seal(Note {
                    serial,
                    unit: crate::Unit::ACU,
                    denomination,
                    issuer: 1,
                    reserved: vec![],
                    valid_until_ms: u64::MAX,
                })
                .expect("a software key signs"),
            history: vec![],
            received: None,
        }
    }

    /// The key wallet `wallet` (agreement key `wallet_agreement`, from its
    /// certificate) seals its history entries with.
    pub fn history_key(
        &self,
        wallet: WalletNumber,
        wallet_agreement: &[u8; 32],
    ) -> Result<HistoryKey, CashError> {
        HistoryKey::agree(
            &self.history_secret,
            wallet_agreement,
            wallet,
            wallet_agreement,
            &self.history_public,
        )
    }
}
