//! Proofs an outsider checks with nothing but the genesis file: that a
//! transaction is in a block (a Merkle path to the header's transaction
//! root) and that the block is final (its finalization certificate, signed
//! by a quorum of the genesis validators). [`LightClient`] is the small API
//! third parties embed.
//!
//! A [`TxProof`] is portable: versioned JSON, every binary field hex in the
//! chain's one codec.

use crate::{
    digest, hash, merkle, registry::RegistryCall, AccountId, BlockHeader, Call, ChainId, Digest,
    Genesis, PublicKey, SignedTransaction,
};
use commonware_codec::{Copying, DecodeExt, Encode, Read};
use commonware_consensus::simplex::{scheme::ed25519::Scheme, types::Finalization};
use commonware_cryptography::certificate::Verifier as _;
use commonware_parallel::Sequential;
use commonware_storage::bmt::Proof;
use commonware_utils::{ordered::Set, TryCollect};
use serde::{Deserialize, Serialize};

/// Namespace of consensus signatures (votes and certificates).
pub const CONSENSUS_NAMESPACE: &[u8] = b"EIRAKU_CONSENSUS";

/// The proof format's version.
pub const PROOF_VERSION: u8 = 1;

/// Why a proof does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// A field does not decode.
    #[error("the proof's {0} does not decode")]
    Malformed(&'static str),
    /// A version this client does not know.
    #[error("proof version {0} is not supported (expected {PROOF_VERSION})")]
    Version(u8),
    /// The proof is for another network.
    #[error("the proof is for chain {got:?}, not {expected:?}")]
    WrongChain {
        /// The genesis's chain.
        expected: String,
        /// The proof's.
        got: String,
    },
    /// The certificate's signatures do not verify against the validators.
    #[error("the finalization certificate is not signed by a quorum of the genesis validators")]
    CertificateInvalid,
    /// A valid certificate, but for another block.
    #[error("the finalization certificate finalizes another block")]
    CertificateForAnotherBlock,
    /// The transaction's signature does not verify (the transaction root
    /// commits to transaction hashes, which do not cover signatures).
    #[error("the transaction's signature does not verify")]
    BadSignature,
    /// The Merkle path does not lead from the transaction to the header's root.
    #[error("the transaction is not at position {0} under the block's transaction root")]
    NotInBlock(u32),
    /// The file is not the one the proof is for.
    #[error("the file's SHA-256 is {got}, the proof is for {expected}")]
    FileMismatch {
        /// The proof's digest (hex).
        expected: String,
        /// The file's (hex).
        got: String,
    },
    /// The proven transaction anchors nothing.
    #[error("the proven transaction is not an anchoring transaction")]
    NotAnAnchor,
    /// The batch path does not lead from the file's digest to the anchored root.
    #[error("the file's digest is not at position {0} of the anchored batch")]
    NotInBatch(u32),
    /// The genesis validator set is unusable.
    #[error("the genesis validator set is invalid: {0}")]
    Validators(String),
}

/// What a transaction proof establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedTx {
    /// The transaction.
    pub transaction: SignedTransaction,
    /// The finalized block's height.
    pub height: u64,
    /// The block's time (ms since the Unix epoch): when it was recorded.
    pub timestamp_ms: u64,
    /// The block's digest.
    pub block: Digest,
}

/// Checks headers and proofs against a genesis file's validator set.
pub struct LightClient {
    chain_id: ChainId,
    verifier: Scheme,
}

impl LightClient {
    /// A client for the network `genesis` describes. (The validator set is
    /// static; following recorded validator-set changes comes with them.)
    pub fn from_genesis(genesis: &Genesis) -> Result<Self, ProofError> {
        let keys: Vec<PublicKey> = genesis
            .validators
            .iter()
            .map(|v| v.public_key.public_key())
            .collect::<Result<_, _>>()
            .map_err(|e| ProofError::Validators(e.to_string()))?;
        let participants: Set<PublicKey> = keys
            .into_iter()
            .try_collect()
            .map_err(|_| ProofError::Validators("a validator is listed twice".into()))?;
        Ok(Self {
            chain_id: genesis.chain_id.clone(),
            verifier: Scheme::verifier(CONSENSUS_NAMESPACE, participants),
        })
    }

    /// Checks that `certificate` (an encoded finalization) finalizes the
    /// block whose header is `header`.
    pub fn verify_finality(
        &self,
        header: &BlockHeader,
        certificate: &[u8],
    ) -> Result<(), ProofError> {
        let finalization = Finalization::<Scheme, Digest>::read_cfg(
            &mut Copying(certificate),
            &Scheme::certificate_codec_config_unbounded(),
        )
        .map_err(|_| ProofError::Malformed("certificate"))?;
        if finalization.encode().as_ref() != certificate {
            return Err(ProofError::Malformed("certificate"));
        }
        if !finalization.verify(&mut rand::rng(), &self.verifier, &Sequential) {
            return Err(ProofError::CertificateInvalid);
        }
        if finalization.proposal.payload != header.digest() {
            return Err(ProofError::CertificateForAnotherBlock);
        }
        Ok(())
    }

    /// Checks a transaction proof completely: chain, Merkle path, finality.
    pub fn verify_tx(&self, proof: &TxProof) -> Result<VerifiedTx, ProofError> {
        if proof.version != PROOF_VERSION {
            return Err(ProofError::Version(proof.version));
        }
        if proof.chain_id != self.chain_id.as_str() {
            return Err(ProofError::WrongChain {
                expected: self.chain_id.to_string(),
                got: proof.chain_id.clone(),
            });
        }
        let header = BlockHeader::decode(Copying(&hex_field(&proof.header, "header")?))
            .map_err(|_| ProofError::Malformed("header"))?;
        let transaction =
            SignedTransaction::from_bytes(&hex_field(&proof.transaction, "transaction")?)
                .map_err(|_| ProofError::Malformed("transaction"))?;
        let path_bytes = hex_field(&proof.path, "path")?;
        let path = Proof::<Digest>::read_cfg(&mut Copying(&path_bytes), &1)
            .map_err(|_| ProofError::Malformed("path"))?;
        if path.encode().as_ref() != path_bytes.as_slice() {
            return Err(ProofError::Malformed("path"));
        }
        if !merkle::verify_inclusion(&path, &transaction.hash(), proof.position, &header.tx_root) {
            return Err(ProofError::NotInBlock(proof.position));
        }
        if !transaction.verify_signature() {
            return Err(ProofError::BadSignature);
        }
        self.verify_finality(&header, &hex_field(&proof.certificate, "certificate")?)?;
        Ok(VerifiedTx {
            transaction,
            height: header.height,
            timestamp_ms: header.timestamp_ms,
            block: header.digest(),
        })
    }
}

fn hex_field(text: &str, field: &'static str) -> Result<Vec<u8>, ProofError> {
    hex::decode(text).map_err(|_| ProofError::Malformed(field))
}

/// A transaction's inclusion in a finalized block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxProof {
    /// Format version ([`PROOF_VERSION`]).
    pub version: u8,
    /// The network (from the genesis the proof is checked against).
    pub chain_id: String,
    /// The block header (hex of its encoding).
    pub header: String,
    /// The signed transaction (hex of its encoding).
    pub transaction: String,
    /// Its position in the block.
    pub position: u32,
    /// The Merkle path from its hash to the header's transaction root (hex).
    pub path: String,
    /// The block's finalization certificate (hex).
    pub certificate: String,
}

impl TxProof {
    /// Builds the proof of the transaction at `position` of a finalized
    /// block, given the block's transactions and certificate.
    pub fn build(
        chain_id: &ChainId,
        header: &BlockHeader,
        transactions: &[SignedTransaction],
        position: u32,
        certificate: &[u8],
    ) -> Option<Self> {
        let transaction = transactions.get(position as usize)?;
        let hashes: Vec<Digest> = transactions.iter().map(|tx| tx.hash()).collect();
        let path = merkle::tree(&hashes).proof(position).ok()?;
        Some(Self {
            version: PROOF_VERSION,
            chain_id: chain_id.to_string(),
            header: hex::encode(header.encode()),
            transaction: hex::encode(transaction.to_bytes()),
            position,
            path: hex::encode(path.encode()),
            certificate: hex::encode(certificate),
        })
    }
}

/// A file's notarization, checkable offline with the genesis file: the
/// file's SHA-256, its path inside the anchored batch, and the proof of the
/// anchoring transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotaryProof {
    /// Format version ([`PROOF_VERSION`]).
    pub version: u8,
    /// SHA-256 of the file (hex).
    pub file_sha256: String,
    /// Its position in the anchored batch.
    pub batch_position: u32,
    /// The Merkle path from its digest to the batch root (hex).
    pub batch_path: String,
    /// The anchoring transaction's proof.
    pub anchor: TxProof,
}

/// What a notary proof establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notarized {
    /// The file's SHA-256.
    pub file_sha256: Digest,
    /// Height of the anchoring block.
    pub height: u64,
    /// The anchoring block's time (ms since the Unix epoch): the notarized time.
    pub timestamp_ms: u64,
    /// The account that anchored it.
    pub anchored_by: AccountId,
}

impl NotaryProof {
    /// The proof for the file at `position` of a batch of `digests` whose
    /// root `anchor` proves anchored.
    pub fn build(digests: &[Digest], position: u32, anchor: TxProof) -> Option<Self> {
        let digest = digests.get(position as usize)?;
        let path = merkle::tree(digests).proof(position).ok()?;
        Some(Self {
            version: PROOF_VERSION,
            file_sha256: digest::to_hex(digest),
            batch_position: position,
            batch_path: hex::encode(path.encode()),
            anchor,
        })
    }
}

impl LightClient {
    /// Checks that `file` was notarized as `proof` says, and when.
    pub fn verify_notary(&self, proof: &NotaryProof, file: &[u8]) -> Result<Notarized, ProofError> {
        if proof.version != PROOF_VERSION {
            return Err(ProofError::Version(proof.version));
        }
        let file_sha256 = hash(&[file]);
        if digest::to_hex(&file_sha256) != proof.file_sha256 {
            return Err(ProofError::FileMismatch {
                expected: proof.file_sha256.clone(),
                got: digest::to_hex(&file_sha256),
            });
        }
        let anchored = self.verify_tx(&proof.anchor)?;
        let Call::Registry(RegistryCall::Anchor { root, leaves }) =
            anchored.transaction.transaction.call
        else {
            return Err(ProofError::NotAnAnchor);
        };
        let path_bytes = hex_field(&proof.batch_path, "batch_path")?;
        let path = Proof::<Digest>::read_cfg(&mut Copying(&path_bytes), &1)
            .map_err(|_| ProofError::Malformed("batch_path"))?;
        if path.encode().as_ref() != path_bytes.as_slice() || path.leaf_count != leaves {
            return Err(ProofError::Malformed("batch_path"));
        }
        if !merkle::verify_inclusion(&path, &file_sha256, proof.batch_position, &root) {
            return Err(ProofError::NotInBatch(proof.batch_position));
        }
        Ok(Notarized {
            file_sha256,
            height: anchored.height,
            timestamp_ms: anchored.timestamp_ms,
            anchored_by: anchored.transaction.transaction.sender,
        })
    }
}
