//! The cash center's HTTP API, as wallets and the center both read it:
//! JSON bodies, protocol objects (certificates, notes, blacklists) as the
//! hex of their canonical encoding.

use serde::{Deserialize, Serialize};

/// `GET /v1/center`: who the center is and the keys wallets need.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CenterInfo {
    /// The chain it serves.
    pub chain_id: String,
    /// Its economy.
    pub economy: String,
    /// Key notes are sealed with (hex).
    pub note_key: String,
    /// X25519 key histories are sealed to (hex).
    pub history_key: String,
    /// The device center's key wallets are certified with (hex).
    pub device_key: String,
    /// Whether this process also certifies wallets (`POST /v1/certify`).
    pub certifies: bool,
}

/// `POST /v1/certify`: a new wallet's keys, to be certified.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CertifyRequest {
    /// The wallet's certificate content with number 0 (hex): the device
    /// center gives the number.
    pub request: String,
}

/// The answer to `POST /v1/certify`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CertifyAnswer {
    /// The signed certificate (hex).
    pub certificate: String,
}

/// `POST /v1/issue`: notes for a load the ledger finalized.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IssueRequest {
    /// The load transaction's hash (hex).
    pub load: String,
}

/// Notes, each the hex of a note in hand.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NotesAnswer {
    /// The notes.
    pub notes: Vec<String>,
}

/// `POST /v1/deposit`: notes a wallet handed to the center.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepositRequest {
    /// The notes (hex), each with its entry to the center.
    pub notes: Vec<String>,
}

/// What became of one deposited note.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NoteOutcome {
    /// Its serial.
    pub serial: u64,
    /// `credited`, `double_spend`, `replayed`, `unprovable`, `forged` or
    /// `refused`.
    pub outcome: String,
    /// Value credited (0 unless credited).
    pub credited: u64,
    /// For a refusal, why.
    pub reason: Option<String>,
}

/// The answer to `POST /v1/deposit`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepositAnswer {
    /// One outcome per note, in order.
    pub outcomes: Vec<NoteOutcome>,
    /// The account credited.
    pub account: String,
    /// The ledger transaction that credited it (none when nothing was
    /// credited), final when this answer is sent.
    pub credit_tx: Option<String>,
    /// Wallets blacklisted on the ledger because of this deposit.
    pub blacklisted: Vec<u64>,
}

/// `GET /v1/blacklist`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BlacklistAnswer {
    /// The center's signed blacklist (hex).
    pub blacklist: String,
}

/// `POST /v1/claims`: a wallet's signed claim on its in-doubt value.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClaimRequest {
    /// The signed claim (hex).
    pub claim: String,
}

/// What became of one note of a claim.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClaimNote {
    /// Its serial.
    pub serial: u64,
    /// `arrived` (nothing owed) or `pending` (decided after the note's
    /// life, and refunded on the ledger if it never arrived).
    pub outcome: String,
    /// When a pending claim is decided, ms since the Unix epoch.
    pub decided_after_ms: Option<u64>,
}

/// The answer to `POST /v1/claims`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClaimAnswer {
    /// One per claimed note.
    pub notes: Vec<ClaimNote>,
}
