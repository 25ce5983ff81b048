//! # eiraku-api
//!
//! The request, response and view types of the node's HTTP JSON API, and
//! (feature `client`) a blocking client of it. The node builds these types
//! and serves them; the CLI, the benchmark and the tests decode into them,
//! so no one reads the API's JSON by field name and a change of the wire
//! format shows in one place (the tests here pin it).
//!
//! Status: every endpoint of the node has its types here. Amounts are
//! decimal strings on the wire ([`eiraku_core::Amount`]), accounts and
//! digests hex.
//!
//! Features: `client` (the [`Client`], over `ureq`; off by default so the
//! node does not compile an HTTP client), `openapi` (utoipa schemas for the
//! node's `/openapi.json`).
//!
//! ```
//! use eiraku_api::{TxStatus, TxView};
//! let view: TxView =
//!     serde_json::from_str(r#"{"hash": "ab", "status": "pending", "receipt": null}"#).unwrap();
//! assert_eq!(view.status, TxStatus::Pending);
//! ```

pub mod cash;
pub mod chain;
#[cfg(feature = "client")]
pub mod client;
pub mod emergency;
pub mod error;
pub mod governance;
pub mod health;
pub mod money;
pub mod proof;
pub mod registry;
pub mod sync;
#[cfg(test)]
mod test_support;
pub mod validators;

pub use cash::{CashCenterView, CashWalletView};
pub use chain::{
    AccountView, BatchItem, BatchRequest, BatchResponse, BlockTx, BlockView, FinalizedTxsView,
    GrantRule, KeyReplacementView, Outcome, RawBatchResponse, ReceiptView, Refusal,
    RevokedRoleView, StatusView, SubmitResponse, TxStatus, TxView, ValidatorView,
};
#[cfg(feature = "client")]
pub use client::{Client, ClientError};
pub use emergency::{ConsultationView, DeclarationView, EmergencyView, MinutesView};
pub use error::{ErrorBody, ErrorDetail};
pub use governance::{
    AdviceView, GovernanceView, ProposalStatus, ProposalView, RemarkView, VoteView,
};
pub use health::{HealthView, ReadyView};
pub use money::{
    Acceptance, ClaimView, ContributionView, DepositView, EconomyBooks, EconomySupply, FreezeView,
    MoneyStateView, PurseView, SeigniorPeriodView, SettlementView, SupplyView, TravelRecipient,
};
pub use proof::{AuditBlock, AuditBlocksQuery, AuditBlocksView, ProofCheckView};
pub use registry::{
    AccessView, AnchorView, AttestationView, ConsentView, LicenceView, NotaryBatch, RecordView,
    RegistryView, WorkView,
};
pub use sync::{SyncKeysQuery, SyncKeysView, SyncTargetView, MAX_SYNC_KEYS};
pub use validators::{SetMemberView, ValidatorsView};
