//! Proofs an outsider checks with nothing but the genesis file: that a
//! transaction is in a block (a Merkle path to the header's transaction
//! root) and that the block is final (its finalization certificate, signed
//! by a quorum of the genesis validators). [`LightClient`] is the small API
//! third parties embed.
//!
//! A [`TxProof`] is portable: versioned JSON, every binary field hex in the
//! chain's one codec.

use crate::{
    digest, hash, kv_proof, merkle, registry::RegistryCall, AccountId, BlockHeader, Call, ChainId,
    Digest, Genesis, PublicKey, SignedTransaction, StateKey, ValidatorSet,
};
use commonware_codec::{Copying, DecodeExt, Encode, Read};
use commonware_consensus::{
    simplex::{scheme::ed25519::Scheme, types::Finalization},
    Epochable as _,
};
use commonware_cryptography::certificate::Verifier as _;
use commonware_parallel::Sequential;
use commonware_storage::bmt::Proof;
use commonware_utils::{ordered::Set, TryCollect};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod any;
mod check;
mod credential;
mod handoff;
pub use any::{AnyProof, ProofFileError};
pub use check::{check_proof_file, CheckRequestError, ProofVerdict};
pub use credential::{rfc3339, Credential, CredentialProof, CredentialSubject, VerifiedCredential};
pub use handoff::Handoff;

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
    #[error("the finalization certificate is not signed by a quorum of its epoch's validators")]
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
    /// A descendant header is not the child of the header before it.
    #[error("the descendant header at height {0} is not the child of the one before it")]
    NotLinked(u64),
    /// The revealed accounts are not where the proof says under the state root.
    #[error("the revealed accounts are not under the block's state root")]
    NotInState,
    /// The revealed accounts neither hold the asked one nor enclose its place.
    #[error("the revealed accounts neither hold {0} nor enclose where it would be")]
    DoesNotCover(String),
    /// The genesis validator set is unusable.
    #[error("the genesis validator set is invalid: {0}")]
    Validators(String),
    /// A certificate of another epoch than its block's.
    #[error("the certificate of block {height} is of epoch {epoch}, not the block's")]
    WrongEpoch {
        /// The certified block.
        height: u64,
        /// The certificate's epoch.
        epoch: u64,
    },
    /// A validator-set handoff that does not hold.
    #[error("the validator-set handoff after block {height} does not hold: {why}")]
    BadHandoff {
        /// The last block of the epoch that handed over.
        height: u64,
        /// What is wrong.
        why: &'static str,
    },
    /// A credential whose content is not what its proven entry holds.
    #[error("the credential's {0} is not what the ledger recorded")]
    CredentialMismatch(&'static str),
    /// The proven state holds no such attestation.
    #[error("the ledger holds no attestation {0} in the proven block")]
    CredentialAbsent(String),
    /// The attestation was revoked.
    #[error("the attestation was revoked at {revoked_ms} ms (proven at block {height})")]
    CredentialRevoked {
        /// Block time of the revocation.
        revoked_ms: u64,
        /// The block whose state shows it revoked.
        height: u64,
    },
    /// A newer state proof that is older, or about another entry.
    #[error("the newer state proof {0}")]
    NotNewer(&'static str),
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

/// Checks headers and proofs against a genesis file's validator set, and
/// the sets that followed it: each epoch's certificates verify with the
/// set the epoch before handed over ([`Handoff`]).
#[derive(Clone)]
pub struct LightClient {
    chain_id: ChainId,
    /// Blocks per epoch (`None`: one epoch).
    epoch_length: Option<u64>,
    /// The verifier of each epoch whose set differs from the epoch
    /// before's, from epoch 0 (the genesis set) on.
    sets: BTreeMap<u64, Scheme>,
}

impl LightClient {
    /// A client for the network `genesis` describes, knowing its genesis
    /// set; proofs made after a set change carry the handoffs to follow.
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
        if genesis.epoch_length == Some(0) {
            return Err(ProofError::Validators(
                "an epoch holds at least one block".into(),
            ));
        }
        Ok(Self {
            chain_id: genesis.chain_id.clone(),
            epoch_length: genesis.epoch_length,
            sets: BTreeMap::from([(0, Scheme::verifier(CONSENSUS_NAMESPACE, participants))]),
        })
    }

    /// The epoch block `height` belongs to.
    pub fn epoch_of(&self, height: u64) -> u64 {
        self.epoch_length.map_or(0, |length| height / length)
    }

    /// Whether block `height` is the last of its epoch.
    pub fn ends_epoch(&self, height: u64) -> bool {
        self.epoch_length.is_some_and(|length| {
            height
                .checked_add(1)
                .is_some_and(|next| next.is_multiple_of(length))
        })
    }

    /// Takes `set` as the set of `epoch` on: for an auditor who replays
    /// the chain and reads the set the state hands over.
    pub fn enter_epoch(&mut self, epoch: u64, set: &ValidatorSet) {
        let participants = set.participants();
        self.sets
            .insert(epoch, Scheme::verifier(CONSENSUS_NAMESPACE, participants));
    }

    fn verifier(&self, epoch: u64) -> &Scheme {
        let (_, scheme) = (self.sets.range(..=epoch).next_back()).expect("epoch 0 is known");
        scheme
    }

    /// Checks that `certificate` (an encoded finalization) finalizes the
    /// block whose header is `header`, signed by a quorum of the set of
    /// the block's epoch.
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
        let epoch = finalization.epoch().get();
        if epoch != self.epoch_of(header.height) {
            return Err(ProofError::WrongEpoch {
                height: header.height,
                epoch,
            });
        }
        if !finalization.verify(&mut rand::rng(), self.verifier(epoch), &Sequential) {
            return Err(ProofError::CertificateInvalid);
        }
        if finalization.proposal.payload != header.digest() {
            return Err(ProofError::CertificateForAnotherBlock);
        }
        Ok(())
    }

    /// Checks a transaction proof completely: chain, Merkle path, finality.
    pub fn verify_tx(&self, proof: &TxProof) -> Result<VerifiedTx, ProofError> {
        self.check_envelope(proof.version, &proof.chain_id)?;
        let header = decode_header(&proof.header)?;
        let transaction =
            SignedTransaction::from_bytes(&hex_field(&proof.transaction, "transaction")?)
                .map_err(|_| ProofError::Malformed("transaction"))?;
        let path = decode_path(&proof.path, 1, "path")?;
        if !merkle::verify_inclusion(&path, &transaction.hash(), proof.position, &header.tx_root) {
            return Err(ProofError::NotInBlock(proof.position));
        }
        if !transaction.verify_signature() {
            return Err(ProofError::BadSignature);
        }
        self.following(&proof.handoffs)?.verify_finality_through(
            &header,
            &proof.descendants,
            &hex_field(&proof.certificate, "certificate")?,
        )?;
        Ok(VerifiedTx {
            transaction,
            height: header.height,
            timestamp_ms: header.timestamp_ms,
            block: header.digest(),
        })
    }
}

impl LightClient {
    /// Checks that `header`'s block is final: `certificate` finalizes it,
    /// or finalizes the last of `descendants` (hex headers), each the
    /// child of the one before and the first the child of `header`.
    pub fn verify_finality_through(
        &self,
        header: &BlockHeader,
        descendants: &[String],
        certificate: &[u8],
    ) -> Result<(), ProofError> {
        if descendants.len() > MAX_DESCENDANTS {
            return Err(ProofError::Malformed("descendants"));
        }
        let mut last = header.clone();
        for text in descendants {
            let next = BlockHeader::decode(Copying(&hex_field(text, "descendants")?))
                .map_err(|_| ProofError::Malformed("descendants"))?;
            if next.parent != last.digest() || Some(next.height) != last.height.checked_add(1) {
                return Err(ProofError::NotLinked(next.height));
            }
            last = next;
        }
        self.verify_finality(&last, certificate)
    }

    fn check_envelope(&self, version: u8, chain_id: &str) -> Result<(), ProofError> {
        if version != PROOF_VERSION {
            return Err(ProofError::Version(version));
        }
        if chain_id != self.chain_id.as_str() {
            return Err(ProofError::WrongChain {
                expected: self.chain_id.to_string(),
                got: chain_id.to_string(),
            });
        }
        Ok(())
    }
}

/// Hex in its one canonical form (lower case), so that a proof has exactly
/// one spelling and any changed character is a changed proof.
fn hex_field(text: &str, field: &'static str) -> Result<Vec<u8>, ProofError> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(ProofError::Malformed(field));
    }
    hex::decode(text).map_err(|_| ProofError::Malformed(field))
}

fn decode_header(text: &str) -> Result<BlockHeader, ProofError> {
    BlockHeader::decode(Copying(&hex_field(text, "header")?))
        .map_err(|_| ProofError::Malformed("header"))
}

/// A Merkle path of at most `max_leaves` leaves, in its canonical encoding.
fn decode_path(
    text: &str,
    max_leaves: usize,
    field: &'static str,
) -> Result<merkle::Path, ProofError> {
    let bytes = hex_field(text, field)?;
    let path = Proof::<Digest>::read_cfg(&mut Copying(&bytes), &max_leaves)
        .map_err(|_| ProofError::Malformed(field))?;
    if path.encode().as_ref() != bytes.as_slice() {
        return Err(ProofError::Malformed(field));
    }
    Ok(path)
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
    /// The finalization certificate (hex) of the block, or, when the block
    /// was finalized through a descendant (consensus finalizes a block's
    /// ancestors with it), of the last of `descendants`.
    pub certificate: String,
    /// Headers (hex) of the blocks after this one, each the child of the
    /// one before, up to the certified one; empty when the block has a
    /// certificate of its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub descendants: Vec<String>,
    /// The validator sets that followed genesis's, up to the block's epoch
    /// (empty while the genesis set signs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handoffs: Vec<Handoff>,
}

/// Most descendant headers a proof may carry.
pub const MAX_DESCENDANTS: usize = 256;

impl TxProof {
    /// Builds the proof of the transaction at `position` of a finalized
    /// block, given the block's transactions, the headers of any blocks
    /// after it up to a certified one, and that one's certificate.
    pub fn build(
        chain_id: &ChainId,
        header: &BlockHeader,
        transactions: &[SignedTransaction],
        position: u32,
        descendants: &[BlockHeader],
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
            descendants: descendants
                .iter()
                .map(|header| hex::encode(header.encode()))
                .collect(),
            handoffs: Vec::new(),
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
        self.verify_notary_digest(proof, &hash(&[file]))
    }

    /// [`LightClient::verify_notary`] for a file known by its SHA-256 (a
    /// browser hashes the file and sends only that).
    pub fn verify_notary_digest(
        &self,
        proof: &NotaryProof,
        file_sha256: &Digest,
    ) -> Result<Notarized, ProofError> {
        self.check_envelope(proof.version, &proof.anchor.chain_id)?;
        let file_sha256 = *file_sha256;
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
        let path = decode_path(&proof.batch_path, 1, "batch_path")?;
        if path.leaf_count != leaves {
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

/// Version of the state proof format: 2 since state roots come from the
/// authenticated key-value store (version 1 proved accounts in a Merkle
/// tree over all of them).
pub const STATE_PROOF_VERSION: u8 = 2;

/// Any state entry's value, or its absence, under a finalized block's state
/// root.
///
/// The state root is the root of the authenticated key-value store that
/// holds every entry of every module under the SHA-256 of its key
/// ([`StateKey::hashed`]). An inclusion proof shows the key holds exactly
/// `value`; an exclusion proof shows no key holds anything between the
/// asked key's neighbours, so it is absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateProof {
    /// Format version ([`STATE_PROOF_VERSION`]).
    pub version: u8,
    /// The network.
    pub chain_id: String,
    /// The block header whose state root is proven into (hex).
    pub header: String,
    /// The block's finalization certificate (hex).
    pub certificate: String,
    /// The entry asked about, as text (`account/<hex>`, `money/economy/JP`, …).
    pub key: String,
    /// Its value (hex); none when the proof proves absence.
    pub value: Option<String>,
    /// The inclusion or exclusion proof under the header's state root (hex).
    pub proof: String,
    /// The validator sets that followed genesis's, up to the block's epoch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handoffs: Vec<Handoff>,
}

/// What a state proof establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedState {
    /// The entry.
    pub key: StateKey,
    /// Its value; `None`: it does not exist.
    pub value: Option<Vec<u8>>,
    /// The finalized block's height.
    pub height: u64,
    /// The block's time (ms since the Unix epoch).
    pub timestamp_ms: u64,
    /// The block's digest.
    pub block: Digest,
}

impl StateProof {
    /// The portable form of a key's proof (`value` `None` for absence), in
    /// the block `header` that `certificate` finalizes.
    pub fn new(
        chain_id: &ChainId,
        header: &BlockHeader,
        certificate: &[u8],
        key: &StateKey,
        value: Option<&[u8]>,
        proof: &[u8],
    ) -> Self {
        Self {
            version: STATE_PROOF_VERSION,
            chain_id: chain_id.to_string(),
            header: hex::encode(header.encode()),
            certificate: hex::encode(certificate),
            key: key.to_string(),
            value: value.map(hex::encode),
            proof: hex::encode(proof),
            handoffs: Vec::new(),
        }
    }
}

impl LightClient {
    /// Checks a state proof completely: chain, finality, and that the key
    /// holds the value (or nothing) under the block's state root.
    pub fn verify_state(&self, proof: &StateProof) -> Result<VerifiedState, ProofError> {
        if proof.version != STATE_PROOF_VERSION {
            return Err(ProofError::Version(proof.version));
        }
        self.check_envelope(PROOF_VERSION, &proof.chain_id)?;
        let header = decode_header(&proof.header)?;
        let client = self.following(&proof.handoffs)?;
        client.verify_finality(&header, &hex_field(&proof.certificate, "certificate")?)?;
        let key: StateKey = proof
            .key
            .parse()
            .map_err(|_| ProofError::Malformed("key"))?;
        let value = proof
            .value
            .as_deref()
            .map(|text| hex_field(text, "value"))
            .transpose()?;
        let bytes = hex_field(&proof.proof, "proof")?;
        let hashed = key.hashed();
        let holds = match &value {
            Some(value) => kv_proof::verify_present(&bytes, &hashed, value, &header.state_root),
            None => kv_proof::verify_absent(&bytes, &hashed, &header.state_root),
        };
        if !holds {
            return Err(ProofError::NotInState);
        }
        Ok(VerifiedState {
            key,
            value,
            height: header.height,
            timestamp_ms: header.timestamp_ms,
            block: header.digest(),
        })
    }
}

/// The epoch of a finalization certificate and the positions, in that
/// epoch's validator set, of the validators whose signatures it carries
/// (what an explorer shows; it checks nothing).
pub fn certificate_signers(certificate: &[u8]) -> Option<(u64, Vec<u32>)> {
    let finalization = Finalization::<Scheme, Digest>::read_cfg(
        &mut Copying(certificate),
        &Scheme::certificate_codec_config_unbounded(),
    )
    .ok()?;
    let signers = finalization.certificate.signers.iter();
    Some((
        finalization.epoch().get(),
        signers.map(|p| p.get()).collect(),
    ))
}
