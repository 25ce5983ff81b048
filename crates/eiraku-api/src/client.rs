//! A blocking client of the node's HTTP API (feature `client`), used by the
//! CLI, the benchmark and the integration tests. It decodes every answer
//! into the types of this crate, the ones the node serves.

use crate::{
    AccountView, AnchorView, AuditBlocksView, BatchRequest, BatchResponse, BlockView, DepositView,
    EmergencyView, ErrorBody, FinalizedTxsView, GovernanceView, MoneyStateView, ProposalView,
    RawBatchResponse, RemarkView, StatusView, SubmitResponse, SupplyView, TravelRecipient,
    TxStatus, TxView,
};
use commonware_codec::Encode;
use eiraku_core::{digest, AccountId, Digest, EconomyCode, SignedTransaction, StateKey, TxHash};
use eiraku_core::{
    proof::{StateProof, TxProof},
    travel_rule::Envelope,
};
use std::{io::BufRead, time::Duration};
use ureq::{
    tls::{Certificate, RootCerts, TlsConfig, TlsProvider},
    Agent,
};

/// An agent that reports HTTP refusals as answers (their bodies are typed).
fn agent(timeout: Option<Duration>, tls: &TlsConfig) -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(timeout)
        .tls_config(tls.clone())
        .build()
        .into()
}

/// rustls with aws-lc-rs, trusting only `roots` (the network's own
/// certificate authorities; no public ones are built in).
fn tls_config(roots: Vec<Certificate<'static>>) -> TlsConfig {
    TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::from(roots))
        .unversioned_rustls_crypto_provider(std::sync::Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .build()
}

mod records;

/// A refusal or failure talking to a node.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The node answered with a typed error.
    #[error("{code}: {message} (HTTP {status})")]
    Api {
        /// HTTP status.
        status: u16,
        /// Machine code, e.g. `nonce_used`.
        code: String,
        /// Explanation.
        message: String,
    },
    /// The node could not be reached or answered nonsense.
    #[error("cannot talk to {url}: {reason}")]
    Transport {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
}

impl ClientError {
    /// The API error code, if the node answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Api { code, .. } => Some(code),
            ClientError::Transport { .. } => None,
        }
    }
}

/// A client of one node.
#[derive(Clone)]
pub struct Client {
    base: String,
    agent: Agent,
    tls: TlsConfig,
}

/// How long a request may take, an event stream excepted.
const REQUEST_TIME: Duration = Duration::from_secs(30);

impl Client {
    /// A client of the node at `base` (e.g. `http://127.0.0.1:8700`). An
    /// `https://` node must have a certificate signed by an authority given
    /// with [`Client::trusting`].
    pub fn new(base: &str) -> Self {
        let tls = tls_config(Vec::new());
        Self {
            base: base.trim_end_matches('/').to_string(),
            agent: agent(Some(REQUEST_TIME), &tls),
            tls,
        }
    }

    /// The same client, trusting for `https://` the certificate authorities
    /// in `pem` (one or more PEM certificates).
    pub fn trusting(self, pem: &[u8]) -> Result<Self, ClientError> {
        let unreadable = |reason: String| ClientError::Transport {
            url: self.base.clone(),
            reason: format!("the trusted certificates do not read: {reason}"),
        };
        let roots = ureq::tls::parse_pem(pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(certificate)) => Some(Ok(certificate)),
                Ok(_) => None,
                Err(error) => Some(Err(error)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| unreadable(e.to_string()))?;
        if roots.is_empty() {
            return Err(unreadable("no certificate in them".into()));
        }
        let tls = tls_config(roots);
        Ok(Self {
            agent: agent(Some(REQUEST_TIME), &tls),
            tls,
            base: self.base,
        })
    }

    /// The node's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn transport(&self, path: &str, reason: impl ToString) -> ClientError {
        ClientError::Transport {
            url: format!("{}{}", self.base, path),
            reason: reason.to_string(),
        }
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T, ClientError> {
        let mut response = response.map_err(|e| self.transport(path, e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| self.transport(path, e))?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map_err(|e| self.transport(path, e));
        }
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => Err(ClientError::Api {
                status,
                code: body.error.code,
                message: body.error.message,
            }),
            Err(_) => Err(ClientError::Api {
                status,
                code: "http".into(),
                message: text,
            }),
        }
    }

    fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let response = self.agent.get(format!("{}{}", self.base, path)).call();
        self.decode(path, response)
    }

    /// `GET path`, decoded as JSON: for services that answer in the node's
    /// manner (refusals as `{"error": {"code", "message"}}`), such as a
    /// cash center.
    pub fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.get(path)
    }

    /// `POST path` with a JSON body, the answer decoded as JSON (see
    /// [`Client::get_json`]).
    pub fn post_json<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let response = self
            .agent
            .post(format!("{}{}", self.base, path))
            .send_json(body);
        self.decode(path, response)
    }

    /// `GET /v1/status`.
    pub fn status(&self) -> Result<StatusView, ClientError> {
        self.get("/v1/status")
    }

    /// `GET /v1/account/{id}`.
    pub fn account(&self, id: &AccountId) -> Result<AccountView, ClientError> {
        self.get(&format!("/v1/account/{}", id.to_hex()))
    }

    /// `GET /v1/attestations/{id}`.
    pub fn attestation(&self, id: &Digest) -> Result<crate::AttestationView, ClientError> {
        self.get(&format!("/v1/attestations/{}", digest::to_hex(id)))
    }

    /// `GET /v1/consents/{id}`.
    pub fn consent(&self, id: &Digest) -> Result<crate::ConsentView, ClientError> {
        self.get(&format!("/v1/consents/{}", digest::to_hex(id)))
    }

    /// `GET /v1/consents/{id}/accesses?from=N`: up to 1,000 accesses.
    pub fn accesses(&self, id: &Digest, from: u64) -> Result<Vec<crate::AccessView>, ClientError> {
        self.get(&format!(
            "/v1/consents/{}/accesses?from={from}",
            digest::to_hex(id)
        ))
    }

    /// `GET /v1/accounts/{id}/consents`: the consents a person granted.
    pub fn consents_of(&self, subject: &AccountId) -> Result<Vec<crate::ConsentView>, ClientError> {
        self.get(&format!("/v1/accounts/{subject}/consents"))
    }

    /// `GET /v1/works/{digest}`.
    pub fn work(&self, work: &Digest) -> Result<crate::WorkView, ClientError> {
        self.get(&format!("/v1/works/{}", digest::to_hex(work)))
    }

    /// `GET /v1/works/{digest}/licences/{account}`.
    pub fn licence(
        &self,
        work: &Digest,
        licensee: &AccountId,
    ) -> Result<crate::LicenceView, ClientError> {
        self.get(&format!(
            "/v1/works/{}/licences/{licensee}",
            digest::to_hex(work)
        ))
    }

    /// `GET /v1/purses/{id}`.
    pub fn purse(&self, id: &Digest) -> Result<crate::PurseView, ClientError> {
        self.get(&format!("/v1/purses/{}", digest::to_hex(id)))
    }

    /// `GET /v1/cash/centers/{economy}`.
    pub fn cash_center(&self, economy: &EconomyCode) -> Result<crate::CashCenterView, ClientError> {
        self.get(&format!("/v1/cash/centers/{}", economy.as_str()))
    }

    /// `GET /v1/cash/wallets/{wallet}`.
    pub fn cash_wallet(&self, wallet: u64) -> Result<crate::CashWalletView, ClientError> {
        self.get(&format!("/v1/cash/wallets/{wallet}"))
    }

    /// `GET /v1/money/supply`.
    pub fn money_supply(&self) -> Result<SupplyView, ClientError> {
        self.get("/v1/money/supply")
    }

    /// `GET /v1/money` (the whole money state).
    pub fn money_state(&self) -> Result<MoneyStateView, ClientError> {
        self.get("/v1/money")
    }

    /// `GET /v1/money/travel-rule/recipients/{payer}/{payee}`.
    pub fn travel_recipients(
        &self,
        payer: &AccountId,
        payee: &AccountId,
    ) -> Result<Vec<TravelRecipient>, ClientError> {
        self.get(&format!(
            "/v1/money/travel-rule/recipients/{}/{}",
            payer.to_hex(),
            payee.to_hex()
        ))
    }

    /// `POST /v1/money/travel-rule`.
    pub fn deposit_travel_rule(&self, envelope: &Envelope) -> Result<DepositView, ClientError> {
        let path = "/v1/money/travel-rule";
        let response = self
            .agent
            .post(format!("{}{}", self.base, path))
            .content_type("application/json")
            .send(&envelope.to_bytes()[..]);
        self.decode(path, response)
    }

    /// `GET /v1/money/travel-rule/{digest}`.
    pub fn travel_rule(&self, digest: &TxHash) -> Result<Envelope, ClientError> {
        self.get(&format!("/v1/money/travel-rule/{}", digest::to_hex(digest)))
    }

    /// `POST /v1/notary` (a signed anchoring transaction).
    pub fn notarize(&self, tx: &SignedTransaction) -> Result<SubmitResponse, ClientError> {
        self.post_bytes("/v1/notary", &tx.to_bytes())
    }

    /// `GET /v1/notary/{digest}`: where a root, or a file's digest of a
    /// batch the node was given, was first anchored.
    pub fn anchor(&self, root: &Digest) -> Result<AnchorView, ClientError> {
        self.get(&format!("/v1/notary/{}", digest::to_hex(root)))
    }

    /// `POST /v1/notary/batches`: an anchored batch's digests, so that the
    /// node finds each file by its own digest.
    pub fn index_batch(&self, root: &Digest, leaves: &[Digest]) -> Result<AnchorView, ClientError> {
        let batch = crate::NotaryBatch {
            root: digest::to_hex(root),
            leaves: leaves.iter().map(digest::to_hex).collect(),
        };
        self.post_json("/v1/notary/batches", &batch)
    }

    /// `GET /v1/validators` (the current and next validator sets).
    pub fn validators(&self) -> Result<crate::ValidatorsView, ClientError> {
        self.get("/v1/validators")
    }

    /// `GET /v1/governance/emergency` (the emergency procedure's record).
    pub fn emergency(&self) -> Result<EmergencyView, ClientError> {
        self.get("/v1/governance/emergency")
    }

    /// `GET /v1/governance` (seats and windows).
    pub fn governance(&self) -> Result<GovernanceView, ClientError> {
        self.get("/v1/governance")
    }

    /// `GET /v1/governance/proposals?from&count`: up to `count` (at most
    /// 256) proposals from number `from` on.
    pub fn proposals(&self, from: u64, count: usize) -> Result<Vec<ProposalView>, ClientError> {
        self.get(&format!(
            "/v1/governance/proposals?from={from}&count={count}"
        ))
    }

    /// `GET /v1/governance/proposals/{id}`.
    pub fn proposal(&self, id: u64) -> Result<ProposalView, ClientError> {
        self.get(&format!("/v1/governance/proposals/{id}"))
    }

    /// `GET /v1/governance/proposals/{id}/comments?from&count`.
    pub fn comments(
        &self,
        id: u64,
        from: u32,
        count: usize,
    ) -> Result<Vec<RemarkView>, ClientError> {
        self.get(&format!(
            "/v1/governance/proposals/{id}/comments?from={from}&count={count}"
        ))
    }

    /// `GET /v1/proof/tx/{hash}`.
    pub fn tx_proof(&self, hash: &TxHash) -> Result<TxProof, ClientError> {
        self.get(&format!("/v1/proof/tx/{}", digest::to_hex(hash)))
    }

    /// `GET /v1/proof/state/{key}`: any state entry, or its absence.
    pub fn state_proof(&self, key: &StateKey) -> Result<StateProof, ClientError> {
        self.get(&format!("/v1/proof/state/{key}"))
    }

    /// `GET /v1/audit/blocks`: up to `count` stored blocks from `from` on.
    pub fn audit_blocks(&self, from: u64, count: u64) -> Result<AuditBlocksView, ClientError> {
        self.get(&format!("/v1/audit/blocks?from={from}&count={count}"))
    }

    /// `GET /v1/block/{height}`.
    pub fn block(&self, height: u64) -> Result<BlockView, ClientError> {
        self.get(&format!("/v1/block/{height}"))
    }

    /// `GET /v1/tx/{hash}`.
    pub fn tx(&self, hash: &TxHash) -> Result<TxView, ClientError> {
        self.get(&format!("/v1/tx/{}", digest::to_hex(hash)))
    }

    /// `POST /v1/tx` with raw bytes.
    pub fn submit_bytes(&self, bytes: &[u8]) -> Result<SubmitResponse, ClientError> {
        self.post_bytes("/v1/tx", bytes)
    }

    /// POSTs `bytes` as `application/octet-stream` and decodes the JSON answer.
    fn post_bytes<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        bytes: &[u8],
    ) -> Result<T, ClientError> {
        let response = self
            .agent
            .post(format!("{}{}", self.base, path))
            .content_type("application/octet-stream")
            .send(bytes);
        self.decode(path, response)
    }

    /// `GET /v1/sync/target`.
    pub fn sync_target(&self) -> Result<crate::SyncTargetView, ClientError> {
        self.get("/v1/sync/target")
    }

    /// `GET /v1/sync/keys`: up to `count` keys after `after` (hex).
    pub fn sync_keys(
        &self,
        after: Option<&str>,
        count: u32,
    ) -> Result<crate::SyncKeysView, ClientError> {
        match after {
            Some(after) => self.get(&format!("/v1/sync/keys?after={after}&count={count}")),
            None => self.get(&format!("/v1/sync/keys?count={count}")),
        }
    }

    /// `POST /v1/sync/operations`: an encoded sync request, answered with
    /// the encoded response (at most `limit` bytes).
    pub fn sync_operations(&self, request: &[u8], limit: u64) -> Result<Vec<u8>, ClientError> {
        let path = "/v1/sync/operations";
        let mut response = self
            .agent
            .post(format!("{}{}", self.base, path))
            .content_type("application/octet-stream")
            .send(request)
            .map_err(|e| self.transport(path, e))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| self.transport(path, e))?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let body: ErrorBody = serde_json::from_slice(&body).map_err(|e| self.transport(path, e))?;
        Err(ClientError::Api {
            status,
            code: body.error.code,
            message: body.error.message,
        })
    }

    /// `POST /v1/tx`.
    pub fn submit(&self, tx: &SignedTransaction) -> Result<SubmitResponse, ClientError> {
        self.submit_bytes(&tx.to_bytes())
    }

    /// `POST /v1/txs`.
    pub fn submit_batch(&self, txs: &[SignedTransaction]) -> Result<BatchResponse, ClientError> {
        let path = "/v1/txs";
        let request = BatchRequest {
            txs: txs.iter().map(|tx| hex::encode(tx.to_bytes())).collect(),
        };
        self.post_json(path, &request)
    }

    /// Submits up to 1,024 transactions in the binary batch encoding
    /// (`POST /v1/txs/raw`): the fast path for bulk senders.
    pub fn submit_raw_batch(
        &self,
        txs: &[SignedTransaction],
    ) -> Result<RawBatchResponse, ClientError> {
        // The gossip batch encoding: the codec's length-prefixed list.
        self.submit_raw_batch_bytes(txs.to_vec().encode().as_ref())
    }

    /// Posts `bytes` as a binary batch, whatever they hold.
    pub fn submit_raw_batch_bytes(&self, bytes: &[u8]) -> Result<RawBatchResponse, ClientError> {
        self.post_bytes("/v1/txs/raw", bytes)
    }

    /// Polls until the transaction is finalized or `timeout` passes.
    pub fn wait_finalized(&self, hash: &TxHash, timeout: Duration) -> Result<TxView, ClientError> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            match self.tx(hash) {
                Ok(view) if view.status == TxStatus::Finalized => return Ok(view),
                Ok(_) => {}
                Err(ClientError::Api { status: 404, .. }) => {}
                Err(error) => return Err(error),
            }
            if std::time::Instant::now() > deadline {
                return Err(self.transport(
                    "/v1/tx",
                    format!(
                        "transaction {} not finalized within {timeout:?}",
                        digest::to_hex(hash)
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Follows finalized blocks as the hashes of their transactions, until
    /// `on_block` returns false: the cheap way to await confirmations.
    pub fn follow_finalized_txs(
        &self,
        on_block: impl FnMut(FinalizedTxsView) -> bool,
    ) -> Result<(), ClientError> {
        self.follow_events("/v1/events/finalized", on_block)
    }

    /// Reads the server-sent events at `path`, decoding each `data:` line as
    /// a `T`, until `on_event` returns false or the stream ends.
    fn follow_events<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        mut on_event: impl FnMut(T) -> bool,
    ) -> Result<(), ClientError> {
        let mut response = agent(None, &self.tls)
            .get(format!("{}{}", self.base, path))
            .call()
            .map_err(|e| self.transport(path, e))?;
        let mut reader =
            std::io::BufReader::with_capacity(1 << 16, response.body_mut().as_reader());
        // A block with thousands of transactions is one long `data:` line.
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| self.transport(path, e))?;
            if n == 0 {
                return Ok(());
            }
            if let Some(data) = line.trim_ascii_end().strip_prefix(b"data:") {
                let event: T = serde_json::from_slice(data.trim_ascii())
                    .map_err(|e| self.transport(path, e))?;
                if !on_event(event) {
                    return Ok(());
                }
            }
        }
    }
}
