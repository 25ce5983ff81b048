use super::*;
use commonware_runtime::{deterministic, Runner as _, Supervisor as _};
use eiraku_core::Keypair;

/// A chain of `count` empty blocks from a genesis block.
fn chain_of(count: u64) -> Vec<Arc<Block>> {
    let genesis = Block::genesis(Keypair::from_seed(1).public_key(), 0, [0u8; 32].into());
    let mut blocks = vec![Arc::new(genesis)];
    for height in 1..count {
        let parent = blocks.last().unwrap();
        let root = eiraku_core::hash(&[&height.to_be_bytes()]);
        let block = Block::new(
            parent.header.context.clone(),
            parent.hash(),
            height,
            height,
            root,
            vec![],
        );
        blocks.push(Arc::new(block));
    }
    blocks
}

async fn put_all<E: Spawner>(
    mut store: MarshalBlocks<E>,
    blocks: &[&Arc<Block>],
) -> MarshalBlocks<E> {
    for block in blocks {
        store = store.put(block.hash(), block).await.unwrap();
    }
    store.sync().await.unwrap()
}

#[test]
fn a_put_block_reads_back_by_height_and_digest_after_reopening() {
    deterministic::Runner::default().start(|context| async move {
        let dir = tempfile::tempdir().unwrap();
        let blocks = chain_of(3);
        {
            let store = Arc::new(Store::open(dir.path()).unwrap());
            let finalized = MarshalBlocks::open(context.child("first"), store).unwrap();
            put_all(finalized, &[&blocks[0], &blocks[2]]).await;
        }
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let finalized = MarshalBlocks::open(context.child("second"), store).unwrap();
        let by_height = finalized.get(Identifier::Index(2)).await.unwrap();
        assert_eq!(by_height.as_deref(), Some(&*blocks[2]));
        let by_digest = finalized.get(Identifier::Key(&blocks[2].hash())).await;
        assert_eq!(by_digest.unwrap().as_deref(), Some(&*blocks[2]));
        assert_eq!(finalized.get(Identifier::Index(1)).await.unwrap(), None);
        let unknown = finalized.get(Identifier::Key(&blocks[1].hash())).await;
        assert_eq!(unknown.unwrap(), None);
        assert_eq!(finalized.last_index(), Some(Height::new(2)));
    });
}

#[test]
fn a_second_put_of_a_held_height_is_ignored() {
    deterministic::Runner::default().start(|context| async move {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let first = chain_of(2);
        let other = {
            let mut block = (*first[1]).clone();
            block.header.timestamp_ms += 1;
            Arc::new(Block::new(
                block.header.context.clone(),
                block.header.parent,
                1,
                block.header.timestamp_ms,
                block.header.state_root,
                vec![],
            ))
        };
        assert_ne!(other.hash(), first[1].hash());
        let finalized = MarshalBlocks::open(context.child("blocks"), store.clone()).unwrap();
        let finalized = put_all(finalized, &[&first[1], &other]).await;
        let held = finalized.get(Identifier::Index(1)).await.unwrap();
        assert_eq!(held.as_deref(), Some(&*first[1]));
        assert_eq!(store.block(1).unwrap().as_ref(), Some(&*first[1]));
        let ignored = finalized.get(Identifier::Key(&other.hash())).await;
        assert_eq!(ignored.unwrap(), None, "the ignored block is not indexed");
    });
}

#[test]
fn missing_items_and_next_gap_name_the_gap() {
    deterministic::Runner::default().start(|context| async move {
        let dir = tempfile::tempdir().unwrap();
        let blocks = chain_of(7);
        {
            let store = Arc::new(Store::open(dir.path()).unwrap());
            let finalized = MarshalBlocks::open(context.child("first"), store).unwrap();
            put_all(finalized, &[&blocks[0], &blocks[1], &blocks[2], &blocks[5]]).await;
        }
        // Rebuilt from the stored heights.
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let finalized = MarshalBlocks::open(context.child("second"), store).unwrap();
        let heights = |items: Vec<Height>| items.into_iter().map(|h| h.get()).collect::<Vec<_>>();
        assert_eq!(heights(finalized.missing_items(Height::new(0), 10)), [3, 4]);
        assert_eq!(heights(finalized.missing_items(Height::new(0), 1)), [3]);
        assert_eq!(gap_of(&finalized, 1), (Some(2), Some(5)));
        assert_eq!(gap_of(&finalized, 3), (None, Some(5)));
        assert_eq!(gap_of(&finalized, 5), (Some(5), None));
        assert_eq!(finalized.last_index(), Some(Height::new(5)));
        // Filling the gap closes it.
        let finalized = put_all(finalized, &[&blocks[3], &blocks[4]]).await;
        assert!(finalized.missing_items(Height::new(0), 10).is_empty());
        assert_eq!(gap_of(&finalized, 0), (Some(5), None));
    });
}

fn gap_of<E: Spawner>(finalized: &MarshalBlocks<E>, at: u64) -> (Option<u64>, Option<u64>) {
    let (end, next) = finalized.next_gap(Height::new(at));
    (end.map(|h| h.get()), next.map(|h| h.get()))
}

/// A finalization of `block`, signed by a validator set of one.
fn finalization_of(block: &Block) -> FinalizationCertificate {
    use commonware_consensus::{
        simplex::types::{Finalize, Proposal},
        types::{Epoch, Round, View},
    };
    use commonware_cryptography::Signer as _;
    let key = commonware_cryptography::ed25519::PrivateKey::from_seed(9);
    let participants = commonware_utils::ordered::Set::from_iter_dedup([key.public_key()]);
    let scheme = Scheme::signer(crate::engine::CONSENSUS_NAMESPACE, participants, key).unwrap();
    let round = Round::new(Epoch::zero(), View::new(block.header.height));
    let proposal = Proposal::new(round, View::zero(), block.hash());
    let finalize = Finalize::sign(&scheme, proposal).unwrap();
    let votes = commonware_utils::non_empty![@std::iter::once(&finalize)];
    Finalization::from_finalizes(&scheme, votes, &commonware_parallel::Sequential).unwrap()
}

#[test]
fn certificates_read_back_in_the_stored_format_after_reopening() {
    deterministic::Runner::default().start(|context| async move {
        let dir = tempfile::tempdir().unwrap();
        let blocks = chain_of(4);
        let (second, third) = (finalization_of(&blocks[2]), finalization_of(&blocks[3]));
        {
            let store = Arc::new(Store::open(dir.path()).unwrap());
            let certificates = MarshalCertificates::open(context.child("first"), store).unwrap();
            let certificates = certificates
                .put(Height::new(2), blocks[2].hash(), &second)
                .await
                .unwrap();
            // Ignored: height 2 is held.
            let certificates = certificates
                .put(Height::new(2), blocks[3].hash(), &third)
                .await
                .unwrap();
            let certificates = certificates
                .put(Height::new(3), blocks[3].hash(), &third)
                .await
                .unwrap();
            certificates.sync().await.unwrap();
        }
        let store = Arc::new(Store::open(dir.path()).unwrap());
        // The bytes the API serves and the light client checks.
        assert_eq!(
            store.certificate(2).unwrap(),
            Some(second.encode().to_vec())
        );
        let certificates = MarshalCertificates::open(context.child("second"), store).unwrap();
        let by_height = certificates.get(Identifier::Index(3)).await.unwrap();
        assert_eq!(by_height.as_ref(), Some(&third));
        let by_digest = certificates.get(Identifier::Key(&blocks[2].hash())).await;
        assert_eq!(by_digest.unwrap().as_ref(), Some(&second));
        assert!(certificates.has(Height::new(2)).await.unwrap());
        assert!(!certificates.has(Height::new(1)).await.unwrap());
        assert_eq!(certificates.last_index(), Some(Height::new(3)));
        let ranges: Vec<_> = certificates.ranges_from(Height::zero()).collect();
        assert_eq!(ranges, [(Height::new(2), Height::new(3))]);
    });
}
