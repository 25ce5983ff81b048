//! # eiraku-node
//!
//! A validator process: Commonware simplex consensus (Ed25519 votes),
//! marshal for block dissemination and backfill (its finalized blocks and
//! certificates kept in the node's store), authenticated p2p, the mempool
//! with transaction gossip, the embedded store, and the HTTP JSON API with
//! its OpenAPI document and metrics, and the web console on the same port.
//!
//! Domain rules are not here; they live in `eiraku-state`. This crate only
//! decides *when* the state machine runs (building a proposal, checking a
//! peer's proposal, applying a finalized block) and keeps the results.

pub mod api;
pub mod application;
pub mod batching;
pub mod cash_api;
pub mod chain;
pub mod commitment;
pub mod consent_api;
pub mod console;
pub mod emergency_api;
pub mod engine;
pub mod epochs;
pub mod gossip;
pub mod governance_api;
pub mod health_api;
pub mod home;
pub mod mempool;
pub mod money_api;
pub mod proof_api;
pub mod proof_check_api;
pub mod records_api;
pub mod registry_api;
pub mod rights_api;
pub mod run;
pub mod state_db;
pub mod state_sync;
pub mod stop;
pub mod store;
pub mod sync_api;
pub mod travel_gateway;
pub mod validators_api;
pub mod watchdog;

pub use chain::{Chain, SubmitError, TxStatus};
pub use home::{NodeHome, NodeSettings};
pub use run::run;
