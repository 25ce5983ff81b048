//! The coin's supply over time, for the dashboard's chart: after each
//! finalized block, the circulation, the issued bonds that back it and
//! the offline float, and each economy's books, kept (off-ledger, in the
//! node's store; the latest 10,000 points) only when one of them moved. A
//! few sums over the economies per block; nothing written when nothing
//! moves. The dashboard checks each point's books again
//! ([`SupplyPoint::books`]).

use crate::chain::Chain;
use serde::{Deserialize, Serialize};
use std::{collections::VecDeque, sync::Arc};

/// Points the chart draws at most.
pub const CHART_POINTS: usize = 500;
/// Points kept; the oldest are forgotten (about 15 MB with 13 economies).
const KEPT_POINTS: usize = 10_000;

/// The supply after one block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyPoint {
    /// The block.
    pub height: u64,
    /// Its time.
    pub timestamp_ms: u64,
    /// Coins in accounts (minor units).
    pub circulation: u128,
    /// Issued bonds: what backs the coins out (minor units).
    pub issued_bonds: u128,
    /// Coins in offline wallets (minor units).
    pub offline_float: u128,
    /// Each economy's books (points kept before they were recorded have
    /// none).
    #[serde(default)]
    pub economies: Vec<EconomyPoint>,
}

/// One economy's books after one block (minor units).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EconomyPoint {
    /// The economy.
    pub code: String,
    /// Bonds in its own account.
    pub own_bonds: u128,
    /// Bonds in its issued account: its coins out.
    pub issued_bonds: u128,
    /// ACU value of its accepted contributions.
    pub contributed: u128,
    /// Its coins in offline wallets.
    pub offline_float: u128,
}

impl SupplyPoint {
    fn of(chain: &Chain) -> Option<Self> {
        let state = chain.finalized_state();
        let money = state.money()?;
        let economies = money.economies.iter().map(|(code, e)| EconomyPoint {
            code: code.to_string(),
            own_bonds: e.own_bonds.0,
            issued_bonds: e.issued_bonds.0,
            contributed: e.contributed.0,
            offline_float: e.offline_float.0,
        });
        Some(Self {
            height: state.height(),
            timestamp_ms: state.timestamp_ms(),
            circulation: money.circulation().0,
            issued_bonds: money.economies.values().map(|b| b.issued_bonds.0).sum(),
            offline_float: money.offline_float().0,
            economies: economies.collect(),
        })
    }

    fn same_supply(&self, other: &Self) -> bool {
        (
            self.circulation,
            self.issued_bonds,
            self.offline_float,
            &self.economies,
        ) == (
            other.circulation,
            other.issued_bonds,
            other.offline_float,
            &other.economies,
        )
    }

    /// The backing's books checked again from the point's own numbers:
    /// each economy's own and issued bonds add up to its accepted
    /// contributions (`money.contributions`), and the economies' issued
    /// bonds add up to the total. (An economy's float is not bounded by
    /// its own issued bonds: coins cross borders before they are loaded.)
    /// (That the accounts' balances add up to the circulation,
    /// `money.backing`, is a sum over every account: every validator
    /// checks it on each transaction, `eiraku verify` over the chain.)
    pub fn books(&self) -> Result<(), BrokenBooks> {
        if let Some(e) = (self.economies.iter())
            .find(|e| e.own_bonds.checked_add(e.issued_bonds) != Some(e.contributed))
        {
            return Err(BrokenBooks::Contributions(e.code.clone()));
        }
        let issued: u128 = self.economies.iter().map(|e| e.issued_bonds).sum();
        if !self.economies.is_empty() && issued != self.issued_bonds {
            return Err(BrokenBooks::Total);
        }
        Ok(())
    }
}

/// How a point's books fail to balance.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BrokenBooks {
    /// An economy's own and issued bonds differ from its contributions.
    #[error("{0}: own + issued bonds differ from its contributions")]
    Contributions(String),
    /// The economies' issued bonds differ from the total.
    #[error("the economies' issued bonds differ from the total")]
    Total,
}

/// Records a point whenever the supply moves, until the node stops.
pub async fn record(chain: Arc<Chain>) {
    if chain.genesis().money.is_none() {
        return;
    }
    let stored = chain.store().supply_points(KEPT_POINTS).unwrap_or_default();
    let mut last: Option<SupplyPoint> =
        (stored.last()).and_then(|(_, bytes)| serde_json::from_slice(bytes).ok());
    let mut kept: VecDeque<u64> = stored.into_iter().map(|(height, _)| height).collect();
    let mut events = chain.subscribe();
    loop {
        if let Some(point) = SupplyPoint::of(&chain) {
            let moved = last
                .as_ref()
                .is_none_or(|l| !l.same_supply(&point) && l.height < point.height);
            if moved {
                keep(&chain, &point);
                kept.push_back(point.height);
                forget_beyond(&mut kept, KEPT_POINTS, |oldest| {
                    if let Err(error) = chain.store().delete_supply_point(oldest) {
                        tracing::warn!(%error, "cannot forget a supply point");
                    }
                });
                last = Some(point);
            }
        }
        // A lagging receiver only skips blocks: the state read is the latest.
        if let Err(tokio::sync::broadcast::error::RecvError::Closed) = events.recv().await {
            return;
        }
    }
}

/// Forgets (with `forget`) the oldest heights beyond `limit`.
fn forget_beyond(kept: &mut VecDeque<u64>, limit: usize, mut forget: impl FnMut(u64)) {
    while kept.len() > limit {
        if let Some(oldest) = kept.pop_front() {
            forget(oldest);
        }
    }
}

fn keep(chain: &Chain, point: &SupplyPoint) {
    let bytes = serde_json::to_vec(point).expect("a point serializes");
    if let Err(error) = chain.store().put_supply_point(point.height, &bytes) {
        tracing::warn!(%error, "cannot keep a supply point");
    }
}

/// The latest `limit` points, oldest first.
pub fn latest(chain: &Chain, limit: usize) -> Vec<SupplyPoint> {
    let stored = chain.store().supply_points(limit).unwrap_or_default();
    stored
        .iter()
        .filter_map(|(_, bytes)| serde_json::from_slice(bytes).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn economy(code: &str, own: u128, issued: u128, contributed: u128) -> EconomyPoint {
        EconomyPoint {
            code: code.into(),
            own_bonds: own,
            issued_bonds: issued,
            contributed,
            offline_float: 0,
        }
    }

    fn point(economies: Vec<EconomyPoint>) -> SupplyPoint {
        SupplyPoint {
            height: 7,
            timestamp_ms: 0,
            circulation: economies.iter().map(|e| e.issued_bonds).sum(),
            issued_bonds: economies.iter().map(|e| e.issued_bonds).sum(),
            offline_float: 0,
            economies,
        }
    }

    #[test]
    fn a_points_books_are_checked_from_its_numbers() {
        let held = point(vec![economy("JP", 60, 40, 100), economy("TH", 0, 5, 5)]);
        assert_eq!(held.books(), Ok(()));
        let unbalanced = point(vec![economy("JP", 61, 40, 100)]);
        assert_eq!(
            unbalanced.books(),
            Err(BrokenBooks::Contributions("JP".into()))
        );
        assert_eq!(
            unbalanced.books().unwrap_err().to_string(),
            "JP: own + issued bonds differ from its contributions"
        );
        // Coins issued in JP, loaded into wallets in PH: no broken books.
        let mut crossed = point(vec![economy("JP", 60, 40, 100), economy("PH", 0, 0, 0)]);
        crossed.economies[1].offline_float = 30;
        assert_eq!(crossed.books(), Ok(()));
        let mut total = point(vec![economy("JP", 60, 40, 100)]);
        total.issued_bonds = 39;
        assert_eq!(total.books(), Err(BrokenBooks::Total));
    }

    #[test]
    fn only_the_latest_points_stay() {
        let mut kept: VecDeque<u64> = (1..=5).collect();
        let mut forgotten = Vec::new();
        forget_beyond(&mut kept, 3, |height| forgotten.push(height));
        assert_eq!(forgotten, [1, 2]);
        assert_eq!(kept, [3, 4, 5]);
        forget_beyond(&mut kept, 3, |_| panic!("nothing more to forget"));
    }
}
