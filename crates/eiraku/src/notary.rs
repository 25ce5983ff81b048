//! `eiraku notary stamp` and `eiraku proof verify`: KSI-style notarization.
//! Stamping hashes each file (SHA-256), anchors the Merkle root of the batch
//! in one transaction, waits for its block's finalization certificate, and
//! writes one portable proof per file (`FILE.proof.json`). Verifying
//! ([`crate::proof_file`]) needs only the proof, the file and the genesis
//! file: no node.

use crate::{
    output::print_line,
    submit::{self},
    Client,
};
use anyhow::Context;
use eiraku_api::TxView;
use eiraku_core::{hash, merkle, proof::NotaryProof, registry::RegistryCall, Call, Digest};
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// Where a file's proof is written.
pub fn proof_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".proof.json");
    PathBuf::from(name)
}

/// The transaction whose anchoring of `root` counts: `ours`, or, when the
/// root was anchored before (the first anchoring counts), that earlier one.
fn first_anchoring(
    client: &Client,
    ours: &Digest,
    root: &Digest,
    view: TxView,
) -> anyhow::Result<Digest> {
    let Some(error) = view.receipt.and_then(|receipt| receipt.error) else {
        return Ok(*ours);
    };
    anyhow::ensure!(
        error.code == ALREADY_ANCHORED,
        "the anchoring failed: {}",
        error.message
    );
    earlier_anchoring(client, root)
}

/// The code of an anchoring refused because the root was anchored before.
const ALREADY_ANCHORED: &str = "already_anchored";

/// The transaction that first anchored `root`.
fn earlier_anchoring(client: &Client, root: &Digest) -> anyhow::Result<Digest> {
    let first = client.anchor(root)?;
    print_line(&format!(
        "these files were anchored before (transaction {}, height {}); the proofs point there",
        first.tx_hash, first.height
    ))?;
    eiraku_core::digest::from_hex(&first.tx_hash)
        .context("the node named a malformed transaction hash")
}

/// Anchors `files` in one transaction signed by `key` and writes each
/// file's proof beside it. Returns the proofs' paths.
pub fn stamp(
    nodes: &[Client],
    key: &impl crate::submit::Sender,
    files: &[PathBuf],
) -> anyhow::Result<Vec<PathBuf>> {
    let client = nodes.first().context("no node to send to")?;
    anyhow::ensure!(!files.is_empty(), "no files to stamp");
    let digests: Vec<Digest> = files
        .iter()
        .map(|file| {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            Ok(hash(&[&bytes]))
        })
        .collect::<anyhow::Result<_>>()?;
    let root = merkle::root(&digests);
    let chain_id = client.status()?.chain_id;
    let call = Call::Registry(RegistryCall::Anchor {
        root,
        leaves: u32::try_from(digests.len()).context("too many files")?,
    });
    let tx = submit::sign_next(client, &chain_id, key, call);
    let anchoring = match client.notarize(&tx) {
        Ok(_) => {
            print_line(&format!(
                "anchoring {} file(s), batch root {} …",
                files.len(),
                eiraku_core::digest::to_hex(&root)
            ))?;
            let view = client.wait_finalized(&tx.hash(), Duration::from_secs(60))?;
            first_anchoring(client, &tx.hash(), &root, view)?
        }
        // Refused at once: the batch root is anchored already.
        Err(error) if error.code() == Some(ALREADY_ANCHORED) => earlier_anchoring(client, &root)?,
        Err(error) => return Err(error.into()),
    };
    // The certificate is stored right after the block is applied.
    let deadline = Instant::now() + Duration::from_secs(30);
    let anchor = loop {
        match client.tx_proof(&anchoring) {
            Ok(proof) => break proof,
            Err(error) if Instant::now() < deadline && error.code() == Some("not_found") => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(error) => return Err(error.into()),
        }
    };
    index_everywhere(nodes, &root, &digests)?;
    let mut written = Vec::with_capacity(files.len());
    for (position, file) in files.iter().enumerate() {
        let proof = NotaryProof::build(&digests, position as u32, anchor.clone())
            .context("a batch position outside the batch")?;
        let path = proof_path(file);
        crate::proof_file::write(&path, &proof)?;
        written.push(path);
    }
    Ok(written)
}

/// Gives every node the batch's digests, so that each finds a file by its
/// own digest (`eiraku notary check`, the console's drop check). A node
/// that cannot take them now is named; the proofs do not depend on it.
fn index_everywhere(nodes: &[Client], root: &Digest, digests: &[Digest]) -> anyhow::Result<()> {
    for node in nodes {
        if let Err(error) = node.index_batch(root, digests) {
            print_line(&format!(
                "warning: {} did not keep the batch's digests ({error}); the proofs are complete without it",
                node.base()
            ))?;
        }
    }
    Ok(())
}

/// What the ledger says of one file: found by its SHA-256 alone (stamped
/// alone, or in a batch the node was given).
pub fn check(client: &Client, file: &Path) -> anyhow::Result<Option<eiraku_api::AnchorView>> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    match client.anchor(&hash(&[&bytes])) {
        Ok(view) => Ok(Some(view)),
        Err(error) if error.code() == Some("not_found") => Ok(None),
        Err(error) => Err(error.into()),
    }
}
