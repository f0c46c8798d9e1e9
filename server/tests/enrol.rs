//! Enrolment: a code is single use and short-lived, a wrong code is refused,
//! revoking a device or its worker answers 403 `revoked`, and everything
//! survives a restart on the same data directory.

mod common;

use common::*;
use nightround_core::domain::{RecordKind, Role};
use nightround_core::sync::protocol::{EnrolResponse, ErrorCode};
use reqwest::StatusCode;
use serde_json::json;

fn enrol_body(code: &str) -> serde_json::Value {
    json!({"protocol": 2, "code": code, "device_name": "Sam's work phone"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_is_traded_once_for_a_working_token() {
    let t = TestServer::start().await;
    let admin = t.admin();
    let org = admin.create_organisation("Aspirations").unwrap();
    let worker = admin
        .create_worker(&org.id, "Sam", Role::OutreachWorker, None)
        .unwrap();
    let code = admin.create_enrolment_code(&worker.id).unwrap();
    assert_eq!(code.code.len(), 11, "two groups of five");
    assert_eq!(code.expires_at, t.now() + chrono::Duration::minutes(15));
    assert!(
        !format!("{code:?}").contains(&code.code),
        "Debug hides the code"
    );

    // Typed in lower case without the dash, it still works.
    let typed = code.code.replace('-', "").to_lowercase();
    let (status, body) = t.enrol_raw(&enrol_body(&typed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let resp: EnrolResponse = serde_json::from_value(body).unwrap();
    assert_eq!(resp.lease_days, 14);
    assert_eq!(resp.server_time, t.now());
    assert_eq!(resp.identity.worker_id, worker.id);
    assert_eq!(resp.identity.role, Role::OutreachWorker);
    assert_eq!(resp.identity.organisation, "Aspirations");
    assert_eq!(resp.identity.display_name, "Sam");
    assert_eq!(resp.token.len(), 43, "256 bits, base64url without padding");

    // Single use.
    let again = t.enrol_raw(&enrol_body(&code.code)).await;
    assert_error(&again, StatusCode::BAD_REQUEST, ErrorCode::EnrolmentInvalid);

    // The token works; the device is listed with its last sync.
    let devices = admin.devices().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device_id, resp.device_id);
    assert_eq!(devices[0].name, "Sam's work phone");
    assert_eq!(devices[0].last_sync_at, None);
    t.clock.advance(chrono::Duration::minutes(5));
    let (status, _) = t.pull_raw(&resp.token, "").await;
    assert_eq!(status, StatusCode::OK);
    let devices = admin.devices().unwrap();
    assert_eq!(devices[0].last_sync_at, Some(t.now()));
    assert!(!devices[0].revoked && !devices[0].lease_expired);

    // The token is stored only as a hash.
    let db = std::fs::read(t.server_db()).unwrap();
    let wal = std::fs::read(t.server_db().with_extension("db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes
            .windows(resp.token.len())
            .any(|w| w == resp.token.as_bytes()));
        let plain = code.code.replace('-', "");
        assert!(!bytes.windows(plain.len()).any(|w| w == plain.as_bytes()));
    }

    // A lease runs out on the supervisor's list after 14 days unsynced.
    t.clock.advance(chrono::Duration::days(15));
    assert!(admin.devices().unwrap()[0].lease_expired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_expired_and_malformed_enrolments_are_refused() {
    let t = TestServer::start().await;
    let admin = t.admin();
    let org = admin.create_organisation("Aspirations").unwrap();
    let worker = admin
        .create_worker(&org.id, "Sam", Role::OutreachWorker, None)
        .unwrap();
    let code = admin.create_enrolment_code(&worker.id).unwrap();
    let before = t.dump(false);

    for wrong in ["AAAAA-AAAAA", "not a code", "", "0000000000"] {
        let r = t.enrol_raw(&enrol_body(wrong)).await;
        assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::EnrolmentInvalid);
    }
    let r = t
        .enrol_raw(&json!({"protocol": 1, "code": code.code, "device_name": "x"}))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::UnsupportedProtocol);
    let r = t
        .enrol_raw(&json!({"protocol": 2, "code": code.code}))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::Malformed);
    let r = t
        .enrol_raw(&json!({"protocol": 2, "code": code.code, "device_name": "  "}))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::Malformed);
    assert_eq!(t.dump(false), before, "refused enrolments change nothing");

    // Valid until the fifteenth minute, not after.
    t.clock.advance(chrono::Duration::minutes(15));
    let r = t.enrol_raw(&enrol_body(&code.code)).await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::EnrolmentInvalid);
    let fresh = admin.create_enrolment_code(&worker.id).unwrap();
    t.clock
        .advance(chrono::Duration::minutes(14) + chrono::Duration::seconds(59));
    let (status, body) = t.enrol_raw(&enrol_body(&fresh.code)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_devices_and_workers_get_403_revoked() {
    let t = TestServer::start().await;
    let sam_phone = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let sam_id = sam_phone.identity.worker_id.clone();
    let code = t.admin().create_enrolment_code(&sam_id).unwrap();
    let (status, body) = t.enrol_raw(&enrol_body(&code.code)).await;
    assert_eq!(status, StatusCode::OK);
    let sam_tablet: EnrolResponse = serde_json::from_value(body).unwrap();
    let priya = t
        .device("Aspirations", "Priya", Role::OutreachWorker, None)
        .await;

    // No token, or an unknown one: 401.
    let resp = t.http.get(t.url("/v1/pull")).send().await.unwrap();
    assert_error(
        &read(resp).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    );
    let r = t.pull_raw("bm90LWEtdG9rZW4", "").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized);

    // Revoking one device shuts out that device only.
    t.admin().revoke_device(sam_phone.device_id).unwrap();
    let r = t.pull_raw(&sam_phone.token, "").await;
    assert_error(&r, StatusCode::FORBIDDEN, ErrorCode::Revoked);
    let body = person(&sam_phone.identity, "Jade", t.now());
    let push = serde_json::to_vec(&json!({"protocol": 2, "batch_id": uuid::Uuid::now_v7(),
        "changes": [change(RecordKind::Person, &sam_phone.version_at(t.now()), body)]}))
    .unwrap();
    let before = t.dump(false);
    let r = t.push_bytes(&sam_phone.token, push).await;
    assert_error(&r, StatusCode::FORBIDDEN, ErrorCode::Revoked);
    assert_eq!(t.dump(false), before, "a revoked push changes nothing");
    assert_eq!(t.pull_raw(&sam_tablet.token, "").await.0, StatusCode::OK);

    // Revoking the worker shuts out all her devices and her unused codes.
    let unused = t.admin().create_enrolment_code(&sam_id).unwrap();
    t.admin().revoke_worker(&sam_id).unwrap();
    let r = t.pull_raw(&sam_tablet.token, "").await;
    assert_error(&r, StatusCode::FORBIDDEN, ErrorCode::Revoked);
    let r = t.enrol_raw(&enrol_body(&unused.code)).await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::EnrolmentInvalid);
    assert!(matches!(
        t.admin().create_enrolment_code(&sam_id),
        Err(nightround_server::ServerError::WorkerRevoked)
    ));
    assert_eq!(t.pull_raw(&priya.token, "").await.0, StatusCode::OK);
    let listed = t.admin().devices().unwrap();
    assert_eq!(listed.iter().filter(|d| d.revoked).count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_survives_a_restart_on_the_same_data_directory() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let body = person(&sam.identity, "Jade", t.now());
    let id = id_of(&body);
    let v = sam.version_at(t.now());
    t.push_ok(&sam, vec![change(RecordKind::Person, &v, body.clone())])
        .await;
    let old_addr = t.server.addr();

    let t = t.restart().await;
    assert_ne!(t.server.addr().port(), 0);
    let _ = old_addr;
    // Sam's own phone is not sent its own record back; a colleague's is.
    assert!(t.pull_all(&sam).await.is_empty());
    let robin = t
        .device("Aspirations", "Robin", Role::OutreachWorker, None)
        .await;
    let pulled = t.pull_all(&robin).await;
    assert_eq!(pulled.len(), 1);
    assert_eq!(pulled[0].change.id, id);
    assert_eq!(pulled[0].change.body.as_ref(), Some(&body));
    // The (id, version) is still remembered.
    let acks = t
        .push(&sam, vec![change(RecordKind::Person, &v, body)])
        .await;
    assert_eq!(
        acks[0].status,
        nightround_core::sync::protocol::AckStatus::Duplicate
    );
    assert_eq!(t.admin().devices().unwrap().len(), 2, "Sam's and Robin's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_input_is_checked() {
    let t = TestServer::start().await;
    let admin = t.admin();
    let org = admin.create_organisation("HARP").unwrap();
    assert!(admin.create_organisation("harp").is_err(), "same id");
    assert!(admin.create_organisation("   ").is_err());
    assert!(admin
        .create_worker(&org.id, "Desk", Role::ReceivingAgency, None)
        .is_err());
    assert!(admin
        .create_worker(&org.id, "Desk", Role::ReceivingAgency, Some("nowhere"))
        .is_err());
    assert!(admin
        .create_worker(&org.id, "Sam", Role::OutreachWorker, Some("harp"))
        .is_err());
    let w = admin
        .create_worker("HARP", "Desk", Role::ReceivingAgency, Some("harp"))
        .unwrap();
    assert_eq!(w.agency_id.as_deref(), Some("harp"));
    assert!(admin.create_enrolment_code("no-such-worker").is_err());
    assert!(admin.revoke_device(uuid::Uuid::now_v7()).is_err());

    // The directory is seeded and only moves forward.
    let mut dir = admin.directory().unwrap();
    assert_eq!(dir, nightround_core::domain::Directory::southend_defaults());
    assert!(admin.set_directory(&dir).is_err(), "same revision");
    dir.revision += 1;
    dir.areas.pop();
    admin.set_directory(&dir).unwrap();
    assert_eq!(admin.directory().unwrap(), dir);
}
