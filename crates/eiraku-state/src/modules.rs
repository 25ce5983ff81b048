//! The state machine's modules, in dispatch order: the first module that
//! takes a call runs it. Adding a module is its own files and one line here.

use crate::{
    governance::Governance, keys::Keys, ledger::Ledger, module::modules, money::Money,
    registry::Registry, validators::Validators,
};

modules! {
    /// The AMRO coin, when the chain runs it (it takes plain transfers as
    /// payments under its rules).
    money: Option<Money>,
    /// Registries: anchored roots.
    registry: Registry,
    /// Multistakeholder governance, when the chain's genesis sets it up.
    governance: Option<Governance>,
    /// Rotated and replaced keys.
    keys: Keys,
    /// The validator set governance changes.
    validators: Validators,
    /// Plain transfers of the ledger's one unit, when no module took them.
    ledger: Ledger,
}
