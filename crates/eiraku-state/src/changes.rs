//! What a block changed, key by key: the write-set the authenticated store
//! turns into the next state root.
//!
//! Found by comparing the state before and after. The maps are persistent
//! and share every node a block did not touch, so comparing them skips the
//! shared parts: the cost follows the changes, not the size of the state.
//! Accounts, the one map of millions, are not compared when the state is one
//! block executed on `before`: execution lists the accounts it wrote.

use crate::{authority::Authority, Accounts, State};
use eiraku_core::StateKey;
use imbl::{ordmap::DiffItem, OrdMap, Vector};

/// One entry written: its new value, or `None` when it was removed.
pub type Change = (StateKey, Option<Vec<u8>>);

impl State {
    /// Every entry that differs from `before`, each once.
    pub fn changes_since(&self, before: &State) -> Vec<Change> {
        let mut out = Vec::new();
        accounts(before.accounts(), self.accounts(), &mut out);
        roles(before.authority(), self.authority(), &mut out);
        self.modules().changes(before.modules(), &mut out);
        out
    }

    /// Every entry of this state: what a genesis writes into an empty store.
    /// Listed directly, not by comparison, so tests can hold one against
    /// the other.
    pub fn all_entries(&self) -> Vec<Change> {
        let mut out: Vec<Change> = Vec::new();
        let mut put = |key: StateKey, value: Vec<u8>| out.push((key, Some(value)));
        for (id, account) in self.accounts() {
            put(StateKey::Account(*id), account.to_bytes().to_vec());
        }
        for (id, grant) in self.authority().grants() {
            put(StateKey::Role(*id), grant.to_bytes());
        }
        self.modules().entries(&mut out);
        out
    }
}

/// The accounts that differ: one block's writes between a state and its
/// parent (see [`crate::layered::LayeredMap::changed_since`]).
fn accounts(before: &Accounts, after: &Accounts, out: &mut Vec<Change>) {
    for (id, account) in after.changed_since(before) {
        let value = account.map(|a| a.to_bytes().to_vec());
        out.push((StateKey::Account(id), value));
    }
}

fn roles(before: &Authority, after: &Authority, out: &mut Vec<Change>) {
    for (id, grant) in after.grants_map().changed_since(before.grants_map()) {
        out.push((StateKey::Role(id), grant.map(|g| g.to_bytes())));
    }
}

/// The entries of a persistent map that differ, skipping shared nodes.
pub(crate) fn map<K: Ord + Clone, V: PartialEq + Clone>(
    before: &OrdMap<K, V>,
    after: &OrdMap<K, V>,
    key: impl Fn(K) -> StateKey,
    value: impl Fn(&V) -> Vec<u8>,
    out: &mut Vec<Change>,
) {
    for item in before.diff(after) {
        match item {
            DiffItem::Add(k, v) => out.push((key(k.clone()), Some(value(v)))),
            DiffItem::Update { old, new } if old.1 != new.1 => {
                out.push((key(new.0.clone()), Some(value(new.1))))
            }
            DiffItem::Update { .. } => {}
            DiffItem::Remove(k, _) => out.push((key(k.clone()), None)),
        }
    }
}

/// The entries of a numbered list that differ. Lists (contributions,
/// settlements, seigniorage periods) grow by rare institutional calls; a
/// block that leaves one untouched shares it and pays nothing here.
pub(crate) fn list<T: PartialEq + Clone>(
    before: &Vector<T>,
    after: &Vector<T>,
    key: impl Fn(u64) -> StateKey,
    value: impl Fn(&T) -> Vec<u8>,
    out: &mut Vec<Change>,
) {
    if before.ptr_eq(after) {
        return;
    }
    for index in 0..before.len().max(after.len()) {
        match (before.get(index), after.get(index)) {
            (Some(old), Some(new)) if old == new => {}
            (_, Some(new)) => out.push((key(index as u64), Some(value(new)))),
            (Some(_), None) => out.push((key(index as u64), None)),
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BlockEnv;
    use eiraku_core::{
        Amount, Call, ChainId, Genesis, GenesisAccount, Keypair, SignedTransaction, Transaction,
    };
    use std::collections::{BTreeMap, BTreeSet};

    fn transfer(from: u64, nonce: u64, to: u64, amount: u128) -> SignedTransaction {
        let key = Keypair::from_seed(from);
        let call = Call::Transfer {
            to: Keypair::from_seed(to).account_id(),
            amount: Amount(amount),
        };
        let body = Transaction {
            chain_id: ChainId::new("unit").unwrap(),
            sender: key.account_id(),
            nonce,
            call,
        };
        SignedTransaction::sign(body, &key)
    }

    /// Every account whose entry differs, found by listing both states
    /// whole (no roles or modules on this chain).
    fn compared_whole(before: &State, after: &State) -> Vec<Change> {
        let listed = |state: &State| -> BTreeMap<StateKey, Vec<u8>> {
            let all = state.all_entries().into_iter();
            all.map(|(key, value)| (key, value.unwrap())).collect()
        };
        let (was, is) = (listed(before), listed(after));
        let keys: BTreeSet<&StateKey> = was.keys().chain(is.keys()).collect();
        keys.into_iter()
            .filter(|key| was.get(key) != is.get(key))
            .map(|key| (*key, is.get(key).cloned()))
            .collect()
    }

    /// The changes of one block, and of two, are what comparing the whole
    /// states finds: paid, created, failed (nonce only) and paid-back
    /// accounts.
    #[test]
    fn the_accounts_a_block_wrote_are_its_account_changes() {
        let opening = (1..=3)
            .map(|seed| GenesisAccount {
                id: Keypair::from_seed(seed).account_id(),
                balance: Amount(100),
                label: String::new(),
                role: None,
                bank: None,
                travel_key: None,
            })
            .collect();
        let genesis = Genesis {
            chain_id: ChainId::new("unit").unwrap(),
            genesis_time_ms: 0,
            validators: vec![],
            accounts: opening,
            money: None,
            governance: None,
            key_replacement_delay_ms: None,
            epoch_length: None,
            reviewers: vec![],
        };
        let before = State::from_genesis(&genesis);
        let mut state = before.clone();
        let block = [
            transfer(1, 0, 9, 40),
            transfer(2, 0, 1, 500),
            transfer(3, 0, 2, 5),
            transfer(2, 1, 3, 5),
        ];
        let env = BlockEnv {
            height: 1,
            timestamp_ms: 1,
        };
        state.execute_block(&env, &block).unwrap();
        let changes = state.changes_since(&before);
        assert_eq!(changes.len(), 4, "three senders and one new account");
        assert_eq!(changes, compared_whole(&before, &state));
        // Two blocks apart, the same.
        let mut next = state.clone();
        let env = BlockEnv {
            height: 2,
            timestamp_ms: 2,
        };
        next.execute_block(&env, &[transfer(9, 0, 1, 40)]).unwrap();
        assert_eq!(next.changes_since(&before), compared_whole(&before, &next));
        assert_eq!(next.changes_since(&state), compared_whole(&state, &next));
    }
}
