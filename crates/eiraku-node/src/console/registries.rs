//! The registries' pages: the notary drop check and the proof checker
//! (`templates/registries.html`, their work in `assets/console.js`), and
//! lookups of an attestation, a consent or a registry, shown as the API
//! answers them.

use super::{frame, not_found, refusal, render};
use crate::api::{ApiContext, ApiError};
use axum::{
    extract::{Path, Query, State},
    response::Response,
    Json,
};
use minijinja::context;

/// `/registries`: check a file's notarization or a proof file; look up.
pub async fn page(State(context): State<ApiContext>) -> Response {
    let frame = context! { section => "registries", ..frame(&context, "registries", "Registries") };
    let page = context! { in_browser => super::proof_checker::built_in() };
    render(&context, "registries.html", frame, page)
}

/// The lookup form's question.
#[derive(serde::Deserialize)]
pub struct Lookup {
    kind: String,
    id: String,
}

/// `/registries/lookup?kind=…&id=…`: one entry, field by field.
pub async fn lookup(State(context): State<ApiContext>, Query(query): Query<Lookup>) -> Response {
    let id = query.id.trim().to_string();
    let (title, answer) = match query.kind.as_str() {
        "attestation" => (
            "Attestation",
            json(
                crate::registry_api::get_attestation(State(context.clone()), Path(id.clone()))
                    .await,
            ),
        ),
        "consent" => (
            "Consent",
            json(crate::consent_api::get_consent(State(context.clone()), Path(id.clone())).await),
        ),
        "registry" => (
            "Registry",
            json(crate::records_api::get_registry(State(context.clone()), Path(id.clone())).await),
        ),
        "record" => ("Record", record(&context, &id).await),
        other => {
            return not_found(
                &context,
                &format!("There is no kind of entry called {other:?}."),
            )
        }
    };
    let fields = match answer {
        Ok(serde_json::Value::Object(fields)) => fields,
        Ok(_) => return not_found(&context, "That entry has no fields."),
        Err(error) => return refusal(&context, error),
    };
    let rows: Vec<(String, String)> = fields
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            (key.replace('_', " "), text)
        })
        .collect();
    let frame = context! { section => "registries", ..frame(&context, "lookup", title) };
    render(
        &context,
        "lookup.html",
        frame,
        context! { what => title, id => id, rows => rows, api => api_path(&query.kind, &id) },
    )
}

/// A record, named `REGISTRY/KEY`: its latest version, and how many.
async fn record(context: &ApiContext, id: &str) -> Result<serde_json::Value, ApiError> {
    let (registry, key) = id
        .split_once('/')
        .ok_or_else(|| ApiError::bad_request("name a record as REGISTRY/KEY"))?;
    let path = Path((registry.to_string(), key.to_string()));
    let history = json(crate::records_api::get_history(State(context.clone()), path).await)?;
    let versions = history.as_array().map_or(0, Vec::len);
    let mut latest = (history.as_array().and_then(|v| v.last()).cloned())
        .ok_or_else(|| ApiError::not_found(format!("no record {key} in registry {registry}")))?;
    if let Some(fields) = latest.as_object_mut() {
        fields.insert("versions".into(), versions.into());
    }
    Ok(latest)
}

fn json<T: serde::Serialize>(
    answer: Result<Json<T>, ApiError>,
) -> Result<serde_json::Value, ApiError> {
    answer.and_then(|Json(view)| serde_json::to_value(view).map_err(ApiError::internal))
}

fn api_path(kind: &str, id: &str) -> String {
    match kind {
        "attestation" => format!("/v1/attestations/{id}"),
        "consent" => format!("/v1/consents/{id}"),
        "record" => match id.split_once('/') {
            Some((registry, key)) => format!("/v1/registries/{registry}/records/{key}"),
            None => "/v1/registries".into(),
        },
        _ => format!("/v1/registries/{id}"),
    }
}

#[cfg(test)]
mod tests {
    use minijinja::context;

    /// A node built without the WebAssembly checker says plainly that it
    /// checks proofs itself, and the page's script asks it to.
    #[test]
    fn the_page_says_where_proofs_are_checked() {
        let templates = super::super::templates();
        let page = |in_browser: bool| {
            let template = templates.get_template("registries.html").unwrap();
            template.render(context! { in_browser }).unwrap()
        };
        let in_browser = page(true);
        assert!(in_browser.contains(r#"data-where="browser""#));
        assert!(in_browser.contains("runs\n  in your browser"));
        assert!(in_browser.contains(r#"id="proof-genesis-input""#));
        let on_node = page(false);
        assert!(on_node.contains(r#"data-where="node""#));
        assert!(on_node.contains("runs\n  on this node, not in your browser"));
        assert!(!on_node.contains("proof-genesis-input"));
    }
}
