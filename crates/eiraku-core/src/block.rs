//! Blocks and block headers.
//!
//! The block digest is SHA-256 of the encoded header. The header commits to
//! the transactions through `tx_root` (a Merkle root over transaction hashes)
//! and to the post-state through `state_root`, so a header plus its finality
//! certificate is enough to check any transaction or state proof.

use crate::{hash, merkle, Digest, PublicKey, SignedTransaction, MAX_TRANSACTION_BYTES};
use bytes::BufMut;
use commonware_codec::Buf;
use commonware_codec::{Encode, EncodeSize, Error, MaxEncodeSize, RangeCfg, Read, ReadExt, Write};
use commonware_consensus::{
    simplex::types::Context,
    types::{Epoch, Height, Round, View},
    Block as ConsensusBlock, BoundedBlock, CertifiableBlock, Heightable,
};
use commonware_cryptography::Digestible;

/// Most transactions one block may carry.
pub const MAX_BLOCK_TRANSACTIONS: usize = 4096;

/// The consensus round, leader and parent a block was proposed in.
pub type ConsensusContext = Context<Digest, PublicKey>;

/// Everything about a block except its transactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    /// Consensus context of the proposal (round, leader, parent view).
    pub context: ConsensusContext,
    /// Digest of the parent block.
    pub parent: Digest,
    /// Height: 0 for genesis, parent + 1 otherwise.
    pub height: u64,
    /// Proposer's time, milliseconds since the Unix epoch. The only clock the
    /// state machine ever sees.
    pub timestamp_ms: u64,
    /// Merkle root over the hashes of the block's transactions, in order.
    pub tx_root: Digest,
    /// State root after executing this block.
    pub state_root: Digest,
}

impl BlockHeader {
    /// The block digest.
    pub fn digest(&self) -> Digest {
        hash(&[&self.encode()])
    }
}

impl Write for BlockHeader {
    fn write(&self, buf: &mut impl BufMut) {
        self.context.write(buf);
        self.parent.write(buf);
        self.height.write(buf);
        self.timestamp_ms.write(buf);
        self.tx_root.write(buf);
        self.state_root.write(buf);
    }
}

impl EncodeSize for BlockHeader {
    fn encode_size(&self) -> usize {
        self.context.encode_size() + 32 + 8 + 8 + 32 + 32
    }
}

impl MaxEncodeSize for BlockHeader {
    const MAX_ENCODE_SIZE: usize = ConsensusContext::MAX_ENCODE_SIZE + 32 + 8 + 8 + 32 + 32;
}

impl Read for BlockHeader {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            context: ConsensusContext::read(buf)?,
            parent: Digest::read(buf)?,
            height: u64::read(buf)?,
            timestamp_ms: u64::read(buf)?,
            tx_root: Digest::read(buf)?,
            state_root: Digest::read(buf)?,
        })
    }
}

/// A block: header and transactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The header.
    pub header: BlockHeader,
    /// The transactions, in execution order.
    pub transactions: Vec<SignedTransaction>,
    digest: Digest,
}

impl Block {
    /// Assembles a block, computing its transaction root and digest.
    pub fn new(
        context: ConsensusContext,
        parent: Digest,
        height: u64,
        timestamp_ms: u64,
        state_root: Digest,
        transactions: Vec<SignedTransaction>,
    ) -> Self {
        let header = BlockHeader {
            context,
            parent,
            height,
            timestamp_ms,
            tx_root: Self::tx_root_of(&transactions),
            state_root,
        };
        let digest = header.digest();
        Self {
            header,
            transactions,
            digest,
        }
    }

    /// The genesis block: height 0, no transactions, the genesis state root.
    /// `leader` is any fixed key known from the genesis file (the first validator).
    pub fn genesis(leader: PublicKey, timestamp_ms: u64, state_root: Digest) -> Self {
        let context = ConsensusContext {
            round: Round::new(Epoch::zero(), View::zero()),
            leader,
            parent: (View::zero(), Digest::from([0u8; 32])),
        };
        Self::new(
            context,
            Digest::from([0u8; 32]),
            0,
            timestamp_ms,
            state_root,
            Vec::new(),
        )
    }

    /// Merkle root over the hashes of `transactions`.
    pub fn tx_root_of(transactions: &[SignedTransaction]) -> Digest {
        let hashes: Vec<Digest> = transactions.iter().map(|tx| tx.hash()).collect();
        merkle::root(&hashes)
    }

    /// The block digest (cached).
    pub fn hash(&self) -> Digest {
        self.digest
    }
}

impl Write for Block {
    fn write(&self, buf: &mut impl BufMut) {
        self.header.write(buf);
        self.transactions.write(buf);
    }
}

impl EncodeSize for Block {
    fn encode_size(&self) -> usize {
        self.header.encode_size() + self.transactions.encode_size()
    }
}

impl Read for Block {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let header = BlockHeader::read(buf)?;
        let transactions = Vec::<SignedTransaction>::read_cfg(
            buf,
            &(RangeCfg::new(0..=MAX_BLOCK_TRANSACTIONS), ()),
        )?;
        // The digest covers only the header: a body that does not match the
        // header's tx root must never be accepted under that digest.
        if Self::tx_root_of(&transactions) != header.tx_root {
            return Err(Error::Invalid("Block", "transactions do not match tx_root"));
        }
        let digest = header.digest();
        Ok(Self {
            header,
            transactions,
            digest,
        })
    }
}

impl Digestible for Block {
    type Digest = Digest;
    fn digest(&self) -> Digest {
        self.digest
    }
}

impl Heightable for Block {
    fn height(&self) -> Height {
        Height::new(self.header.height)
    }
}

impl ConsensusBlock for Block {
    fn parent(&self) -> Digest {
        self.header.parent
    }
}

impl CertifiableBlock for Block {
    type Context = ConsensusContext;
    fn context(&self) -> ConsensusContext {
        self.header.context.clone()
    }
}

impl BoundedBlock for Block {
    fn max_encode_size(_: &()) -> usize {
        BlockHeader::MAX_ENCODE_SIZE + 5 + MAX_BLOCK_TRANSACTIONS * MAX_TRANSACTION_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Amount, Call, ChainId, Keypair, Transaction};
    use commonware_codec::DecodeExt;

    fn transfer(nonce: u64) -> SignedTransaction {
        let key = Keypair::from_seed(1);
        SignedTransaction::sign(
            Transaction {
                chain_id: ChainId::new("t").unwrap(),
                sender: key.account_id(),
                nonce,
                call: Call::Transfer {
                    to: Keypair::from_seed(2).account_id(),
                    amount: Amount(1),
                },
            },
            &key,
        )
    }

    fn sample() -> Block {
        let genesis = Block::genesis(Keypair::from_seed(9).public_key(), 1, hash(&[b"s"]));
        Block::new(
            genesis.header.context.clone(),
            genesis.hash(),
            1,
            2,
            hash(&[b"s2"]),
            vec![transfer(0), transfer(1)],
        )
    }

    #[test]
    fn round_trip_keeps_digest() {
        let block = sample();
        let back = Block::decode(block.encode()).unwrap();
        assert_eq!(back, block);
        assert_eq!(back.hash(), block.header.digest());
    }

    #[test]
    fn swapped_transactions_are_rejected() {
        let mut block = sample();
        block.transactions.swap(0, 1);
        assert!(Block::decode(block.encode()).is_err());
    }

    #[test]
    fn digest_commits_to_every_header_field() {
        let block = sample();
        let mut other = block.header.clone();
        other.timestamp_ms += 1;
        assert_ne!(other.digest(), block.hash());
        let mut other = block.header.clone();
        other.state_root = hash(&[b"x"]);
        assert_ne!(other.digest(), block.hash());
    }
}
