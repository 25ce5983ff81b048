//! `eiraku registry …`: registries of versioned records. A registry
//! authority creates one (its JSON Schema, writers, access group); a
//! writer checks a record against the schema, seals it to the access
//! group, deposits the sealed envelope at its node and records the next
//! version; a member reads any version back and checks it against the
//! digest on the ledger; anyone lists a key's history.

use super::NodeArgs;
use crate::{
    output::{print_json, print_line},
    submit,
};
use anyhow::{bail, Context};
use clap::Subcommand;
use eiraku_core::{
    digest,
    record::{PayloadEnvelope, RegistryTerms},
    registry::RegistryCall,
    travel_rule::TravelSecret,
    Call,
};
use std::path::{Path, PathBuf};

/// Registry commands.
#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Registry authority: create a registry.
    Create {
        /// The authority's key (file or demo label, e.g. registrar-jp).
        #[arg(long)]
        from: String,
        /// Its name (a-z, 0-9, -).
        #[arg(long)]
        name: String,
        /// The JSON Schema its records follow (the ledger keeps its SHA-256).
        #[arg(long)]
        schema: PathBuf,
        /// Who may write, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        writers: Vec<String>,
        /// The access group, comma-separated: who may read payloads (each
        /// holds a travel-rule key on the ledger).
        #[arg(long, value_delimiter = ',', required = true)]
        members: Vec<String>,
    },
    /// Writer: record the next version of a key.
    Write {
        /// The writer's key.
        #[arg(long)]
        from: String,
        /// The registry.
        #[arg(long)]
        name: String,
        /// The record's key.
        #[arg(long)]
        key: String,
        /// The record (JSON).
        #[arg(long)]
        payload: PathBuf,
        /// The registry's JSON Schema (checked against the ledger's digest).
        #[arg(long)]
        schema: PathBuf,
        /// The version to write (default: the next).
        #[arg(long)]
        version: Option<u64>,
    },
    /// List every version of a key (each provable: its `state_key`).
    History {
        /// The registry.
        #[arg(long)]
        name: String,
        /// The record's key.
        #[arg(long)]
        key: String,
    },
    /// Member: read a version of a record, checked against the ledger.
    Read {
        /// The member's key.
        #[arg(long)]
        from: String,
        /// The registry.
        #[arg(long)]
        name: String,
        /// The record's key.
        #[arg(long)]
        key: String,
        /// The version (default: the latest).
        #[arg(long)]
        version: Option<u64>,
        /// The member's travel-rule secret (default: accounts/FROM.travel.key).
        #[arg(long)]
        travel_key: Option<PathBuf>,
    },
}

/// Runs one `eiraku registry` command.
pub fn run(command: RegistryCommand, no_wait: bool, node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client()?;
    let options = super::send_options(no_wait);
    let accounts = |labels: &[String]| -> anyhow::Result<Vec<_>> {
        (labels.iter()).map(|l| node.account(l)).collect()
    };
    let key = |from: &str| node.signer(from);
    match command {
        RegistryCommand::Create {
            from,
            name,
            schema,
            writers,
            members,
        } => {
            let terms = RegistryTerms {
                name,
                schema: digest::hash(&[&read(&schema)?]),
                writers: accounts(&writers)?,
                members: accounts(&members)?,
            };
            let call = Call::Registry(RegistryCall::CreateRegistry(terms));
            submit::send(&client, &key(&from)?, call, &options).map(|_| ())
        }
        RegistryCommand::Write {
            from,
            name,
            key: record,
            payload,
            schema,
            version,
        } => {
            let registry = client.registry(&name)?;
            let payload = checked_payload(&payload, &schema, &registry.schema)?;
            let version = match version {
                Some(version) => version,
                None => client.record_history(&name, &record)?.len() as u64 + 1,
            };
            let keys = client.money_state()?.travel_keys;
            let members = (accounts(&registry.members)?.into_iter())
                .map(|member| match keys.get(&member) {
                    Some(key) => Ok((member, *key)),
                    None => bail!("member {member} holds no travel-rule key"),
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let envelope = PayloadEnvelope::seal(&payload, &name, &record, version, &members)?;
            let writer = key(&from)?;
            let chain = client.status()?.chain_id;
            let signer = (&writer.key, &writer.account);
            let deposited =
                client.deposit_payload(&chain, &envelope, signer, crate::clock::now_ms())?;
            let call = RegistryCall::WriteRecord {
                registry: name,
                key: record,
                version,
                payload: digest::hash(&[&payload]),
                envelope: deposited,
            };
            submit::send(&client, &writer, Call::Registry(call), &options)?;
            print_line(&format!("version {version} recorded"))
        }
        RegistryCommand::History { name, key } => print_json(&client.record_history(&name, &key)?),
        RegistryCommand::Read {
            from,
            name,
            key: record,
            version,
            travel_key,
        } => {
            let history = client.record_history(&name, &record)?;
            let wanted = version.unwrap_or(history.len() as u64);
            let entry = (history.iter().find(|v| v.version == wanted))
                .with_context(|| format!("{name}/{record} has no version {wanted}"))?;
            let member = key(&from)?;
            let chain = client.status()?.chain_id;
            let at_ms = crate::clock::now_ms();
            let account = member.account;
            let named = (name.as_str(), record.as_str(), wanted);
            let envelope = client.payload(&chain, named, &member.key, &account, at_ms)?;
            let secret_path = travel_key.unwrap_or_else(|| {
                (node.network.join("accounts")).join(format!("{from}.travel.key"))
            });
            let secret = TravelSecret::from_hex(&String::from_utf8_lossy(&read(&secret_path)?))
                .map_err(anyhow::Error::msg)?;
            let sealed_for = (envelope.registry.as_str(), envelope.key.as_str());
            if sealed_for != (name.as_str(), record.as_str()) || envelope.record_version != wanted {
                bail!("the node sent an envelope sealed for another record");
            }
            let payload = envelope.open(&account, &secret)?;
            if digest::to_hex(&digest::hash(&[&payload])) != entry.payload {
                bail!("the payload is not the one the ledger recorded for version {wanted}");
            }
            let json: serde_json::Value = serde_json::from_slice(&payload)?;
            print_json(&json)
        }
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The payload's bytes, once its schema file is the registry's (by
/// digest) and it follows the schema.
fn checked_payload(payload: &Path, schema: &Path, on_ledger: &str) -> anyhow::Result<Vec<u8>> {
    let schema_bytes = read(schema)?;
    if digest::to_hex(&digest::hash(&[&schema_bytes])) != on_ledger {
        bail!(
            "{} is not the registry's schema (its SHA-256 differs)",
            schema.display()
        );
    }
    let schema: serde_json::Value = serde_json::from_slice(&schema_bytes)
        .with_context(|| format!("{} is not JSON", schema.display()))?;
    let bytes = read(payload)?;
    let record: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON", payload.display()))?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(|e| anyhow::anyhow!("the schema is not a JSON Schema: {e}"))?;
    if let Some(error) = validator.iter_errors(&record).next() {
        bail!(
            "{} does not follow the registry's schema: {error} (at {})",
            payload.display(),
            error.instance_path()
        );
    }
    Ok(bytes)
}
