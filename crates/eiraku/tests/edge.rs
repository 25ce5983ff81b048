//! The API at its edge, on a real node: a flooding client is answered 429,
//! an oversized body 413, both typed, and the node serves others meanwhile;
//! TLS from certificate files, replaced while the node runs, with a broken
//! replacement leaving the certificate in use.

mod common;

use common::{run_cli, TestNetwork};
use eiraku_node::api::{limits::ApiLimits, test_certificates::TestAuthority};
use std::{
    io::{Read, Write},
    net::TcpStream,
    path::Path,
    time::{Duration, Instant},
};

fn tight_limits(settings: &mut eiraku_node::NodeSettings) {
    settings.api_limits = ApiLimits {
        requests_per_second_per_client: 20,
        burst_per_client: 40,
        max_body_bytes: 1024,
        max_connections_per_client: 8,
        ..ApiLimits::default()
    };
}

/// (HTTP status, error code) of every answer to `count` status requests
/// sent as fast as the node answers.
fn flood(base: &str, count: usize) -> Vec<(u16, Option<String>)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    (0..count)
        .map(|_| {
            let mut response = agent.get(format!("{base}/v1/status")).call().unwrap();
            let status = response.status().as_u16();
            let text = response.body_mut().read_to_string().unwrap();
            let code = serde_json::from_str::<eiraku_api::ErrorBody>(&text)
                .ok()
                .map(|body| body.error.code);
            (status, code)
        })
        .collect()
}

#[test]
fn a_flood_is_answered_429_and_an_oversized_body_413_both_typed() {
    let network = TestNetwork::start_tuned(1, false, tight_limits);
    let base = network.client(0).base().to_string();

    // Before the flood: this client's share is still whole.
    let (status, body) = post_in_one_write(&base, "/v1/tx", &[7u8; 2048]);
    assert_eq!(status, 413, "{body}");
    let refusal: eiraku_api::ErrorBody = serde_json::from_str(&body).expect(&body);
    assert_eq!(refusal.error.code, "oversized", "{body}");

    // Eight idle connections are this client's share: a ninth is closed
    // unanswered, and once they close it is served again.
    let address = base.trim_start_matches("http://");
    let idle: Vec<TcpStream> = (0..8)
        .map(|_| TcpStream::connect(address).unwrap())
        .collect();
    assert_eq!(answer_to_get(address), "", "a ninth connection was served");
    drop(idle);
    wait_until("a connection is served again", || {
        answer_to_get(address).starts_with("HTTP/1.1 200")
    });

    let answers = flood(&base, 400);
    let refused = answers.iter().filter(|(status, _)| *status == 429).count();
    assert!(refused > 0, "no request of 400 was refused");
    for (status, code) in &answers {
        match status {
            200 => assert_eq!(code, &None),
            429 => assert_eq!(code.as_deref(), Some("rate_limited")),
            other => panic!("answered {other} ({code:?}) under a flood"),
        }
    }

    // The limit is per client: the node finalizes and answers once the
    // flood stops (the client waits out its Retry-After).
    let deadline = Instant::now() + Duration::from_secs(30);
    let height = loop {
        match network.client(0).status() {
            Ok(status) => break status.finalized_height,
            Err(error) => {
                assert_eq!(error.code(), Some("rate_limited"), "{error}");
                assert!(Instant::now() < deadline, "still refused: {error}");
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    };
    assert!(height >= 1);
}

/// Sends a POST, headers and body in one write (so the node has read it
/// all when it answers early and closes), and returns the answer's status
/// and body.
fn post_in_one_write(base: &str, path: &str, body: &[u8]) -> (u16, String) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer[9..12].parse().expect(&answer);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

/// What a new connection answers to `GET /v1/health` (empty when it is
/// closed unanswered).
fn answer_to_get(address: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let request =
        format!("GET /v1/health HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n");
    // Closed at once, the write or the read may fail: no answer either way.
    let _ = stream.write_all(request.as_bytes());
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).to_string()
}

/// `eiraku query status` against `url`, trusting `ca` when given.
fn query_status(url: &str, ca: Option<&Path>) -> (bool, String) {
    let mut args = vec![
        "query",
        "status",
        "--node",
        url,
        "--network",
        "/nonexistent",
    ];
    let ca = ca.map(|path| path.display().to_string());
    if let Some(ca) = &ca {
        args.extend(["--ca-cert", ca.as_str()]);
    }
    run_cli(&args)
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within 60 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_api_serves_tls_and_takes_a_new_certificate_without_restarting() {
    let mut network = TestNetwork::start(1);
    let home = network.net.home(0);
    let folder = tempfile::tempdir().unwrap();
    let (first, second) = (
        TestAuthority::new("first CA"),
        TestAuthority::new("second CA"),
    );
    let (first_ca, second_ca) = (
        folder.path().join("first.pem"),
        folder.path().join("second.pem"),
    );
    std::fs::write(&first_ca, &first.pem).unwrap();
    std::fs::write(&second_ca, &second.pem).unwrap();
    let (certificate, key) = first.issue();
    std::fs::write(home.join("api.crt"), &certificate).unwrap();
    std::fs::write(home.join("api.key"), &key).unwrap();

    network.net.stop(0);
    let settings_path = home.join("node.json");
    let mut settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&settings_path).unwrap()).unwrap();
    settings["api_tls"] = serde_json::json!({"certificate": "api.crt", "private_key": "api.key"});
    std::fs::write(&settings_path, settings.to_string()).unwrap();
    network.net.start(0).unwrap();

    let https = network.net.api_url(0).replace("http://", "https://");
    wait_until("the node serves TLS", || {
        query_status(&https, Some(&first_ca)).0
    });
    let (ok, text) = query_status(&https, Some(&first_ca));
    assert!(ok && text.contains("\"finalized_height\""), "{text}");
    // Plain HTTP and a client trusting another authority get nothing.
    let (ok, _) = query_status(&network.net.api_url(0), None);
    assert!(!ok, "plain HTTP answered on a TLS port");
    let (ok, text) = query_status(&https, Some(&second_ca));
    assert!(
        !ok,
        "a certificate of another authority was trusted: {text}"
    );
    let (ok, text) = query_status(&https, None);
    assert!(!ok && text.contains("--ca-cert"), "{text}");

    // A replacement whose key is not its certificate's is not taken.
    let (new_certificate, new_key) = second.issue();
    std::fs::write(home.join("api.crt"), &new_certificate).unwrap();
    let log = home.join("node.log");
    wait_until("the node reports the broken pair", || {
        std::fs::read_to_string(&log).is_ok_and(|text| text.contains("do not make a pair"))
    });
    let (ok, text) = query_status(&https, Some(&first_ca));
    assert!(
        ok,
        "the certificate in use was dropped for a broken pair: {text}"
    );

    // With its key, the new certificate is served to new connections.
    std::fs::write(home.join("api.key"), &new_key).unwrap();
    wait_until("the new certificate is served", || {
        query_status(&https, Some(&second_ca)).0
    });
    let (ok, _) = query_status(&https, Some(&first_ca));
    assert!(!ok, "the old certificate is still served");
    let exited = network.net.exited();
    assert!(
        exited.is_empty(),
        "the node restarted or stopped: {exited:?}"
    );
}
