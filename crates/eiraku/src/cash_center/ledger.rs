//! The cash center's dealings with the ledger: reading a finalized load
//! before issuing against it, publishing its keys, crediting deposits and
//! blacklisting on evidence. It sends one transaction at a time from its
//! account, so its nonces never collide.

use super::rounds::Rounds;
use crate::keyfile::Signer;
use anyhow::Context;
use eiraku_api::{Client, Outcome, TxStatus, TxView};
use eiraku_cash::SignedCertificate;
use eiraku_core::{cash::wallet_economy, AccountId, Call, CashCall, ChainId, EconomyCode, TxHash};
use std::{sync::Mutex, time::Duration};

/// How long the center waits for its own transaction to be final.
const FINALITY_WAIT: Duration = Duration::from_secs(60);

/// A load the ledger finalized, as the center issues against it.
#[derive(Debug)]
pub struct FinalLoad {
    /// The loaded wallet's certificate.
    pub certificate: SignedCertificate,
    /// The coins it moved into the float.
    pub amount: u64,
    /// The loading account.
    pub account: AccountId,
    /// The load's nonce (with the account, it names the load on the
    /// ledger).
    pub nonce: u64,
}

/// Why the center does not issue against a load.
#[derive(Debug, thiserror::Error)]
pub enum LoadRefusal {
    /// Unknown to the ledger, or not final yet.
    #[error(
        "transaction {0} is not a finalized transaction yet: wait for it to be final and ask again"
    )]
    NotFinal(String),
    /// Final, but refused by the ledger.
    #[error("transaction {0} failed on the ledger: nothing was loaded")]
    Failed(String),
    /// Not a load, or a load for another economy's wallet.
    #[error("transaction {hash} is not a load of a wallet of {economy}")]
    NotALoad {
        /// The transaction.
        hash: String,
        /// The center's economy.
        economy: EconomyCode,
    },
    /// The ledger could not be read.
    #[error("the ledger could not be read: {0:#}")]
    Unreachable(anyhow::Error),
}

/// The ledger, as one cash center uses it.
pub struct Ledger {
    client: Client,
    chain_id: ChainId,
    economy: EconomyCode,
    /// Held while a transaction sent with [`Ledger::send`] is in flight.
    sending: Mutex<()>,
    /// The center's own transactions, once it serves.
    rounds: Option<Rounds>,
}

impl Ledger {
    /// The ledger behind `client`, which must serve `chain_id`.
    pub fn connect(client: Client, chain_id: &str, economy: EconomyCode) -> anyhow::Result<Self> {
        let status = client
            .status()
            .with_context(|| format!("cannot reach the node at {}", client.base()))?;
        anyhow::ensure!(
            status.chain_id.as_str() == chain_id,
            "the node at {} serves chain {}, not {chain_id}",
            client.base(),
            status.chain_id
        );
        Ok(Self {
            client,
            chain_id: status.chain_id,
            economy,
            sending: Mutex::new(()),
            rounds: None,
        })
    }

    /// The node client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The load `hash`, once final and successful, if it loads a wallet of
    /// this center's economy.
    pub fn final_load(&self, hash: &TxHash) -> Result<FinalLoad, LoadRefusal> {
        let hex = eiraku_core::digest::to_hex(hash);
        let view = match self.client.tx(hash) {
            Ok(view) => view,
            Err(eiraku_api::ClientError::Api { status: 404, .. }) => {
                return Err(LoadRefusal::NotFinal(hex))
            }
            Err(e) => return Err(LoadRefusal::Unreachable(e.into())),
        };
        let receipt = match (&view.status, &view.receipt) {
            (TxStatus::Finalized, Some(receipt)) => receipt,
            _ => return Err(LoadRefusal::NotFinal(hex)),
        };
        if receipt.outcome != Outcome::Success {
            return Err(LoadRefusal::Failed(hex));
        }
        let block =
            (self.client.block(receipt.height)).map_err(|e| LoadRefusal::Unreachable(e.into()))?;
        let not_a_load = || LoadRefusal::NotALoad {
            hash: hex.clone(),
            economy: self.economy,
        };
        let tx = block
            .transactions
            .get(receipt.index as usize)
            .filter(|tx| tx.hash == hex)
            .ok_or_else(not_a_load)?;
        let Call::Cash(CashCall::Load {
            certificate,
            amount,
            ..
        }) = &tx.call
        else {
            return Err(not_a_load());
        };
        let certificate = SignedCertificate::from_bytes(certificate).map_err(|_| not_a_load())?;
        if wallet_economy(certificate.wallet().0) != Some(self.economy) {
            return Err(not_a_load());
        }
        let amount = u64::try_from(amount.0).map_err(|_| not_a_load())?;
        Ok(FinalLoad {
            certificate,
            amount,
            account: tx.sender,
            nonce: tx.nonce,
        })
    }

    /// The account `wallet` is bound to on the ledger.
    pub fn bound_account(&self, wallet: u64) -> anyhow::Result<AccountId> {
        let view = self.client.cash_wallet(wallet)?;
        anyhow::ensure!(view.revoked_ms.is_none(), "wallet {wallet} is revoked");
        anyhow::ensure!(
            view.blacklisted_ms.is_none(),
            "wallet {wallet} is blacklisted"
        );
        Ok(view.account)
    }

    /// Sends `call` from `sender` and waits until it is final; a refusal
    /// is an error carrying the ledger's code and message.
    pub fn send(&self, sender: &Signer, call: Call) -> anyhow::Result<TxView> {
        let _one_at_a_time = self.sending.lock().unwrap_or_else(|p| p.into_inner());
        let tx = crate::submit::sign_next(&self.client, &self.chain_id, sender, call);
        self.client.submit(&tx)?;
        let view = self.client.wait_finalized(&tx.hash(), FINALITY_WAIT)?;
        if let Some(error) = view.receipt.as_ref().and_then(|r| r.error.as_ref()) {
            anyhow::bail!("the ledger refused it: {}: {}", error.code, error.message);
        }
        Ok(view)
    }

    /// From now on, the center's own transactions go in rounds
    /// ([`Rounds`]) signed by `center`.
    pub fn send_in_rounds(&mut self, center: Signer) {
        let rounds = Rounds::start(self.client.clone(), self.chain_id.clone(), center);
        self.rounds = Some(rounds);
    }

    /// Sends the center's `call` in the next round (see
    /// [`Ledger::send_in_rounds`]) and waits until it is final.
    pub fn send_as_center(&self, call: CashCall) -> anyhow::Result<TxView> {
        let rounds = (self.rounds.as_ref()).context("the center's rounds are not started")?;
        rounds.send(Call::Cash(call))
    }
}
