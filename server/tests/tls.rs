//! HTTPS with the certificate the server makes on its first start, pinned by
//! the client as its only root; plain HTTP only on loopback.

mod common;

use common::*;
use nightround_core::clock::ManualClock;
use nightround_core::domain::Role;
use nightround_core::sync::protocol::EnrolResponse;
use nightround_server::{ServerConfig, ServerError};
use std::sync::Arc;

fn pinned(pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()])
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_and_sync_over_tls_with_the_generated_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start_time()));
    let config =
        ServerConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap()).with_clock(clock.clone());
    let server = nightround_server::start(config.clone()).await.unwrap();
    assert!(server.base_url().starts_with("https://"));
    let fingerprint = server.tls_fingerprint().unwrap().to_owned();
    assert_eq!(
        fingerprint.len(),
        95,
        "SHA-256 as colon-separated hex pairs"
    );
    let pem = server.tls_cert_pem().unwrap().to_owned();
    assert_eq!(
        pem,
        std::fs::read_to_string(dir.path().join("tls/server-cert.pem")).unwrap()
    );

    let admin = server.admin();
    let org = admin.create_organisation("Aspirations").unwrap();
    let w = admin
        .create_worker(&org.id, "Sam", Role::OutreachWorker, None)
        .unwrap();
    let code = admin.create_enrolment_code(&w.id).unwrap();
    let http = pinned(&pem);
    let resp = http
        .post(format!("{}/v1/enrol", server.base_url()))
        .json(&serde_json::json!({"protocol": 2, "code": code.code, "device_name": "phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let enrolled: EnrolResponse = resp.json().await.unwrap();
    let resp = http
        .get(format!("{}/v1/pull?protocol=2", server.base_url()))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // A client that does not pin this certificate cannot connect.
    let stranger = reqwest::Client::builder().build().unwrap();
    assert!(stranger
        .get(format!("{}/v1/pull?protocol=2", server.base_url()))
        .send()
        .await
        .is_err());
    // Nor can one pinned to another server's certificate.
    let other_dir = tempfile::tempdir().unwrap();
    let other = nightround_server::start(
        ServerConfig::new(other_dir.path(), "127.0.0.1:0".parse().unwrap())
            .with_clock(clock.clone()),
    )
    .await
    .unwrap();
    assert_ne!(other.tls_fingerprint(), Some(fingerprint.as_str()));
    assert!(pinned(other.tls_cert_pem().unwrap())
        .get(format!("{}/v1/pull?protocol=2", server.base_url()))
        .send()
        .await
        .is_err());
    other.shutdown().await.unwrap();

    // Restarted, it keeps its certificate, so pinned phones keep working.
    server.shutdown().await.unwrap();
    let server = nightround_server::start(config).await.unwrap();
    assert_eq!(server.tls_fingerprint(), Some(fingerprint.as_str()));
    let resp = http
        .get(format!("{}/v1/pull?protocol=2", server.base_url()))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig::new(dir.path(), "0.0.0.0:0".parse().unwrap()).plain_http();
    match nightround_server::start(config).await {
        Err(ServerError::Config(msg)) => assert!(msg.contains("loopback"), "{msg}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(
        !dir.path().join("nightround-server.db").exists(),
        "refused before anything was made"
    );
}
