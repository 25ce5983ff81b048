//! Each account's transactions, newest first, for the console's account
//! page: an entry per account a transaction names (its sender, and every
//! account its call may write), keyed account (32 bytes), height (8) and
//! position in the block (4), all big-endian, so that one account's
//! entries sort together by height. Written with the commit of the block
//! (the same atomic batch), only by a node that serves the console; such a
//! node indexes the blocks it already holds when it starts (or when the
//! console is turned on again).

use super::{engine, Store, StoreError};
use eiraku_core::{AccountId, Block};
use std::sync::atomic::Ordering;

/// Account, height, position.
pub(super) const KEY: usize = 32 + 8 + 4;

/// `meta` key present while every applied block is indexed.
const COMPLETE: &[u8] = b"account_history_complete";

/// Blocks indexed per write batch when catching up.
const CATCH_UP_BATCH: u64 = 1_000;

/// Where a transaction sits: its block's height and its position there.
pub type TxPlace = (u64, u32);

fn key(account: &AccountId, (height, position): TxPlace) -> [u8; KEY] {
    let mut key = [0u8; KEY];
    key[..32].copy_from_slice(account.as_bytes());
    key[32..40].copy_from_slice(&height.to_be_bytes());
    key[40..].copy_from_slice(&position.to_be_bytes());
    key
}

/// The entries of `block`'s transactions.
pub(super) fn entries(block: &Block) -> impl Iterator<Item = [u8; KEY]> + '_ {
    let height = block.header.height;
    block
        .transactions
        .iter()
        .enumerate()
        .flat_map(move |(position, tx)| {
            let mut named = eiraku_state::accounts_named(tx);
            named.sort();
            named.dedup();
            named
                .into_iter()
                .map(move |account| key(account, (height, position as u32)))
        })
}

impl Store {
    /// Whether commits index each account's transactions.
    pub fn keeps_account_history(&self) -> bool {
        self.keeps_account_history.load(Ordering::Relaxed)
    }

    /// Turns the account index on (catching up on every applied block not
    /// yet indexed, with progress in the log) or off (it is then no longer
    /// complete, and is caught up when turned on again). Called before the
    /// chain commits blocks.
    pub fn keep_account_history(&self, on: bool) -> Result<(), StoreError> {
        if !on {
            self.keeps_account_history.store(false, Ordering::Relaxed);
            return self.meta.remove(COMPLETE).map_err(engine);
        }
        if self.meta.get(COMPLETE).map_err(engine)?.is_none() {
            self.catch_up_account_history()?;
            self.meta.insert(COMPLETE, []).map_err(engine)?;
        }
        self.keeps_account_history.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Indexes every applied block (entries already there are written
    /// again, unchanged).
    fn catch_up_account_history(&self) -> Result<(), StoreError> {
        let applied = self.applied_height()?.unwrap_or(0);
        if applied == 0 {
            return Ok(());
        }
        tracing::info!(
            blocks = applied,
            "store: indexing each account's transactions"
        );
        let mut from = 1;
        while from <= applied {
            let to = applied.min(from + CATCH_UP_BATCH - 1);
            let mut batch = self.keyspace.batch();
            for height in from..=to {
                if let Some(block) = self.block(height)? {
                    for key in entries(&block) {
                        batch.insert(&self.account_history, key, []);
                    }
                }
            }
            batch.commit().map_err(engine)?;
            tracing::info!(indexed = to, of = applied, "store: account index");
            from = to + 1;
        }
        Ok(())
    }

    /// Up to `limit` places of `account`'s transactions, newest first,
    /// older than `before` when given.
    pub fn account_history(
        &self,
        account: &AccountId,
        before: Option<TxPlace>,
        limit: usize,
    ) -> Result<Vec<TxPlace>, StoreError> {
        let start = key(account, (0, 0));
        let end = key(account, before.unwrap_or((u64::MAX, u32::MAX)));
        let mut places = Vec::new();
        for entry in self.account_history.range(start..end).rev().take(limit) {
            let (entry, _) = entry.map_err(engine)?;
            let corrupt = || StoreError::Corrupt("an account history entry".into());
            let entry: &[u8; KEY] = entry.as_ref().try_into().map_err(|_| corrupt())?;
            let height = u64::from_be_bytes(entry[32..40].try_into().expect("8 bytes"));
            let position = u32::from_be_bytes(entry[40..].try_into().expect("4 bytes"));
            places.push((height, position));
        }
        Ok(places)
    }
}
