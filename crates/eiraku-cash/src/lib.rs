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
//! This crate has no dependency on the node; the ledger link comes with the
//! money module.

pub mod agreement;
pub mod center;
pub mod certificate;
pub mod claim;
pub mod error;
pub mod evault;
pub mod evidence;
pub mod exchange;
pub mod history;
pub mod issuance;
pub mod message;
pub mod negotiation;
pub mod note;
pub mod pkcs11;
pub mod secure_element;
pub mod session;
pub mod signer;
pub mod simulation;
pub mod statement;
pub mod transfer;

pub use agreement::{Agreement, ChangePromise, PayeeSignature, SignedAgreement};
pub use center::{
    CenterError, ClaimOutcome, DepositOutcome, IssuanceCenter, Refund, SignedBlacklist, CENTER,
};
pub use certificate::{DeviceCenter, SignedCertificate, WalletCertificate, WalletNumber};
pub use claim::SignedClaim;
pub use error::CashError;
pub use evault::EVault;
pub use evidence::{DoubleSpendEvidence, Evidence, EvidenceError, UnfoundedEntry};
pub use history::{EncryptedEntry, HistoryEntry, SignedEntry};
pub use issuance::{CenterPublicKeys, IssuanceCenterKeys};
pub use note::{Note, NoteInHand, SealedNote, Unit, DENOMINATIONS};
pub use secure_element::{SecureElement, SoftwareSecureElement, UncertifiedElement};
pub use session::{Initiator, PeerPolicy, Responder, Session};
pub use signer::{NoteSigner, SignerError, SoftwareSigner};
pub use statement::{SignedStatement, TransferStatement};
pub use transfer::{InDoubt, InDoubtKind, RiskLimits, TransferMessage, Wallet};
