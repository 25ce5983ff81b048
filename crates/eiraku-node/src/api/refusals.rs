//! Every refusal under `/v1/` carries the typed error body, the
//! framework's own included: a path, query or body that does not parse, a
//! wrong content type, an oversized body or an unknown method come from
//! axum's extractors as plain text; this turns them into
//! `{"error": {"code", "message"}}` with the same status and words.

use axum::{
    body::to_bytes,
    extract::Request,
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use eiraku_api::{ErrorBody, ErrorDetail};

/// Longest plain-text refusal read back (axum's are a line or two).
const MAX_MESSAGE_BYTES: usize = 4096;

/// The middleware.
pub async fn typed(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/v1/");
    let response = next.run(request).await;
    let status = response.status();
    if !api || !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match to_bytes(body, MAX_MESSAGE_BYTES).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("refused").to_string()
    } else {
        text
    };
    let body = ErrorBody {
        error: ErrorDetail::new(code_of(status), message),
    };
    let mut typed = (status, Json(body)).into_response();
    // Headers the refusal carried (Allow, Retry-After) stay.
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            typed.headers_mut().insert(name.clone(), value.clone());
        }
    }
    typed
}

fn is_json(response: &Response) -> bool {
    let content_type = response.headers().get(header::CONTENT_TYPE);
    content_type
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"))
}

/// The stable code of a status the framework answers with.
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "oversized",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "busy",
        status if status.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// Describes the framework's refusals in the OpenAPI document: every
/// `/v1/` operation may answer 429 and 503 (the edge's limits); one that
/// takes parameters or a body, 400 (and 422, a JSON body of the wrong
/// shape); one that takes a body, 413 and 415; each with the typed error
/// body.
pub fn describe(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/v1/") {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let has_body = operation.request_body.is_some();
            let has_parameters = has_body
                || path.contains('{')
                || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            // The edge's limits (`api::limits`) may refuse any request.
            let mut refusals = vec![
                (
                    "429",
                    "Too many requests from this client: retry after Retry-After seconds.",
                ),
                (
                    "503",
                    "The node is busy, or the request took too long: retry shortly.",
                ),
            ];
            if path.starts_with("/v1/health") {
                refusals.pop(); // never refused for being busy
            }
            if has_parameters {
                refusals.push(("400", "A path, query or body that does not parse."));
            }
            if has_body {
                refusals.push(("413", "The body is too large."));
                refusals.push(("415", "The body's content type is not the one taken."));
                refusals.push(("422", "A JSON body of the wrong shape."));
            }
            for (status, what) in refusals {
                let responses = &mut operation.responses.responses;
                responses
                    .entry(status.into())
                    .or_insert_with(|| refusal(what));
            }
        }
    }
}

fn refusal(what: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody")));
    let response = ResponseBuilder::new()
        .description(what)
        .content("application/json", body.build());
    response.build().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{
        body::Body,
        extract::{Path, Query},
        routing::{get, post},
        Router,
    };
    use tower::ServiceExt;

    #[derive(serde::Deserialize)]
    struct Window {
        #[allow(dead_code)]
        count: u64,
    }

    fn app() -> Router {
        Router::new()
            .route(
                "/v1/block/{height}",
                get(|Path(h): Path<u64>| async move { h.to_string() }),
            )
            .route("/v1/audit", get(|Query(_): Query<Window>| async { "ok" }))
            .route("/v1/txs", post(|Json(_): Json<Vec<String>>| async { "ok" }))
            .route(
                "/page/{height}",
                get(|Path(h): Path<u64>| async move { h.to_string() }),
            )
            .layer(axum::extract::DefaultBodyLimit::max(64))
            .layer(axum::middleware::from_fn(typed))
    }

    async fn answer(request: Request) -> (StatusCode, String, serde_json::Value) {
        let response = app().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = (response.headers().get(header::CONTENT_TYPE))
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, content_type, json)
    }

    fn get_request(uri: &str) -> Request {
        Request::get(uri).body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn the_frameworks_refusals_carry_the_typed_body() {
        let cases = [
            (
                get_request("/v1/block/-1"),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                get_request("/v1/audit?from=0"),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                Request::post("/v1/txs")
                    .header("content-type", "text/plain")
                    .body(Body::from("[]"))
                    .unwrap(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                Request::post("/v1/txs")
                    .header("content-type", "application/json")
                    .body(Body::from(format!("[\"{}\"]", "x".repeat(100))))
                    .unwrap(),
                StatusCode::PAYLOAD_TOO_LARGE,
                "oversized",
            ),
            (
                Request::post("/v1/txs")
                    .header("content-type", "application/json")
                    .body(Body::from("[1]"))
                    .unwrap(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_request",
            ),
            (
                get_request("/v1/txs"),
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
            ),
        ];
        for (request, status, code) in cases {
            let uri = request.uri().to_string();
            let (got, content_type, body) = answer(request).await;
            assert_eq!(got, status, "{uri}");
            assert_eq!(content_type, "application/json", "{uri}");
            assert_eq!(body["error"]["code"], code, "{uri}: {body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(!message.is_empty(), "{uri}");
        }
    }

    #[test]
    fn the_document_describes_the_frameworks_refusals() {
        let doc: serde_json::Value = serde_json::from_str(&crate::api::openapi_json()).unwrap();
        let responses = |path: &str, method: &str| doc["paths"][path][method]["responses"].clone();
        let block = responses("/v1/block/{height}", "get");
        assert_eq!(
            block["400"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        let batch = responses("/v1/txs", "post");
        for status in ["400", "413", "415", "422"] {
            assert!(batch[status].is_object(), "{status}: {batch}");
        }
        assert!(
            responses("/v1/status", "get")["400"].is_null(),
            "nothing to parse there"
        );
        for status in ["429", "503"] {
            assert!(
                responses("/v1/status", "get")[status].is_object(),
                "{status}"
            );
        }
        assert!(responses("/v1/health", "get")["503"].is_null());
    }

    #[tokio::test]
    async fn pages_and_answers_pass_unchanged() {
        let (status, content_type, _) = answer(get_request("/page/x")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(content_type.starts_with("text/plain"), "{content_type}");
        let (status, _, body) = answer(get_request("/v1/block/7")).await;
        assert_eq!((status, body), (StatusCode::OK, serde_json::json!(7)));
    }
}
