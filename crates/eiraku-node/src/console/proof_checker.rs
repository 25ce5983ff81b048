//! The in-browser proof checker: `eiraku-core`'s light client compiled to
//! WebAssembly and its `wasm-bindgen` glue, built by this crate's build
//! script and embedded in the binary. A node built without them (no wasm
//! target there) serves nothing here, and the page checks on the node.

use axum::{http::header, response::IntoResponse, routing::get, Router};

use crate::api::ApiContext;

const GLUE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/proof-checker/proof_checker.js"));
const MODULE: &[u8] = include_bytes!(concat!(
    env!("OUT_DIR"),
    "/proof-checker/proof_checker_bg.wasm"
));

/// Whether this node was built with the in-browser checker.
pub fn built_in() -> bool {
    !GLUE.is_empty() && !MODULE.is_empty()
}

/// Its two files, when built in.
pub fn routes() -> Router<ApiContext> {
    if !built_in() {
        return Router::new();
    }
    Router::new()
        .route("/console/proof_checker.js", get(glue))
        .route("/console/proof_checker_bg.wasm", get(module))
}

async fn glue() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        GLUE,
    )
}

async fn module() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/wasm")], MODULE)
}
