//! Names people use for accounts: the genesis's labels (`alice`, `cb-jp`),
//! so that the console shows and finds them by name.

use eiraku_core::{AccountId, Genesis};
use std::collections::{BTreeMap, HashMap};

/// Account labels of the genesis, both ways.
pub struct AccountNames {
    by_name: BTreeMap<String, AccountId>,
    by_id: HashMap<AccountId, String>,
}

impl AccountNames {
    /// The labelled accounts of `genesis`, and its official accounts by
    /// role: `issuer`, `cb-jp` (Japan's central bank), `reg-jp` (its
    /// regulator), as the devnet's demo names them too.
    pub fn of(genesis: &Genesis) -> Self {
        let labelled = genesis.accounts.iter().filter(|a| !a.label.is_empty());
        let mut by_name: BTreeMap<String, AccountId> =
            labelled.map(|a| (a.label.clone(), a.id)).collect();
        if let Some(money) = &genesis.money {
            by_name.insert("issuer".into(), money.issuer);
            for economy in &money.economies {
                let code = economy.code.as_str().to_lowercase();
                by_name.insert(format!("cb-{code}"), economy.central_bank);
                by_name.insert(format!("reg-{code}"), economy.regulator);
            }
        }
        let by_id = by_name
            .iter()
            .map(|(name, id)| (*id, name.clone()))
            .collect();
        Self { by_name, by_id }
    }

    /// The account a name stands for.
    pub fn id_of(&self, name: &str) -> Option<AccountId> {
        self.by_name.get(name).copied()
    }

    /// An account's name, or its id shortened.
    pub fn name_of(&self, id: &AccountId) -> String {
        match self.by_id.get(id) {
            Some(name) => name.clone(),
            None => super::format::short_hex(&id.to_hex()),
        }
    }

    /// An account's name, if it has one.
    pub fn label_of(&self, id: &AccountId) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }

    /// Up to `limit` names, in order (to suggest some).
    pub fn some(&self, limit: usize) -> Vec<&str> {
        self.by_name
            .keys()
            .take(limit)
            .map(String::as_str)
            .collect()
    }
}

/// A validator's name in the genesis, given its public key's hex (or the
/// key shortened, for a validator that joined later).
pub fn validator_name(context: &crate::api::ApiContext, key: &str) -> String {
    let validators = &context.chain.genesis().validators;
    match validators.iter().find(|v| v.public_key.to_hex() == key) {
        Some(validator) => validator.name.clone(),
        None => super::format::short_hex(key),
    }
}
