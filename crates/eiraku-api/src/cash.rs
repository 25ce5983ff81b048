//! Views of the offline cash's books on the ledger: an economy's cash and
//! device center keys, and one wallet's binding and standing. Wallets,
//! cash centers and auditors read them; every change to them is a signed
//! transaction.

use eiraku_core::{AccountId, EconomyCode};
use serde::{Deserialize, Serialize};

/// An economy's offline-cash keys, as its centers published them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashCenterView {
    /// Finalized height read.
    pub height: u64,
    /// The economy.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub economy: EconomyCode,
    /// Ed25519 key the cash center seals notes with (hex), once published.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub note_key: Option<AccountId>,
    /// X25519 key wallets seal their histories to (hex), once published.
    pub history_key: Option<String>,
    /// Ed25519 key the device center certifies wallets with (hex), once
    /// published.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub device_key: Option<AccountId>,
}

/// One offline wallet as the ledger knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashWalletView {
    /// Finalized height read.
    pub height: u64,
    /// The wallet's number.
    pub wallet: u64,
    /// The account it is bound to: deposits by it are credited there.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub account: AccountId,
    /// Its certified signing key (hex): blacklist evidence is checked
    /// against it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub signing_key: AccountId,
    /// End of its certificate's validity, ms since the Unix epoch.
    pub valid_until_ms: u64,
    /// Block time it was revoked (lost or stolen), if it was.
    pub revoked_ms: Option<u64>,
    /// Block time it was blacklisted on evidence, if it was.
    pub blacklisted_ms: Option<u64>,
    /// The evidence it was blacklisted on (hex), for anyone to check again.
    pub evidence: Option<String>,
}
