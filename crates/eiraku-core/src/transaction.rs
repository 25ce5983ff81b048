//! Signed transactions: the only way state changes.
//!
//! Wire form (commonware-codec, big-endian fixed-width integers):
//! `chain_id (len u32-varint + bytes) | sender (32) | nonce (u64) | call
//! | signing key (1 byte 0, or 1 then 32 bytes) | signature (64)`.
//! The signature covers the encoding of everything before it, under
//! [`TRANSACTION_NAMESPACE`]. The signing key is named only when the
//! sender's key has changed (module `keys`): the signature is checked
//! against it without the state, and admission checks that it is the key
//! the state holds for the sender. It is signed and hashed with the rest,
//! so nobody can swap it in a block without changing the block. The transaction hash is SHA-256 of that same
//! unsigned encoding, so it names (chain, sender, nonce, call) and cannot be
//! changed by re-encoding the signature.

use crate::{
    cash::CashCall, governance::GovernanceCall, hash, keys::KeyCall, registry::RegistryCall,
    AccountId, Amount, ChainId, Digest, KeyCache, Keypair, MoneyCall,
};
use bytes::BufMut;
use bytes::Bytes;
use commonware_codec::Buf;
use commonware_codec::{Copying, DecodeExt, Encode, EncodeSize, Error, Read, ReadExt, Write};
use commonware_cryptography::{ed25519, BatchEntry, BatchVerifier, Verifier};
use commonware_parallel::Sequential;
use commonware_parallel::Strategy;
use std::borrow::Borrow;

/// Namespace under which transactions are signed (domain separation from
/// consensus and p2p signatures).
pub const TRANSACTION_NAMESPACE: &[u8] = b"EIRAKU_TX_V1";

/// Largest accepted encoded transaction, in bytes.
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024;

/// A transaction hash: SHA-256 of what the signature covers (the
/// transaction and the signing key it names, if any).
pub type TxHash = Digest;

/// Declares [`Call`]: plain transfers, then one variant per domain module,
/// each with its wire tag (never reused). A module's calls are its own type
/// in its own file; adding the module here is one line.
macro_rules! calls {
    ($($(#[$doc:meta])* $module:ident($call:ty) = $tag:literal,)+) => {
        /// What a transaction asks the state machine to do: a tag byte
        /// selects the variant on the wire. Its JSON form (for the API's
        /// block views) is keyed by the variant: `{"transfer": {"to",
        /// "amount"}}`, `{"money": {"call", …}}`, `{"registry": {"call", …}}`.
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Call {
            /// Move `amount` from the sender to `to`.
            Transfer {
                /// Receiving account.
                to: AccountId,
                /// Amount in minor units.
                amount: Amount,
            },
            $($(#[$doc])* $module($call),)+
        }

        impl Write for Call {
            fn write(&self, buf: &mut impl BufMut) {
                match self {
                    Call::Transfer { to, amount } => {
                        TRANSFER_TAG.write(buf);
                        to.write(buf);
                        amount.write(buf);
                    }
                    $(Call::$module(call) => {
                        ($tag as u8).write(buf);
                        call.write(buf);
                    })+
                }
            }
        }

        impl EncodeSize for Call {
            fn encode_size(&self) -> usize {
                match self {
                    Call::Transfer { to, amount } => 1 + to.encode_size() + amount.encode_size(),
                    $(Call::$module(call) => 1 + call.encode_size(),)+
                }
            }
        }

        impl Read for Call {
            type Cfg = ();
            fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
                match u8::read(buf)? {
                    TRANSFER_TAG => Ok(Call::Transfer {
                        to: AccountId::read(buf)?,
                        amount: Amount::read(buf)?,
                    }),
                    $($tag => Ok(Call::$module(<$call>::read(buf)?)),)+
                    other => Err(Error::InvalidEnum(other)),
                }
            }
        }
    };
}

/// The wire tag of a plain transfer.
const TRANSFER_TAG: u8 = 0;

impl Call {
    /// The call's module and name (`("money", "pay")`, `("transfer",
    /// "transfer")`): what an emergency scope names.
    pub fn path(&self) -> (&'static str, &'static str) {
        match self {
            Call::Transfer { .. } => ("transfer", "transfer"),
            Call::Money(call) => ("money", call.name()),
            Call::Registry(_) => ("registry", "anchor"),
            Call::Governance(call) => ("governance", call.name()),
            Call::Keys(call) => ("keys", call.name()),
            Call::Cash(call) => ("cash", call.name()),
        }
    }
}

calls! {
    /// A call of the money module (the AMRO coin).
    Money(MoneyCall) = 1,
    /// A call of the public registries (notarization).
    Registry(RegistryCall) = 2,
    /// A call of multistakeholder governance.
    Governance(GovernanceCall) = 3,
    /// A call of the `keys` module (rotating and replacing keys).
    Keys(KeyCall) = 4,
    /// A call of the offline cash's ledger link (loads and deposits).
    Cash(CashCall) = 5,
}

/// The signed part of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// The network this transaction is for.
    pub chain_id: ChainId,
    /// The signing account.
    pub sender: AccountId,
    /// The sender's next nonce: 0 for its first transaction, then +1 each.
    pub nonce: u64,
    /// What to do.
    pub call: Call,
}

impl Write for Transaction {
    fn write(&self, buf: &mut impl BufMut) {
        self.chain_id.write(buf);
        self.sender.write(buf);
        self.nonce.write(buf);
        self.call.write(buf);
    }
}

impl EncodeSize for Transaction {
    fn encode_size(&self) -> usize {
        self.chain_id.encode_size()
            + self.sender.encode_size()
            + self.nonce.encode_size()
            + self.call.encode_size()
    }
}

impl Read for Transaction {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Transaction {
            chain_id: ChainId::read(buf)?,
            sender: AccountId::read(buf)?,
            nonce: u64::read(buf)?,
            call: Call::read(buf)?,
        })
    }
}

/// A transaction with its sender's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTransaction {
    /// The signed content.
    pub transaction: Transaction,
    /// Ed25519 signature of the sender over the encoded transaction.
    pub signature: ed25519::Signature,
    /// The key that signed, when it is not the sender's own id (a rotated
    /// or replaced key).
    pub signing_key: Option<AccountId>,
    /// The unsigned encoding (what the signature covers), kept so checking
    /// and hashing never re-encode.
    body: Bytes,
    hash: TxHash,
}

/// Why bytes could not be read as a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input is larger than any valid transaction.
    #[error("transaction is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not a transaction encoding.
    #[error("malformed transaction: {0}")]
    Malformed(String),
}

impl SignedTransaction {
    /// Signs `transaction` with `key`: the sender's own key, or the key the
    /// state holds for it after a rotation (then named in the transaction).
    pub fn sign(transaction: Transaction, key: &Keypair) -> Self {
        let signer = key.account_id();
        let signing_key = (signer != transaction.sender).then_some(signer);
        let body = signed_body(&transaction, &signing_key);
        let signature = key.sign(TRANSACTION_NAMESPACE, &body);
        Self::assemble(transaction, signature, signing_key, body)
    }

    fn assemble(
        transaction: Transaction,
        signature: ed25519::Signature,
        signing_key: Option<AccountId>,
        body: Bytes,
    ) -> Self {
        Self {
            hash: hash(&[&body]),
            transaction,
            signature,
            signing_key,
            body,
        }
    }

    /// The key the signature is checked against: the named signing key, or
    /// the sender's id.
    pub fn signer(&self) -> AccountId {
        self.signing_key.unwrap_or(self.transaction.sender)
    }

    /// The transaction hash.
    pub fn hash(&self) -> TxHash {
        self.hash
    }

    /// The unsigned encoding: the message the signature covers.
    pub fn signing_payload(&self) -> &[u8] {
        &self.body
    }

    /// Checks the signature against the signer's key (false also when the
    /// signer's bytes are not a key).
    pub fn verify_signature(&self) -> bool {
        self.signer()
            .public_key()
            .is_ok_and(|key| key.verify(TRANSACTION_NAMESPACE, &self.body, &self.signature))
    }

    /// The canonical wire bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode().to_vec()
    }

    /// Decodes wire bytes; rejects oversized input, trailing bytes and any
    /// non-canonical encoding. Does not check the signature.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() > MAX_TRANSACTION_BYTES {
            return Err(DecodeError::TooLarge {
                size: bytes.len(),
                limit: MAX_TRANSACTION_BYTES,
            });
        }
        Self::decode(Copying(bytes)).map_err(|e| {
            DecodeError::Malformed(crate::decode_text::decode_error_text("transaction", &e))
        })
    }
}

impl Write for SignedTransaction {
    fn write(&self, buf: &mut impl BufMut) {
        self.transaction.write(buf);
        self.signing_key.write(buf);
        self.signature.write(buf);
    }
}

impl EncodeSize for SignedTransaction {
    fn encode_size(&self) -> usize {
        self.transaction.encode_size()
            + self.signature.encode_size()
            + self.signing_key.encode_size()
    }
}

impl Read for SignedTransaction {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let transaction = Transaction::read(buf)?;
        let signing_key = Option::<AccountId>::read(buf)?;
        if signing_key == Some(transaction.sender) {
            // One transaction, one encoding: the sender's own key is never
            // named.
            return Err(Error::Invalid(
                "SignedTransaction",
                "signing key is the sender",
            ));
        }
        let signature = ed25519::Signature::read(buf)?;
        let body = signed_body(&transaction, &signing_key);
        Ok(Self::assemble(transaction, signature, signing_key, body))
    }
}

/// What the signature covers and the hash names: the transaction and the
/// signing key it names, if any.
fn signed_body(transaction: &Transaction, signing_key: &Option<AccountId>) -> Bytes {
    let mut body = Vec::with_capacity(transaction.encode_size() + signing_key.encode_size());
    transaction.write(&mut body);
    signing_key.write(&mut body);
    Bytes::from(body)
}

/// Verifies the signatures of `transactions` (owned or borrowed) as one
/// Ed25519 batch, split across `strategy`'s threads, with sender keys from
/// `keys`. True only if every signature is valid (and for the empty list).
pub fn verify_batch<T: Borrow<SignedTransaction>>(
    transactions: &[T],
    strategy: &impl Strategy,
    keys: &KeyCache,
) -> bool {
    if transactions.is_empty() {
        return true;
    }
    let senders: Vec<AccountId> = transactions.iter().map(|tx| tx.borrow().signer()).collect();
    let Some(keys) = keys.resolve(&senders, strategy) else {
        return false;
    };
    let items: Vec<(ed25519::PublicKey, &SignedTransaction)> = keys
        .into_iter()
        .zip(transactions.iter().map(Borrow::borrow))
        .collect();
    ed25519::PublicKey::verify_batch(
        &mut rand::rng(),
        &items,
        |_, (key, tx)| BatchEntry {
            namespace: TRANSACTION_NAMESPACE,
            message: &tx.body,
            public_key: key,
            signature: &tx.signature,
        },
        strategy,
    )
}

/// [`verify_batch`] on one thread without a key cache: for tools and tests.
pub fn verify_all(transactions: &[SignedTransaction]) -> bool {
    verify_batch(transactions, &Sequential, &KeyCache::new(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(nonce: u64) -> SignedTransaction {
        let alice = Keypair::from_seed(1);
        let tx = Transaction {
            chain_id: ChainId::new("eiraku-test").unwrap(),
            sender: alice.account_id(),
            nonce,
            call: Call::Transfer {
                to: Keypair::from_seed(2).account_id(),
                amount: Amount(42),
            },
        };
        SignedTransaction::sign(tx, &alice)
    }

    #[test]
    fn batch_verification_finds_one_bad_signature() {
        let mut txs: Vec<SignedTransaction> = (0..8).map(sample).collect();
        assert!(verify_all(&txs));
        txs[5].signature = txs[4].signature.clone();
        assert!(!verify_all(&txs));
    }

    #[test]
    fn a_rotated_key_is_named_checked_and_encoded_once() {
        let alice = sample(0).transaction;
        let new_key = Keypair::from_seed(9);
        let tx = SignedTransaction::sign(alice.clone(), &new_key);
        assert_eq!(tx.signing_key, Some(new_key.account_id()));
        assert_eq!(tx.signer(), new_key.account_id());
        let back = SignedTransaction::from_bytes(&tx.to_bytes()).unwrap();
        assert_eq!(back, tx);
        assert!(verify_all(std::slice::from_ref(&back)));
        // Whoever re-signs the same transaction with a key of their own
        // makes another transaction: the hash (and a block's root of
        // hashes) covers the signing key.
        let swapped = SignedTransaction::sign(alice.clone(), &Keypair::from_seed(8));
        assert!(swapped.verify_signature());
        assert_ne!(swapped.hash(), back.hash());
        // Claiming another signer breaks the signature.
        let mut forged = back;
        forged.signing_key = Some(Keypair::from_seed(8).account_id());
        assert!(!forged.verify_signature());
        // The sender's own key named as the signing key is a second
        // encoding of the same transaction: refused.
        let mut own = sample(0);
        own.signing_key = Some(own.transaction.sender);
        assert!(SignedTransaction::from_bytes(&own.to_bytes()).is_err());
    }

    #[test]
    fn round_trip_and_signature() {
        let tx = sample(3);
        let bytes = tx.to_bytes();
        let back = SignedTransaction::from_bytes(&bytes).unwrap();
        assert_eq!(back, tx);
        assert!(back.verify_signature());
    }

    /// Pins the wire format: a change to the encoding must be deliberate.
    #[test]
    fn encoding_is_pinned() {
        let tx = sample(3);
        let bytes = tx.to_bytes();
        // chain id: 1 length byte + 11; sender 32; nonce 8; call 1+32+16;
        // no signing key (its own): 1; signature 64.
        assert_eq!(bytes.len(), 1 + 11 + 32 + 8 + 1 + 32 + 16 + 1 + 64);
        assert_eq!(bytes[bytes.len() - 65], 0, "no signing key named");
        assert_eq!(bytes[0], 11);
        assert_eq!(&bytes[1..12], b"eiraku-test");
        assert_eq!(&bytes[44..52], &3u64.to_be_bytes());
        assert_eq!(bytes[52], 0, "transfer tag");
    }

    #[test]
    fn tampering_breaks_the_signature() {
        let tx = sample(0);
        let mut bytes = tx.to_bytes();
        let last_amount_byte = 1 + 11 + 32 + 8 + 1 + 32 + 15;
        bytes[last_amount_byte] ^= 1;
        let back = SignedTransaction::from_bytes(&bytes).unwrap();
        assert!(!back.verify_signature());
        assert_ne!(back.hash(), tx.hash());
    }

    #[test]
    fn rejects_trailing_bytes_unknown_tags_and_oversize() {
        let mut bytes = sample(0).to_bytes();
        bytes.push(0);
        assert!(matches!(
            SignedTransaction::from_bytes(&bytes),
            Err(DecodeError::Malformed(_))
        ));
        let mut bytes = sample(0).to_bytes();
        bytes[52] = 9;
        assert!(matches!(
            SignedTransaction::from_bytes(&bytes),
            Err(DecodeError::Malformed(_))
        ));
        let huge = vec![0u8; MAX_TRANSACTION_BYTES + 1];
        assert!(matches!(
            SignedTransaction::from_bytes(&huge),
            Err(DecodeError::TooLarge { .. })
        ));
    }
}
