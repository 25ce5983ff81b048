//! Each account's transactions, newest first, for the console's account
//! page: an entry per account a transaction names, keyed account (32
//! bytes), height (8) and position in the block (4), all big-endian, so
//! that one account's entries sort together by height. Written behind the
//! chain, from the stored blocks, by a node that serves the console (its
//! indexer runs only when the machine has nothing else to do, so a
//! validator under load pays nothing for it), resuming where it stopped.

use super::{engine, Store, StoreError};
use eiraku_core::{AccountId, Block, Call, MoneyCall, SignedTransaction};

/// Account, height, position.
const KEY: usize = 32 + 8 + 4;

/// `meta` key, present while the index is kept: [`FORMAT`], then the
/// height (8 bytes) through which every block is indexed.
const PROGRESS: &[u8] = b"account_history";

/// What an entry means; a node whose index has another format indexes
/// every block again.
const FORMAT: u8 = 2;

/// Where a transaction sits: its block's height and its position there.
pub type TxPlace = (u64, u32);

fn key(account: &AccountId, (height, position): TxPlace) -> [u8; KEY] {
    let mut key = [0u8; KEY];
    key[..32].copy_from_slice(account.as_bytes());
    key[32..40].copy_from_slice(&height.to_be_bytes());
    key[40..].copy_from_slice(&position.to_be_bytes());
    key
}

/// The `meta` value saying every block through `height` is indexed.
fn progress(height: u64) -> [u8; 9] {
    let mut value = [FORMAT; 9];
    value[1..].copy_from_slice(&height.to_be_bytes());
    value
}

/// The accounts a transaction names: its sender, the accounts its call
/// may write, and (for every call but the plain payments, whose accounts
/// those are) any other account the call names — a frozen account, an
/// attestation's subject, a licensee. Any 64-hex-digit string of such a
/// call counts; one that is no account's id only adds an entry nobody
/// reads.
fn named(tx: &SignedTransaction) -> Vec<AccountId> {
    let mut named: Vec<AccountId> = eiraku_state::touched_accounts(tx)
        .into_iter()
        .copied()
        .collect();
    let payment = matches!(
        tx.transaction.call,
        Call::Transfer { .. } | Call::Money(MoneyCall::Pay { .. })
    );
    if !payment {
        if let Ok(json) = serde_json::to_string(&tx.transaction.call) {
            let ids = json.split('"').filter_map(|s| AccountId::from_hex(s).ok());
            named.extend(ids);
        }
    }
    named.sort();
    named.dedup();
    named
}

/// The entries of `block`'s transactions.
fn entries(block: &Block) -> impl Iterator<Item = [u8; KEY]> + '_ {
    let height = block.header.height;
    let transactions = block.transactions.iter().enumerate();
    transactions.flat_map(move |(position, tx)| {
        let place = (height, position as u32);
        named(tx)
            .into_iter()
            .map(move |account| key(&account, place))
    })
}

impl Store {
    /// Forgets how far the index went (a node whose console is off): when
    /// the console is on again, every block is indexed anew.
    pub fn stop_account_history(&self) -> Result<(), StoreError> {
        self.meta.remove(PROGRESS).map_err(engine)
    }

    /// The height through which every block is indexed.
    pub fn account_history_through(&self) -> Result<u64, StoreError> {
        Ok(match self.meta.get(PROGRESS).map_err(engine)? {
            Some(value) if value.len() == 9 && value[0] == FORMAT => {
                u64::from_be_bytes(value[1..].try_into().expect("8 bytes"))
            }
            _ => 0,
        })
    }

    /// Indexes the next applied blocks not indexed yet, about
    /// `max_entries` entries' worth, in one batch that records how far it
    /// went (the next call, or the next run, resumes there); the heights
    /// indexed through and applied. Only one caller at a time: the node's
    /// indexer thread.
    pub fn index_account_history(&self, max_entries: usize) -> Result<(u64, u64), StoreError> {
        let indexed = self.account_history_through()?;
        let applied = self.applied_height()?.unwrap_or(0);
        let (mut batch, mut written, mut through) = (self.keyspace.batch(), 0, indexed);
        while through < applied && written < max_entries {
            through += 1;
            match self.block(through)? {
                Some(block) => {
                    for key in entries(&block) {
                        batch.insert(&self.account_history, key, []);
                        written += 1;
                    }
                }
                None => tracing::warn!(
                    height = through,
                    "store: block missing; its transactions are not indexed"
                ),
            }
        }
        if through > indexed {
            batch.insert(&self.meta, PROGRESS, progress(through));
            batch.commit().map_err(engine)?;
        }
        Ok((through, applied))
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

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::{Amount, ChainId, Keypair, Transaction};

    fn signed(by: &Keypair, call: Call) -> SignedTransaction {
        let chain_id = ChainId::new("history-test").unwrap();
        let sender = by.account_id();
        let transaction = Transaction {
            chain_id,
            sender,
            nonce: 0,
            call,
        };
        SignedTransaction::sign(transaction, by)
    }

    #[test]
    fn a_transaction_names_its_sender_payee_and_any_account_its_call_names() {
        let [regulator, bank, shop] = [1, 2, 3].map(Keypair::from_seed);
        let pay = signed(
            &bank,
            Call::Transfer {
                to: shop.account_id(),
                amount: Amount(5),
            },
        );
        let mut expected = vec![bank.account_id(), shop.account_id()];
        expected.sort();
        assert_eq!(named(&pay), expected);
        // A freeze writes no balance of the frozen account, yet names it.
        let freeze = signed(
            &regulator,
            Call::Money(MoneyCall::Freeze {
                account: shop.account_id(),
                reason: "court order 17".into(),
            }),
        );
        let mut expected = vec![regulator.account_id(), shop.account_id()];
        expected.sort();
        assert_eq!(named(&freeze), expected);
    }

    #[test]
    fn progress_records_the_format_and_height() {
        let value = progress(258);
        assert_eq!(value[0], FORMAT);
        assert_eq!(u64::from_be_bytes(value[1..].try_into().unwrap()), 258);
    }
}
