//! The client's calls of the registries of versioned records.

use super::{Client, ClientError};
use crate::{RecordView, RegistryView};
use eiraku_core::{
    digest,
    record::{deposit_request, payload_request, sign_payload_request, PayloadEnvelope},
    ChainId, Digest, Keypair,
};

impl Client {
    /// `GET /v1/registries/{name}`.
    pub fn registry(&self, name: &str) -> Result<RegistryView, ClientError> {
        self.get(&format!("/v1/registries/{name}"))
    }

    /// `GET /v1/registries/{name}/records/{key}`: every version.
    pub fn record_history(&self, name: &str, key: &str) -> Result<Vec<RecordView>, ClientError> {
        self.get(&format!("/v1/registries/{name}/records/{key}"))
    }

    /// `POST /v1/registries/payloads`, signed by `writer` (whose account
    /// is `account`) at `at_ms`: keeps `envelope`; its digest.
    pub fn deposit_payload(
        &self,
        chain: &ChainId,
        envelope: &PayloadEnvelope,
        (writer, account): (&Keypair, &eiraku_core::AccountId),
        at_ms: u64,
    ) -> Result<Digest, ClientError> {
        let path = "/v1/registries/payloads";
        let message = deposit_request(chain, envelope, at_ms);
        let response = self
            .agent
            .post(format!("{}{}", self.base, path))
            .header("x-eiraku-account", account.to_hex())
            .header("x-eiraku-at-ms", at_ms.to_string())
            .header("x-eiraku-signature", sign_payload_request(writer, &message))
            .content_type("application/json")
            .send(&envelope.to_bytes()[..]);
        let named: serde_json::Value = self.decode(path, response)?;
        let text = named["envelope"].as_str().unwrap_or_default();
        digest::from_hex(text).ok_or_else(|| self.transport(path, "the node named no envelope"))
    }

    /// `GET /v1/registries/{name}/records/{key}/{version}/payload`, signed
    /// by `member` (whose account is `account`) at `at_ms`.
    pub fn payload(
        &self,
        chain: &ChainId,
        (name, key, version): (&str, &str, u64),
        member: &Keypair,
        account: &eiraku_core::AccountId,
        at_ms: u64,
    ) -> Result<PayloadEnvelope, ClientError> {
        let path = format!("/v1/registries/{name}/records/{key}/{version}/payload");
        let message = payload_request(chain, name, key, version, at_ms);
        let response = self
            .agent
            .get(format!("{}{}", self.base, path))
            .header("x-eiraku-account", account.to_hex())
            .header("x-eiraku-at-ms", at_ms.to_string())
            .header("x-eiraku-signature", sign_payload_request(member, &message))
            .call();
        self.decode(&path, response)
    }
}
