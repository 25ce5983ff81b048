//! The ledger's own endpoints: submitting transactions (`POST /v1/tx`,
//! `/v1/txs`, `/v1/txs/raw`), their status (`GET /v1/tx/{hash}`), blocks
//! (`GET /v1/block/{height}` and the event streams), accounts and the
//! node's status.

use crate::error::ErrorDetail;
use eiraku_core::{AccountId, Amount, Call, ChainId, Role};
use serde::{Deserialize, Serialize};

/// Where a transaction stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TxStatus {
    /// In the mempool, not yet final.
    Pending,
    /// In a finalized block; it has a receipt.
    Finalized,
}

/// Answer to an accepted transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmitResponse {
    /// Transaction hash (hex).
    pub hash: String,
    /// Always `pending`: accepted into the mempool, not yet final.
    pub status: TxStatus,
}

/// Several transactions at once (hex of each one's signed bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchRequest {
    /// Signed transactions, hex.
    pub txs: Vec<String>,
}

/// Per-transaction outcome of a batch submission, in request order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchResponse {
    /// Accepted count.
    pub accepted: usize,
    /// One entry per submitted transaction.
    pub results: Vec<BatchItem>,
}

/// One transaction of a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchItem {
    /// Hash, when the bytes decoded.
    pub hash: Option<String>,
    /// The refusal, if refused.
    pub error: Option<ErrorDetail>,
}

/// Answer to a binary batch: how many were accepted and, for the refused
/// ones only, their position and why. (The client knows the hashes: it
/// signed the transactions.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RawBatchResponse {
    /// Accepted count.
    pub accepted: usize,
    /// Refused transactions, in request order.
    pub refused: Vec<Refusal>,
}

/// One refused transaction of a binary batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refusal {
    /// Position in the batch.
    pub index: usize,
    /// Why.
    pub error: ErrorDetail,
}

/// Whether a finalized transaction took effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Its effects are in the state.
    Success,
    /// Refused by the state machine: only the sender's nonce moved.
    Failed,
}

/// The outcome of a finalized transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptView {
    /// Height of the including block.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
    /// `success` or `failed`.
    pub outcome: Outcome,
    /// Why it failed.
    pub error: Option<ErrorDetail>,
}

/// Status of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TxView {
    /// Hash (hex).
    pub hash: String,
    /// `pending` or `finalized`.
    pub status: TxStatus,
    /// The receipt, once finalized.
    pub receipt: Option<ReceiptView>,
}

/// A transaction inside a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockTx {
    /// Hash (hex).
    pub hash: String,
    /// Sender account (hex).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sender: AccountId,
    /// Sender nonce.
    pub nonce: u64,
    /// The call: `{"transfer": {…}}`, `{"money": {"call", …}}` or
    /// `{"registry": {"call", …}}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub call: Call,
}

/// A finalized block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockView {
    /// Height.
    pub height: u64,
    /// Block digest (hex).
    pub hash: String,
    /// Parent digest (hex).
    pub parent: String,
    /// Proposer's timestamp (ms since the Unix epoch).
    pub timestamp_ms: u64,
    /// Consensus view it was proposed in.
    pub view: u64,
    /// Proposer (hex public key).
    pub leader: String,
    /// Transaction Merkle root (hex).
    pub tx_root: String,
    /// State root after the block (hex).
    pub state_root: String,
    /// Transactions.
    pub transactions: Vec<BlockTx>,
    /// Encoded finalization certificate (hex), when this node holds it.
    pub certificate: Option<String>,
}

/// Which transactions a finalized block settled: what a client awaiting
/// confirmations needs, without the cost of full block views.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinalizedTxsView {
    /// Height.
    pub height: u64,
    /// Block digest (hex).
    pub hash: String,
    /// Proposer's timestamp (ms since the Unix epoch).
    pub timestamp_ms: u64,
    /// Hashes of the block's transactions (hex), in block order.
    pub transactions: Vec<String>,
}

/// The rule a role was granted under (the authority module's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GrantRule {
    /// Written in the genesis file.
    Genesis,
    /// A central bank opened one of its economy's banks.
    CentralBankOpensBank,
    /// A bank opened a merchant or person account of its economy.
    BankOpensRetail,
    /// Governance named it its predecessor's successor (`granted_by`).
    Succession,
    /// Governance admitted its economy with it as central bank or
    /// regulator.
    Accession,
    /// Governance granted it a registry role by a class-B proposal.
    Governance,
    /// Its bank moved it to another KYC tier (`granted_by`).
    BankChangesTier,
    /// A central bank opened it as a public agency or aid organisation.
    CentralBankOpensAgency,
}

/// An account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountView {
    /// Account id (hex public key).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: AccountId,
    /// Balance in minor units (decimal string).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub balance: Amount,
    /// The balance as people read it, in the coin: `10001.00 ACU`.
    pub balance_text: String,
    /// Next nonce.
    pub nonce: u64,
    /// Height of the state this was read from.
    pub height: u64,
    /// Its role (bank, merchant, person, central bank, …), when it holds
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub role: Option<Role>,
    /// Who granted that role (hex; absent for roles written at genesis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub granted_by: Option<AccountId>,
    /// Block time of the grant (ms since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_ms: Option<u64>,
    /// The rule it was granted under: `genesis`,
    /// `central_bank_opens_bank`, `central_bank_opens_agency`, `bank_opens_retail`,
    /// `bank_changes_tier`, `succession`,
    /// `accession` or `governance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_rule: Option<GrantRule>,
    /// The role it held until governance passed it to a successor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<RevokedRoleView>,
    /// Why it is frozen, when a regulator froze it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen: Option<String>,
    /// Why it is suspended, when it is a bank its central bank suspended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended: Option<String>,
    /// The key that signs for it, when its own was rotated or replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub signing_key: Option<AccountId>,
    /// A replacement of its key waiting for its time lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_replacement: Option<KeyReplacementView>,
}

/// A role governance revoked and passed to a successor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokedRoleView {
    /// The role it held.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub role: Role,
    /// Block time of the revocation (ms since the Unix epoch).
    pub revoked_ms: u64,
    /// The account that holds the role now, when it passed to a successor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub successor: Option<AccountId>,
}

/// A replacement of a lost key, waiting for its time lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyReplacementView {
    /// The key that will sign for the account.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub new_key: AccountId,
    /// The authority that asked (and alone may complete it).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub requested_by: AccountId,
    /// Block time of the request (ms since the Unix epoch).
    pub requested_ms: u64,
    /// From this block time on it may be completed and no longer cancelled.
    pub effective_ms: u64,
}

/// A validator as listed in the genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidatorView {
    /// Name.
    pub name: String,
    /// Public key (hex).
    pub public_key: String,
    /// API address.
    pub api_address: String,
}

/// Node status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusView {
    /// Network name.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub chain_id: ChainId,
    /// This node.
    pub node: String,
    /// Highest finalized height announced by consensus.
    pub height: u64,
    /// Highest height applied and durable on this node.
    pub finalized_height: u64,
    /// Digest of the latest applied block (hex).
    pub finalized_hash: String,
    /// State root at `finalized_height` (hex).
    pub state_root: String,
    /// Sum of all balances at `finalized_height` (minor units, decimal string).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total_supply: Amount,
    /// The coin's symbol (`ACU`); amounts are minor units of it.
    pub coin_symbol: String,
    /// Decimals of one coin (2: an amount of `150` is `1.50`).
    pub coin_decimals: u32,
    /// Transactions waiting in the mempool.
    pub mempool: usize,
    /// The validator set.
    pub validators: Vec<ValidatorView>,
}

#[cfg(test)]
mod tests;
