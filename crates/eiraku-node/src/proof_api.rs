//! Proofs for outsiders (issue 5): `GET /v1/proof/tx/{hash}` returns a
//! transaction's portable inclusion-and-finality proof and
//! `GET /v1/proof/state/{key}` any state entry's value (or its absence) in
//! the latest finalized block; [`eiraku_core::proof::LightClient`] checks
//! both with only the genesis file. `GET /v1/audit/blocks` serves stored
//! blocks and certificates as they are encoded, for `eiraku verify --rpc`.

use crate::api::{ApiContext, ApiError};
use crate::state_db::Proven;
use axum::{
    extract::{Path, Query, State},
    routing::get,
    Json, Router,
};
use commonware_codec::Encode as _;
pub use eiraku_api::proof::{AuditBlock, AuditBlocksQuery, AuditBlocksView, MAX_AUDIT_BLOCKS};
use eiraku_core::{
    digest,
    proof::{Handoff, StateProof, TxProof},
    Block, StateKey, StateKeyError,
};
use utoipa::OpenApi;

/// Encoded bytes after which `GET /v1/audit/blocks` returns no further
/// block (it always returns at least one): full blocks are large, and
/// clients cap response bodies (the CLI's at 10 MiB; hex doubles sizes).
pub const AUDIT_BYTES_BUDGET: usize = 3 << 20;

/// Stored blocks and their certificates, encoded, from `from` on: up to
/// `count`, and fewer once about 3 MiB of them are in the answer.
#[utoipa::path(get, path = "/v1/audit/blocks", params(AuditBlocksQuery),
    responses((status = 200, body = AuditBlocksView), (status = 400, body = crate::api::ErrorBody)))]
async fn get_audit_blocks(
    State(context): State<ApiContext>,
    Query(query): Query<AuditBlocksQuery>,
) -> Result<Json<AuditBlocksView>, ApiError> {
    if query.count == 0 || query.count > MAX_AUDIT_BLOCKS {
        return Err(ApiError::bad_request(format!(
            "count must be 1 to {MAX_AUDIT_BLOCKS}"
        )));
    }
    let finalized_height = context.chain.finalized_height();
    let store = context.chain.store();
    let last = query
        .from
        .saturating_add(query.count - 1)
        .min(finalized_height);
    let mut blocks = Vec::new();
    let mut bytes = 0;
    for height in query.from..=last {
        if bytes >= AUDIT_BYTES_BUDGET {
            break;
        }
        let Some(block) = store.block_bytes(height).map_err(ApiError::internal)? else {
            break;
        };
        let certificate = store.certificate(height).map_err(ApiError::internal)?;
        bytes += block.len() + certificate.as_ref().map_or(0, Vec::len);
        blocks.push(AuditBlock {
            height,
            block: hex::encode(block),
            certificate: certificate.map(hex::encode),
        });
    }
    Ok(Json(AuditBlocksView {
        finalized_height,
        blocks,
    }))
}

/// The certificate that makes block `height` final: its own, or, when the
/// block was finalized through a descendant, the nearest certified
/// descendant's, with the headers linking to it.
fn finality_evidence(
    context: &ApiContext,
    height: u64,
) -> Result<(Vec<eiraku_core::BlockHeader>, Vec<u8>), ApiError> {
    let store = context.chain.store();
    let last = height
        .saturating_add(eiraku_core::proof::MAX_DESCENDANTS as u64)
        .min(context.chain.finalized_height());
    let mut descendants = Vec::new();
    for at in height..=last {
        if at > height {
            // The applied state moves a moment before the store commits:
            // a block not stored yet ends the search like the tip does.
            let Some(block) = store.block(at).map_err(ApiError::internal)? else {
                break;
            };
            descendants.push(block.header);
        }
        if let Some(certificate) = store.certificate(at).map_err(ApiError::internal)? {
            return Ok((descendants, certificate));
        }
    }
    Err(ApiError::not_found(format!(
        "block {height} has no finalization certificate here yet, nor a certified descendant"
    )))
}

/// A finalized transaction's proof: its block header, the transaction, the
/// Merkle path to the header's transaction root, and the finalization
/// certificate of the block (or of a descendant, with the linking headers).
#[utoipa::path(get, path = "/v1/proof/tx/{hash}", params(("hash" = String, Path, description = "transaction hash (hex)", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, body = Object), (status = 404, body = crate::api::ErrorBody)))]
async fn get_tx_proof(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
) -> Result<Json<TxProof>, ApiError> {
    let hash = digest::from_hex(&text)
        .ok_or_else(|| ApiError::bad_request("a transaction hash is 64 hex characters"))?;
    let store = context.chain.store();
    let receipt = store
        .receipt(&hash)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("transaction {text} is not final here")))?;
    let block = store
        .block(receipt.height)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("an indexed block is missing"))?;
    let (descendants, certificate) = finality_evidence(&context, receipt.height)?;
    let certified = receipt.height + descendants.len() as u64;
    let mut proof = TxProof::build(
        &context.chain.genesis().chain_id,
        &block.header,
        &block.transactions,
        receipt.index,
        &descendants,
        &certificate,
    )
    .ok_or_else(|| ApiError::internal("the receipt's position is outside its block"))?;
    proof.handoffs = handoffs(&context, certified)?;
    Ok(Json(proof))
}

/// Any state entry's value, or its absence, in the latest finalized block:
/// the key-value proof under the header's state root, the header and its
/// finalization certificate. The key is written as text (`account/<hex>`,
/// `role/<hex>`, `money/economy/JP`, `registry/anchor/<digest>`, …); a bare
/// account id means `account/<id>`.
#[utoipa::path(get, path = "/v1/proof/state/{key}", params(("key" = String, Path, description = "state key as text, e.g. account/<hex> or money/economy/JP")),
    responses((status = 200, body = Object), (status = 400, body = crate::api::ErrorBody), (status = 503, body = crate::api::ErrorBody)))]
async fn get_state_proof(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
) -> Result<Json<StateProof>, ApiError> {
    let key = parse_key(&text).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let proof = context
        .chain
        .prove(&key)
        .await
        .map_err(ApiError::internal)?;
    let (block, certificate) = certified_block(&context, proof.height).await?;
    if block.header.state_root != proof.root {
        return Err(ApiError::internal(
            "the authenticated state and the stored block disagree on the state root",
        ));
    }
    let (value, bytes) = match &proof.proven {
        Proven::Present { value, proof } => (Some(value.as_slice()), proof),
        Proven::Absent { proof } => (None, proof),
    };
    let mut state_proof = StateProof::new(
        &context.chain.genesis().chain_id,
        &block.header,
        &certificate,
        &key,
        value,
        bytes,
    );
    state_proof.handoffs = handoffs(&context, proof.height)?;
    Ok(Json(state_proof))
}

/// A state key from its text; a bare account id is that account.
fn parse_key(text: &str) -> Result<StateKey, StateKeyError> {
    if text.contains('/') {
        text.parse()
    } else {
        format!("account/{text}").parse()
    }
}

/// The validator-set handoffs a light client follows from genesis to the
/// set that certified block `height`.
pub(crate) fn handoffs(context: &ApiContext, height: u64) -> Result<Vec<Handoff>, ApiError> {
    let store = context.chain.store();
    let kept = store.handoffs_before(height).map_err(ApiError::internal)?;
    let mut handoffs = Vec::with_capacity(kept.len());
    for (at, set, proof) in kept {
        let block = store.block(at).map_err(ApiError::internal)?;
        let certificate = store.certificate(at).map_err(ApiError::internal)?;
        let (header, certificate) = match (block, certificate) {
            (Some(block), Some(certificate)) => (block.header.encode().to_vec(), certificate),
            // A store started by state sync keeps them with the handoff.
            _ => store
                .handoff_header(at)
                .map_err(ApiError::internal)?
                .ok_or_else(|| {
                    ApiError::internal(format!(
                        "the block ending an epoch at {at}, or its certificate, is missing"
                    ))
                })?,
        };
        handoffs.push(Handoff {
            header: hex::encode(header),
            certificate: hex::encode(certificate),
            set: hex::encode(set),
            proof: hex::encode(proof),
        });
    }
    Ok(handoffs)
}

/// Block `height` and its certificate. The authenticated state commits a
/// moment before the store does: wait briefly for the store to catch up.
pub(crate) async fn certified_block(
    context: &ApiContext,
    height: u64,
) -> Result<(Block, Vec<u8>), ApiError> {
    let store = context.chain.store();
    for _ in 0..40 {
        let block = store.block(height).map_err(ApiError::internal)?;
        let certificate = store.certificate(height).map_err(ApiError::internal)?;
        if let (Some(block), Some(certificate)) = (block, certificate) {
            return Ok((block, certificate));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(ApiError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "not_ready",
        format!("block {height} and its finalization certificate are not stored here yet; ask again after the next block"),
    ))
}

#[derive(OpenApi)]
#[openapi(
    paths(get_tx_proof, get_state_proof, get_audit_blocks),
    components(schemas(AuditBlocksView, AuditBlock))
)]
pub(crate) struct ProofApiDoc;

/// The proof routes.
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/v1/proof/tx/{hash}", get(get_tx_proof))
        .route("/v1/proof/state/{*key}", get(get_state_proof))
        .route("/v1/audit/blocks", get(get_audit_blocks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_account_id_is_its_account_key_and_garbage_is_a_typed_error() {
        let id = eiraku_core::Keypair::from_seed(3).account_id();
        assert_eq!(parse_key(&id.to_hex()), Ok(StateKey::Account(id)));
        assert_eq!(parse_key(&format!("role/{id}")), Ok(StateKey::Role(id)));
        assert!(matches!(
            parse_key("zz"),
            Err(StateKeyError::BadPart { .. })
        ));
        assert!(matches!(
            parse_key("no/such/kind"),
            Err(StateKeyError::UnknownForm { .. })
        ));
    }
}
