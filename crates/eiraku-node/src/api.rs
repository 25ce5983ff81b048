//! The HTTP JSON API (axum), its OpenAPI document (utoipa, served at
//! `/openapi.json`), the server-sent stream of finalized blocks and the
//! Prometheus metrics.
//!
//! Every refusal is JSON `{"error": {"code": "...", "message": "..."}}` with
//! an HTTP status that says whose fault it is: 4xx for the request, 503 when
//! the node is busy and the client should retry.

pub mod connections;
pub mod limits;
pub(crate) mod metrics;
mod refusals;
pub mod request_metrics;
#[cfg(any(test, feature = "test-support"))]
pub mod test_certificates;
pub mod tls;

use crate::{
    chain::{Chain, FinalizedEvent, SubmitError, TxStatus},
    mempool::MempoolError,
};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    routing::{get, post},
    Json, Router,
};
use commonware_parallel::Rayon;
pub use eiraku_api::{
    AccountView, BatchItem, BatchRequest, BatchResponse, BlockTx, BlockView, ErrorBody,
    ErrorDetail, FinalizedTxsView, GrantRule, KeyReplacementView, Outcome as ApiOutcome,
    RawBatchResponse, ReceiptView, Refusal, RevokedRoleView, StatusView, SubmitResponse, TxView,
    ValidatorView,
};
use eiraku_core::{digest, AccountId, Block, DecodeError, SignedTransaction};
use eiraku_state::{AdmissionError, Outcome, Receipt};
use futures::{channel::mpsc, Stream, StreamExt};
use serde::Serialize;
use std::{
    convert::Infallible,
    sync::{atomic::AtomicU64, Arc},
};
use utoipa::OpenApi;

/// What the API handlers share.
#[derive(Clone)]
pub struct ApiContext {
    /// The chain.
    pub chain: Arc<Chain>,
    /// This node's name.
    pub node_name: String,
    /// Highest finalized height announced by consensus.
    pub tip: Arc<AtomicU64>,
    /// Signature verification threads.
    pub strategy: Rayon,
    /// Accepted transactions, to gossip to peers.
    pub accepted: mpsc::UnboundedSender<SignedTransaction>,
    /// Renders the runtime's Prometheus metrics.
    pub metrics: Arc<dyn Fn() -> String + Send + Sync>,
    /// The web console's templates and names.
    pub console: Arc<crate::console::Console>,
    /// The node's data folder (its disk's free space is a metric).
    pub data_dir: std::path::PathBuf,
}

/// An API error with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub(crate) fn internal(error: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            error.to_string(),
        )
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// What went wrong, for a person.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail::new(self.code, self.message.clone()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

impl From<SubmitError> for ApiError {
    fn from(error: SubmitError) -> Self {
        use StatusCode as S;
        let message = error.to_string();
        let (status, code) = match &error {
            SubmitError::Decode(DecodeError::TooLarge { .. }) => {
                (S::PAYLOAD_TOO_LARGE, "oversized")
            }
            SubmitError::Decode(DecodeError::Malformed(_)) => (S::BAD_REQUEST, "malformed"),
            SubmitError::BadSignature => (S::BAD_REQUEST, "bad_signature"),
            SubmitError::Mempool(MempoolError::Full(_)) => (S::SERVICE_UNAVAILABLE, "busy"),
            SubmitError::Mempool(MempoolError::Duplicate) => (S::CONFLICT, "duplicate"),
            SubmitError::TravelRule(refusal) => (S::BAD_REQUEST, refusal.code()),
            SubmitError::Mempool(MempoolError::Rejected(execution)) => {
                (S::BAD_REQUEST, execution_code(execution))
            }
            SubmitError::Mempool(MempoolError::Admission(admission)) => match admission {
                AdmissionError::WrongChainId { .. } => (S::BAD_REQUEST, "wrong_chain_id"),
                AdmissionError::UnknownAccount(_) => (S::BAD_REQUEST, "unknown_account"),
                AdmissionError::NonceUsed { .. } => (S::CONFLICT, "nonce_used"),
                AdmissionError::NonceGap { .. } => (S::BAD_REQUEST, "nonce_gap"),
                AdmissionError::WrongKey { .. } => (S::FORBIDDEN, "wrong_key"),
            },
        };
        Self::new(status, code, message)
    }
}

fn execution_code(error: &eiraku_state::ExecutionError) -> &'static str {
    use eiraku_state::ExecutionError as E;
    match error {
        E::InsufficientFunds { .. } => "insufficient_funds",
        E::ZeroAmount => "zero_amount",
        E::SelfTransfer => "self_transfer",
        E::BalanceOverflow => "balance_overflow",
        E::NoModuleForCall => "no_module_for_call",
        E::Money(error) => error.code(),
        E::Registry(error) => error.code(),
        E::Governance(error) => error.code(),
        E::Keys(error) => error.code(),
    }
}

/// The outcome of a finalized transaction, as the API shows it.
pub fn receipt_view(receipt: &Receipt) -> ReceiptView {
    let (outcome, error) = match &receipt.outcome {
        Outcome::Success => (ApiOutcome::Success, None),
        Outcome::Failed(error) => (
            ApiOutcome::Failed,
            Some(ErrorDetail::new(execution_code(error), error.to_string())),
        ),
    };
    ReceiptView {
        height: receipt.height,
        index: receipt.index,
        outcome,
        error,
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Eiraku node API",
        description = "Submit signed transactions, read blocks, accounts and receipts."
    ),
    paths(
        submit_tx,
        submit_batch,
        submit_raw_batch,
        get_tx,
        get_block,
        get_account,
        get_status,
        block_events,
        finalized_tx_events
    ),
    components(schemas(
        ErrorBody,
        ErrorDetail,
        SubmitResponse,
        BatchRequest,
        BatchResponse,
        BatchItem,
        RawBatchResponse,
        Refusal,
        TxView,
        ReceiptView,
        BlockView,
        BlockTx,
        FinalizedTxsView,
        AccountView,
        KeyReplacementView,
        RevokedRoleView,
        StatusView,
        ValidatorView
    ))
)]
struct ApiDoc;

/// The document, built once: a client asking for it again and again must
/// not make the node build it each time.
static OPENAPI: std::sync::LazyLock<String> = std::sync::LazyLock::new(openapi_json);

/// The OpenAPI document as JSON.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi()
        .merge_from(crate::money_api::MoneyApiDoc::openapi())
        .merge_from(crate::cash_api::CashApiDoc::openapi())
        .merge_from(crate::proof_api::ProofApiDoc::openapi())
        .merge_from(crate::proof_check_api::ProofCheckApiDoc::openapi())
        .merge_from(crate::registry_api::RegistryApiDoc::openapi())
        .merge_from(crate::consent_api::ConsentApiDoc::openapi())
        .merge_from(crate::rights_api::RightsApiDoc::openapi())
        .merge_from(crate::records_api::RecordsApiDoc::openapi())
        .merge_from(crate::validators_api::ValidatorsApiDoc::openapi())
        .merge_from(crate::governance_api::GovernanceApiDoc::openapi())
        .merge_from(crate::emergency_api::EmergencyApiDoc::openapi())
        .merge_from(crate::health_api::HealthApiDoc::openapi())
        .merge_from(crate::sync_api::SyncApiDoc::openapi());
    refusals::describe(&mut doc);
    doc.to_pretty_json().expect("OpenAPI document serializes")
}

/// All routes.
pub fn router(context: ApiContext) -> Router {
    Router::new()
        .route("/v1/tx", post(submit_tx))
        .route("/v1/txs", post(submit_batch))
        .route("/v1/txs/raw", post(submit_raw_batch))
        .route("/v1/tx/{hash}", get(get_tx))
        .route("/v1/block/{height}", get(get_block))
        .route("/v1/account/{id}", get(get_account))
        .route("/v1/status", get(get_status))
        .route("/v1/events/blocks", get(block_events))
        .route("/v1/events/finalized", get(finalized_tx_events))
        .route(
            "/openapi.json",
            get(|| async { ([("content-type", "application/json")], OPENAPI.as_str()) }),
        )
        .route("/metrics", get(metrics::metrics))
        .merge(crate::money_api::routes())
        .merge(crate::cash_api::routes())
        .merge(crate::proof_api::routes())
        .merge(crate::proof_check_api::routes())
        .merge(crate::registry_api::routes())
        .merge(crate::consent_api::routes())
        .merge(crate::rights_api::routes())
        .merge(crate::records_api::routes())
        .merge(crate::validators_api::routes())
        .merge(crate::health_api::routes())
        .merge(crate::sync_api::routes())
        .merge(crate::governance_api::routes())
        .merge(match context.console.serves() {
            true => crate::console::routes(),
            false => Router::new(),
        })
        .fallback(crate::console::fallback)
        .layer(axum::middleware::from_fn(refusals::typed))
        .with_state(context)
}

/// How the API meets its clients.
pub struct Edge {
    /// Its limits.
    pub limits: limits::ApiLimits,
    /// Its certificate, for TLS; plain HTTP without.
    pub certificate: Option<Arc<tls::ReloadingCertificate>>,
    /// Where requests are counted and timed.
    pub metrics: Arc<request_metrics::RequestMetrics>,
}

/// Serves the API on `listener` until the process stops, at `edge`.
pub async fn serve(listener: tokio::net::TcpListener, context: ApiContext, edge: Edge) {
    let Edge {
        limits,
        certificate,
        metrics,
    } = edge;
    let guard = limits::Guard::new(&limits);
    tokio::spawn(forget_quiet_clients(guard.clone()));
    let app = router(context)
        .layer(axum::middleware::from_fn_with_state(guard, limits::guard))
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            request_metrics::record,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(limits.max_body_bytes))
        .into_make_service_with_connect_info::<limits::ClientAddr>();
    let caps = connections::Caps::new(
        limits.max_connections as usize,
        limits.max_connections_per_client as usize,
    );
    let listener = connections::Capped::new(listener, caps);
    let served = match certificate {
        None => axum::serve(listener, app).await,
        Some(certificate) => {
            let config = certificate.server_config();
            tokio::spawn(certificate.watch());
            match tls::TlsListener::new(listener, config) {
                Ok(listener) => axum::serve(listener, app).await,
                Err(error) => Err(error),
            }
        }
    };
    if let Err(error) = served {
        tracing::error!(%error, "API server stopped");
    }
}

async fn forget_quiet_clients(guard: Arc<limits::Guard>) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        guard.forget_quiet_clients();
    }
}

pub(crate) fn accept(
    context: &ApiContext,
    raw: Vec<Vec<u8>>,
) -> Vec<Result<SignedTransaction, SubmitError>> {
    let results = context.chain.submit(&raw, &context.strategy);
    forward(context, &results);
    results
}

/// Hands accepted transactions to gossip.
fn forward(context: &ApiContext, results: &[Result<SignedTransaction, SubmitError>]) {
    for tx in results.iter().flatten() {
        let _ = context.accepted.unbounded_send(tx.clone());
    }
}

/// Submit one signed transaction (its canonical bytes as the body).
#[utoipa::path(post, path = "/v1/tx", request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 202, body = SubmitResponse), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn submit_tx(
    State(context): State<ApiContext>,
    body: Bytes,
) -> Result<(StatusCode, Json<SubmitResponse>), ApiError> {
    let tx = accept(&context, vec![body.to_vec()]).remove(0)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SubmitResponse {
            hash: digest::to_hex(&tx.hash()),
            status: eiraku_api::TxStatus::Pending,
        }),
    ))
}

/// Submit many signed transactions in their binary batch encoding (the one
/// validators gossip: a length-prefixed list of canonical transaction
/// encodings, at most 1,024); verified as one batch. The fast path for bulk
/// clients: no hex, no per-transaction JSON.
#[utoipa::path(post, path = "/v1/txs/raw", request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = RawBatchResponse), (status = 400, body = ErrorBody)))]
async fn submit_raw_batch(
    State(context): State<ApiContext>,
    body: Bytes,
) -> Result<Json<RawBatchResponse>, ApiError> {
    let Some(transactions) = crate::gossip::decode_batch(&body) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!(
                "the body is not a batch of 1 to {} encoded transactions",
                crate::gossip::MAX_GOSSIP_BATCH
            ),
        ));
    };
    let results = context
        .chain
        .admit_from_client(transactions, &context.strategy);
    forward(&context, &results);
    let submitted = results.len();
    let refused: Vec<Refusal> = results
        .into_iter()
        .enumerate()
        .filter_map(|(index, result)| {
            result.err().map(|error| Refusal {
                index,
                error: ApiError::from(error).body().error,
            })
        })
        .collect();
    Ok(Json(RawBatchResponse {
        accepted: submitted - refused.len(),
        refused,
    }))
}

/// Submit many signed transactions (hex) in one request; verified as one batch.
#[utoipa::path(post, path = "/v1/txs", request_body = BatchRequest, responses((status = 200, body = BatchResponse), (status = 400, body = ErrorBody)))]
async fn submit_batch(
    State(context): State<ApiContext>,
    Json(request): Json<BatchRequest>,
) -> Result<Json<BatchResponse>, ApiError> {
    let raw = request
        .txs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            hex::decode(text).map_err(|_| ApiError::bad_request(format!("txs[{i}] is not hex")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let results: Vec<BatchItem> = accept(&context, raw)
        .into_iter()
        .map(|result| match result {
            Ok(tx) => BatchItem {
                hash: Some(digest::to_hex(&tx.hash())),
                error: None,
            },
            Err(error) => BatchItem {
                hash: None,
                error: Some(ApiError::from(error).body().error),
            },
        })
        .collect();
    Ok(Json(BatchResponse {
        accepted: results.iter().filter(|r| r.error.is_none()).count(),
        results,
    }))
}

/// Status and receipt of a transaction.
#[utoipa::path(get, path = "/v1/tx/{hash}", params(("hash" = String, Path, description = "transaction hash, hex", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = TxView), (status = 404, body = ErrorBody)))]
async fn get_tx(
    State(context): State<ApiContext>,
    Path(hash): Path<String>,
) -> Result<Json<TxView>, ApiError> {
    tx_view(&context, &hash).map(Json)
}

/// A transaction's status and receipt, by its hash's hex.
pub(crate) fn tx_view(context: &ApiContext, hash: &str) -> Result<TxView, ApiError> {
    let digest = digest::from_hex(hash)
        .ok_or_else(|| ApiError::bad_request("hash must be 64 hex characters"))?;
    let (status, receipt) = match context
        .chain
        .tx_status(&digest)
        .map_err(ApiError::internal)?
    {
        TxStatus::Finalized(receipt) => (
            eiraku_api::TxStatus::Finalized,
            Some(receipt_view(&receipt)),
        ),
        TxStatus::Pending => (eiraku_api::TxStatus::Pending, None),
        TxStatus::Unknown => {
            return Err(ApiError::not_found(format!(
                "transaction {hash} is not known to this node"
            )))
        }
    };
    Ok(TxView {
        hash: digest::to_hex(&digest),
        status,
        receipt,
    })
}

/// A revoked grant, as the API shows it (none for a role still held).
fn revoked_role(record: Option<&eiraku_state::authority::RoleGrant>) -> Option<RevokedRoleView> {
    let record = record?;
    let revocation = record.revoked?;
    Some(RevokedRoleView {
        role: record.role,
        revoked_ms: revocation.revoked_ms,
        successor: revocation.successor,
    })
}

/// The authority module's grant rule, as the API names it.
fn grant_rule(rule: eiraku_state::authority::GrantRule) -> GrantRule {
    use eiraku_state::authority::GrantRule as Rule;
    match rule {
        Rule::Genesis => GrantRule::Genesis,
        Rule::CentralBankOpensBank => GrantRule::CentralBankOpensBank,
        Rule::BankOpensRetail => GrantRule::BankOpensRetail,
        Rule::Succession => GrantRule::Succession,
        Rule::Accession => GrantRule::Accession,
        Rule::Governance => GrantRule::Governance,
        Rule::BankChangesTier => GrantRule::BankChangesTier,
        Rule::CentralBankOpensAgency => GrantRule::CentralBankOpensAgency,
    }
}

/// Renders a block for the API.
pub fn block_view(block: &Block, certificate: Option<Vec<u8>>) -> BlockView {
    let header = &block.header;
    BlockView {
        height: header.height,
        hash: digest::to_hex(&block.hash()),
        parent: digest::to_hex(&header.parent),
        timestamp_ms: header.timestamp_ms,
        view: header.context.round.view().get(),
        leader: hex::encode(header.context.leader.as_ref()),
        tx_root: digest::to_hex(&header.tx_root),
        state_root: digest::to_hex(&header.state_root),
        transactions: block
            .transactions
            .iter()
            .map(|tx| BlockTx {
                hash: digest::to_hex(&tx.hash()),
                sender: tx.transaction.sender,
                nonce: tx.transaction.nonce,
                call: tx.transaction.call.clone(),
            })
            .collect(),
        certificate: certificate.map(hex::encode),
    }
}

/// A finalized block by height.
#[utoipa::path(get, path = "/v1/block/{height}", params(("height" = u64, Path, description = "block height")),
    responses((status = 200, body = BlockView), (status = 404, body = ErrorBody)))]
async fn get_block(
    State(context): State<ApiContext>,
    Path(height): Path<u64>,
) -> Result<Json<BlockView>, ApiError> {
    let block = finalized_block(&context, height)?;
    let certificate = (context.chain.store().certificate(height)).map_err(ApiError::internal)?;
    Ok(Json(block_view(&block, certificate)))
}

/// A finalized block this node has applied.
pub(crate) fn finalized_block(context: &ApiContext, height: u64) -> Result<Block, ApiError> {
    // Marshal stores a finalized block a moment before the node applies
    // it: one not applied yet (its receipts not stored) is not served.
    let applied = height <= context.chain.finalized_height();
    applied
        .then(|| context.chain.store().block(height))
        .transpose()
        .map_err(ApiError::internal)?
        .flatten()
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no finalized block at height {height} on this node"
            ))
        })
}

/// An account in the latest finalized state.
#[utoipa::path(get, path = "/v1/account/{id}", params(("id" = String, Path, description = "account id, hex public key", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = AccountView), (status = 404, body = ErrorBody)))]
async fn get_account(
    State(context): State<ApiContext>,
    Path(id): Path<String>,
) -> Result<Json<AccountView>, ApiError> {
    let id = AccountId::from_hex(&id).map_err(ApiError::bad_request)?;
    account_view(&context, id).map(Json)
}

/// An account in the latest finalized state.
pub(crate) fn account_view(context: &ApiContext, id: AccountId) -> Result<AccountView, ApiError> {
    let state = context.chain.finalized_state();
    let account = state
        .account(&id)
        .ok_or_else(|| ApiError::not_found(format!("account {id} does not exist")))?;
    let grant = state.authority().grant(&id);
    Ok(AccountView {
        id,
        balance: account.balance,
        balance_text: eiraku_core::coins::Coins(account.balance).to_string(),
        nonce: account.nonce,
        height: state.height(),
        role: grant.map(|g| g.role),
        granted_by: grant.and_then(|g| g.granted_by),
        granted_ms: grant.map(|g| g.granted_ms),
        grant_rule: grant.map(|g| grant_rule(g.rule)),
        revoked: revoked_role(state.authority().record(&id)),
        frozen: state
            .money()
            .and_then(|m| m.freeze_of(&id))
            .map(|f| f.reason.clone()),
        suspended: (state.money())
            .and_then(|m| m.suspension_of(&id))
            .map(|s| s.reason.clone()),
        signing_key: Some(state.keys().key_of(&id)).filter(|key| *key != id),
        key_replacement: state.keys().replacement(&id).map(|r| KeyReplacementView {
            new_key: r.new_key,
            requested_by: r.requested_by,
            requested_ms: r.requested_ms,
            effective_ms: r.effective_ms,
        }),
    })
}

/// Node and chain status.
#[utoipa::path(get, path = "/v1/status", responses((status = 200, body = StatusView)))]
async fn get_status(State(context): State<ApiContext>) -> Json<StatusView> {
    let chain = &context.chain;
    let state = chain.finalized_state();
    let finalized_height = state.height();
    let finalized = chain.store().block(finalized_height).ok().flatten();
    let finalized_hash = finalized
        .as_ref()
        .map(|b| digest::to_hex(&b.hash()))
        .unwrap_or_default();
    let state_root = finalized
        .map(|b| digest::to_hex(&b.header.state_root))
        .unwrap_or_default();
    Json(StatusView {
        chain_id: chain.genesis().chain_id.clone(),
        node: context.node_name.clone(),
        height: context
            .tip
            .load(std::sync::atomic::Ordering::Relaxed)
            .max(finalized_height),
        finalized_height,
        finalized_hash,
        state_root,
        total_supply: state.total_supply(),
        coin_symbol: eiraku_core::coins::coin_symbol().to_owned(),
        coin_decimals: eiraku_core::coins::COIN_DECIMALS,
        mempool: chain.mempool_len(),
        validators: chain
            .genesis()
            .validators
            .iter()
            .map(|v| ValidatorView {
                name: v.name.clone(),
                public_key: v.public_key.to_hex(),
                api_address: v.api_address.to_string(),
            })
            .collect(),
    })
}

/// Server-sent events: one `block` event (a [`BlockView`] without
/// certificate) per finalized block.
#[utoipa::path(get, path = "/v1/events/blocks", responses((status = 200, description = "text/event-stream of `block` events, each a BlockView")))]
async fn block_events(
    State(context): State<ApiContext>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    finalized_stream(&context, "block", |event| block_view(&event.block, None))
}

/// Server-sent events: one `finalized` event (a [`FinalizedTxsView`]) per
/// finalized block, naming only its transaction hashes.
#[utoipa::path(get, path = "/v1/events/finalized", responses((status = 200, description = "text/event-stream of `finalized` events, each a FinalizedTxsView")))]
async fn finalized_tx_events(
    State(context): State<ApiContext>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    finalized_stream(&context, "finalized", |event| FinalizedTxsView {
        height: event.block.header.height,
        hash: digest::to_hex(&event.block.hash()),
        timestamp_ms: event.block.header.timestamp_ms,
        transactions: event
            .receipts
            .iter()
            .map(|receipt| digest::to_hex(&receipt.tx_hash))
            .collect(),
    })
}

/// An SSE stream with one `name` event per finalized block, its data
/// `view(block)` as JSON. A subscriber too slow to keep up skips blocks
/// rather than holding the node's memory.
fn finalized_stream<V: Serialize>(
    context: &ApiContext,
    name: &'static str,
    view: impl Fn(&FinalizedEvent) -> V + Send + 'static,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = tokio_stream::wrappers::BroadcastStream::new(context.chain.subscribe())
        .filter_map(move |event| {
            let event = event.ok().map(|event| {
                Ok(Event::default()
                    .event(name)
                    .json_data(view(&event))
                    .expect("views serialize"))
            });
            async move { event }
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
