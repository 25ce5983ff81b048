//! Many genesis accounts, for the tests that move a whole state (state
//! sync, backup and restore).

use eiraku_core::{AccountId, Amount, Genesis, GenesisAccount};

/// Genesis accounts besides the demo's, unless `SCALE_ACCOUNTS` says.
const ACCOUNTS: u64 = 20_000;

/// How many accounts [`many_accounts`] adds.
pub fn accounts() -> u64 {
    std::env::var("SCALE_ACCOUNTS")
        .ok()
        .map(|text| text.parse().expect("SCALE_ACCOUNTS is a number"))
        .unwrap_or(ACCOUNTS)
}

/// Adds the many accounts: ids that are not keys (nobody signs for them),
/// each holding one unit, so the state is large.
pub fn many_accounts(genesis: &mut Genesis) {
    for index in 0..accounts() {
        genesis.accounts.push(GenesisAccount {
            id: numbered(index),
            balance: Amount(1),
            label: String::new(),
            role: None,
            bank: None,
            travel_key: None,
        });
    }
}

/// The many accounts' ids: hashes of their numbers.
pub fn numbered(index: u64) -> AccountId {
    let id = eiraku_core::hash(&[&index.to_be_bytes()]);
    AccountId::from_bytes(id.as_ref().try_into().expect("32 bytes"))
}
