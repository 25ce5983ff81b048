//! `eiraku wallet`: a device emulator. The wallet and its software secure
//! element live in a home folder; payments go between two wallet processes
//! over a local socket; loads, deposits and the blacklist go through the
//! economy's cash center and the ledger.

pub mod center;
pub mod exchange;
pub mod link;
pub mod store;
