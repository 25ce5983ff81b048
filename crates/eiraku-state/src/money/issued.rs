//! Notes issued against loads, on the ledger. A load waits, under its
//! account and nonce, until its economy's cash center records the range of
//! serials it issued against it (worth the load exactly, with the Merkle
//! root of the notes). A deposit credits only serials inside a recorded
//! range, and never more from a range than it was worth: a cash center,
//! even a compromised one, cannot credit notes nobody paid for.

use super::{add, CallContext, Money};
use crate::{authority::Authority, MoneyError};
use eiraku_core::{
    cash::{wallet_economy, WRITE_OFF_AFTER_MS},
    AccountId, Amount, DepositedNote, Digest, EconomyCode, Role,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// Most notes one issued range holds.
pub const MAX_ISSUED_RANGE: u32 = 65_536;

/// A load waiting for its notes to be recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PendingLoad {
    /// The loaded wallet.
    pub wallet: u64,
    /// Coins moved into the float.
    pub amount: Amount,
}

/// Notes a cash center issued against one load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct IssuedRange {
    /// The loading account.
    pub load_account: AccountId,
    /// The load's nonce.
    pub load_nonce: u64,
    /// The wallet the notes went to.
    pub wallet: u64,
    /// Serials in the range, from its first.
    pub count: u32,
    /// What the notes are worth together: the load's amount.
    pub total: Amount,
    /// What deposits and refunds credited from them so far.
    pub credited: Amount,
    /// Merkle root of the notes' digests, in serial order.
    #[serde(serialize_with = "eiraku_core::digest::serialize_hex")]
    pub root: Digest,
    /// Block time it was recorded.
    pub at_ms: u64,
}

/// `record_issued`'s fields.
pub(crate) struct Issuance {
    pub load_account: AccountId,
    pub load_nonce: u64,
    pub first_serial: u64,
    pub count: u32,
    pub root: Digest,
}

impl Money {
    /// The sender, the cash center of the loaded wallet's economy, records
    /// the serials it issued against a waiting load.
    pub(super) fn record_issued(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        issuance: Issuance,
    ) -> Result<(), MoneyError> {
        let Some(Role::CashCenter { economy }) = roles.role(ctx.sender) else {
            return Err(MoneyError::NotCashCenter);
        };
        let load_key = (issuance.load_account, issuance.load_nonce);
        let load = *self
            .cash
            .loads
            .get(&load_key)
            .ok_or(MoneyError::UnknownLoad {
                account: issuance.load_account,
                nonce: issuance.load_nonce,
            })?;
        if wallet_economy(load.wallet) != Some(economy) {
            return Err(MoneyError::WalletOfAnotherEconomy {
                wallet: load.wallet,
                economy,
            });
        }
        self.check_range_is_new(economy, issuance.first_serial, issuance.count)?;
        let range = IssuedRange {
            load_account: issuance.load_account,
            load_nonce: issuance.load_nonce,
            wallet: load.wallet,
            count: issuance.count,
            total: load.amount,
            credited: Amount::ZERO,
            root: issuance.root,
            at_ms: ctx.now_ms,
        };
        self.cash.loads.remove(&load_key);
        self.cash
            .issued
            .insert((economy, issuance.first_serial), range);
        Ok(())
    }

    /// Refuses an empty or overlong range, or one overlapping a recorded
    /// range (two ordered lookups: O(log ranges)).
    fn check_range_is_new(
        &self,
        economy: EconomyCode,
        first: u64,
        count: u32,
    ) -> Result<(), MoneyError> {
        let last = first.checked_add(u64::from(count).saturating_sub(1));
        let taken = MoneyError::SerialsTaken {
            economy,
            first_serial: first,
            last_serial: last.unwrap_or(u64::MAX),
        };
        let Some(last) = last.filter(|_| (1..=MAX_ISSUED_RANGE).contains(&count)) else {
            return Err(taken);
        };
        // A range the new one starts in, or one starting inside the new one.
        if self.range_holding(economy, first).is_some() {
            return Err(taken);
        }
        let above = self
            .cash
            .issued
            .range((economy, first)..=(economy, last))
            .next();
        if above.is_some() {
            return Err(taken);
        }
        Ok(())
    }

    /// The recorded range holding `serial`, if any: its first serial.
    pub(super) fn range_holding(&self, economy: EconomyCode, serial: u64) -> Option<u64> {
        let ((code, first), range) = self.cash.issued.range(..=(economy, serial)).next_back()?;
        (*code == economy && serial - first < u64::from(range.count)).then_some(*first)
    }

    /// The ranges `notes` are credited from, charged with them: each note
    /// must be inside a recorded range, and no range gives more than it
    /// was worth. Changes nothing: the caller writes them back with its
    /// other writes.
    pub(super) fn charged_ranges(
        &self,
        economy: EconomyCode,
        notes: &[DepositedNote],
    ) -> Result<BTreeMap<u64, IssuedRange>, MoneyError> {
        let mut charged: BTreeMap<u64, IssuedRange> = BTreeMap::new();
        for note in notes {
            let first =
                self.range_holding(economy, note.serial)
                    .ok_or(MoneyError::NoteNotIssued {
                        economy,
                        serial: note.serial,
                    })?;
            let range = charged
                .entry(first)
                .or_insert_with(|| self.cash.issued[&(economy, first)]);
            range.credited = add(range.credited, note.value)?;
            if range.credited > range.total {
                return Err(MoneyError::RangeExhausted {
                    economy,
                    first_serial: first,
                    total: range.total,
                });
            }
        }
        Ok(charged)
    }
}

impl Money {
    /// Coins `account` loaded that nobody has had credited back yet.
    pub(super) fn offline_held(&self, account: &AccountId) -> Amount {
        self.cash
            .offline_held
            .get(account)
            .copied()
            .unwrap_or_default()
    }

    pub(super) fn set_offline_held(&mut self, account: AccountId, held: Amount) {
        if held == Amount::ZERO {
            self.cash.offline_held.remove(&account);
        } else {
            self.cash.offline_held.insert(account, held);
        }
    }

    /// What crediting `charged` (ranges as charged by a deposit) releases
    /// from each loading account's offline holdings: the value credited
    /// from each range, wherever the notes travelled.
    pub(super) fn released_holdings(
        &self,
        economy: EconomyCode,
        charged: &BTreeMap<u64, IssuedRange>,
    ) -> BTreeMap<AccountId, Amount> {
        let mut released: BTreeMap<AccountId, Amount> = BTreeMap::new();
        for (first, range) in charged {
            let before = self.cash.issued[&(economy, *first)].credited;
            let delta = Amount(range.credited.0 - before.0);
            let entry = released.entry(range.load_account).or_default();
            *entry = Amount(entry.0.saturating_add(delta.0));
        }
        released
    }

    /// Takes released value off the loading accounts' holdings.
    pub(super) fn release_holdings(&mut self, released: BTreeMap<AccountId, Amount>) {
        for (account, amount) in released {
            let held = self.offline_held(&account);
            self.set_offline_held(account, held.checked_sub(amount).unwrap_or_default());
        }
    }
}

impl Money {
    /// The sender, the cash center that issued the range starting at
    /// `first_serial`, writes off what was never credited from it once the
    /// notes and their claims are over: the value leaves the float, and the
    /// issued bonds that backed it return to the economy's own account.
    /// Nothing is credited from the range afterwards.
    pub(super) fn write_off(
        &mut self,
        roles: &Authority,
        ctx: &CallContext<'_>,
        first_serial: u64,
    ) -> Result<(), MoneyError> {
        let Some(Role::CashCenter { economy }) = roles.role(ctx.sender) else {
            return Err(MoneyError::NotCashCenter);
        };
        let key = (economy, first_serial);
        let mut range = *self.cash.issued.get(&key).ok_or(MoneyError::UnknownRange {
            economy,
            first_serial,
        })?;
        let from_ms = range.at_ms.saturating_add(WRITE_OFF_AFTER_MS);
        if ctx.now_ms < from_ms {
            return Err(MoneyError::RangeNotExpired {
                economy,
                first_serial,
                from_ms,
            });
        }
        let left = range
            .total
            .checked_sub(range.credited)
            .unwrap_or(Amount::ZERO);
        if left == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        let books = self.economy(&economy);
        let float = books.offline_float.checked_sub(left);
        let issued = books.issued_bonds.checked_sub(left);
        let (Some(float), Some(issued)) = (float, issued) else {
            return Err(MoneyError::FloatExceeded {
                economy,
                float: books.offline_float,
                needed: left,
            });
        };
        let own = add(books.own_bonds, left)?;
        let books = self.economy_mut(&economy);
        books.offline_float = float;
        books.issued_bonds = issued;
        books.own_bonds = own;
        range.credited = range.total;
        self.cash.issued.insert(key, range);
        self.release_holdings(BTreeMap::from([(range.load_account, left)]));
        Ok(())
    }
}

/// A load that moved coins waits for its notes to be recorded.
pub(super) fn pending_load(money: &mut Money, ctx: &CallContext<'_>, wallet: u64, amount: Amount) {
    if amount > Amount::ZERO {
        let load = PendingLoad { wallet, amount };
        money.cash.loads.insert((*ctx.sender, ctx.nonce), load);
    }
}
