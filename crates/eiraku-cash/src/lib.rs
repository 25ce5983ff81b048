//! Offline stored value: the wallet protocol of seed 004 (appendix, sections
//! 1–5), modernised as DESIGN.md §4 describes.
//!
//! Parties: the **issuance center** seals notes and checks deposits; the
//! **device supply center** certifies wallets; **wallets** (tamper-resistant
//! devices behind the [`SecureElement`] trait) pay each other without a
//! network. Every hop a note makes appends a [`history`] entry signed by the
//! payer wallet and sealed to the issuance center, so only the center sees
//! the path, and a wallet that spends a note twice signs two different
//! successors of one hop: the proof of who double-spent.
//!
//! This crate has no dependency on the node. Without its `devices` feature
//! (on by default) it is the protocol's data and checks alone —
//! certificates, notes, histories, statements and evidence — which is what
//! the ledger verifies.

pub mod agreement;
pub mod certificate;
pub mod error;
pub mod evidence;
pub mod history;
pub mod note;
pub mod statement;

#[cfg(feature = "devices")]
pub mod center;
#[cfg(feature = "devices")]
pub mod claim;
#[cfg(feature = "devices")]
pub mod evault;
#[cfg(feature = "devices")]
pub mod exchange;
#[cfg(feature = "devices")]
pub mod issuance;
#[cfg(feature = "devices")]
pub mod message;
#[cfg(feature = "devices")]
pub mod negotiation;
#[cfg(feature = "devices")]
pub mod pkcs11;
#[cfg(feature = "devices")]
pub mod secure_element;
#[cfg(feature = "devices")]
pub mod session;
#[cfg(feature = "devices")]
pub mod signer;
#[cfg(feature = "devices")]
pub mod simulation;
#[cfg(feature = "devices")]
pub mod transfer;

pub use agreement::{Agreement, ChangePromise, PayeeSignature, SignedAgreement};
pub use certificate::{DeviceCenter, SignedCertificate, WalletCertificate, WalletNumber, CENTER};
pub use error::CashError;
pub use evidence::{DoubleSpendEvidence, Evidence, EvidenceError, UnfoundedEntry};
pub use history::{EncryptedEntry, HistoryEntry, IssuedNote, SignedEntry};
pub use note::{Note, NoteInHand, SealedNote, Unit, DENOMINATIONS, MAX_NOTES_PER_MESSAGE};
pub use statement::{SignedStatement, TransferStatement};

#[cfg(feature = "devices")]
pub use center::{
    CenterError, ClaimOutcome, DepositOutcome, IssuanceCenter, Refund, SignedBlacklist,
};
#[cfg(feature = "devices")]
pub use claim::SignedClaim;
#[cfg(feature = "devices")]
pub use evault::EVault;
#[cfg(feature = "devices")]
pub use issuance::{CenterPublicKeys, IssuanceCenterKeys};
#[cfg(feature = "devices")]
pub use secure_element::{SecureElement, SoftwareSecureElement, UncertifiedElement};
#[cfg(feature = "devices")]
pub use session::{Initiator, PeerPolicy, Responder, Session};
#[cfg(feature = "devices")]
pub use signer::{NoteSigner, SignerError, SoftwareSigner};
#[cfg(feature = "devices")]
pub use transfer::{InDoubt, InDoubtKind, RiskLimits, TransferMessage, Wallet};
