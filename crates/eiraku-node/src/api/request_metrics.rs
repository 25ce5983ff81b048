//! The API's own metrics: requests answered by route, method and status,
//! and the time to answer by route (to the first byte: an event stream
//! counts until its headers). Routes are the router's templates
//! (`/v1/tx/{hash}`), so the label values are bounded whatever clients
//! send; a path no route matches is `other`.

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use commonware_runtime::{
    telemetry::metrics::{
        raw::{Counter, Family, Histogram},
        EncodeLabelSet, Registered,
    },
    Metrics,
};
use std::{sync::Arc, time::Instant};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answer {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// Answer times by route.
type Latencies = Family<Route, Histogram, fn() -> Histogram>;

/// The API's request metrics, registered with the node's runtime.
pub struct RequestMetrics {
    answers: Registered<Family<Answer, Counter>>,
    seconds: Registered<Latencies>,
}

impl RequestMetrics {
    /// Registers them under `context` (named `api_requests_total` and
    /// `api_request_seconds` under its prefix).
    pub fn register(context: &impl Metrics) -> Arc<Self> {
        let answers = context.register(
            "requests",
            "API requests answered, by route template, method and HTTP status.",
            Family::default(),
        );
        let seconds = context.register(
            "request_seconds",
            "Time the API took to answer, to the first byte, by route template.",
            Family::new_with_constructor(latency_histogram as fn() -> Histogram),
        );
        Arc::new(Self { answers, seconds })
    }
}

/// The middleware.
pub async fn record(
    State(metrics): State<Arc<RequestMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_string(),
        None => "other".to_string(),
    };
    // Methods outside the standard ones share a label: a client sending
    // made-up methods must not grow the metrics.
    let method = match request.method().as_str() {
        known @ ("GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH") => known,
        _ => "other",
    }
    .to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let answer = Answer {
        route: route.clone(),
        method,
        status: response.status().as_u16(),
    };
    metrics.answers.get_or_create(&answer).inc();
    (metrics.seconds.get_or_create(&Route { route })).observe(elapsed);
    response
}
