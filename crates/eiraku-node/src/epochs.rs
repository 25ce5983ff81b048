//! Consensus across epochs: the set that signs each epoch, as the state
//! hands it over after the epoch before ends.
//!
//! An epoch is `epoch_length` blocks (genesis); a chain without one is a
//! single epoch. The state's `validators/active` entry after the last block
//! of epoch `e` is the set of epoch `e + 1` (see `eiraku_state::validators`):
//! the executor reads it once that block is durable, registers its scheme
//! here for marshal and the next engine, and tells the orchestrator.

use crate::application::Scheme;
use commonware_consensus::types::{Epoch, Epocher, FixedEpocher, Height};
use commonware_cryptography::{
    certificate::{Provider, Scoped},
    ed25519,
};
use commonware_p2p::{Address, AddressableManager, AddressableTrackedPeers};
use commonware_utils::{ordered::Map, TryCollect as _};
use eiraku_core::{proof::CONSENSUS_NAMESPACE, PublicKey, ValidatorSet};
use std::{
    collections::BTreeMap,
    num::{NonZeroU64, NonZeroUsize},
    sync::{Arc, Mutex},
};

/// Tracks the peers of an epoch in the p2p layer: `primary` the epoch's
/// set, `secondary` the set before it (still finishing its epoch).
pub type TrackPeers = Box<dyn FnMut(Epoch, &ValidatorSet, &ValidatorSet) + Send>;

/// The epochs of a chain whose epochs are `length` blocks long (`None`: one
/// epoch for ever).
pub fn epocher(length: Option<u64>) -> FixedEpocher {
    let length = length.and_then(NonZeroU64::new);
    FixedEpocher::new(length.unwrap_or(NonZeroU64::MAX))
}

/// Whether block `height` is the last of its epoch.
pub fn ends_epoch(epocher: &FixedEpocher, height: u64) -> bool {
    epocher
        .containing(Height::new(height))
        .is_some_and(|info| info.last().get() == height)
}

/// The epoch of the block after `height`: the one a node whose state is at
/// `height` takes part in.
pub fn epoch_after(epocher: &FixedEpocher, height: u64) -> Epoch {
    epocher
        .containing(Height::new(height.saturating_add(1)))
        .map_or(Epoch::zero(), |info| info.epoch())
}

/// A set's p2p addresses, less any key in `except`.
pub fn addresses(set: &ValidatorSet, except: &ValidatorSet) -> Map<PublicKey, Address> {
    let peers = set
        .validators()
        .iter()
        .filter(|v| !except.contains(&v.key))
        .filter_map(|v| Some((v.key.public_key().ok()?, Address::Symmetric(v.p2p_address))));
    peers
        .try_collect()
        .expect("a validator set holds each key once")
}

/// Tells a p2p manager each epoch's peers: the epoch's set first, the set
/// before it second (finishing its epoch). A set beyond `limit` (which
/// sized the manager's mailboxes) keeps what fits of its primary peers,
/// with an error in the log: the node needs a restart to size them for it.
pub fn track_peers<M>(mut manager: M, limit: NonZeroUsize) -> TrackPeers
where
    M: AddressableManager<PublicKey = PublicKey> + Send + 'static,
{
    Box::new(move |epoch, primary, before| {
        let mut primary_peers = addresses(primary, &ValidatorSet::default());
        let mut secondary = addresses(before, primary);
        if primary_peers.len() + secondary.len() + 1 > limit.get() {
            // The p2p layer aborts on a set beyond the limit its mailboxes
            // were sized for: keep what fits, and say so.
            tracing::error!(
                epoch = epoch.get(),
                limit = limit.get(),
                "the validator set outgrew this node's p2p limit: restart the node to reach every validator"
            );
            secondary = Map::default();
            let fits = primary_peers.iter_pairs().take(limit.get() - 1);
            let fits: Vec<_> = fits
                .map(|(key, address)| (key.clone(), address.clone()))
                .collect();
            primary_peers = fits.into_iter().try_collect().expect("a subset of a map");
        }
        let peers = AddressableTrackedPeers::new(primary_peers, secondary);
        let _ = manager.track(epoch.get(), peers);
    })
}

/// Epochs before the newest whose schemes stay registered.
const KEPT_EPOCHS: u64 = 2;

/// Each epoch's signing scheme, shared by marshal (which verifies
/// certificates by epoch) and the engines (which sign with it).
#[derive(Clone)]
pub struct EpochSchemes {
    signer: ed25519::PrivateKey,
    schemes: Arc<Mutex<BTreeMap<Epoch, Scoped<Scheme>>>>,
}

impl EpochSchemes {
    /// No epoch yet; `signer` is this node's consensus key.
    pub fn new(signer: ed25519::PrivateKey) -> Self {
        Self {
            signer,
            schemes: Arc::default(),
        }
    }

    /// Registers `set` as `epoch`'s (again: the same set, when a block is
    /// delivered twice). Returns whether this node signs in it.
    pub fn register(&self, epoch: Epoch, set: &ValidatorSet) -> bool {
        let participants = set.participants();
        let scoped = match Scheme::signer(
            CONSENSUS_NAMESPACE,
            participants.clone(),
            self.signer.clone(),
        ) {
            Some(scheme) => Scoped::scheme(Arc::new(scheme)),
            None => Scoped::verifier(Arc::new(Scheme::verifier(
                CONSENSUS_NAMESPACE,
                participants,
            ))),
        };
        let signs = scoped.clone().into_scheme().is_some();
        let mut schemes = self.schemes.lock().expect("not poisoned");
        schemes.insert(epoch, scoped);
        // Marshal verifies certificates of the epochs it is catching up
        // through, registered as it goes: older ones are never asked again.
        let oldest = Epoch::new(epoch.get().saturating_sub(KEPT_EPOCHS));
        schemes.retain(|kept, _| *kept >= oldest);
        signs
    }

    /// The scheme this node signs `epoch` with, when it is one of its set.
    pub fn signer(&self, epoch: Epoch) -> Option<Scheme> {
        let schemes = self.schemes.lock().expect("not poisoned");
        let scheme = schemes.get(&epoch)?.clone().into_scheme()?;
        Some((*scheme).clone())
    }
}

impl Provider for EpochSchemes {
    type Scope = Epoch;
    type Scheme = Scheme;

    fn scoped(&self, epoch: Epoch) -> Option<Scoped<Scheme>> {
        self.schemes
            .lock()
            .expect("not poisoned")
            .get(&epoch)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::{Keypair, Validator};

    fn set(seeds: &[u64]) -> ValidatorSet {
        let validators = seeds.iter().map(|seed| Validator {
            key: Keypair::from_seed(*seed).account_id(),
            p2p_address: ([127, 0, 0, 1], 5000 + *seed as u16).into(),
        });
        ValidatorSet::new(validators.collect()).unwrap()
    }

    #[test]
    fn epochs_end_every_length_blocks_and_a_chain_without_length_is_one_epoch() {
        let ten = epocher(Some(10));
        assert!(ends_epoch(&ten, 9) && ends_epoch(&ten, 19));
        assert!(!ends_epoch(&ten, 0) && !ends_epoch(&ten, 10));
        assert_eq!(epoch_after(&ten, 0), Epoch::zero());
        assert_eq!(epoch_after(&ten, 9), Epoch::new(1));
        let one = epocher(None);
        assert!(!ends_epoch(&one, 1_000_000));
        assert_eq!(epoch_after(&one, 1_000_000), Epoch::zero());
    }

    #[test]
    fn a_node_signs_only_the_epochs_whose_set_holds_its_key() {
        let me = Keypair::from_seed(1);
        let schemes = EpochSchemes::new(me.private_key().clone());
        assert!(schemes.register(Epoch::zero(), &set(&[1, 2, 3, 4])));
        assert!(!schemes.register(Epoch::new(1), &set(&[2, 3, 4, 5])));
        assert!(schemes.signer(Epoch::zero()).is_some());
        assert!(schemes.signer(Epoch::new(1)).is_none());
        assert!(schemes.scoped(Epoch::new(1)).is_some(), "it still verifies");
        assert!(schemes.scoped(Epoch::new(2)).is_none());
    }

    #[test]
    fn the_secondary_peers_leave_out_the_primary_ones() {
        let primary = set(&[1, 2, 3, 4]);
        let before = set(&[2, 3, 4, 5]);
        let secondary = addresses(&before, &primary);
        assert_eq!(secondary.len(), 1);
        assert_eq!(addresses(&primary, &ValidatorSet::default()).len(), 4);
    }
}
