//! `eiraku proof …`: fetch proofs from a node and check them offline with
//! only the genesis file (the work is in [`crate::proof_file`]).

use super::NodeArgs;
use crate::{keyfile, proof_file};
use anyhow::Context;
use clap::Subcommand;
use eiraku_core::digest;
use std::path::PathBuf;

/// Proof commands.
#[derive(Subcommand)]
pub enum ProofCommand {
    /// Check a proof file offline against the genesis file (no node): a
    /// notary proof (with --file; prints the notarized time), a transaction
    /// proof, a state proof, or an attestation's credential (with --newer,
    /// also against a later state proof of its entry: fails once revoked).
    Verify {
        /// The proof file (e.g. `FILE.proof.json`).
        proof: PathBuf,
        /// The notarized file (notary proofs only).
        #[arg(long)]
        file: Option<PathBuf>,
        /// A newer state proof of the credential's entry (credentials only;
        /// `eiraku proof state registry/attestation/ID`).
        #[arg(long)]
        newer: Option<PathBuf>,
        /// The network's genesis file.
        #[arg(long)]
        genesis: PathBuf,
    },
    /// Fetch a state entry's proof (or proof of absence) in the latest
    /// finalized block and write it to a file: an account, a role, an
    /// economy's books, a claim, an anchor, …
    State {
        /// An account (hex id or demo name), or a state key: account/NAME,
        /// role/NAME, money/config, money/economy/JP, money/travel-key/NAME,
        /// money/freeze/NAME, money/contribution/N, money/claim/JP/PH,
        /// money/settlement/N, money/seigniorage/N, registry/anchor/DIGEST,
        /// registry/attestation/DIGEST.
        key: String,
        /// Where to write the proof.
        #[arg(long)]
        out: PathBuf,
    },
    /// Fetch a finalized transaction's proof and write it to a file.
    Tx {
        /// Transaction hash (hex).
        hash: String,
        /// Where to write the proof.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs one `eiraku proof` command.
/// (`node` is where `state` and `tx` fetch from; `verify` needs no node.)
pub fn run(command: ProofCommand, node: &NodeArgs) -> anyhow::Result<()> {
    match command {
        ProofCommand::Verify {
            proof,
            file,
            newer,
            genesis,
        } => {
            let (file, newer) = (file.as_deref(), newer.as_deref());
            let checked = proof_file::verify(&proof, file, newer, &genesis)?;
            println!("{}", proof_file::describe(&checked, file));
            Ok(())
        }
        ProofCommand::State { key, out } => {
            let key = proof_file::resolve_state_key(&key, |name| {
                keyfile::resolve_account(name, &node.network)
            })?;
            proof_file::fetch_state(&node.client()?, &key, &out)?;
            println!("state proof of {key} written to {}", out.display());
            Ok(())
        }
        ProofCommand::Tx { hash, out } => {
            let digest =
                digest::from_hex(&hash).context("a transaction hash is 64 hex characters")?;
            proof_file::fetch_tx(&node.client()?, &digest, &out)?;
            println!("transaction proof of {hash} written to {}", out.display());
            Ok(())
        }
    }
}
