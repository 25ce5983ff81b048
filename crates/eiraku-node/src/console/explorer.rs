//! The explorer's pages: the latest blocks and transactions, a block, a
//! transaction, an account, and the search box that leads to them.

use super::{format, frame, not_found, refusal, render, Console};
use crate::api::{self, ApiContext};
use crate::store::{StoreError, TxPlace};
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use eiraku_core::{digest, AccountId, Block};
use minijinja::context;
use serde::Serialize;

/// Blocks the front page lists.
const LATEST_BLOCKS: u64 = 12;
/// Transactions the front page lists, found in at most so many blocks.
const LATEST_TRANSACTIONS: usize = 15;
const LATEST_TRANSACTIONS_BLOCKS: u64 = 1_000;
/// Rows of history an account page shows (older ones on the next page).
const HISTORY_ROWS: usize = 25;

/// A block as a row.
#[derive(Serialize)]
struct BlockRow {
    height: u64,
    time: String,
    txs: usize,
    hash: String,
}

/// A transaction as a row.
#[derive(Serialize)]
struct TxRow {
    hash: String,
    height: u64,
    sender: String,
    sender_name: String,
    nonce: u64,
    summary: String,
}

fn tx_row(console: &Console, block: &Block, tx: &eiraku_core::SignedTransaction) -> TxRow {
    let sender = tx.transaction.sender;
    TxRow {
        hash: digest::to_hex(&tx.hash()),
        height: block.header.height,
        sender: sender.to_hex(),
        sender_name: console.names.name_of(&sender),
        nonce: tx.transaction.nonce,
        summary: format::call_summary(&tx.transaction.call, &console.names),
    }
}

/// Finalized blocks from the newest down, while `keep_going` says so.
fn newest_blocks(context: &ApiContext, mut keep_going: impl FnMut(&Block) -> bool) {
    let newest = context.chain.finalized_height();
    for height in (1..=newest).rev() {
        match context.chain.store().block(height) {
            Ok(Some(block)) if keep_going(&block) => {}
            _ => return,
        }
    }
}

/// `/`: the chain's status, the latest blocks and transactions.
pub async fn home(State(context): State<ApiContext>) -> Response {
    let console = &context.console;
    let (mut blocks, mut transactions, mut read) = (Vec::new(), Vec::new(), 0);
    newest_blocks(&context, |block| {
        read += 1;
        if read <= LATEST_BLOCKS {
            blocks.push(BlockRow {
                height: block.header.height,
                time: format::utc_time(block.header.timestamp_ms),
                txs: block.transactions.len(),
                hash: digest::to_hex(&block.hash()),
            });
        }
        for tx in &block.transactions {
            if transactions.len() < LATEST_TRANSACTIONS {
                transactions.push(tx_row(console, block, tx));
            }
        }
        read < LATEST_BLOCKS
            || (transactions.len() < LATEST_TRANSACTIONS && read < LATEST_TRANSACTIONS_BLOCKS)
    });
    let chain = &context.chain;
    let status = context! {
        finalized_height => chain.finalized_height(),
        mempool => chain.mempool_len(),
        validators => chain.genesis().validators.len(),
    };
    render(
        &context,
        "home.html",
        frame(&context, "home", "Latest blocks"),
        context! {
            status => status,
            coin => eiraku_core::coins::coin_symbol(),
            blocks => blocks,
            transactions => transactions,
        },
    )
}

/// `/blocks/{height}`: a block's header, transactions and certificate.
pub async fn block(State(context): State<ApiContext>, Path(height): Path<String>) -> Response {
    let Ok(height) = height.parse::<u64>() else {
        return not_found(&context, &format!("{height:?} is not a block height."));
    };
    let block = match api::finalized_block(&context, height) {
        Ok(block) => block,
        Err(error) => return refusal(&context, error),
    };
    let certificate = context.chain.store().certificate(height).ok().flatten();
    let console = &context.console;
    let transactions: Vec<TxRow> = (block.transactions.iter())
        .map(|tx| tx_row(console, &block, tx))
        .collect();
    let (signers, certificate_note) = signers(&context, certificate.as_deref());
    let view = api::block_view(&block, certificate.clone());
    render(
        &context,
        "block.html",
        frame(&context, "block", &format!("Block {height}")),
        context! {
            time => format::utc_time(view.timestamp_ms),
            leader => super::names::validator_name(&context, &view.leader),
            validators => context.chain.genesis().validators.len(),
            certificate_bytes => certificate.as_ref().map_or(0, Vec::len),
            block => view,
            transactions => transactions,
            signers => signers,
            certificate_note => certificate_note,
        },
    )
}

/// The names of a certificate's signers (validators of the genesis set
/// by name; of later sets by position), or why there are none to show.
fn signers(context: &ApiContext, certificate: Option<&[u8]>) -> (Vec<String>, &'static str) {
    let Some(certificate) = certificate else {
        return (
            Vec::new(),
            "This block has no certificate of its own: the certificate of a later block finalizes it with its descendants.",
        );
    };
    let Some((epoch, positions)) = eiraku_core::proof::certificate_signers(certificate) else {
        return (Vec::new(), "The certificate does not decode.");
    };
    let mut genesis_set: Vec<_> = context.chain.genesis().validators.iter().collect();
    genesis_set.sort_by_key(|v| v.public_key);
    let names = positions.iter().map(|&position| {
        match genesis_set.get(position as usize).filter(|_| epoch == 0) {
            Some(validator) => validator.name.clone(),
            None => format!("validator #{position} of epoch {epoch}"),
        }
    });
    let mut names: Vec<String> = names.collect();
    names.sort();
    (names, "")
}

/// `/txs/{hash}`: a transaction's status, receipt, call and proof.
pub async fn tx(State(context): State<ApiContext>, Path(hash): Path<String>) -> Response {
    let view = match api::tx_view(&context, &hash) {
        Ok(view) => view,
        Err(error) => return refusal(&context, error),
    };
    let body = view.receipt.as_ref().and_then(|receipt| {
        let block = api::finalized_block(&context, receipt.height).ok()?;
        let tx = block.transactions.get(receipt.index as usize)?;
        let row = tx_row(&context.console, &block, tx);
        let call_json = serde_json::to_string_pretty(&tx.transaction.call).ok()?;
        Some(context! { call_json => call_json, ..minijinja::Value::from_serialize(&row) })
    });
    render(
        &context,
        "tx.html",
        frame(&context, "tx", "Transaction"),
        context! { receipt => view.receipt.clone(), tx => view, body => body },
    )
}

/// Which page of an account's history: the transactions before
/// `HEIGHT.POSITION`.
#[derive(serde::Deserialize)]
pub struct Older {
    before: Option<String>,
}

/// `/accounts/{id}[?before=HEIGHT.POSITION]`: an account (by id or name),
/// its role and history.
pub async fn account(
    State(context): State<ApiContext>,
    Path(text): Path<String>,
    Query(older): Query<Older>,
) -> Response {
    let console = &context.console;
    let Some(id) = AccountId::from_hex(&text)
        .ok()
        .or_else(|| console.names.id_of(&text))
    else {
        return not_found(
            &context,
            &format!(
                "{text:?} is neither an account id (64 hex characters) nor an account's name."
            ),
        );
    };
    let view = match api::account_view(&context, id) {
        Ok(view) => view,
        Err(error) => return refusal(&context, error),
    };
    let before = match older.before.as_deref().map(place) {
        None => None,
        Some(Some(place)) => Some(place),
        Some(None) => {
            let error = "`before` is a transaction's place: HEIGHT.POSITION, as in 120.3";
            return refusal(&context, api::ApiError::bad_request(error));
        }
    };
    let store = context.chain.store();
    let page = history(&context, &id, before).and_then(|page| {
        let through = store.account_history_through()?;
        Ok((page, through))
    });
    let ((history, older), indexed_through) = match page {
        Ok(page) => page,
        Err(error) => return refusal(&context, api::ApiError::internal(error)),
    };
    render(
        &context,
        "account.html",
        frame(&context, "account", &console.names.name_of(&id)),
        context! {
            name => console.names.label_of(&id),
            role => role_text(view.role.as_ref()),
            granted_by_name => view.granted_by.map(|g| console.names.name_of(&g)),
            account => view,
            history => history,
            older => older,
            paged => before.is_some(),
            indexed_through => indexed_through,
            behind => indexed_through < view.height,
        },
    )
}

/// `HEIGHT.POSITION`.
fn place(text: &str) -> Option<TxPlace> {
    let (height, position) = text.split_once('.')?;
    Some((height.parse().ok()?, position.parse().ok()?))
}

/// A page of the account's transactions (sent, or naming it), newest
/// first, from the store's account index; and where the next (older) page
/// starts, if there is one. Each block is read once per page.
fn history(
    context: &ApiContext,
    id: &AccountId,
    before: Option<TxPlace>,
) -> Result<(Vec<TxRow>, Option<String>), StoreError> {
    let store = context.chain.store();
    let places = store.account_history(id, before, HISTORY_ROWS + 1)?;
    let older = (places.len() > HISTORY_ROWS).then(|| {
        let (height, position) = places[HISTORY_ROWS - 1];
        format!("{height}.{position}")
    });
    let mut rows = Vec::new();
    let mut block: Option<Block> = None;
    for (height, position) in places.into_iter().take(HISTORY_ROWS) {
        if block.as_ref().map(|b| b.header.height) != Some(height) {
            block = store.block(height)?;
        }
        let Some(block) = &block else { continue };
        if let Some(tx) = block.transactions.get(position as usize) {
            rows.push(tx_row(&context.console, block, tx));
        }
    }
    Ok((rows, older))
}

/// A role in words: `retail (JP, person, tier 1)`.
fn role_text(role: Option<&eiraku_core::Role>) -> String {
    let Some(Ok(serde_json::Value::Object(fields))) = role.map(serde_json::to_value) else {
        return "none".into();
    };
    let name = fields
        .get("role")
        .and_then(|r| r.as_str())
        .unwrap_or("role");
    let details: Vec<String> = (fields.iter())
        .filter(|(key, _)| key.as_str() != "role")
        .map(|(key, value)| match value {
            serde_json::Value::String(text) => text.clone(),
            other => format!("{key} {other}"),
        })
        .collect();
    if details.is_empty() {
        return name.replace('_', " ");
    }
    format!("{} ({})", name.replace('_', " "), details.join(", "))
}

/// The search box's question.
#[derive(serde::Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

/// `/search?q=`: a height, a transaction hash, an account id or a name.
pub async fn search(State(context): State<ApiContext>, Query(search): Query<Search>) -> Response {
    let q = search.q.trim();
    if q.parse::<u64>().is_ok() {
        return Redirect::to(&format!("/blocks/{q}")).into_response();
    }
    if let Some(hash) = digest::from_hex(q) {
        if matches!(context.chain.tx_status(&hash), Ok(status) if !matches!(status, crate::TxStatus::Unknown))
        {
            return Redirect::to(&format!("/txs/{q}")).into_response();
        }
        if let Ok(id) = AccountId::from_hex(q) {
            if context.chain.finalized_state().account(&id).is_some() {
                return Redirect::to(&format!("/accounts/{q}")).into_response();
            }
        }
        return not_found(
            &context,
            &format!("No transaction or account {q} is known to this node."),
        );
    }
    if context.console.names.id_of(q).is_some() {
        return Redirect::to(&format!("/accounts/{q}")).into_response();
    }
    not_found(
        &context,
        &format!("Nothing is called {q:?}: search for a block height, a transaction hash, an account id or an account's name."),
    )
}
