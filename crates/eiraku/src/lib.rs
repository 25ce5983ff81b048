//! # eiraku (CLI library)
//!
//! The pieces of the `eiraku` command that tests and tools reuse: the API
//! client, creating a network's home folders, supervising a local devnet,
//! the load benchmark and the offline-cash simulator.

pub mod bench;
pub mod bench_workload;
pub mod cash;
pub mod cash_bench;
pub mod cash_center;
pub mod clock;
pub mod commands;
pub mod demo_names;
pub mod devnet;
pub mod durable;
pub mod failover;
pub mod funding;
pub mod keyfile;
pub mod money_demo;
pub mod notary;
pub mod output;
pub mod proof_file;
pub mod state_roots;
pub mod submit;
pub mod testnet;
pub mod traffic;
pub mod travel_rule;
pub mod verify;
pub mod wallet;

pub use eiraku_api::{Client, ClientError};
