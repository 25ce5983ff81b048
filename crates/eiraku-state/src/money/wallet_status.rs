//! A wallet taken out of use: revoked by its account or its economy's
//! device center (lost or stolen), or blacklisted by anyone on evidence
//! the chain checks against the wallet's certified key. Neither takes a
//! load or a deposit again; the evidence stays on the chain for anyone to
//! check again.

use super::{
    cash::{Blacklisting, WalletBinding},
    holder_economy_of, CallContext, Money,
};
use crate::{authority::Authority, MoneyError};
use commonware_codec::{Copying, DecodeExt};
use eiraku_cash::{history::IssuedNote, Evidence, UnfoundedEntry, WalletNumber};
use eiraku_core::{cash::wallet_economy, Digest, PublicKey, Role};

impl Money {
    /// Refuses a blacklisted wallet.
    pub(super) fn check_not_blacklisted(&self, wallet: u64) -> Result<(), MoneyError> {
        if self.cash.blacklisted.contains_key(&wallet) {
            return Err(MoneyError::WalletBlacklisted { wallet });
        }
        Ok(())
    }

    /// Refuses a revoked or blacklisted wallet.
    pub(super) fn check_wallet_in_use(&self, wallet: u64) -> Result<(), MoneyError> {
        self.check_not_blacklisted(wallet)?;
        match self.cash.wallets.get(&wallet) {
            Some(binding) if binding.revoked_ms.is_some() => {
                Err(MoneyError::WalletRevoked { wallet })
            }
            _ => Ok(()),
        }
    }

    /// The wallet's account, or its economy's device center, revokes it.
    pub(super) fn revoke_wallet(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        wallet: u64,
    ) -> Result<(), MoneyError> {
        let binding = *self
            .cash
            .wallets
            .get(&wallet)
            .ok_or(MoneyError::UnknownWallet { wallet })?;
        let economy = holder_economy_of(&binding.account, roles.role(&binding.account))?;
        let own = *ctx.sender == binding.account;
        let device_center = roles.role(ctx.sender) == Some(Role::DeviceCenter { economy });
        if !own && !device_center {
            return Err(MoneyError::NotWalletHolder { wallet });
        }
        self.check_wallet_in_use(wallet)?;
        let mut revoked = binding;
        revoked.revoked_ms = Some(ctx.now_ms);
        self.cash.wallets.insert(wallet, revoked);
        Ok(())
    }

    /// Blacklists `wallet` on evidence: two different entries its certified
    /// key signed for one hop of a note, or under one transfer counter; or
    /// an entry it signed for a hop it never received (a made-up history),
    /// checked against the note's recorded issuance and the stated payer's
    /// bound key.
    pub(super) fn blacklist_wallet(
        &mut self,
        ctx: &CallContext<'_>,
        wallet: u64,
        evidence: &[u8],
    ) -> Result<(), MoneyError> {
        let binding = self
            .cash
            .wallets
            .get(&wallet)
            .ok_or(MoneyError::UnknownWallet { wallet })?;
        if self.cash.blacklisted.contains_key(&wallet) {
            return Err(MoneyError::WalletBlacklisted { wallet });
        }
        let decoded = Evidence::decode(Copying(evidence)).map_err(|e| bad(e.to_string()))?;
        if decoded.culprit().0 != wallet {
            return Err(bad(format!(
                "it accuses wallet {}, not wallet {wallet}",
                decoded.culprit()
            )));
        }
        let key = self.bound_key(binding)?;
        match decoded {
            Evidence::DoubleSpend(double_spend) => {
                double_spend.verify(&key).map_err(|e| bad(e.to_string()))?;
            }
            Evidence::Unfounded(unfounded) => self.check_unfounded(&unfounded, &key)?,
        }
        let record = Blacklisting {
            evidence: evidence.to_vec(),
            at_ms: ctx.now_ms,
        };
        self.cash.blacklisted.insert(wallet, record);
        Ok(())
    }
}

fn bad(reason: String) -> MoneyError {
    MoneyError::BadEvidence { reason }
}

impl Money {
    fn bound_key(&self, binding: &WalletBinding) -> Result<PublicKey, MoneyError> {
        binding
            .signing_key
            .public_key()
            .map_err(|_| bad("the wallet's bound key is not a valid key".into()))
    }

    /// Checks evidence of a made-up history: the note's issuance comes
    /// from the range recorded for it, the stated payer's key from its
    /// binding. A payer the ledger does not know, or a first hop of a
    /// note issued to the accused itself (only the note's digest would
    /// tell), is refused: nobody is blacklisted on what the ledger cannot
    /// check.
    fn check_unfounded(
        &self,
        unfounded: &UnfoundedEntry,
        key: &PublicKey,
    ) -> Result<(), MoneyError> {
        let entry = &unfounded.entry.entry;
        let economy = wallet_economy(entry.from.0)
            .ok_or_else(|| bad("the accused wallet belongs to no economy".into()))?;
        let first = self.range_holding(economy, entry.serial).ok_or_else(|| {
            bad(format!(
                "note {} was never recorded as issued",
                entry.serial
            ))
        })?;
        let issued_to = self.cash.issued[&(economy, first)].wallet;
        if entry.hop == 1 && entry.received.is_none() && issued_to == entry.from.0 {
            return Err(bad(
                "a first hop of a note issued to the accused is checked only against the note's digest, which the ledger does not hold".into(),
            ));
        }
        let payer_key = match unfounded.stated_payer() {
            None => None,
            Some(payer) => {
                let binding = self.cash.wallets.get(&payer.0).ok_or_else(|| {
                    bad(format!(
                        "the stated payer, wallet {payer}, is not known to the ledger"
                    ))
                })?;
                Some(self.bound_key(binding)?)
            }
        };
        let issued = IssuedNote {
            to: WalletNumber(issued_to),
            // Not read: the entry is not a first hop by the note's holder.
            digest: Digest::from([0u8; 32]),
        };
        unfounded
            .verify(key, &issued, payer_key.as_ref())
            .map(|_| ())
            .map_err(|e| bad(e.to_string()))
    }
}
