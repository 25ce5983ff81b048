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
    /// An X25519 key of small order: agreeing with it would give a guessable
    /// key.
    #[error("the agreement key of wallet {0} (or of the center it seals to) is of small order")]
    WeakAgreementKey(WalletNumber),
    /// The secure element was asked to hand on a note it does not hold
    /// (or the same note twice in one call).
    #[error("the secure element does not hold note {serial}")]
    NoteNotHeld {
        /// The note.
        serial: u64,
    },
    /// A note arrived without a statement of its hop signed by the wallet
    /// that handed it over, or with one that does not state that hop.
    #[error("note {serial} does not come with its payer's signed statement of the hop")]
    BadStatement {
        /// The note.
        serial: u64,
    },
    /// The payee's promise of change or receipt is not signed by the payee
    /// for the payment agreed.
    #[error("the payee's {what} is not signed for this payment")]
    BadPayeeSignature {
        /// Which signature.
        what: &'static str,
    },
    /// A claim not signed by the wallet it names.
    #[error("the claim is not signed by wallet {0}")]
    BadClaimSignature(WalletNumber),
    /// A hop already claimed differently: claims never overwrite one
    /// another.
    #[error("hop {hop} of note {serial} is already claimed otherwise")]
    ClaimTaken {
        /// The note.
        serial: u64,
        /// The hop.
        hop: usize,
    },
    /// Wallet number 0 stands for the issuance center in histories: no
    /// device may carry it.
    #[error("wallet number 0 is reserved for the issuance center")]
    ReservedWalletNumber,
    /// A second, different certificate for a wallet number already
    /// registered: it would change the key evidence is checked against.
    #[error("wallet {0} is already registered with another certificate")]
    WalletNumberTaken(WalletNumber),
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
    /// The wallet does not hold enough value (in notes it may still pass on).
    #[error("not enough value: {available} available, {wanted} wanted")]
    InsufficientFunds {
        /// Spendable value held.
        available: u64,
        /// Value asked for.
        wanted: u64,
    },
    /// A transfer above the per-transfer limit.
    #[error("transfer of {amount} exceeds the per-transfer limit of {limit}")]
    OverTransferLimit {
        /// The amount.
        amount: u64,
        /// The limit.
        limit: u64,
    },
    /// Accepting would take the wallet above its balance limit.
    #[error("accepting would bring the balance to {would_be}, above the limit of {limit}")]
    OverBalanceLimit {
        /// Balance after the transfer.
        would_be: u64,
        /// The limit.
        limit: u64,
    },
    /// A note has made the most offline hops allowed: it must be deposited
    /// or refreshed first.
    #[error("note {serial} has made {hops} offline hops, the most allowed; deposit or refresh it")]
    TooManyHops {
        /// The note.
        serial: u64,
        /// Hops in its history.
        hops: u16,
    },
    /// A note past its life: it must be deposited or refreshed.
    #[error("note {serial} ended its life at {valid_until_ms} (ms since the epoch); deposit or refresh it")]
    NoteExpired {
        /// The note.
        serial: u64,
        /// Its end of life.
        valid_until_ms: u64,
    },
    /// A note this wallet has already received at this position: a copy.
    #[error("note {serial} at hop {hop} was already received: a copy")]
    DuplicateNote {
        /// The note.
        serial: u64,
        /// Its position.
        hop: u16,
    },
    /// The payee cannot return the change from the notes it holds.
    #[error("the payee cannot return {change} in change from the notes it holds")]
    CannotMakeChange {
        /// The change due.
        change: u64,
    },
    /// After the payee's counter, no notes of the payer make the amount
    /// plus a change the payee can give back.
    #[error("no notes of this wallet make {amount} plus a change the payee can give back")]
    NoExactExchange {
        /// The amount to pay.
        amount: u64,
    },
    /// A transfer message that does not match what was agreed, or comes out
    /// of turn.
    #[error("transfer protocol violation: {0}")]
    Protocol(String),
    /// A blacklist not signed by the issuance center.
    #[error("the blacklist is not signed by the issuance center")]
    BadBlacklistSignature,
    /// A blacklist older than (or as old as) the one the wallet holds.
    #[error("blacklist version {offered} is not newer than the held version {held}")]
    StaleBlacklist {
        /// Version offered.
        offered: u64,
        /// Version held.
        held: u64,
    },
}
