//! # eiraku (CLI library)
//!
//! The pieces of the `eiraku` command that tests and tools reuse: the API
//! client, creating a network's home folders, supervising a local devnet and
//! the load benchmark.

pub mod bench;
pub mod client;
pub mod devnet;
pub mod keyfile;
pub mod testnet;

pub use client::{Client, ClientError};
