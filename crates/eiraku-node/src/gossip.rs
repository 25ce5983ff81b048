//! Transaction gossip: a transaction accepted by any validator is forwarded
//! to all the others, so whoever leads next can include it. Validators are
//! fully connected, so a received transaction is not forwarded again.

use crate::{batching::next_batch, chain::Chain};
use bytes::Bytes;
use commonware_codec::{Decode, Encode, RangeCfg};
use commonware_p2p::{Receiver, Recipients, Sender};
use commonware_parallel::Rayon;
use eiraku_core::{PublicKey, SignedTransaction};
use futures::channel::mpsc;
use std::sync::Arc;

/// Most transactions in one gossip message.
pub const MAX_GOSSIP_BATCH: usize = 1024;

/// Largest gossip message in bytes.
pub const MAX_GOSSIP_BYTES: usize = MAX_GOSSIP_BATCH * eiraku_core::MAX_TRANSACTION_BYTES + 8;

/// Encodes a batch for the wire.
pub fn encode_batch(batch: &[SignedTransaction]) -> Bytes {
    batch.to_vec().encode()
}

/// Decodes a batch from a peer; `None` if malformed.
pub fn decode_batch(bytes: &[u8]) -> Option<Vec<SignedTransaction>> {
    Vec::<SignedTransaction>::decode_cfg(
        commonware_codec::Copying(bytes),
        &(RangeCfg::new(1..=MAX_GOSSIP_BATCH), ()),
    )
    .ok()
}

/// Sends accepted transactions to every peer, batching whatever has queued
/// up while the previous batch was being sent.
pub async fn forward<S: Sender<PublicKey = PublicKey>>(
    mut sender: S,
    mut accepted: mpsc::UnboundedReceiver<SignedTransaction>,
) {
    while let Some(batch) = next_batch(&mut accepted, MAX_GOSSIP_BATCH).await {
        sender.send(Recipients::All, encode_batch(&batch), false);
    }
}

/// Admits transactions gossiped by peers into the local mempool. Rejections
/// (already pending, already finalized) are normal and dropped silently.
pub async fn receive<R: Receiver<PublicKey = PublicKey>>(
    chain: Arc<Chain>,
    mut receiver: R,
    strategy: Rayon,
) {
    while let Ok((peer, message)) = receiver.recv().await {
        let Some(batch) = decode_batch(message.as_ref()) else {
            tracing::warn!(?peer, "dropping malformed transaction gossip");
            continue;
        };
        chain.admit(batch, &strategy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::{Amount, Call, ChainId, Keypair, Transaction};

    #[test]
    fn batch_round_trip_and_limits() {
        let key = Keypair::from_seed(1);
        let tx = SignedTransaction::sign(
            Transaction {
                chain_id: ChainId::new("g").unwrap(),
                sender: key.account_id(),
                nonce: 0,
                call: Call::Transfer {
                    to: key.account_id(),
                    amount: Amount(1),
                },
            },
            &key,
        );
        let bytes = encode_batch(&[tx.clone(), tx.clone()]);
        assert_eq!(decode_batch(&bytes), Some(vec![tx.clone(), tx]));
        assert_eq!(
            decode_batch(&encode_batch(&[])),
            None,
            "empty batches are refused"
        );
        assert_eq!(decode_batch(&[0xff, 0xff]), None);
    }
}
