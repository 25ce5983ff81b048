//! The coin's supply over time, for the dashboard's chart: after each
//! finalized block, the circulation, the issued bonds that back it and
//! the offline float, kept (off-ledger, in the node's store; the latest
//! 10,000 points) only when one of them moved. A few sums over the
//! economies per block; nothing written when nothing moves. Every finalized
//! block passed the backing invariants on every validator (a block breaking
//! one is refused), so each point is a state the invariants held in.

use crate::chain::Chain;
use serde::{Deserialize, Serialize};
use std::{collections::VecDeque, sync::Arc};

/// Points the chart draws at most.
pub const CHART_POINTS: usize = 500;
/// Points kept; the oldest are forgotten (about a megabyte).
const KEPT_POINTS: usize = 10_000;

/// The supply after one block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl SupplyPoint {
    fn of(chain: &Chain) -> Option<Self> {
        let state = chain.finalized_state();
        let money = state.money()?;
        Some(Self {
            height: state.height(),
            timestamp_ms: state.timestamp_ms(),
            circulation: money.circulation().0,
            issued_bonds: money.economies.values().map(|b| b.issued_bonds.0).sum(),
            offline_float: money.offline_float().0,
        })
    }

    fn same_supply(&self, other: &Self) -> bool {
        (self.circulation, self.issued_bonds, self.offline_float)
            == (other.circulation, other.issued_bonds, other.offline_float)
    }
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
            let moved = last.is_none_or(|l| !l.same_supply(&point) && l.height < point.height);
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
