//! A wallet taken out of use: revoked by its account or its economy's
//! device center (lost or stolen), or blacklisted by anyone on evidence
//! the chain checks against the wallet's certified key. Neither takes a
//! load or a deposit again; the evidence stays on the chain for anyone to
//! check again.

use super::{cash::Blacklisting, holder_economy_of, CallContext, Money};
use crate::{authority::Authority, MoneyError};
use commonware_codec::{Copying, DecodeExt};
use eiraku_cash::Evidence;
use eiraku_core::Role;

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
    /// key signed for one hop of a note, or under one transfer counter.
    /// Evidence of a made-up history needs the note's issuance record, which
    /// the chain does not hold yet: the cash center blacklists on it alone.
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
        let bad = |reason: String| MoneyError::BadEvidence { reason };
        let decoded = Evidence::decode(Copying(evidence)).map_err(|e| bad(e.to_string()))?;
        let Evidence::DoubleSpend(double_spend) = decoded else {
            return Err(bad(
                "evidence of a made-up history is checked against issuance records, which the chain does not hold yet".into(),
            ));
        };
        if double_spend.culprit().0 != wallet {
            return Err(bad(format!(
                "it accuses wallet {}, not wallet {wallet}",
                double_spend.culprit()
            )));
        }
        let key = binding
            .signing_key
            .public_key()
            .map_err(|_| bad("the wallet's bound key is not a valid key".into()))?;
        double_spend.verify(&key).map_err(|e| bad(e.to_string()))?;
        let record = Blacklisting {
            evidence: evidence.to_vec(),
            at_ms: ctx.now_ms,
        };
        self.cash.blacklisted.insert(wallet, record);
        Ok(())
    }
}
