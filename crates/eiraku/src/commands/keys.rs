//! `eiraku keys …`: key management. An account keeps its id for ever; the
//! key that signs for it can be rotated by its holder, or replaced by the
//! authority that opened it when the key is lost (after a time lock during
//! which the current key can cancel).

use super::NodeArgs;
use crate::{
    keyfile::{self, Signer},
    output::{print_json, print_line},
    submit::{self, SendOptions},
    Client,
};
use clap::Subcommand;
use eiraku_core::{governance::RoleConsent, keys::KeyCall, AccountId, Call, Keypair, Role};
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// Key management commands.
#[derive(Subcommand)]
pub enum KeysCommand {
    /// Generate a key; prints its id (the account id, or the key to hand to
    /// the authority replacing a lost one).
    New {
        /// Where to write the secret (default: print it).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The account this key will sign for once a replacement completes
        /// (hex id or demo label): written into the key file.
        #[arg(long = "for", requires = "out")]
        for_account: Option<String>,
    },
    /// Rotate the sender's key: a new key is generated, the rotation is
    /// signed by the current one, and once final the key file holds the new
    /// key (the new secret waits in FILE.next until then).
    Rotate {
        /// The account's key file (or demo label).
        #[arg(long)]
        from: String,
    },
    /// As the authority that opened ACCOUNT (its bank, or a bank's central
    /// bank), ask to replace its lost key with NEW_KEY after the time lock.
    Replace {
        /// The authority's key file (or demo label).
        #[arg(long)]
        from: String,
        /// The account whose key was lost (hex id or demo label).
        #[arg(long)]
        account: String,
        /// The key its holder will sign with: hex, as `eiraku keys new`
        /// prints it, or that key file (only its public key is read).
        #[arg(long)]
        new_key: String,
    },
    /// As the account's holder, cancel a replacement of its key before the
    /// time lock ends.
    Cancel {
        /// The account's key file (or demo label).
        #[arg(long)]
        from: String,
    },
    /// As the authority that asked, complete a replacement once its time
    /// lock has ended.
    Complete {
        /// The authority's key file (or demo label).
        #[arg(long)]
        from: String,
        /// The account whose key is replaced (hex id or demo label).
        #[arg(long)]
        account: String,
        /// First wait (at most an hour) until the chain's block time passes
        /// the end of the time lock.
        #[arg(long)]
        wait: bool,
    },
    /// As a new role holder (an official's successor, a new economy's
    /// central bank or regulator, a registry role's holder), sign your
    /// consent to the role on this chain, without handing your key to the
    /// proposer: prints it in hex for `eiraku gov propose --consent`.
    Consent {
        /// Your key file (or demo label).
        #[arg(long)]
        key: String,
        /// The role, as JSON (e.g. '{"role":"attester","economy":"JP"}').
        #[arg(long)]
        role: String,
    },
    /// Show an account with the key that signs for it and any pending
    /// replacement.
    Show {
        /// The account (hex id, key file or demo label).
        account: String,
    },
}

/// Runs one `eiraku keys` command.
pub fn run(command: KeysCommand, node: &NodeArgs) -> anyhow::Result<()> {
    let network = &node.network;
    match command {
        KeysCommand::New { out, for_account } => new(out, for_account, network),
        KeysCommand::Rotate { from } => rotate(&from, node),
        KeysCommand::Replace {
            from,
            account,
            new_key,
        } => {
            let account = keyfile::resolve_account(&account, network)?;
            let new_key = match AccountId::from_hex(&new_key) {
                Ok(key) => key,
                Err(_) => keyfile::read(Path::new(&new_key))
                    .map_err(|e| anyhow::anyhow!("--new-key is neither a hex key nor {e}"))?
                    .key
                    .account_id(),
            };
            send(
                &from,
                node,
                KeyCall::RequestReplacement { account, new_key },
            )
        }
        KeysCommand::Cancel { from } => send(&from, node, KeyCall::CancelReplacement),
        KeysCommand::Complete {
            from,
            account,
            wait,
        } => {
            let account = keyfile::resolve_account(&account, network)?;
            if wait {
                wait_for_lock(&node.client()?, &account)?;
            }
            send(&from, node, KeyCall::CompleteReplacement { account })
        }
        KeysCommand::Consent { key, role } => {
            let signer = keyfile::read(&keyfile::resolve_key_path(&key, network))?;
            let role: Role = serde_json::from_str(&role)
                .map_err(|e| anyhow::anyhow!("--role is not a role: {e}"))?;
            let chain_id = node.client()?.status()?.chain_id;
            let consent = RoleConsent::sign(&signer.key, &chain_id, &role);
            print_json(&consent)
        }
        KeysCommand::Show { account } => {
            let account = keyfile::resolve_account(&account, network)?;
            print_json(&node.client()?.account(&account)?)
        }
    }
}

fn new(out: Option<PathBuf>, for_account: Option<String>, network: &Path) -> anyhow::Result<()> {
    let key = Keypair::generate();
    let Some(path) = out else {
        println!("account: {}", key.account_id());
        println!("secret:  {}", key.to_secret_hex());
        return Ok(());
    };
    anyhow::ensure!(
        !path.exists(),
        "{} exists; a key file is never overwritten",
        path.display()
    );
    let account = match for_account {
        Some(text) => keyfile::resolve_account(&text, network)?,
        None => key.account_id(),
    };
    keyfile::create_durably(&path, &key, &account)?;
    println!("{}", key.account_id());
    eprintln!("secret written to {}", path.display());
    Ok(())
}

/// Waits until a finalized block is past the end of `account`'s
/// replacement time lock, so the next block may complete it.
fn wait_for_lock(client: &Client, account: &AccountId) -> anyhow::Result<()> {
    const LONGEST: Duration = Duration::from_secs(3600);
    let Some(pending) = client.account(account)?.key_replacement else {
        anyhow::bail!("no replacement of the key of {account} is pending");
    };
    let started = Instant::now();
    loop {
        let status = client.status()?;
        let now_ms = client.block(status.finalized_height)?.timestamp_ms;
        if now_ms >= pending.effective_ms {
            return Ok(());
        }
        let left = Duration::from_millis(pending.effective_ms - now_ms);
        anyhow::ensure!(
            left <= LONGEST && started.elapsed() < LONGEST + Duration::from_secs(60),
            "the time lock ends in {} s of block time; run this again then",
            left.as_secs()
        );
        std::thread::sleep(left.min(Duration::from_millis(500)));
    }
}

/// Signs `call` with the key of `from` and waits for it to be final.
fn send(from: &str, node: &NodeArgs, call: KeyCall) -> anyhow::Result<()> {
    let signer = keyfile::read(&keyfile::resolve_key_path(from, &node.network))?;
    submit::send(&node.client()?, &signer, Call::Keys(call), &waiting())?;
    Ok(())
}

fn waiting() -> SendOptions {
    SendOptions {
        nonce: None,
        chain_id: None,
        wait: true,
    }
}

/// The new secret is on disk before the rotation is sent, and replaces the
/// key file only once the rotation is final: no crash loses the key that
/// signs for the account.
fn rotate(from: &str, node: &NodeArgs) -> anyhow::Result<()> {
    let path = keyfile::resolve_key_path(from, &node.network);
    let current = keyfile::read(&path)?;
    let next_path = PathBuf::from(format!("{}.next", path.display()));
    anyhow::ensure!(
        !next_path.exists(),
        "{} exists: a rotation may have been sent already; check `eiraku keys show` and keep the file whose key signs",
        next_path.display()
    );
    let next = Signer {
        account: current.account,
        key: Keypair::generate(),
    };
    keyfile::create_durably(&next_path, &next.key, &next.account)?;
    let call = KeyCall::Rotate {
        new_key: next.key.account_id(),
    };
    let client = node.client()?;
    if let Err(error) = submit::send(&client, &current, Call::Keys(call), &waiting()) {
        // Refused, failed, or not final in time: only the chain knows
        // whether the new key signs now.
        let signs = client.account(&next.account)?.signing_key;
        if signs != Some(next.key.account_id()) {
            anyhow::bail!(
                "{error}\nthe key in {} does not sign for {} yet, and the rotation may still finalize: keep both files, and once `eiraku keys show` names that key as the signing key, move it over {}",
                next_path.display(),
                next.account,
                path.display()
            );
        }
    }
    keyfile::replace_durably(&next_path, &path)?;
    print_line(&format!(
        "{} now signs for {} (key file {})",
        next.key.account_id(),
        next.account,
        path.display()
    ))
}
