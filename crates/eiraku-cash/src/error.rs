//! Why a cash operation was refused. Every refusal leaves wallets and the
//! center unchanged.

use crate::WalletNumber;

/// A refusal, with what a person needs to understand it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CashError {
    /// Bytes from another wallet or a depositor do not decode.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being read.
        what: &'static str,
        /// The decoder's complaint.
        reason: String,
    },
    /// A wallet certificate not signed by the device supply center.
    #[error("wallet {0}'s certificate is not signed by the device supply center")]
    BadCertificateSignature(WalletNumber),
    /// A wallet certificate used outside its validity window.
    #[error("wallet {wallet}'s certificate is valid from {valid_from_ms} until {valid_until_ms} (ms since the epoch); it is now {now_ms}")]
    CertificateNotValidNow {
        /// The wallet.
        wallet: WalletNumber,
        /// Start of validity.
        valid_from_ms: u64,
        /// End of validity (exclusive).
        valid_until_ms: u64,
        /// The time it was checked at.
        now_ms: u64,
    },
    /// A note whose seal is not the issuance center's: counterfeit or altered.
    #[error("note {serial} is not sealed by the issuance center (counterfeit or altered)")]
    BadSeal {
        /// The note's claimed serial.
        serial: u64,
    },
    /// A history entry the issuance center cannot open.
    #[error("history entry {hop} of note {serial} cannot be opened: it was not sealed to this center or was altered")]
    HistoryUnreadable {
        /// The note.
        serial: u64,
        /// Position in the history (1 = first transfer).
        hop: u16,
    },
    /// A history entry that is not a valid link of the note's chain.
    #[error("history entry {hop} of note {serial} is invalid: {reason}")]
    HistoryInvalid {
        /// The note.
        serial: u64,
        /// Position in the history (1 = first transfer).
        hop: u16,
        /// What is wrong.
        reason: String,
    },
    /// A wallet the center does not know (no certificate on file).
    #[error("wallet {0} is not known to the issuance center")]
    UnknownWallet(WalletNumber),
    /// The peer's session key is not the one its certificate names.
    #[error("wallet {0} did not prove the key its certificate names")]
    PeerKeyMismatch(WalletNumber),
    /// The peer wallet is on the blacklist this wallet holds.
    #[error("wallet {0} is blacklisted")]
    Blacklisted(WalletNumber),
    /// The session handshake failed (wrong message, wrong order, bad crypto).
    #[error("session handshake failed: {0}")]
    HandshakeFailed(String),
    /// A session message that does not open: replayed, reordered, altered or
    /// from another session.
    #[error("session message rejected: replayed, out of order, altered or from another session")]
    SessionMessageRejected,
}
