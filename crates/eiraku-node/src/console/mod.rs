//! The web console, served by every validator on its API port: pages
//! rendered on the server from templates (`templates/`), one stylesheet
//! and one small script (`assets/`), no build step. It reads what the API
//! reads, through the same views, so a page and the API never disagree;
//! nobody pays for it until a page is asked for.

pub mod account_indexer;
mod charts;
mod coin;
mod coin_history;
mod explorer;
mod format;
mod governance;
mod metrics;
mod names;
mod proof_checker;
mod registries;
pub mod supply_history;

use crate::api::{ApiContext, ApiError};
use axum::{
    http::{header, StatusCode, Uri},
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use eiraku_core::Genesis;
use minijinja::{context, Environment, Value};
pub use names::AccountNames;

/// What the console keeps between requests: its templates and the
/// genesis's account names.
pub struct Console {
    serves: bool,
    templates: Environment<'static>,
    names: AccountNames,
}

impl Console {
    /// The console of the chain that starts from `genesis`; `serves` off
    /// leaves the API port to the API.
    pub fn new(genesis: &Genesis, serves: bool) -> Self {
        Self {
            serves,
            templates: templates(),
            names: AccountNames::of(genesis),
        }
    }

    /// Whether this node serves the console.
    pub fn serves(&self) -> bool {
        self.serves
    }
}

fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("templates/base.html")),
        ("not_found.html", include_str!("templates/not_found.html")),
        ("home.html", include_str!("templates/home.html")),
        ("block.html", include_str!("templates/block.html")),
        ("tx.html", include_str!("templates/tx.html")),
        ("account.html", include_str!("templates/account.html")),
        ("registries.html", include_str!("templates/registries.html")),
        ("coin.html", include_str!("templates/coin.html")),
        ("governance.html", include_str!("templates/governance.html")),
        ("lookup.html", include_str!("templates/lookup.html")),
        ("status.html", include_str!("templates/status.html")),
        ("proposal.html", include_str!("templates/proposal.html")),
    ] {
        env.add_template(name, source)
            .expect("the console's templates parse");
    }
    env.add_filter("short", |hex: String| format::short_hex(&hex));
    env
}

/// The console's routes; any other path is a "not found" page (or, under
/// `/v1/`, the API's JSON answer).
pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/", get(explorer::home))
        .route("/blocks/{height}", get(explorer::block))
        .route("/txs/{hash}", get(explorer::tx))
        .route("/accounts/{id}", get(explorer::account))
        .route("/search", get(explorer::search))
        .route("/registries", get(registries::page))
        .route("/registries/lookup", get(registries::lookup))
        .route("/status", get(metrics::page))
        .route("/coin", get(coin::dashboard))
        .route("/governance", get(governance::overview))
        .route("/governance/proposals/{id}", get(governance::proposal))
        .route("/console/console.css", get(stylesheet))
        .route("/console/console.js", get(script))
        .merge(proof_checker::routes())
        // One page drawn at a time (they block on store reads): however
        // many people look, one of the API's two threads stays free for
        // transactions, proofs and events.
        .layer(tower::limit::ConcurrencyLimitLayer::new(1))
        .layer(axum::middleware::map_response(guarded))
}

/// A page's headers: its own scripts and styles only, never in a frame,
/// no content sniffing, no referrer sent elsewhere.
async fn guarded(mut response: Response) -> Response {
    use axum::http::HeaderValue;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Answers a path nobody serves.
pub async fn fallback(
    axum::extract::State(context): axum::extract::State<ApiContext>,
    uri: Uri,
) -> Response {
    if uri.path().starts_with("/v1/") || !context.console.serves() {
        return ApiError::not_found(format!("no endpoint {}", uri.path())).into_response();
    }
    guarded(not_found(
        &context,
        &format!("There is no page {}.", uri.path()),
    ))
    .await
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("assets/console.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("assets/console.js"),
    )
}

/// What every page shows around its content.
fn frame(context: &ApiContext, page: &str, title: &str) -> Value {
    let chain = &context.chain;
    context! {
        page => page,
        title => title,
        section => "explorer",
        chain_id => chain.genesis().chain_id.as_str(),
        node => context.node_name.as_str(),
        finalized_height => chain.finalized_height(),
    }
}

/// Renders `template` with the page's frame and `values`.
fn render(context: &ApiContext, template: &str, frame: Value, values: Value) -> Response {
    render_with_status(context, StatusCode::OK, template, frame, values)
}

fn render_with_status(
    context: &ApiContext,
    status: StatusCode,
    template: &str,
    frame: Value,
    values: Value,
) -> Response {
    let page = context! { ..values, ..frame };
    let console = &context.console;
    match console
        .templates
        .get_template(template)
        .and_then(|t| t.render(page))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, template, "a console page failed to render");
            let message = "This page could not be drawn; the node's log says why.";
            (StatusCode::INTERNAL_SERVER_ERROR, Html(message)).into_response()
        }
    }
}

/// A clear "not found" page (HTTP 404) saying what was looked for.
fn not_found(context: &ApiContext, message: &str) -> Response {
    missing(context, StatusCode::NOT_FOUND, message)
}

/// A page for an API refusal: what does not exist, or was not written as
/// an id, said in words with its status; a fault inside the node is logged
/// and named only as such.
fn refusal(context: &ApiContext, error: ApiError) -> Response {
    if error.status().is_server_error() {
        tracing::error!(message = error.message(), "a console page failed");
        let message = "The node could not read this; its log says why.";
        return missing(context, error.status(), message);
    }
    missing(context, error.status(), error.message())
}

fn missing(context: &ApiContext, status: StatusCode, message: &str) -> Response {
    let names = context.console.names.some(12);
    render_with_status(
        context,
        status,
        "not_found.html",
        frame(context, "not-found", "Not found"),
        context! { message => message, names => names },
    )
}
