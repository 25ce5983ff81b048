//! `eiraku attest …`: an attester issues and revokes attestations; anyone
//! shows one and exports it as a W3C Verifiable Credential whose proof is
//! the ledger's state proof (checked offline by `eiraku proof verify`).

use super::NodeArgs;
use crate::{
    clock,
    output::{print_json, print_line},
    proof_file, submit,
};
use anyhow::Context;
use clap::Subcommand;
use eiraku_core::{
    attestation::schema_named, digest, proof::Credential, registry::RegistryCall, Call, Digest,
    RegistryKey, StateKey,
};
use std::path::PathBuf;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
/// How far before now a new attestation starts: the block that records it
/// may carry a time a little behind this machine's clock.
const START_MARGIN_MS: u64 = 60_000;

/// Attestation commands.
#[derive(Subcommand)]
pub enum AttestCommand {
    /// Attester: attest a claim about an account (prints the attestation's
    /// name, the hash of its transaction).
    Issue {
        /// The attester's key (file or demo label, e.g. kyc-jp).
        #[arg(long)]
        from: String,
        /// The account the claim is about (hex id, key file or demo label).
        #[arg(long)]
        subject: String,
        /// The claim's schema: a name (`kyc/v1`, the one tier upgrades
        /// need) or a 64-hex digest.
        #[arg(long, default_value = "kyc/v1")]
        schema: String,
        /// The claim as text; the ledger keeps only its SHA-256.
        #[arg(long, conflicts_with = "claim_file")]
        claim: Option<String>,
        /// A file holding the claim; the ledger keeps only its SHA-256.
        #[arg(long)]
        claim_file: Option<PathBuf>,
        /// Days it holds, from now.
        #[arg(long, default_value_t = 365)]
        days: u64,
        /// Also write the attestation's name to this file (for scripts).
        #[arg(long)]
        id_out: Option<PathBuf>,
    },
    /// Attester: revoke an attestation it issued.
    Revoke {
        /// The attestation (its hash).
        id: String,
        /// The attester's key.
        #[arg(long)]
        from: String,
    },
    /// Show an attestation and whether it holds now.
    Show {
        /// The attestation (its hash).
        id: String,
    },
    /// Export an attestation as a Verifiable Credential (JSON) whose proof
    /// is the state proof of its entry in the latest finalized block.
    Export {
        /// The attestation (its hash).
        id: String,
        /// Where to write the credential.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs one `eiraku attest` command.
pub fn run(command: AttestCommand, no_wait: bool, node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client()?;
    let options = super::send_options(no_wait);
    let key = |from: &str| node.signer(from);
    match command {
        AttestCommand::Issue {
            from,
            subject,
            schema,
            claim,
            claim_file,
            days,
            id_out,
        } => {
            let start = clock::now_ms().saturating_sub(START_MARGIN_MS);
            let call = RegistryCall::Attest {
                subject: node.account(&subject)?,
                schema: schema_digest(&schema),
                claim: claim_digest(claim, claim_file)?,
                valid_from_ms: start,
                valid_until_ms: start + days.max(1) * DAY_MS,
            };
            let call = Call::Registry(call);
            let id_out = id_out.as_deref();
            submit::send_creating(&client, &key(&from)?, call, &options, "attestation", id_out)
        }
        AttestCommand::Revoke { id, from } => {
            let call = RegistryCall::RevokeAttestation { id: named(&id)? };
            submit::send(&client, &key(&from)?, Call::Registry(call), &options)?;
            Ok(())
        }
        AttestCommand::Show { id } => print_json(&client.attestation(&named(&id)?)?),
        AttestCommand::Export { id, out } => {
            let id = named(&id)?;
            let key = StateKey::Registry(RegistryKey::Attestation(id));
            let proof = client.state_proof(&key)?;
            let credential = Credential::new(&id, proof).with_context(|| {
                format!(
                    "no attestation {} is on record in the latest finalized block",
                    digest::to_hex(&id)
                )
            })?;
            proof_file::write(&out, &credential)?;
            print_line(&format!("credential written to {}", out.display()))
        }
    }
}

/// An attestation's name from the command line.
fn named(text: &str) -> anyhow::Result<Digest> {
    digest::from_hex(text).context("an attestation is named by its transaction's hash: 64 hex")
}

/// A schema given by name or as a digest.
fn schema_digest(text: &str) -> Digest {
    digest::from_hex(text).unwrap_or_else(|| schema_named(text))
}

/// The claim's digest, from its text or its file.
fn claim_digest(text: Option<String>, file: Option<PathBuf>) -> anyhow::Result<Digest> {
    match (text, file) {
        (Some(text), None) => Ok(digest::hash(&[text.as_bytes()])),
        (None, Some(file)) => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            Ok(digest::hash(&[&bytes]))
        }
        _ => anyhow::bail!("give the claim as --claim TEXT or --claim-file FILE"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_is_a_name_or_a_digest_and_kyc_is_the_default_name() {
        assert_eq!(
            schema_digest("kyc/v1"),
            eiraku_core::attestation::kyc_schema()
        );
        let digest = digest::hash(&[b"x"]);
        assert_eq!(schema_digest(&digest::to_hex(&digest)), digest);
        assert!(claim_digest(None, None).is_err());
        assert_eq!(
            claim_digest(Some("passed".into()), None).unwrap(),
            digest::hash(&[b"passed"])
        );
    }
}
