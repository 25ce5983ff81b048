//! The `validators` module: the validator set as governance last left it.
//! The node reads it after the last block of each epoch to configure the
//! next (the engine's epoch reconfiguration); the light client proves it
//! from the state root. One entry, `validators/set`.

use crate::{governance::AmendmentError, module::Module, Change, EntryError};
use std::sync::Arc;

use eiraku_core::{
    governance::Amendment, ChainId, Genesis, StateKey, Validator, ValidatorChange, ValidatorSet,
    ValidatorsKey,
};

/// The validator set in the state. The sets are shared: every state copy
/// (each transaction's undo copy, each proposed block's) holds them by
/// reference, and comparing two copies' sets finds them the same by
/// pointer (`Arc`'s equality does for `Eq` types) without walking them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    /// As governance last left it.
    set: Arc<ValidatorSet>,
    /// The set of the epoch of the next block.
    active: Arc<ValidatorSet>,
    /// Blocks per epoch; `None` on a chain of one epoch.
    epoch_length: Option<u64>,
}

impl Validators {
    /// The genesis file's validators.
    pub fn from_genesis(genesis: &Genesis) -> Self {
        let validators = genesis.validators.iter().map(|v| Validator {
            key: v.public_key,
            p2p_address: v.p2p_address,
        });
        let set = ValidatorSet::new(validators.collect())
            .expect("a validated genesis lists each validator once");
        let set = Arc::new(set);
        Self {
            active: Arc::clone(&set),
            set,
            epoch_length: genesis.epoch_length,
        }
    }

    /// The set as governance last left it: the next epoch's, unless
    /// governance changes it again before the epoch ends.
    pub fn set(&self) -> &ValidatorSet {
        &self.set
    }

    /// The set that signs the epoch of the block after this state's.
    pub fn active(&self) -> &ValidatorSet {
        &self.active
    }

    /// Blocks per epoch (`None`: the chain is one epoch).
    pub fn epoch_length(&self) -> Option<u64> {
        self.epoch_length
    }

    /// After block `height`: when it ends an epoch, the set governance
    /// left becomes the next epoch's.
    pub(crate) fn end_block(&mut self, height: u64) {
        let ends_epoch = self
            .epoch_length
            .is_some_and(|length| (height + 1).is_multiple_of(length));
        if ends_epoch && self.active != self.set {
            self.active = Arc::clone(&self.set);
        }
    }

    /// Whether `change` can apply now, consents included: checked when it
    /// is proposed, so no seat spends a cycle on a change that cannot.
    pub fn check(
        &self,
        change: &ValidatorChange,
        chain_id: &ChainId,
    ) -> Result<(), AmendmentError> {
        if self.epoch_length.is_none() {
            return Err(AmendmentError::NoEpochs);
        }
        let next = self.set.after(change, chain_id)?;
        self.active.continues_into(&next).map_err(Into::into)
    }
}

/// It takes no calls: governance changes it, by enactment.
impl Module for Validators {
    fn enact(&mut self, amendment: &Amendment, _now_ms: u64) -> Option<Result<(), AmendmentError>> {
        let Amendment::ChangeValidators(change) = amendment else {
            return None;
        };
        // Consents were checked at the proposal (they do not change); the
        // set may have, so its rules are checked again.
        let next = (self.set.after_consented(change))
            .and_then(|next| self.active.continues_into(&next).map(|()| next));
        Some(
            next.map(|next| self.set = Arc::new(next))
                .map_err(Into::into),
        )
    }

    fn entries(&self, out: &mut Vec<Change>) {
        if !self.set.is_empty() {
            out.push((set_key(), Some(self.set.to_bytes())));
            out.push((active_key(), Some(self.active.to_bytes())));
        }
        if let Some(length) = self.epoch_length {
            out.push((length_key(), Some(length.to_be_bytes().to_vec())));
        }
    }

    fn from_entries(entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError> {
        let mut validators = Validators::default();
        for (key, value) in entries {
            match key {
                StateKey::Validators(ValidatorsKey::Set) => {
                    validators.set = Arc::new(read_set(*key, value)?);
                }
                StateKey::Validators(ValidatorsKey::Active) => {
                    validators.active = Arc::new(read_set(*key, value)?);
                }
                StateKey::Validators(ValidatorsKey::EpochLength) => {
                    let bytes = value.as_slice().try_into();
                    let bytes = bytes.map_err(|_| EntryError::new(*key, "not 8 bytes"))?;
                    validators.epoch_length = Some(u64::from_be_bytes(bytes));
                }
                _ => {}
            }
        }
        Ok(validators)
    }

    fn changes(&self, before: &Self, out: &mut Vec<Change>) {
        if self.set != before.set {
            out.push((set_key(), Some(self.set.to_bytes())));
        }
        if self.active != before.active {
            out.push((active_key(), Some(self.active.to_bytes())));
        }
    }
}

fn read_set(key: StateKey, value: &[u8]) -> Result<ValidatorSet, EntryError> {
    ValidatorSet::from_bytes(value).ok_or_else(|| EntryError::new(key, "not a validator set"))
}

fn set_key() -> StateKey {
    StateKey::Validators(ValidatorsKey::Set)
}

fn active_key() -> StateKey {
    StateKey::Validators(ValidatorsKey::Active)
}

fn length_key() -> StateKey {
    StateKey::Validators(ValidatorsKey::EpochLength)
}
