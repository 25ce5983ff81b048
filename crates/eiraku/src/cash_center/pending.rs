//! Credits (deposits, refunds) the center decided and handed to the
//! ledger, kept on disk
//! until the ledger has made them final: a crash, a node that is down or a
//! refusal never loses a depositor's money. Each is retried at the next
//! start; the ledger's spent set makes a retry of a credit that did land
//! harmless (it is refused, and the operator sees why).

use crate::durable;
use anyhow::Context;
use eiraku_core::CashCall;
use std::path::PathBuf;

/// The pending credits' folder.
pub struct Pending {
    dir: PathBuf,
}

/// One pending credit's file.
pub struct Ticket(PathBuf);

impl Pending {
    /// Opens (or creates) the folder.
    pub fn open(dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Self { dir })
    }

    /// Records a credit before it is sent.
    pub fn add(&self, call: &CashCall) -> anyhow::Result<Ticket> {
        let (kind, wallet, notes) = match call {
            CashCall::Deposit { wallet, notes, .. } => ("deposit", wallet, notes),
            CashCall::Refund { wallet, notes, .. } => ("refund", wallet, notes),
            _ => anyhow::bail!("only deposits and refunds are kept pending"),
        };
        let first = notes.first().map(|n| n.serial).unwrap_or(0);
        let path = self.dir.join(format!("{kind}-{wallet}-{first}.json"));
        durable::replace(&path, &serde_json::to_vec(call)?)?;
        Ok(Ticket(path))
    }

    /// The credit is final on the ledger.
    pub fn done(&self, ticket: Ticket) -> anyhow::Result<()> {
        std::fs::remove_file(&ticket.0)
            .with_context(|| format!("cannot remove {}", ticket.0.display()))?;
        std::fs::File::open(&self.dir)?.sync_all()?;
        Ok(())
    }

    /// Every pending credit written at least `min_age` ago (younger ones
    /// may still be in flight), oldest name first.
    pub fn list(&self, min_age: std::time::Duration) -> Vec<(Ticket, CashCall)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter(|p| {
                let modified = std::fs::metadata(p).and_then(|m| m.modified());
                modified.is_ok_and(|at| at.elapsed().is_ok_and(|age| age >= min_age))
            })
            .collect();
        paths.sort();
        paths
            .into_iter()
            .filter_map(|path| {
                let call = std::fs::read(&path)
                    .ok()
                    .and_then(|bytes| serde_json::from_slice(&bytes).ok());
                if call.is_none() {
                    eprintln!("{} is not a pending credit: left alone", path.display());
                }
                call.map(|call| (Ticket(path), call))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::{AccountId, Amount, DepositedNote};

    #[test]
    fn a_pending_credit_survives_until_it_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let call = CashCall::Deposit {
            wallet: 7,
            account: AccountId::from_bytes([1; 32]),
            notes: vec![DepositedNote {
                serial: 3,
                value: Amount(500),
            }],
        };
        let pending = Pending::open(dir.path().join("pending")).unwrap();
        pending.add(&call).unwrap();
        let reopened = Pending::open(dir.path().join("pending")).unwrap();
        let listed = reopened.list(std::time::Duration::ZERO);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].1, call);
        let (ticket, _) = listed.into_iter().next().unwrap();
        reopened.done(ticket).unwrap();
        assert!(reopened.list(std::time::Duration::ZERO).is_empty());
    }
}
