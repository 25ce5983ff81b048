//! The machine's wall clock in ms since the Unix epoch, for what runs
//! outside the ledger's state machine (a wallet's clock, a cash center's
//! issuance and settlement times); the ledger reads time from block
//! headers only.

/// Now, ms since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
