//! Signing and submitting one call: what `eiraku tx transfer` and every
//! `eiraku money …` command share.

use crate::{
    keyfile::Signer,
    output::{print_json, print_line},
    Client,
};
use eiraku_api::TxView;
use eiraku_core::{AccountId, Call, ChainId, Keypair, SignedTransaction, Transaction};
use std::time::Duration;

/// How to send.
pub struct SendOptions {
    /// Nonce (default: the sender's next nonce, from the node).
    pub nonce: Option<u64>,
    /// Chain id (default: the node's).
    pub chain_id: Option<String>,
    /// Wait for finality and fail if the transaction failed.
    pub wait: bool,
}

/// Who sends: a key and the account it signs for.
pub trait Sender {
    /// The sending account.
    fn account(&self) -> AccountId;
    /// The key that signs for it.
    fn keypair(&self) -> &Keypair;
}

impl Sender for Keypair {
    fn account(&self) -> AccountId {
        self.account_id()
    }
    fn keypair(&self) -> &Keypair {
        self
    }
}

impl Sender for Signer {
    fn account(&self) -> AccountId {
        self.account
    }
    fn keypair(&self) -> &Keypair {
        &self.key
    }
}

/// Signs `call` with `key` at the sender's next nonce, as `client`'s node
/// knows it (0 for an account it does not know yet).
pub fn sign_next(
    client: &Client,
    chain_id: &ChainId,
    key: &impl Sender,
    call: Call,
) -> SignedTransaction {
    let nonce = client.account(&key.account()).map(|a| a.nonce).unwrap_or(0);
    sign(chain_id, key, nonce, call)
}

/// Signs `call` with `key` at `nonce`.
pub fn sign(chain_id: &ChainId, key: &impl Sender, nonce: u64, call: Call) -> SignedTransaction {
    SignedTransaction::sign(
        Transaction {
            chain_id: chain_id.clone(),
            sender: key.account(),
            nonce,
            call,
        },
        key.keypair(),
    )
}

/// Signs `call` with `key`, submits it and (when asked) waits until it is
/// final. Prints the hash, and the receipt when waiting; a failed receipt is
/// an error carrying its code and message.
pub fn send(
    client: &Client,
    key: &impl Sender,
    call: Call,
    options: &SendOptions,
) -> anyhow::Result<Option<TxView>> {
    let chain_id = match &options.chain_id {
        Some(id) => ChainId::new(id).map_err(anyhow::Error::msg)?,
        None => client.status()?.chain_id,
    };
    let tx = match options.nonce {
        Some(nonce) => sign(&chain_id, key, nonce, call),
        None => sign_next(client, &chain_id, key, call),
    };
    let nonce = tx.transaction.nonce;
    let accepted = client.submit(&tx)?;
    print_line(&format!("submitted {} (nonce {nonce})", accepted.hash))?;
    if !options.wait {
        return Ok(None);
    }
    let view = client.wait_finalized(&tx.hash(), Duration::from_secs(60))?;
    print_json(&view)?;
    if let Some(error) = view.receipt.as_ref().and_then(|r| r.error.as_ref()) {
        anyhow::bail!("transaction failed: {}: {}", error.code, error.message);
    }
    Ok(Some(view))
}

/// Sends a call that creates something named by its transaction's hash
/// (an attestation, a purse) and, once final, prints `{what} {hash}` and
/// writes the hash to `id_out` when given (for scripts).
pub fn send_creating(
    client: &Client,
    key: &impl Sender,
    call: Call,
    options: &SendOptions,
    what: &str,
    id_out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let Some(view) = send(client, key, call, options)? else {
        return Ok(());
    };
    if let Some(path) = id_out {
        std::fs::write(path, format!("{}\n", view.hash))
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    print_line(&format!("{what} {}", view.hash))
}
