//! Offline cash on the ledger (issue 15): coins move from an account into
//! its economy's offline float when it loads a wallet it binds to itself,
//! and back into the account a depositing wallet is bound to when that
//! economy's cash center credits the notes, each serial once. The float is
//! a term of `money.backing`: coins in accounts + Σ offline float = Σ
//! issued-account bonds.
//!
//! The cash center and the device center are roles governance grants
//! (class B); each publishes its keys here, so wallets, auditors and these
//! rules read them from the chain.

use super::{
    add, holder_economy_of,
    issued::{Issuance, IssuedRange, PendingLoad},
    payment::debited,
    CallContext, Money,
};
use crate::{authority::Authority, ledger::AccountWrites, MoneyError};
use eiraku_cash::SignedCertificate;
use eiraku_core::{
    cash::{binding_message, wallet_economy, MAX_LOAD, WALLET_BINDING_NAMESPACE},
    AccountId, Amount, CashCall, ChainId, DepositedNote, Digest, EconomyCode, Role,
};
use imbl::OrdMap;
use serde::Serialize;

/// An economy's cash-center keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CenterKeys {
    /// Ed25519 key notes are sealed with.
    pub note_key: AccountId,
    /// X25519 key wallets agree their history keys with.
    #[serde(serialize_with = "eiraku_core::digest::serialize_hex")]
    pub history_key: Digest,
}

/// An offline wallet bound to the account that first loaded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct WalletBinding {
    /// The account deposits by this wallet are credited to.
    pub account: AccountId,
    /// The wallet's certified signing key.
    pub signing_key: AccountId,
    /// End of its certificate's validity.
    pub valid_until_ms: u64,
    /// Block time its account or device center revoked it (lost, stolen).
    pub revoked_ms: Option<u64>,
}

/// A wallet blacklisted on evidence the chain checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blacklisting {
    /// The evidence, as submitted (anyone re-checks it against the
    /// wallet's key in its binding).
    pub evidence: Vec<u8>,
    /// Block time it was recorded.
    pub at_ms: u64,
}

/// A credited note.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Spent {
    /// The wallet that deposited it.
    pub wallet: u64,
    /// Block time it was credited.
    pub credited_ms: u64,
}

/// The offline cash's books on the ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CashBooks {
    /// Each economy's cash-center keys.
    pub centers: OrdMap<EconomyCode, CenterKeys>,
    /// Each economy's device-center key.
    pub device_keys: OrdMap<EconomyCode, AccountId>,
    /// Wallets, by number.
    pub wallets: OrdMap<u64, WalletBinding>,
    /// Credited notes, by issuing center's economy and serial.
    pub spent: OrdMap<(EconomyCode, u64), Spent>,
    /// Blacklisted wallets, by number.
    pub blacklisted: OrdMap<u64, Blacklisting>,
    /// Loads whose notes are not recorded yet, by account and nonce.
    pub loads: OrdMap<(AccountId, u64), PendingLoad>,
    /// Issued ranges, by center's economy and first serial.
    pub issued: OrdMap<(EconomyCode, u64), IssuedRange>,
    /// Coins each account loaded and nobody has had credited back yet.
    pub offline_held: OrdMap<AccountId, Amount>,
}

impl Money {
    /// Applies one offline-cash call. On error nothing changed.
    pub(crate) fn apply_cash(
        &mut self,
        accounts: &mut AccountWrites<'_>,
        roles: &Authority,
        ctx: &CallContext<'_>,
        chain: &ChainId,
        call: &CashCall,
    ) -> Result<(), MoneyError> {
        match call {
            CashCall::SetCenterKeys {
                note_key,
                history_key,
            } => {
                let Some(Role::CashCenter { economy }) = roles.role(ctx.sender) else {
                    return Err(MoneyError::NotCashCenter);
                };
                let keys = CenterKeys {
                    note_key: *note_key,
                    history_key: *history_key,
                };
                self.cash.centers.insert(economy, keys);
                Ok(())
            }
            CashCall::SetDeviceKey { key } => {
                let Some(Role::DeviceCenter { economy }) = roles.role(ctx.sender) else {
                    return Err(MoneyError::NotDeviceCenter);
                };
                self.cash.device_keys.insert(economy, *key);
                Ok(())
            }
            CashCall::Load {
                certificate,
                amount,
                possession,
            } => {
                let load = Load {
                    certificate,
                    amount: *amount,
                    possession,
                };
                self.load(accounts, roles, ctx, chain, load)
            }
            // A refund credits an in-doubt claim's notes under a deposit's
            // rules, also to a revoked wallet's account: a lost phone's
            // owner gets its value back.
            CashCall::Deposit {
                wallet,
                account,
                notes,
            }
            | CashCall::Refund {
                wallet,
                account,
                notes,
            } => {
                let credit = Credit {
                    wallet: *wallet,
                    account,
                    notes,
                    refund: matches!(call, CashCall::Refund { .. }),
                };
                self.deposit(accounts, roles, ctx, credit)
            }
            CashCall::WriteOff { first_serial } => self.write_off(roles, ctx, *first_serial),
            CashCall::Blacklist { wallet, evidence } => {
                self.blacklist_wallet(ctx, *wallet, evidence)
            }
            CashCall::RevokeWallet { wallet } => self.revoke_wallet(roles, ctx, *wallet),
            CashCall::RecordIssued {
                load_account,
                load_nonce,
                first_serial,
                count,
                root,
            } => {
                let issuance = Issuance {
                    load_account: *load_account,
                    load_nonce: *load_nonce,
                    first_serial: *first_serial,
                    count: *count,
                    root: *root,
                };
                self.record_issued(roles, ctx, issuance)
            }
        }
    }

    /// The sender loads a wallet: checks it may pay the amount, that the
    /// wallet is certified by its economy's device center, agreed to the
    /// binding and is bound to no other account; then moves the coins into
    /// the float and binds the wallet. A load of 0 only binds: a shop's
    /// till wallet that receives and deposits needs an account, not coins.
    fn load(
        &mut self,
        accounts: &mut AccountWrites<'_>,
        roles: &Authority,
        ctx: &CallContext<'_>,
        chain: &ChainId,
        load: Load<'_>,
    ) -> Result<(), MoneyError> {
        let role = roles.role(ctx.sender);
        let economy = holder_economy_of(ctx.sender, role)?;
        if load.amount > MAX_LOAD {
            return Err(MoneyError::LoadTooLarge { max: MAX_LOAD });
        }
        self.check_not_frozen(ctx.sender)?;
        self.check_transfer_cap(role, load.amount)?;
        let binding = self.checked_binding(ctx, chain, economy, &load)?;
        let balance = debited(accounts, ctx.sender, load.amount)?;
        let books = self.economy_mut(&economy);
        books.offline_float = add(books.offline_float, load.amount)?;
        accounts.set_balance(ctx.sender, balance);
        super::issued::pending_load(self, ctx, binding.0, load.amount);
        let held = add(self.offline_held(ctx.sender), load.amount)?;
        self.set_offline_held(*ctx.sender, held);
        self.cash.wallets.insert(binding.0, binding.1);
        Ok(())
    }

    /// The wallet a load binds: its certificate verified under the device
    /// center's key, its signature over the binding, and no other account
    /// holding it.
    fn checked_binding(
        &self,
        ctx: &CallContext<'_>,
        chain: &ChainId,
        economy: EconomyCode,
        load: &Load<'_>,
    ) -> Result<(u64, WalletBinding), MoneyError> {
        let device_key = self
            .cash
            .device_keys
            .get(&economy)
            .ok_or(MoneyError::NoDeviceKey { economy })?;
        let bad = |reason: String| MoneyError::BadWalletCertificate { reason };
        let certificate =
            SignedCertificate::from_bytes(load.certificate).map_err(|e| bad(e.to_string()))?;
        let device_key = device_key
            .public_key()
            .map_err(|_| bad("the device-center key is not a valid key".into()))?;
        certificate
            .verify(&device_key, ctx.now_ms)
            .map_err(|e| bad(e.to_string()))?;
        let wallet = certificate.wallet().0;
        if wallet_economy(wallet) != Some(economy) {
            return Err(MoneyError::WalletOfAnotherEconomy { wallet, economy });
        }
        let signing_key = &certificate.certificate.signing_key;
        let message = binding_message(chain, ctx.sender, wallet);
        use commonware_cryptography::Verifier;
        if !signing_key.verify(WALLET_BINDING_NAMESPACE, &message, load.possession) {
            return Err(MoneyError::BadWalletPossession { wallet });
        }
        let binding = WalletBinding {
            account: *ctx.sender,
            signing_key: AccountId::from_public_key(signing_key),
            valid_until_ms: certificate.certificate.valid_until_ms,
            revoked_ms: None,
        };
        match self.cash.wallets.get(&wallet) {
            Some(bound)
                if bound.account != binding.account || bound.signing_key != binding.signing_key =>
            {
                Err(MoneyError::WalletBoundElsewhere { wallet })
            }
            Some(_) => {
                self.check_wallet_in_use(wallet)?;
                Ok((wallet, binding))
            }
            None => Ok((wallet, binding)),
        }
    }

    /// The sender, an economy's cash center, credits notes its wallets
    /// deposited to the account the depositing wallet is bound to: each
    /// serial once, out of that economy's float.
    fn deposit(
        &mut self,
        accounts: &mut AccountWrites<'_>,
        roles: &Authority,
        ctx: &CallContext<'_>,
        credit: Credit<'_>,
    ) -> Result<(), MoneyError> {
        let Credit {
            wallet,
            account,
            notes,
            refund,
        } = credit;
        let Some(Role::CashCenter { economy }) = roles.role(ctx.sender) else {
            return Err(MoneyError::NotCashCenter);
        };
        let bound = self
            .cash
            .wallets
            .get(&wallet)
            .ok_or(MoneyError::UnknownWallet { wallet })?;
        if bound.account != *account {
            return Err(MoneyError::WalletNotBoundTo {
                wallet,
                account: *account,
            });
        }
        if refund {
            self.check_not_blacklisted(wallet)?;
        } else {
            self.check_wallet_in_use(wallet)?;
        }
        let total = self.unspent_total(economy, notes)?;
        let ranges = self.charged_ranges(economy, notes)?;
        let released = self.released_holdings(economy, &ranges);
        let role = roles.role(account);
        holder_economy_of(account, role)?;
        self.check_not_frozen(account)?;
        let float = self.economy(&economy).offline_float;
        let left = float.checked_sub(total).ok_or(MoneyError::FloatExceeded {
            economy,
            float,
            needed: total,
        })?;
        let credited = add(accounts.balance(account), total)?;
        let still_held = self
            .offline_held(account)
            .checked_sub(released.get(account).copied().unwrap_or_default())
            .unwrap_or_default();
        self.check_holdings_cap(account, role, credited, still_held)?;
        self.economy_mut(&economy).offline_float = left;
        accounts.set_balance(account, credited);
        let spent = Spent {
            wallet,
            credited_ms: ctx.now_ms,
        };
        for note in notes {
            self.cash.spent.insert((economy, note.serial), spent);
        }
        for (first, range) in ranges {
            self.cash.issued.insert((economy, first), range);
        }
        self.release_holdings(released);
        Ok(())
    }

    /// The notes' total, if none was credited before nor is named twice.
    fn unspent_total(
        &self,
        economy: EconomyCode,
        notes: &[DepositedNote],
    ) -> Result<Amount, MoneyError> {
        let mut seen = std::collections::BTreeSet::new();
        let mut total = Amount::ZERO;
        for note in notes {
            let spent = self.cash.spent.contains_key(&(economy, note.serial));
            if spent || !seen.insert(note.serial) {
                return Err(MoneyError::NoteAlreadyCredited {
                    economy,
                    serial: note.serial,
                });
            }
            if note.value == Amount::ZERO {
                return Err(MoneyError::ZeroAmount);
            }
            total = add(total, note.value)?;
        }
        Ok(total)
    }

    /// Σ offline float over the economies: the coins wallets hold.
    pub fn offline_float(&self) -> Amount {
        Amount(self.economies.values().map(|e| e.offline_float.0).sum())
    }
}

/// A deposit's or refund's parts.
struct Credit<'a> {
    wallet: u64,
    account: &'a AccountId,
    notes: &'a [DepositedNote],
    refund: bool,
}

/// A load's parts.
struct Load<'a> {
    certificate: &'a [u8],
    amount: Amount,
    possession: &'a commonware_cryptography::ed25519::Signature,
}
