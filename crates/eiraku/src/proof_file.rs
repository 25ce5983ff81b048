//! `eiraku proof …`: fetching an account's state proof from a node, and
//! checking any proof file (notarization, transaction, state) offline with
//! only the genesis file.

use crate::Client;
use anyhow::Context;
use eiraku_core::RegistryKey;
use eiraku_core::{
    proof::{
        AnyProof, Credential, LightClient, Notarized, StateProof, VerifiedCredential,
        VerifiedState, VerifiedTx,
    },
    AccountId, Genesis, StateKey,
};
use std::path::Path;

/// What a checked proof file establishes.
#[derive(Debug)]
pub enum Checked {
    /// A file's notarization.
    Notarized(Notarized),
    /// A transaction in a finalized block.
    Transaction(Box<VerifiedTx>),
    /// An account's state, or its absence, in a finalized block.
    State(VerifiedState),
    /// An attestation's credential, unrevoked in the last proven block and
    /// in its window now.
    Credential(Box<VerifiedCredential>),
}

/// A block time as RFC 3339 (UTC).
pub fn format_time(timestamp_ms: u64) -> String {
    eiraku_core::proof::rfc3339(timestamp_ms).unwrap_or_else(|| format!("{timestamp_ms} ms"))
}

/// Reads a genesis file.
pub fn read_genesis(path: &Path) -> anyhow::Result<Genesis> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a genesis file", path.display()))
}

/// Checks the proof file at `proof` against `genesis`, offline. A notary
/// proof needs the notarized `file`; transaction and state proofs need none;
/// a credential may come with a `newer` state proof of its entry.
pub fn verify(
    proof: &Path,
    file: Option<&Path>,
    newer: Option<&Path>,
    genesis: &Path,
) -> anyhow::Result<Checked> {
    let light = LightClient::from_genesis(&read_genesis(genesis)?)?;
    let text = std::fs::read_to_string(proof)
        .with_context(|| format!("cannot read {}", proof.display()))?;
    let parsed = AnyProof::from_json(&text)
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", proof.display()))?;
    let only =
        |what: &str, kind: &str| format!("{what} is for {kind}; {} is not one", proof.display());
    anyhow::ensure!(
        file.is_none() || matches!(parsed, AnyProof::Notary(_)),
        only("--file", "notary proofs")
    );
    anyhow::ensure!(
        newer.is_none() || matches!(parsed, AnyProof::Credential(_)),
        only("--newer", "credentials")
    );
    match parsed {
        AnyProof::Notary(notary) => {
            let file =
                file.context("a notary proof is checked against its file: add --file FILE")?;
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            Ok(Checked::Notarized(light.verify_notary(&notary, &bytes)?))
        }
        AnyProof::Credential(credential) => {
            verify_credential(&light, &credential, newer).map(Checked::Credential)
        }
        AnyProof::State(state) => Ok(Checked::State(light.verify_state(&state)?)),
        AnyProof::Transaction(tx) => Ok(Checked::Transaction(Box::new(light.verify_tx(&tx)?))),
    }
}

/// Checks a credential (against the `newer` state proof of its entry when
/// given), then that it holds at this machine's time.
fn verify_credential(
    light: &LightClient,
    credential: &Credential,
    newer: Option<&Path>,
) -> anyhow::Result<Box<VerifiedCredential>> {
    let newer: Option<StateProof> = match newer {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let proof = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a state proof", path.display()))?;
            Some(proof)
        }
        None => None,
    };
    let checked = light.verify_credential(credential, newer.as_ref())?;
    let (now, attestation) = (crate::clock::now_ms(), &checked.attestation);
    anyhow::ensure!(
        now >= attestation.valid_from_ms,
        "the credential holds only from {}",
        format_time(attestation.valid_from_ms)
    );
    anyhow::ensure!(
        now < attestation.valid_until_ms,
        "the credential expired at {}",
        format_time(attestation.valid_until_ms)
    );
    Ok(Box::new(checked))
}

/// Writes a proof as the pretty JSON file the verifier reads.
pub fn write(out: &Path, proof: &impl serde::Serialize) -> anyhow::Result<()> {
    std::fs::write(out, serde_json::to_string_pretty(proof)? + "\n")
        .with_context(|| format!("cannot write {}", out.display()))
}

/// Fetches `key`'s state proof from `client`'s node and writes it to `out`.
pub fn fetch_state(client: &Client, key: &StateKey, out: &Path) -> anyhow::Result<()> {
    write(out, &client.state_proof(key)?)
}

/// A state key from the command line: an account (name or hex) alone, or
/// a key's text (`role/alice`, `money/economy/JP`, …) where account-keyed
/// kinds also take a name.
pub fn resolve_state_key(
    text: &str,
    resolve_account: impl Fn(&str) -> anyhow::Result<AccountId>,
) -> anyhow::Result<StateKey> {
    let Some((kind, rest)) = text.rsplit_once('/') else {
        return Ok(StateKey::Account(resolve_account(text)?));
    };
    if let Ok(key) = text.parse() {
        return Ok(key);
    }
    // A kind keyed by an account also takes the account's name.
    let named = resolve_account(rest)
        .ok()
        .and_then(|id| format!("{kind}/{}", id.to_hex()).parse().ok());
    match named {
        Some(key) => Ok(key),
        None => Ok(text.parse()?),
    }
}

/// Fetches `hash`'s transaction proof and writes it to `out`.
pub fn fetch_tx(client: &Client, hash: &eiraku_core::TxHash, out: &Path) -> anyhow::Result<()> {
    write(out, &client.tx_proof(hash)?)
}

/// One line saying what `checked` establishes.
pub fn describe(checked: &Checked, file: Option<&Path>) -> String {
    match checked {
        Checked::Notarized(n) => format!(
            "{}: notarized at {} (block {}, by {}), SHA-256 {}",
            file.map_or_else(|| "file".into(), |f| f.display().to_string()),
            format_time(n.timestamp_ms),
            n.height,
            n.anchored_by,
            eiraku_core::digest::to_hex(&n.file_sha256)
        ),
        Checked::Transaction(t) => format!(
            "transaction {}: final in block {} at {}, sent by {} (nonce {})",
            eiraku_core::digest::to_hex(&t.transaction.hash()),
            t.height,
            format_time(t.timestamp_ms),
            t.transaction.transaction.sender,
            t.transaction.transaction.nonce
        ),
        Checked::Credential(c) => format!(
            "attestation {}: schema {} about {} by attester {}, valid {} to {}; not revoked in block {} at {}",
            eiraku_core::digest::to_hex(&c.id),
            eiraku_core::digest::to_hex(&c.attestation.schema),
            c.attestation.subject,
            c.attestation.attester,
            format_time(c.attestation.valid_from_ms),
            format_time(c.attestation.valid_until_ms),
            c.height,
            format_time(c.timestamp_ms)
        ),
        Checked::State(s) => match &s.value {
            Some(value) => format!(
                "{}: {} in block {} at {}",
                s.key,
                describe_value(&s.key, value),
                s.height,
                format_time(s.timestamp_ms)
            ),
            None => format!(
                "{}: does not exist in block {} at {}",
                s.key,
                s.height,
                format_time(s.timestamp_ms)
            ),
        },
    }
}

/// A proven value in words where its kind is known, else its bytes (hex).
fn describe_value(key: &StateKey, value: &[u8]) -> String {
    let known = match key {
        StateKey::Account(_) => eiraku_core::Account::from_bytes(value).map(|a| {
            format!(
                "balance {}, nonce {}",
                eiraku_core::coins::Coins(a.balance),
                a.nonce
            )
        }),
        StateKey::Role(_) => eiraku_state::authority::RoleGrant::from_bytes(value)
            .ok()
            .and_then(|grant| serde_json::to_string(&grant).ok()),
        StateKey::Registry(RegistryKey::Anchor(_)) => {
            eiraku_state::registry::FirstAnchor::from_bytes(value).map(|a| {
                format!(
                    "first anchored by transaction {} at height {}",
                    eiraku_core::digest::to_hex(&a.tx_hash),
                    a.height
                )
            })
        }
        StateKey::Registry(RegistryKey::Access { consent, n }) => {
            eiraku_state::registry::Access::from_bytes(value).map(|a| {
                format!(
                    "access {n} to {} under consent {}, digest {}, logged at {}",
                    a.category,
                    eiraku_core::digest::to_hex(consent),
                    eiraku_core::digest::to_hex(&a.digest),
                    format_time(a.at_ms)
                )
            })
        }
        StateKey::Registry(RegistryKey::Record { version, .. }) => {
            eiraku_state::registry::Record::from_bytes(value).map(|r| {
                format!(
                    "version {version} of {}/{}: payload {}, written by {} at {}",
                    r.registry,
                    r.key,
                    eiraku_core::digest::to_hex(&r.payload),
                    r.writer,
                    format_time(r.at_ms)
                )
            })
        }
        StateKey::Registry(RegistryKey::Attestation(_)) => {
            eiraku_core::attestation::Attestation::from_bytes(value).map(|a| {
                let revoked = a.revoked_ms.map_or("not revoked".into(), |at| {
                    format!("revoked at {}", format_time(at))
                });
                format!(
                    "attestation about {} by {}, valid {} to {}, {revoked}",
                    a.subject,
                    a.attester,
                    format_time(a.valid_from_ms),
                    format_time(a.valid_until_ms)
                )
            })
        }
        _ => None,
    };
    known.unwrap_or_else(|| format!("value {}", hex::encode(value)))
}
