//! `eiraku cash center`: an economy's issuance center as a service. It
//! keeps its note database and its keys in its home folder (the
//! note-sealing key on a PKCS#11 token), serves wallets over HTTP, and
//! submits its transactions (its keys, credits of deposits, blacklistings)
//! to a validator. It issues notes only against a load the ledger
//! finalized, once per load.

pub mod home;
pub mod ledger;
pub mod pending;
pub mod process;
pub mod rounds;
pub mod routes;
pub mod service;
pub mod settlement;
pub mod wire;

use std::{net::SocketAddr, sync::Arc};

/// Serves `service` on `listen` until the process is stopped, settling
/// due claims and write-offs every `settle_every`. Prints the address it
/// listens on (port 0 picks a free one) as
/// `cash center listening on http://ADDR`.
pub fn serve(
    service: service::Service,
    listen: SocketAddr,
    settle_every: std::time::Duration,
) -> anyhow::Result<()> {
    let service = Arc::new(service);
    let settling = service.clone();
    std::thread::Builder::new()
        .name("center-settlement".into())
        .spawn(move || loop {
            std::thread::sleep(settle_every);
            settling.settle_once();
        })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
        println!("cash center listening on http://{}", listener.local_addr()?);
        axum::serve(listener, routes::router(service)).await?;
        Ok(())
    })
}
