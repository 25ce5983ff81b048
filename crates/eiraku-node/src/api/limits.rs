//! Backpressure at the API's edge: a rate per client, a cap on requests in
//! flight, a time limit per request and a cap on open event streams. Each
//! refusal is typed: 429 `rate_limited` (with `Retry-After`) when one client
//! sends faster than its share, 503 `busy` when the node has as many
//! requests in hand as it takes, 503 `timeout` when one took too long.
//!
//! The server-sent event streams (`/v1/events/…`) live as long as their
//! client listens: they are counted apart (`max_event_streams`) and never
//! timed out. `/v1/health`, `/v1/ready` and `/metrics` are never refused
//! for being busy, so that a load balancer does not take a loaded node for
//! a dead one and its metrics are there when they matter most.

use super::connections::{Capped, Caps};
use crate::api::ApiError;
use axum::{
    body::Body,
    extract::{connect_info::Connected, ConnectInfo, MatchedPath, Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    serve::IncomingStream,
};
use futures::StreamExt;
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
    time::Duration,
};

/// The API's limits, in `node.json` under `"api_limits"`; each has a
/// default, so the section may be left out or partly given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiLimits {
    /// Requests per second one client (an IP address; an IPv6 /64) may
    /// send on average; 0 lifts the limit. A batch of transactions is one
    /// request.
    pub requests_per_second_per_client: u32,
    /// Requests a client may send at once above its rate.
    pub burst_per_client: u32,
    /// Requests in hand at once, over all clients, before answering busy.
    pub max_concurrent_requests: u32,
    /// Event streams open at once.
    pub max_event_streams: u32,
    /// Longest a request may take before it is answered `timeout`.
    pub request_timeout_ms: u64,
    /// Largest request body taken, in bytes (routes that take batches may
    /// set their own).
    pub max_body_bytes: usize,
    /// Connections open at once, over all clients; more are closed at once.
    pub max_connections: u32,
    /// Connections one client may hold open.
    pub max_connections_per_client: u32,
}

impl Default for ApiLimits {
    fn default() -> Self {
        Self {
            requests_per_second_per_client: 1_000,
            burst_per_client: 2_000,
            max_concurrent_requests: 512,
            max_event_streams: 256,
            request_timeout_ms: 30_000,
            max_body_bytes: 2 << 20,
            max_connections: 4_096,
            max_connections_per_client: 256,
        }
    }
}

/// What load balancers and monitoring ask, never refused as busy: a
/// loaded node must not look dead, nor its metrics go missing when they
/// matter most.
const UNCAPPED: [&str; 3] = ["/v1/health", "/v1/ready", "/metrics"];

/// A limit set to 0, which would make the API refuse everything.
#[derive(Debug, thiserror::Error)]
#[error("api_limits.{0} is 0: the API would refuse everything")]
pub struct ZeroLimit(pub &'static str);

impl ApiLimits {
    /// Refuses limits that would shut the API: no request, no stream or
    /// no time at all (0 lifts only the rate per client).
    pub fn check(&self) -> Result<(), ZeroLimit> {
        let limits = [
            (
                "max_concurrent_requests",
                self.max_concurrent_requests as u64,
            ),
            ("max_event_streams", self.max_event_streams as u64),
            ("request_timeout_ms", self.request_timeout_ms),
            ("max_body_bytes", self.max_body_bytes as u64),
            ("max_connections", self.max_connections as u64),
            (
                "max_connections_per_client",
                self.max_connections_per_client as u64,
            ),
        ];
        match limits.iter().find(|(_, value)| *value == 0) {
            Some((name, _)) => Err(ZeroLimit(name)),
            None => Ok(()),
        }
    }
}

/// The address a request came from (plain TCP or TLS).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, Capped<tokio::net::TcpListener>>> for ClientAddr {
    fn connect_info(stream: IncomingStream<'_, Capped<tokio::net::TcpListener>>) -> Self {
        Self(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, super::tls::TlsListener>> for ClientAddr {
    fn connect_info(stream: IncomingStream<'_, super::tls::TlsListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

/// The limits in force, shared by every request.
pub struct Guard {
    per_client: Option<DefaultKeyedRateLimiter<IpAddr>>,
    requests: Arc<Caps>,
    streams: Arc<Caps>,
    timeout: Duration,
}

impl Guard {
    /// The guard of `limits`.
    pub fn new(limits: &ApiLimits) -> Arc<Self> {
        let per_client = NonZeroU32::new(limits.requests_per_second_per_client).map(|rate| {
            let burst = NonZeroU32::new(limits.burst_per_client).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        Arc::new(Self {
            per_client,
            requests: quarter_each(limits.max_concurrent_requests),
            streams: quarter_each(limits.max_event_streams),
            timeout: Duration::from_millis(limits.request_timeout_ms),
        })
    }

    /// Forgets clients that have been quiet long enough to be back at a
    /// full burst, so the table holds only recent clients.
    pub fn forget_quiet_clients(&self) {
        if let Some(limiter) = &self.per_client {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// The refusal of a client past its rate, if it is.
    fn refusal_of(&self, client: Option<SocketAddr>) -> Option<Response> {
        let (limiter, client) = (self.per_client.as_ref()?, client?);
        let not_until = limiter.check_key(&client_key(client.ip())).err()?;
        let wait = not_until.wait_time_from(limiter.clock().now());
        let seconds = wait.as_millis().div_ceil(1000).max(1);
        let refusal = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "too many requests from {}: retry in {seconds} s",
                client.ip()
            ),
        );
        let mut response = refusal.into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds as u64));
        Some(response)
    }
}

/// Clients are told apart by IPv4 address, or by IPv6 /64: one host holds
/// a whole /64 and could otherwise take a new address per request.
pub(super) fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

/// Places of which one client may hold a quarter (at least one), so that
/// one client cannot take them all.
fn quarter_each(total: u32) -> Arc<Caps> {
    let total = total as usize;
    Caps::new(total, (total / 4).max(1))
}

/// A request's client (the unspecified address when unknown: in-process).
fn client_ip(client: Option<SocketAddr>) -> IpAddr {
    client.map_or(IpAddr::from([0, 0, 0, 0]), |address| address.ip())
}

/// The middleware.
pub async fn guard(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<ClientAddr>>()
        .map(|info| info.0 .0);
    if let Some(refusal) = guard.refusal_of(client) {
        return refusal;
    }
    // The route matched, not the path sent: `/v1/events/../x` or an
    // unknown `/v1/events/…` is no stream.
    let route = request.extensions().get::<MatchedPath>();
    match route.map(MatchedPath::as_str) {
        Some(route) if route.starts_with("/v1/events/") => {
            return stream(&guard, client_ip(client), request, next).await
        }
        Some(route) if UNCAPPED.contains(&route) => return next.run(request).await,
        _ => {}
    }
    let client = client_ip(client);
    let Some(_in_hand) = guard.requests.take(client) else {
        return busy("the node has as many requests in hand as it takes (a quarter of them from one client); retry shortly");
    };
    match tokio::time::timeout(guard.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} ms; retry shortly",
                guard.timeout.as_millis()
            ),
        )
        .into_response(),
    }
}

/// An event stream holds its place until the client goes away: the permit
/// lives in the body, dropped with it.
async fn stream(guard: &Guard, client: IpAddr, request: Request, next: Next) -> Response {
    let Some(place) = guard.streams.take(client) else {
        return busy("the node has as many event streams open as it serves (a quarter of them to one client); retry later");
    };
    let (parts, body) = next.run(request).await.into_parts();
    let body = body.into_data_stream().map(move |chunk| {
        let _held = &place;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(body))
}

fn busy(message: &str) -> Response {
    let mut response =
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{routing::get, Router};
    use tower::ServiceExt;

    fn app(limits: &ApiLimits) -> Router {
        let guard = Guard::new(limits);
        Router::new()
            .route("/v1/status", get(|| async { "ok" }))
            .route("/v1/health", get(|| async { "ok" }))
            .route(
                "/v1/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    "late"
                }),
            )
            .route(
                "/v1/events/blocks",
                get(|| async {
                    Body::from_stream(futures::stream::pending::<Result<Vec<u8>, std::io::Error>>())
                }),
            )
            .layer(axum::middleware::from_fn_with_state(guard, super::guard))
    }

    fn from(ip: &str, path: &str) -> Request {
        let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
        let mut request = Request::get(path).body(Body::empty()).unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(ClientAddr(addr)));
        request
    }

    async fn error_code(response: Response) -> (StatusCode, String) {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: eiraku_api::ErrorBody = serde_json::from_slice(&bytes).unwrap();
        (status, body.error.code)
    }

    /// Sends `count` requests, each from the next of `addresses`, and
    /// returns how many were served; every refusal must be a typed 429.
    async fn flood(app: &Router, addresses: &[&str], count: usize) -> usize {
        let mut served = 0;
        for n in 0..count {
            let address = addresses[n % addresses.len()];
            let response = app
                .clone()
                .oneshot(from(address, "/v1/status"))
                .await
                .unwrap();
            if response.status() == StatusCode::OK {
                served += 1;
                continue;
            }
            assert!(response.headers().contains_key(header::RETRY_AFTER));
            assert_eq!(
                error_code(response).await,
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into())
            );
        }
        served
    }

    // A rate of one request a second: a flood of 200 is served at most its
    // burst plus one per second it lasted (a handful, however slow the
    // machine), never all of it.
    fn one_a_second() -> ApiLimits {
        ApiLimits {
            requests_per_second_per_client: 1,
            burst_per_client: 3,
            ..ApiLimits::default()
        }
    }

    #[tokio::test]
    async fn a_flooding_client_is_refused_and_others_are_not() {
        let app = app(&one_a_second());
        let served = flood(&app, &["10.0.0.1"], 200).await;
        assert!((3..100).contains(&served), "{served} of 200 served");
        assert_eq!(flood(&app, &["10.0.0.2"], 1).await, 1);
    }

    #[tokio::test]
    async fn one_host_cannot_rotate_its_ipv6_addresses_past_the_limit() {
        let app = app(&one_a_second());
        let one_host = ["[2001:db8::1]", "[2001:db8::2]", "[2001:db8::ffff:3]"];
        let served = flood(&app, &one_host, 200).await;
        assert!((3..100).contains(&served), "{served} of 200 served");
        assert_eq!(flood(&app, &["[2001:db8:0:1::1]"], 1).await, 1);
        // An IPv4 client seen through an IPv6 socket is the same client.
        let v4 = flood(&app, &["10.0.0.9", "[::ffff:10.0.0.9]"], 200).await;
        assert!((3..100).contains(&v4), "{v4} of 200 served");
    }

    /// Holds a slow request of `holder`'s, then asks as `asker` until the
    /// node refuses (it does once the slow one holds its place); the
    /// refusal must be a typed busy. Returns the slow request, to abort.
    async fn refused_while_held(
        app: &Router,
        holder: &str,
        asker: &str,
    ) -> tokio::task::JoinHandle<Result<Response, std::convert::Infallible>> {
        let held = tokio::spawn(app.clone().oneshot(from(holder, "/v1/slow")));
        for _ in 0..1000 {
            let response = app
                .clone()
                .oneshot(from(asker, "/v1/status"))
                .await
                .unwrap();
            if response.status() != StatusCode::OK {
                assert_eq!(
                    error_code(response).await,
                    (StatusCode::SERVICE_UNAVAILABLE, "busy".into())
                );
                return held;
            }
            tokio::task::yield_now().await;
        }
        panic!("{asker} was never refused while {holder}'s request was in hand");
    }

    #[tokio::test]
    async fn requests_beyond_the_cap_are_busy_but_health_answers() {
        let limits = ApiLimits {
            max_concurrent_requests: 1,
            ..ApiLimits::default()
        };
        let app = app(&limits);
        let held = refused_while_held(&app, "10.0.0.1", "10.0.0.2").await;
        let health = app
            .clone()
            .oneshot(from("10.0.0.3", "/v1/health"))
            .await
            .unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        held.abort();
    }

    #[tokio::test]
    async fn one_client_holds_at_most_a_quarter_of_the_places() {
        let limits = ApiLimits {
            max_concurrent_requests: 4,
            ..ApiLimits::default()
        };
        let app = app(&limits);
        // A second request of the same client is refused...
        let held = refused_while_held(&app, "10.0.0.1", "10.0.0.1").await;
        let other = app
            .clone()
            .oneshot(from("10.0.0.2", "/v1/status"))
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::OK, "another client is served");
        held.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_past_its_time_is_answered_timeout() {
        let limits = ApiLimits {
            request_timeout_ms: 500,
            ..ApiLimits::default()
        };
        let response = app(&limits)
            .oneshot(from("10.0.0.1", "/v1/slow"))
            .await
            .unwrap();
        assert_eq!(
            error_code(response).await,
            (StatusCode::SERVICE_UNAVAILABLE, "timeout".into())
        );
    }

    #[tokio::test(start_paused = true)]
    async fn event_streams_are_counted_apart_and_never_timed_out() {
        let limits = ApiLimits {
            max_event_streams: 1,
            max_concurrent_requests: 1,
            request_timeout_ms: 500,
            ..ApiLimits::default()
        };
        let app = app(&limits);
        let open = app
            .clone()
            .oneshot(from("10.0.0.1", "/v1/events/blocks"))
            .await
            .unwrap();
        assert_eq!(open.status(), StatusCode::OK);
        tokio::time::sleep(Duration::from_secs(5)).await;
        // The open stream holds no request place...
        let status = app
            .clone()
            .oneshot(from("10.0.0.2", "/v1/status"))
            .await
            .unwrap();
        assert_eq!(status.status(), StatusCode::OK);
        // A path under /v1/events/ that is no route is not a stream.
        let unknown = app
            .clone()
            .oneshot(from("10.0.0.4", "/v1/events/none"))
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        // ...but the only stream place, until it is dropped.
        let second = app
            .clone()
            .oneshot(from("10.0.0.3", "/v1/events/blocks"))
            .await
            .unwrap();
        assert_eq!(
            error_code(second).await,
            (StatusCode::SERVICE_UNAVAILABLE, "busy".into())
        );
        drop(open);
        let third = app
            .clone()
            .oneshot(from("10.0.0.3", "/v1/events/blocks"))
            .await
            .unwrap();
        assert_eq!(third.status(), StatusCode::OK);
    }
}
