//! A wallet's side of the cash center's API: certification, notes for a
//! load, deposits and the blacklist. The center's keys are taken from the
//! ledger, where its economy published them, not from the center's word.

use crate::cash_center::wire::{
    BlacklistAnswer, CenterInfo, CertifyAnswer, CertifyRequest, ClaimAnswer, ClaimRequest,
    DepositAnswer, DepositRequest, IssueRequest, NotesAnswer,
};
use anyhow::Context;
use commonware_codec::Encode;
use eiraku_api::Client;
use eiraku_cash::{
    CenterPublicKeys, NoteInHand, RiskLimits, SignedBlacklist, SignedCertificate,
    SoftwareSecureElement, UncertifiedElement, Wallet, WalletNumber,
};
use eiraku_core::{AccountId, EconomyCode};

/// A cash center, as a wallet talks to it.
pub struct CenterLink {
    client: Client,
    /// Who it is.
    pub info: CenterInfo,
}

use crate::clock::now_ms;

impl CenterLink {
    /// Reaches the center at `url`.
    pub fn connect(url: &str) -> anyhow::Result<Self> {
        let client = Client::new(url);
        let info = client
            .get_json("/v1/center")
            .with_context(|| format!("cannot reach the cash center at {url}"))?;
        Ok(Self { client, info })
    }

    /// A new wallet: fresh keys, certified by the device center behind
    /// this center, with the center's keys as `node`'s ledger publishes
    /// them.
    pub fn new_wallet(
        &self,
        node: &Client,
        limits: RiskLimits,
    ) -> anyhow::Result<Wallet<SoftwareSecureElement>> {
        let keys = published_keys(node, &self.info)?;
        let element = UncertifiedElement::generate();
        let request = element.certificate_request(WalletNumber(0), 0, 0);
        let body = CertifyRequest {
            request: hex::encode(request.encode()),
        };
        let answer: CertifyAnswer = self.client.post_json("/v1/certify", &body)?;
        let certificate = SignedCertificate::from_bytes(&hex::decode(&answer.certificate)?)?;
        certificate.verify(&key_of(&self.info.device_key, "device")?, now_ms())?;
        let element = element
            .install(certificate)
            .context("the device center certified other keys than this wallet's")?;
        Ok(Wallet::new(element, limits, keys))
    }

    /// The notes of the load `load` (a transaction hash).
    pub fn issue(&self, load: &str) -> anyhow::Result<Vec<NoteInHand>> {
        let request = IssueRequest {
            load: load.to_string(),
        };
        let answer: NotesAnswer = self.client.post_json("/v1/issue", &request)?;
        answer
            .notes
            .iter()
            .map(|text| Ok(NoteInHand::from_bytes(&hex::decode(text)?)?))
            .collect()
    }

    /// Deposits notes handed to the center.
    pub fn deposit(&self, notes: &[NoteInHand]) -> anyhow::Result<DepositAnswer> {
        let request = DepositRequest {
            notes: notes.iter().map(|n| hex::encode(n.encode())).collect(),
        };
        Ok(self.client.post_json("/v1/deposit", &request)?)
    }

    /// Files the wallet's signed claim on its in-doubt value.
    pub fn file_claim(&self, claim: &eiraku_cash::SignedClaim) -> anyhow::Result<ClaimAnswer> {
        let request = ClaimRequest {
            claim: hex::encode(claim.encode()),
        };
        Ok(self.client.post_json("/v1/claims", &request)?)
    }

    /// The center's signed blacklist (check it before use).
    pub fn blacklist(&self) -> anyhow::Result<SignedBlacklist> {
        let answer: BlacklistAnswer = self.client.get_json("/v1/blacklist")?;
        Ok(SignedBlacklist::from_bytes(&hex::decode(
            &answer.blacklist,
        )?)?)
    }
}

fn key_of(hex: &str, what: &str) -> anyhow::Result<eiraku_core::PublicKey> {
    AccountId::from_hex(hex)
        .map_err(anyhow::Error::msg)?
        .public_key()
        .map_err(|_| anyhow::anyhow!("the {what} key is not a valid key"))
}

/// The center's keys as the ledger publishes them; refuses a center whose
/// keys are not those.
pub fn published_keys(node: &Client, info: &CenterInfo) -> anyhow::Result<CenterPublicKeys> {
    let economy = EconomyCode::new(&info.economy).map_err(anyhow::Error::msg)?;
    let view = node.cash_center(&economy)?;
    anyhow::ensure!(
        view.note_key.map(|k| k.to_hex()).as_deref() == Some(info.note_key.as_str())
            && view.history_key.as_deref() == Some(info.history_key.as_str())
            && view.device_key.map(|k| k.to_hex()).as_deref() == Some(info.device_key.as_str()),
        "the cash center's keys are not the ones {economy} published on the ledger"
    );
    let history: [u8; 32] = hex::decode(&info.history_key)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("the published history key is not 32 bytes"))?;
    Ok(CenterPublicKeys {
        signing: key_of(&info.note_key, "note")?,
        history,
    })
}
