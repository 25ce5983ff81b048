//! # eiraku-core
//!
//! The vocabulary every other Eiraku crate speaks: account identities and keys,
//! amounts, signed transactions, blocks and their headers, SHA-256 digests and
//! the binary Merkle roots that commit to a block's transactions and state.
//!
//! One canonical binary encoding is used everywhere: `commonware-codec`. Every
//! decoder here accepts exactly one encoding of a value and rejects trailing or
//! oversized input, so a byte string from the network either decodes to the
//! value its sender signed or fails with a typed error.
//!
//! This crate does no I/O.
//!
//! ```
//! use eiraku_core::{Amount, Call, Keypair, SignedTransaction, Transaction, ChainId};
//! let alice = Keypair::from_seed(1);
//! let bob = Keypair::from_seed(2);
//! let tx = Transaction {
//!     chain_id: ChainId::new("eiraku-doc").unwrap(),
//!     sender: alice.account_id(),
//!     nonce: 0,
//!     call: Call::Transfer { to: bob.account_id(), amount: Amount(5) },
//! };
//! let signed = SignedTransaction::sign(tx, &alice);
//! let bytes = signed.to_bytes();
//! let back = SignedTransaction::from_bytes(&bytes).unwrap();
//! assert!(back.verify_signature());
//! assert_eq!(back.hash(), signed.hash());
//! ```

pub mod account;
pub mod attestation;
pub mod block;
pub mod cash;
pub mod chain_id;
pub mod coins;
pub mod consent;
pub mod decode_text;
pub mod digest;
pub mod genesis;
pub mod governance;
pub mod key_cache;
pub mod keys;
pub mod kv_proof;
pub mod merkle;
pub mod money;
pub mod money_key;
mod money_units;
pub mod proof;
pub mod record;
pub mod registry;
mod role;
pub mod sealed;
pub mod state_key;
pub mod transaction;
pub mod travel_rule;
pub mod validators;

pub use account::{Account, AccountId, Amount, InvalidKey, Keypair};
pub use block::{Block, BlockHeader, ConsensusContext, MAX_BLOCK_TRANSACTIONS};
pub use cash::{CashCall, DepositedNote};
pub use chain_id::ChainId;
pub use digest::{hash, Digest};
pub use genesis::{
    BasketPart, CoinUnit, Genesis, GenesisAccount, GenesisContribution, GenesisEconomy,
    GenesisValidator, MoneyGenesis, TierCaps,
};
pub use governance::{GovernanceCall, GovernanceGenesis, GovernanceKey};
pub use key_cache::KeyCache;
pub use keys::{KeyCall, KeysKey};
pub use money::{CurrencyCode, EconomyCode, MoneyCall, Rate, RetailKind, Role};
pub use money_key::MoneyKey;
pub use registry::RegistryKey;
pub use state_key::{ModuleKey, StateKey, StateKeyError};
pub use transaction::{
    verify_all, verify_batch, Call, DecodeError, SignedTransaction, Transaction, TxHash,
    MAX_TRANSACTION_BYTES, TRANSACTION_NAMESPACE,
};
pub use validators::{Validator, ValidatorChange, ValidatorSet, ValidatorsKey};

/// The consensus engine's public key type for validators and accounts alike.
pub type PublicKey = commonware_cryptography::ed25519::PublicKey;
