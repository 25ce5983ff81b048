//! # eiraku-state
//!
//! The deterministic state machine. Given the same blocks, every machine
//! computes the same state and the same state root: no clocks (time comes
//! from the block header), no floats, no unordered iteration, no I/O.
//!
//! Domain rules live here, one module per domain, each behind the module
//! interface of `module.rs` (its calls' checks and effects, the accounts a
//! call touches, its state keys, its invariants) and listed once, in
//! dispatch order, in `modules.rs`: `money` (the AMRO coin), `registry`
//! (anchors) and `ledger` (plain transfers of one unit). Accounts and roles
//! (`authority`) are the foundation every module reads and writes.
//!
//! Admission rules (checked by [`State::admit`]) decide whether a
//! transaction may be included in a block at all: right chain, known sender,
//! expected nonce. A block containing a transaction that fails them is
//! invalid. Execution rules decide the outcome of an admitted transaction:
//! success, or a typed failure recorded in its [`Receipt`]; a failed
//! transaction changes nothing but its sender's nonce.
//!
//! ```
//! use eiraku_core::{Amount, Call, ChainId, Genesis, GenesisAccount, Keypair, SignedTransaction, Transaction};
//! use eiraku_state::{BlockEnv, State, Outcome};
//! let alice = Keypair::from_seed(1);
//! let bob = Keypair::from_seed(2);
//! let genesis = Genesis {
//!     chain_id: ChainId::new("doc").unwrap(),
//!     genesis_time_ms: 0,
//!     validators: vec![],
//!     accounts: vec![GenesisAccount { id: alice.account_id(), balance: Amount(100), label: "alice".into(), role: None, bank: None, travel_key: None }],
//!     money: None,
//!     governance: None,
//!     key_replacement_delay_ms: None,
//!     epoch_length: None,
//!     reviewers: vec![],
//! };
//! let mut state = State::from_genesis(&genesis);
//! let tx = SignedTransaction::sign(Transaction {
//!     chain_id: genesis.chain_id.clone(), sender: alice.account_id(), nonce: 0,
//!     call: Call::Transfer { to: bob.account_id(), amount: Amount(30) },
//! }, &alice);
//! let receipts = state.execute_block(&BlockEnv { height: 1, timestamp_ms: 1 }, &[tx]).unwrap();
//! assert_eq!(receipts[0].outcome, Outcome::Success);
//! assert_eq!(state.account(&bob.account_id()).unwrap().balance, Amount(30));
//! ```

mod accession;
pub mod authority;
mod changes;
mod error;
pub mod governance;
mod guards;
pub mod invariants;
pub mod keys;
pub mod layered;
mod ledger;
mod module;
mod modules;
pub mod money;
mod money_codec;
mod money_entries;
mod money_error;
mod probe;
mod receipt;
pub mod registry;
mod registry_roles;
mod role_changes;
mod state;
mod succession;
pub mod validators;

pub use changes::Change;
pub use error::{AdmissionError, BlockError, EntryError, ExecutionError};
pub use ledger::{Account, Accounts};
pub use money_error::MoneyError;
pub use probe::ExecutionProbe;
pub use receipt::{Outcome, Receipt};
pub use state::{accounts_touched_by, touched_accounts, BlockEnv, State};

/// Checks a genesis file completely: its own rules
/// ([`eiraku_core::Genesis::validate`]) and, with the money module, that the
/// genesis contributions back the opening balances (valued at the genesis
/// rates) and that no retail balance exceeds its tier's cap.
pub fn validate_genesis(genesis: &eiraku_core::Genesis) -> Result<(), String> {
    genesis.validate()?;
    let state = State::from_genesis(genesis);
    state
        .check_invariants()
        .map_err(|broken| format!("opening balances are not backed: {broken}"))?;
    if let Some(money) = state.money() {
        let balances = genesis.accounts.iter().map(|a| (&a.id, a.balance));
        if let Some(breach) = money.genesis_cap_breaches(state.authority(), balances) {
            return Err(format!("money: {breach}"));
        }
    }
    Ok(())
}
