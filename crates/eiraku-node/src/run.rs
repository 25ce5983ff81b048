//! Running a validator process: tokio runtime, authenticated p2p over TCP,
//! consensus, transaction gossip and the HTTP API.

use crate::{
    api::{self, ApiContext},
    chain::Chain,
    commitment,
    engine::{self, Channels, Timeouts, P2P_NAMESPACE},
    epochs, gossip,
    home::NodeHome,
    state_sync, stop,
    store::Store,
    watchdog,
};
use commonware_cryptography::ChaCha20Poly1305;
use commonware_p2p::authenticated::lookup;
use commonware_parallel::Rayon;
use commonware_runtime::{
    tokio as cw_tokio, Metrics as _, Quota, Runner as _, Spawner as _, Supervisor as _,
};
use commonware_stream::{
    cups::{self, Cups},
    sake::{self, Sake},
};
use commonware_utils::{NZUsize, NZU32};
use eiraku_core::validators::MAX_VALIDATORS;
use std::{num::NonZeroUsize, sync::Arc, time::Duration};

/// p2p channel ids.
mod channel {
    pub const VOTES: u64 = 0;
    pub const CERTIFICATES: u64 = 1;
    pub const RESOLVER: u64 = 2;
    pub const BROADCAST: u64 = 3;
    pub const BACKFILL: u64 = 4;
    pub const TRANSACTIONS: u64 = 5;
}

/// Runs the node until the process is stopped. With `state_sync` and an
/// empty store, it first takes the state of a recent finalized block from
/// the other validators (see [`state_sync`]).
pub fn run(home: NodeHome, state_sync: bool) -> anyhow::Result<()> {
    if let Some(money) = &home.genesis.money {
        eiraku_core::coins::set_coin_symbol(&eiraku_core::coins::symbol_of(&money.unit));
    }
    let data_dir = home.data_dir();
    std::fs::create_dir_all(&data_dir)?;
    let store = Store::open_with_tables(&data_dir.join("store"), home.settings.store_table_mib)?;
    // Only the console reads each account's history: a node without it
    // keeps none (and indexes anew when it is turned on again).
    if !home.settings.console {
        store.stop_account_history()?;
    }
    let api_listener = std::net::TcpListener::bind(home.settings.api_listen).map_err(|e| {
        anyhow::anyhow!("cannot serve the API on {}: {e}", home.settings.api_listen)
    })?;
    api_listener.set_nonblocking(true)?;
    let api_tls = match &home.settings.api_tls {
        Some(files) => Some(api::tls::ReloadingCertificate::new(
            files.in_home(&home.dir),
        )?),
        None => None,
    };
    let api_limits = home.settings.api_limits.clone();
    let strategy = Rayon::new(NZUsize!(2))?;

    let signer = home.key.private_key().clone();
    let max_message = engine::max_message_size(MAX_VALIDATORS as u32, gossip::MAX_GOSSIP_BYTES);
    let mut p2p_config = lookup::Config::recommended(
        Cups::<_, ChaCha20Poly1305>::new(
            Sake {
                signer: signer.clone(),
                synchrony_bound: Duration::from_secs(5),
                max_handshake_age: Duration::from_secs(10),
                version: sake::Version::V1,
            },
            cups::Version::V1,
        ),
        P2P_NAMESPACE,
        home.settings.p2p_listen,
        // Sized from the state below, once the chain is open.
        NZUsize!(1),
        max_message,
        NZUsize!(1024),
    );
    // Validators are a small, known set, often on one host or private
    // network: the production defaults (one handshake per IP every 5 s, a
    // minute's cooldown before redialing) would make a restarted validator
    // wait minutes to rejoin.
    p2p_config.allow_private_ips = true;
    p2p_config.allowed_handshake_rate_per_ip = Quota::per_second(NZU32!(16));
    p2p_config.peer_connection_cooldown = Duration::from_secs(1);
    p2p_config.ping_frequency = Duration::from_secs(5);

    let runtime = cw_tokio::Runner::new(cw_tokio::Config::new().with_storage_directory(&data_dir));
    let name = home.settings.name.clone();
    runtime.start(|context| async move {
        let commitment = match state_sync && store.applied_height()?.is_none() {
            true => {
                let peers = sync_peers(&home);
                tracing::info!(
                    peers = peers.len(),
                    "state sync: joining from the other validators' state"
                );
                let peers = Arc::new(state_sync::Peers::new(peers));
                let install = state_sync::Install::Synced;
                let joined =
                    state_sync::join(&context, &home.genesis, peers, &store, install).await?;
                tracing::info!(
                    height = joined.height,
                    entries = joined.entries,
                    bytes = joined.bytes,
                    took_ms = joined.took.as_millis() as u64,
                    "state sync: done"
                );
                commitment::of(joined.db)
            }
            false => commitment::open(context.child("state"), "state").await?,
        };
        let chain = Arc::new(
            Chain::open(
                home.genesis.clone(),
                store,
                commitment,
                home.settings.mempool_capacity,
            )
            .await?,
        );
        let max_peers = peer_limit(&home, &chain.finalized_state());
        p2p_config.max_peers_per_set = max_peers;
        let (mut network, oracle) = lookup::Network::new(context.child("network"), p2p_config);
        let consensus_quota = Quota::per_second(NZU32!(10_000));
        let channels = Channels {
            votes: network.register(channel::VOTES, consensus_quota),
            certificates: network.register(channel::CERTIFICATES, consensus_quota),
            resolver: network.register(channel::RESOLVER, consensus_quota),
            broadcast: network.register(channel::BROADCAST, consensus_quota),
            backfill: network.register(channel::BACKFILL, consensus_quota),
        };
        let (gossip_sender, gossip_receiver) =
            network.register(channel::TRANSACTIONS, Quota::per_second(NZU32!(1_000)));
        let validator = engine::start_validator(
            context.child("validator"),
            "eiraku",
            signer,
            oracle.clone(),
            oracle.clone(),
            channels,
            chain.clone(),
            strategy.clone(),
            Timeouts {
                block_interval: Duration::from_millis(home.settings.block_interval_ms),
                ..Timeouts::default()
            },
            epochs::track_peers(oracle, max_peers),
        )
        .await;
        let network_handle = network.start();

        let (accepted_sender, accepted_receiver) = futures::channel::mpsc::unbounded();
        context
            .child("gossip_out")
            .spawn(move |_| gossip::forward(gossip_sender, accepted_receiver));
        let gossip_chain = chain.clone();
        let gossip_strategy = strategy.clone();
        // Verifying gossiped signatures is CPU-bound: keep it off the
        // consensus workers.
        context
            .child("gossip_in")
            .dedicated()
            .spawn(move |_| gossip::receive(gossip_chain, gossip_receiver, gossip_strategy));

        let stopping_chain = chain.clone();
        if let Err(error) = watchdog::spawn(chain.clone()) {
            tracing::error!(%error, "cannot start the store watchdog");
        }
        let request_metrics = api::request_metrics::RequestMetrics::register(&context.child("api"));
        let metrics_context = context.child("metrics");
        let console_genesis = chain.genesis().clone();
        let serve_console = home.settings.console;
        let api = ApiContext {
            data_dir: data_dir.clone(),
            chain,
            node_name: name.clone(),
            tip: validator.tip.clone(),
            strategy,
            accepted: accepted_sender,
            metrics: Arc::new(move || metrics_context.encode()),
            console: Arc::new(crate::console::Console::new(
                &console_genesis,
                home.settings.console,
            )),
        };
        tracing::info!(node = %name, "validator running");
        // The API gets its own runtime so client load (decoding, signature
        // batches) never starves consensus of worker threads.
        std::thread::Builder::new()
            .name("api".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("API runtime");
                if serve_console {
                    runtime.spawn(crate::console::supply_history::record(
                        stopping_chain.clone(),
                    ));
                    let indexer =
                        crate::console::account_indexer::spawn(Arc::downgrade(&stopping_chain));
                    if let Err(error) = indexer {
                        tracing::error!(%error, "cannot start the account indexer");
                    }
                }
                runtime.spawn(stop::on_signal(stopping_chain));
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(api_listener).expect("API listener");
                    let edge = api::Edge {
                        limits: api_limits,
                        certificate: api_tls,
                        metrics: request_metrics,
                    };
                    api::serve(listener, api, edge).await
                });
            })
            .expect("API thread");
        let _ = network_handle.await;
        Ok(())
    })
}

/// The other validators' APIs, as genesis names them.
fn sync_peers(home: &NodeHome) -> Vec<eiraku_api::Client> {
    let me = home.key.account_id();
    home.genesis
        .validators
        .iter()
        .filter(|validator| validator.public_key != me)
        .map(|validator| eiraku_api::Client::new(&format!("http://{}", validator.api_address)))
        .collect()
}

/// The most peers one tracked set (an epoch's validators, the ones before
/// them, this node) may hold: twice the largest set the state knows now.
/// It sizes the p2p mailboxes, which are allocated up front for every peer
/// of every tracked set, so it cannot simply be the largest set governance
/// may make; a set outgrowing it is cut to fit until the node restarts.
fn peer_limit(home: &NodeHome, state: &eiraku_state::State) -> NonZeroUsize {
    let validators = state.validators();
    let largest = (home.genesis.validators.len())
        .max(validators.active().len())
        .max(validators.set().len());
    NonZeroUsize::new(2 * largest + 1).expect("positive")
}
