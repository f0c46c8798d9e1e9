//! Back-pressure (issue 11): a server with no room for another push or pull
//! answers `503` with `Retry-After` and the protocol's `busy` body, instead
//! of leaving the phone to time out; the phone waits as told and its sync
//! then finishes. Real server on loopback, real vault.

use nightround_core::domain::*;
use nightround_core::sync::{Backoff, SyncOptions};
use nightround_e2e::harness::{Device, TestServer};
use nightround_server::api::admission::AdmissionLimits;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A second phone's token, enrolled by hand.
fn another_token(server: &TestServer) -> String {
    let worker = server
        .admin()
        .create_worker(&server.org, "Holder", Role::OutreachWorker, None)
        .unwrap();
    let code = server.admin().create_enrolment_code(&worker.id).unwrap();
    let (enrolment, _) =
        nightround_core::sync::enrol(&server.url(), None, &code.code, "holder").unwrap();
    enrolment.token
}

/// Holds the server's only permit: an authenticated push whose body never
/// finishes (the admission runs before the handler, which waits for the
/// body). Dropping it closes the connection, and the permit comes free.
fn hold_the_only_permit(server: &TestServer, token: &str) -> TcpStream {
    let mut s = TcpStream::connect(server.addr()).unwrap();
    write!(
        s,
        "POST /v1/push HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"changes\": ["
    )
    .unwrap();
    s.flush().unwrap();
    // Let the server take the request in.
    std::thread::sleep(Duration::from_millis(200));
    s
}

/// One request by hand: the status line, the headers (lower case) and body.
fn raw_get(server: &TestServer, path: &str) -> (String, String, String) {
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let (status, headers) = head.split_once("\r\n").unwrap();
    (status.to_owned(), headers.to_lowercase(), body.to_owned())
}

#[test]
fn a_saturated_server_answers_busy_with_retry_after_and_the_phone_then_finishes() {
    let server = TestServer::start_with_admission(AdmissionLimits {
        concurrent: 1,
        wait: Duration::from_millis(100),
        retry_after_secs: 1,
    });
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    sam.vault
        .record_contact(ContactDraft {
            person_id: None,
            at: None,
            area_id: "york_road".into(),
            kind: ContactKind::OutreachConversation,
            wellbeing: vec![],
            note: None,
            supplies: vec![],
            safeguarding_acknowledged: false,
        })
        .unwrap();

    // Saturated: a pull is told the server is busy, and when to come back.
    let token = another_token(&server);
    let hold = hold_the_only_permit(&server, &token);
    let (status, headers, body) = raw_get(&server, "/v1/pull?protocol=2");
    assert!(status.contains(" 503 "), "{status}");
    assert!(headers.contains("retry-after: 1"), "{headers}");
    let body: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("a JSON body: {body:?}"));
    assert_eq!(body["error"], "busy", "{body}");

    // The phone syncs into the saturated server: it hears "busy", waits
    // the second it is told (longer than its own backoff), and finishes
    // once the permit is free again.
    let options = SyncOptions {
        backoff: Backoff {
            base: Duration::from_millis(2),
            max: Duration::from_millis(500),
            attempts: 4,
        },
        timeout: Duration::from_secs(5),
        ..SyncOptions::default()
    };
    let started = Instant::now();
    let report = std::thread::scope(|scope| {
        let phone = scope.spawn(|| sam.vault.sync(&options));
        std::thread::sleep(Duration::from_millis(300));
        drop(hold);
        phone.join().unwrap()
    })
    .expect("the sync finishes once the server has room");
    assert_eq!(report.pushed, 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "it waited the Retry-After: {:?}",
        started.elapsed()
    );
    assert_eq!(sam.vault.sync_status().unwrap().pending, 0);
}
