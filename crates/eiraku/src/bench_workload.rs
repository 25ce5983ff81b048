//! What `eiraku bench` sends: plain transfers, registry record writes, or
//! access-log entries, each from the benchmark's funded accounts. A record
//! or access workload is prepared first (registries whose writers are the
//! senders; consents the faucet grants each sender), outside the measure.

use crate::{funding, Client};
use eiraku_core::{
    consent::ConsentTerms,
    hash,
    record::{RegistryTerms, MAX_PARTIES},
    registry::RegistryCall,
    AccountId, Amount, Call, ChainId, Digest, Keypair,
};

/// One kind of transaction to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    /// A plain transfer of one coin unit.
    Transfer,
    /// A registry record's first version (a writer writing a new key).
    Record,
    /// An access-log entry under a consent.
    Access,
}

/// What a workload's calls name, made before the measure.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    /// Registry of each sender (record workload).
    registries: Vec<String>,
    /// Consent granted to each sender (access workload).
    consents: Vec<Digest>,
}

/// Creates what `workload` needs for `senders` (the first of `keys`): for
/// records, registries of at most 32 writers each, by `registrar`, sealed
/// to the faucet; for accesses, one consent from the faucet to each.
pub fn prepare(
    workload: Workload,
    client: &Client,
    chain_id: &ChainId,
    (faucet, registrar): (&Keypair, Option<&Keypair>),
    senders: &[Keypair],
    progress: bool,
) -> anyhow::Result<Prepared> {
    // Names unique to this run: from its first (fresh) key.
    let run = senders[0].account_id().to_hex()[..8].to_string();
    match workload {
        Workload::Transfer => Ok(Prepared::default()),
        Workload::Record => {
            let registrar = registrar.ok_or_else(|| {
                anyhow::anyhow!("the record workload needs a registry authority (--registrar)")
            })?;
            let groups: Vec<&[Keypair]> = senders.chunks(MAX_PARTIES).collect();
            let name = |g: usize| format!("bench-{run}-{g}");
            let create = |g: &usize| {
                Call::Registry(RegistryCall::CreateRegistry(RegistryTerms {
                    name: name(*g),
                    schema: hash(&[b"bench schema"]),
                    writers: groups[*g].iter().map(Keypair::account_id).collect(),
                    members: vec![faucet.account_id()],
                }))
            };
            let numbers: Vec<usize> = (0..groups.len()).collect();
            let label = ("registries", progress);
            funding::send_for_each(client, chain_id, registrar, &numbers, create, label)?;
            let registries = (0..senders.len()).map(|i| name(i / MAX_PARTIES)).collect();
            Ok(Prepared {
                registries,
                consents: Vec::new(),
            })
        }
        Workload::Access => {
            let until_ms = crate::clock::now_ms() + 24 * 60 * 60 * 1000;
            let grant = |user: &Keypair| {
                Call::Registry(RegistryCall::GrantConsent(ConsentTerms {
                    data_user: user.account_id(),
                    purpose: "bench".into(),
                    categories: vec!["records".into()],
                    until_ms,
                }))
            };
            let label = ("consents", progress);
            let consents = funding::send_for_each(client, chain_id, faucet, senders, grant, label)?;
            Ok(Prepared {
                registries: Vec::new(),
                consents,
            })
        }
    }
}

impl Workload {
    /// The call of sender `i`'s transaction in round `round` (a transfer
    /// pays `to`).
    pub fn call(self, prepared: &Prepared, i: usize, round: u64, to: AccountId) -> Call {
        match self {
            Workload::Transfer => Call::Transfer {
                to,
                amount: Amount(1),
            },
            Workload::Record => Call::Registry(RegistryCall::WriteRecord {
                registry: prepared.registries[i].clone(),
                key: format!("k{round}-{i}"),
                version: 1,
                payload: hash(&[b"payload", &round.to_be_bytes()]),
                envelope: hash(&[b"envelope", &round.to_be_bytes()]),
            }),
            Workload::Access => Call::Registry(RegistryCall::RecordAccess {
                consent: prepared.consents[i],
                purpose: "bench".into(),
                category: "records".into(),
                digest: hash(&[b"accessed", &round.to_be_bytes()]),
            }),
        }
    }
}
