//! A real server on loopback for the tests, devices enrolled through the real
//! API, records built from core's domain types, and a dump of the database
//! to prove that a refused request changed nothing.
#![allow(dead_code)]

use chrono::TimeZone;
use nightround_core::clock::ManualClock;
use nightround_core::domain::{
    Concern, ConcernCategory, Consent, ConsentMethod, Contact, ContactKind, InfoCategory, Person,
    RecordKind, Referral, ReferralStatus, Role, Severity, SupplyDrop, SupplyLine, SupplyPurpose,
    Urgency, WorkerIdentity,
};
use nightround_core::sync::protocol::{
    Ack, AckStatus, Change, EnrolRequest, EnrolResponse, ErrorBody, ErrorCode, PullResponse,
    PulledChange, PushRequest, PushResponse, PROTOCOL_VERSION,
};
use nightround_core::Timestamp;
use nightround_server::{Admin, RunningServer, ServerConfig};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use uuid::Uuid;

/// The evening every test starts on.
pub fn start_time() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 3, 2, 21, 0, 0).unwrap()
}

pub struct TestServer {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub http: reqwest::Client,
}

/// An enrolled phone.
#[derive(Debug, Clone)]
pub struct TestDevice {
    pub device_id: Uuid,
    pub token: String,
    pub identity: WorkerIdentity,
    node: String,
    counter: Arc<AtomicU32>,
}

impl TestDevice {
    /// The next version from this phone's clock, a little after `at`.
    pub fn version_at(&self, at: Timestamp) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        format!("{:013}-{:05}-{}", at.timestamp_millis(), n, self.node)
    }
}

/// The backend these tests run on: PostgreSQL when
/// `NIGHTROUND_TEST_BACKEND=postgres` (a fresh database per data directory
/// on the cluster `scripts/pg.sh` started), else SQLite. One test body, two
/// stores.
pub fn database_for(dir: &std::path::Path) -> Option<String> {
    nightround_server::store::postgres::testing::test_database(dir)
        .expect("a test database on NIGHTROUND_TEST_PG")
}

pub fn on_postgres() -> bool {
    std::env::var("NIGHTROUND_TEST_BACKEND").as_deref() == Ok("postgres")
}

/// Adds `n` rows of 40 other organisations after the last stored seq, by
/// direct inserts with no bodies (a pull that opened one would fail), and
/// moves the sequence counter past them, as pushes would have: a large
/// history cheaply, for the pull-cost test and bench.
pub fn fill_with_others(t: &TestServer, n: u64) {
    let base: u64 = t.sql("SELECT COALESCE(MAX(seq), 0) FROM records")[0][0]
        .parse()
        .expect("a seq");
    let not_deleted = if on_postgres() { "FALSE" } else { "0" };
    t.sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
         INSERT INTO records (id, kind, version, seq, organisation_id, author_worker_id,
             person_id, tombstone, body)
         SELECT 'other-{base}-' || i, 'contact', 'v', {base} + i, 'Other ' || (i % 40),
             'worker-' || (i % 40), 'woman-' || (i % 997), {not_deleted}, NULL FROM n"
    ));
    let counter = if on_postgres() { "num" } else { "value" };
    t.sql(&format!(
        "UPDATE server_meta SET {counter} = (SELECT MAX(seq) FROM records)
         WHERE name = 'last_seq'"
    ));
}

pub fn config(dir: &std::path::Path, clock: &Arc<ManualClock>) -> ServerConfig {
    ServerConfig::new(dir, "127.0.0.1:0".parse().unwrap())
        .with_database(database_for(dir))
        .plain_http()
        .with_clock(clock.clone())
        // The tests move the clock and run watchdog steps themselves.
        .with_watchdog_every(std::time::Duration::from_secs(3600))
}

impl TestServer {
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start_time()));
        let server = nightround_server::start(config(dir.path(), &clock))
            .await
            .unwrap();
        TestServer {
            server,
            dir,
            clock,
            http: reqwest::Client::new(),
        }
    }

    /// Stops the server and starts a new one on the same data directory.
    pub async fn restart(self) -> TestServer {
        let TestServer {
            server,
            dir,
            clock,
            http,
        } = self;
        server.shutdown().await.unwrap();
        let server = nightround_server::start(config(dir.path(), &clock))
            .await
            .unwrap();
        TestServer {
            server,
            dir,
            clock,
            http,
        }
    }

    pub fn admin(&self) -> &Admin {
        self.server.admin()
    }

    pub fn now(&self) -> Timestamp {
        use nightround_core::clock::Clock;
        self.clock.now()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// Makes the organisation if needed, a worker, a code, and enrols.
    pub async fn device(
        &self,
        org: &str,
        name: &str,
        role: Role,
        agency: Option<&str>,
    ) -> TestDevice {
        let admin = self.admin();
        let org = match admin.find_organisation(org) {
            Ok(o) => o,
            Err(_) => admin.create_organisation(org).unwrap(),
        };
        let worker = admin.create_worker(&org.id, name, role, agency).unwrap();
        let code = admin.create_enrolment_code(&worker.id).unwrap();
        let (status, body) = self
            .enrol_raw(
                &serde_json::to_value(EnrolRequest {
                    protocol: PROTOCOL_VERSION,
                    code: code.code,
                    device_name: format!("{name}'s phone"),
                })
                .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let resp: EnrolResponse = serde_json::from_value(body).unwrap();
        TestDevice {
            device_id: resp.device_id,
            token: resp.token,
            identity: resp.identity,
            node: format!("{:08x}", rand_node()),
            counter: Arc::new(AtomicU32::new(0)),
        }
    }

    pub async fn enrol_raw(&self, body: &Value) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.url("/v1/enrol"))
            .json(body)
            .send()
            .await
            .unwrap();
        read(resp).await
    }

    /// Posts raw bytes to /v1/push.
    pub async fn push_bytes(&self, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.url("/v1/push"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        read(resp).await
    }

    pub async fn push_request(&self, dev: &TestDevice, req: &PushRequest) -> (StatusCode, Value) {
        self.push_bytes(&dev.token, serde_json::to_vec(req).unwrap())
            .await
    }

    /// Pushes changes in one batch and returns the acks.
    pub async fn push(&self, dev: &TestDevice, changes: Vec<Change>) -> Vec<Ack> {
        let req = PushRequest {
            protocol: PROTOCOL_VERSION,
            batch_id: Uuid::now_v7(),
            changes,
        };
        let (status, body) = self.push_request(dev, &req).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let resp: PushResponse = serde_json::from_value(body).unwrap();
        assert_eq!(resp.acks.len(), req.changes.len());
        resp.acks
    }

    /// Pushes and asserts every change was applied.
    pub async fn push_ok(&self, dev: &TestDevice, changes: Vec<Change>) {
        for ack in self.push(dev, changes).await {
            assert_eq!(ack.status, AckStatus::Applied, "{ack:?}");
        }
    }

    /// A pull as a current app makes it: `protocol=2` is added to `query`
    /// unless it names a protocol itself.
    /// Another device of `of`'s organisation, an outreach worker: what `of`
    /// pushed reaches it (a device is not sent its own pushes back).
    pub async fn colleague(&self, of: &TestDevice) -> TestDevice {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        self.device(
            &of.identity.organisation,
            &format!("Colleague {n}"),
            Role::OutreachWorker,
            None,
        )
        .await
    }

    pub async fn pull_raw(&self, token: &str, query: &str) -> (StatusCode, Value) {
        let query = if query.contains("protocol=") {
            query.to_owned()
        } else if query.contains('?') {
            format!("{query}&protocol={PROTOCOL_VERSION}")
        } else {
            format!("?protocol={PROTOCOL_VERSION}")
        };
        let resp = self
            .http
            .get(self.url(&format!("/v1/pull{query}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        read(resp).await
    }

    pub async fn pull_page(
        &self,
        dev: &TestDevice,
        cursor: u64,
        limit: usize,
        dir_rev: u32,
    ) -> PullResponse {
        let (status, body) = self
            .pull_raw(
                &dev.token,
                &format!("?cursor={cursor}&limit={limit}&directory_revision={dir_rev}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// Every page from `cursor` on; returns the changes and the final cursor.
    pub async fn pull_from(&self, dev: &TestDevice, mut cursor: u64) -> (Vec<PulledChange>, u64) {
        let mut out = Vec::new();
        loop {
            let page = self.pull_page(dev, cursor, 500, u32::MAX).await;
            out.extend(page.changes);
            cursor = page.next_cursor;
            if !page.more {
                return (out, cursor);
            }
        }
    }

    pub async fn pull_all(&self, dev: &TestDevice) -> Vec<PulledChange> {
        self.pull_from(dev, 0).await.0
    }

    /// Every row of every table, as text, sorted: equal dumps mean nothing
    /// changed. `skip_sync_times` leaves out devices' last sync.
    pub fn dump(&self, skip_sync_times: bool) -> Vec<String> {
        if let Some(url) = self.database() {
            return nightround_server::store::postgres::testing::dump(&url, skip_sync_times)
                .unwrap();
        }
        let conn = rusqlite::Connection::open(self.server_db()).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let mut out = Vec::new();
        for t in tables {
            let mut stmt = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
            let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
            let rows = stmt
                .query_map([], |r| {
                    let mut cells = Vec::new();
                    for (i, name) in names.iter().enumerate() {
                        if skip_sync_times && t == "devices" && name == "last_sync_at" {
                            continue;
                        }
                        cells.push(format!("{name}={:?}", r.get_ref(i).unwrap()));
                    }
                    Ok(format!("{t}: {}", cells.join(", ")))
                })
                .unwrap()
                .map(|r| r.unwrap())
                .collect::<Vec<_>>();
            out.extend(rows);
        }
        out.sort();
        out
    }

    /// The SQLite file (used only when [`TestServer::database`] is `None`).
    pub fn server_db(&self) -> std::path::PathBuf {
        self.dir.path().join("nightround-server.db")
    }

    /// The PostgreSQL database this server uses, if it is on PostgreSQL.
    pub fn database(&self) -> Option<String> {
        database_for(self.dir.path())
    }

    /// Runs SQL (no parameters; write it for both backends) on the server's
    /// database and returns the rows as text.
    pub fn sql(&self, sql: &str) -> Vec<Vec<String>> {
        nightround_server::store::postgres::testing::sql_either(
            self.database().as_deref(),
            &self.server_db(),
            sql,
        )
        .unwrap()
    }

    /// Rows in the history table for a record.
    pub fn history_len(&self, id: Uuid) -> usize {
        self.sql(&format!(
            "SELECT COUNT(*) FROM record_history WHERE id = '{id}'"
        ))[0][0]
            .parse()
            .unwrap()
    }
}

fn rand_node() -> u32 {
    let b = nightround_core::crypto::random::array::<4>();
    u32::from_be_bytes(b)
}

pub async fn read(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

/// Asserts a protocol error body with this status and code.
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: ErrorCode) {
    assert_eq!(got.0, status, "{}", got.1);
    let body: ErrorBody = serde_json::from_value(got.1.clone()).expect("an error body");
    assert_eq!(body.error, code, "{}", body.message);
    assert!(!body.message.is_empty());
}

/// A change carrying `body` (its id is the body's).
pub fn change(kind: RecordKind, version: &str, body: Value) -> Change {
    let id = body["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap();
    Change::new(kind, id, version.into(), false, Some(body))
}

pub fn tombstone(kind: RecordKind, id: Uuid, version: &str) -> Change {
    Change::new(kind, id, version.into(), true, None)
}

pub fn id_of(body: &Value) -> Uuid {
    Uuid::parse_str(body["id"].as_str().unwrap()).unwrap()
}

pub fn person(by: &WorkerIdentity, alias: &str, at: Timestamp) -> Value {
    serde_json::to_value(Person {
        id: Uuid::now_v7(),
        alias: alias.into(),
        description: None,
        birth_year: None,
        registered_with_outreach: true,
        prefers_female_worker: true,
        key_worker: None,
        created_at: at,
        updated_at: at,
        recorded_by: by.clone(),
    })
    .unwrap()
}

pub fn contact(
    by: &WorkerIdentity,
    person: Option<Uuid>,
    kind: ContactKind,
    at: Timestamp,
) -> Value {
    serde_json::to_value(Contact {
        id: Uuid::now_v7(),
        person_id: person,
        at,
        area_id: "ambleside_drive".into(),
        kind,
        wellbeing: Vec::new(),
        note: Some("Took a leaflet".into()),
        supplies: vec![SupplyLine {
            item_id: "condoms".into(),
            quantity: 5,
        }],
        safeguarding: None,
        recorded_by: by.clone(),
    })
    .unwrap()
}

/// The contact kind a role records.
pub fn contact_kind_for(role: Role) -> ContactKind {
    if role == Role::PoliceOfficer {
        ContactKind::PoliceWelfareCheck
    } else {
        ContactKind::OutreachConversation
    }
}

pub fn supply_drop(by: &WorkerIdentity, at: Timestamp) -> Value {
    serde_json::to_value(SupplyDrop {
        id: Uuid::now_v7(),
        at,
        area_id: "york_road".into(),
        purpose: SupplyPurpose::RestockDropPoint,
        lines: vec![SupplyLine {
            item_id: "condoms".into(),
            quantity: 40,
        }],
        recorded_by: by.clone(),
    })
    .unwrap()
}

pub fn concern(by: &WorkerIdentity, alert_until: Option<Timestamp>, at: Timestamp) -> Value {
    serde_json::to_value(Concern {
        id: Uuid::now_v7(),
        category: ConcernCategory::DangerousVehicle,
        description: "Silver hatchback, driver tried to pull a woman in".into(),
        vehicle: None,
        area_id: "ambleside_drive".into(),
        at,
        severity: Severity::High,
        alert_until,
        police_consent: true,
        reported_by: None,
        recorded_by: by.clone(),
    })
    .unwrap()
}

pub fn consent(
    by: &WorkerIdentity,
    person: Uuid,
    agency: &str,
    review_at: Timestamp,
    withdrawn_at: Option<Timestamp>,
    at: Timestamp,
) -> Value {
    serde_json::to_value(Consent {
        id: Uuid::now_v7(),
        person_id: person,
        agency_id: agency.into(),
        method: ConsentMethod::Verbal,
        taken_by: by.clone(),
        given_at: at,
        covers: vec![InfoCategory::ContactDetails, InfoCategory::Housing],
        review_at,
        withdrawn_at,
    })
    .unwrap()
}

pub fn referral(
    by: &WorkerIdentity,
    person: Uuid,
    agency: &str,
    consent: Uuid,
    status: ReferralStatus,
    at: Timestamp,
) -> Value {
    serde_json::to_value(Referral {
        id: Uuid::now_v7(),
        person_id: person,
        agency_id: agency.into(),
        needs: "Somewhere safe to stay tonight".into(),
        urgency: Urgency::Red,
        consent_id: consent,
        created_at: at,
        due_at: at + chrono::Duration::hours(24),
        status,
        history: Vec::new(),
        recorded_by: by.clone(),
    })
    .unwrap()
}

/// A lone-worker round started at `at`, checking in every `minutes`.
pub fn round(
    by: &WorkerIdentity,
    buddy: Option<&WorkerIdentity>,
    at: Timestamp,
    minutes: u32,
    expected_end: Timestamp,
) -> nightround_core::domain::Round {
    nightround_core::domain::Round {
        id: Uuid::now_v7(),
        started_at: at,
        expected_end,
        check_in_minutes: minutes,
        buddy: buddy.map(|b| nightround_core::domain::TeamMember {
            worker_id: b.worker_id.clone(),
            display_name: b.display_name.clone(),
            role: b.role,
        }),
        area_id: Some("york_road".into()),
        ended_at: None,
        recorded_by: by.clone(),
        watch: None,
    }
}

/// A check-in (or, with `help`, a help call) made at `at`.
pub fn check_in(
    by: &WorkerIdentity,
    round: Option<Uuid>,
    help: bool,
    at: Timestamp,
) -> nightround_core::domain::CheckIn {
    use nightround_core::domain::CheckInKind;
    nightround_core::domain::CheckIn {
        id: Uuid::now_v7(),
        round_id: round,
        kind: if help {
            CheckInKind::NeedHelp
        } else {
            CheckInKind::AllRight
        },
        made_at: at,
        area_id: Some("ambleside_drive".into()),
        alert_until: help.then(|| at + chrono::Duration::hours(12)),
        recorded_by: by.clone(),
    }
}
