//! The dashboard over HTTP, without a browser: sign-in with Argon2id, the
//! session cookie's flags, CSRF and cross-site refusals, sign-in delays, the idle
//! timeout, the policy table on every page, changes through the sync write
//! path, CSV export and the audit chain. The browser tests
//! (`dashboard_browser.rs`) do the same journeys in Chromium.

mod common;

use common::{change, consent, contact, id_of, person, referral, TestServer};
use nightround_core::domain::{ContactKind, RecordKind, ReferralStatus, Role};
use nightround_server::dashboard::accounts;
use nightround_server::store::open::{open_backend, Backend};
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::sync::Arc;

const PASSWORD: &str = "a long enough password";

/// `application/x-www-form-urlencoded`, as a browser sends a form.
fn urlencoded(form: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    char::from(b).to_string()
                }
                b' ' => "+".into(),
                b => format!("%{b:02X}"),
            })
            .collect()
    };
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A browser stand-in: keeps cookies, does not follow redirects.
struct Web {
    http: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The first hidden CSRF token on the page.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find(r#"name="csrf" value=""#)
            .expect("a form with a CSRF token");
        let rest = &self.body[at + r#"name="csrf" value=""#.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

impl Web {
    fn new(server: &TestServer) -> Web {
        Web {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: server.url(""),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, resp: reqwest::Response) -> Page {
        let status = resp.status();
        let headers = resp.headers().clone();
        for c in headers.get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        Page {
            status,
            headers,
            body: resp.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.read(resp).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(urlencoded(form))
            .send()
            .await
            .unwrap();
        self.read(resp).await
    }

    async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/sign-in").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        self.post(
            "/sign-in",
            &[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }
}

/// A worker with a dashboard account.
fn account(
    s: &TestServer,
    org: &str,
    name: &str,
    role: Role,
    agency: Option<&str>,
    username: &str,
) {
    let admin = s.admin();
    let org = admin
        .find_organisation(org)
        .or_else(|_| admin.create_organisation(org))
        .unwrap();
    let w = admin.create_worker(&org.id, name, role, agency).unwrap();
    // The account is made through a second connection on the data directory,
    // as `nightround-server admin dashboard-account` does.
    let config = common::config(s.dir.path(), &s.clock);
    accounts::create_in_data_dir(&config, &w.id, username, Some(PASSWORD)).unwrap();
}

fn dashboard_store(s: &TestServer) -> Arc<dyn Backend> {
    let config = common::config(s.dir.path(), &s.clock);
    let paths = config.paths();
    let keys = nightround_server::keys::load_or_create(&paths).unwrap();
    open_backend(
        config.database.as_deref(),
        &paths.database(),
        keys.records,
        s.now(),
    )
    .unwrap()
}

#[tokio::test]
async fn sign_in_sets_a_strict_session_cookie_and_sign_out_ends_it() {
    let s = TestServer::start().await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    let mut web = Web::new(&s);

    // Not signed in: every page sends you to sign in.
    let p = web.get("/tonight").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/sign-in");

    let p = web.sign_in("dee", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/tonight");
    let set: Vec<&str> = p
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = set.iter().find(|c| c.starts_with("nr_session=")).unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    assert!(!session.contains("Secure"), "plain HTTP on loopback");

    for page in [
        "/tonight",
        "/people",
        "/referrals",
        "/alerts",
        "/supplies",
        "/devices",
        "/audit",
        "/report",
        "/report/print",
    ] {
        let p = web.get(page).await;
        assert_eq!(p.status, StatusCode::OK, "{page}: {}", p.body);
        let csp = p.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{page}");
        assert_eq!(p.headers["cache-control"], "no-store", "{page}");
        assert!(p.body.contains(r#"<main id="main""#), "{page}");
    }

    let csrf = web.get("/tonight").await.csrf();
    let p = web.post("/sign-out", &[("csrf", csrf.as_str())]).await;
    assert_eq!(p.location(), "/sign-in");
    // The old cookie no longer works even if replayed.
    let p = web.get("/tonight").await;
    assert_eq!(p.location(), "/sign-in");
}

#[tokio::test]
async fn wrong_passwords_are_refused_and_five_make_that_client_wait() {
    let s = TestServer::start().await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    let mut web = Web::new(&s);

    let p = web.sign_in("nobody", PASSWORD).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("The username or password is wrong."));
    for i in 1..=5 {
        let p = web.sign_in("dee", "not the password").await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(!web.cookies.contains_key("nr_session"));
        if i == 5 {
            assert!(p.body.contains("Please wait until"), "{}", p.body);
        }
    }
    // Waiting: even the right password is refused from here, without being
    // checked (another client is not held up: tests/hardening.rs).
    let p = web.sign_in("dee", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.body.contains("wait"));
    s.clock.advance(chrono::Duration::minutes(16));
    let p = web.sign_in("dee", PASSWORD).await;
    assert_eq!(p.location(), "/tonight");

    // Every attempt is in the audit log; no password or username typed is.
    let log = dashboard_store(&s).audit_entries(100, None).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "sign_in_failed").count(),
        6
    );
    assert!(actions.contains(&"sign_in_delayed"));
    assert!(actions.contains(&"sign_in_refused_waiting"));
    assert_eq!(actions[0], "sign_in");
    for e in &log {
        let text = format!("{e:?}");
        assert!(!text.contains("not the password") && !text.contains("nobody"));
    }
}

#[tokio::test]
async fn forged_or_missing_csrf_tokens_and_cross_site_posts_change_nothing() {
    let s = TestServer::start().await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    let worker = s.admin().workers().unwrap()[0].id.clone();
    let mut web = Web::new(&s);

    // The sign-in form needs its own token and the cookie it is tied to.
    web.get("/sign-in").await;
    let p = web
        .post(
            "/sign-in",
            &[
                ("csrf", "forged"),
                ("username", "dee"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(!web.cookies.contains_key("nr_session"));

    web.sign_in("dee", PASSWORD).await;
    let before = dashboard_store(&s).audit_entries(1000, None).unwrap().len();
    for token in ["", "forged", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
        let p = web
            .post(
                "/devices/enrol",
                &[("csrf", token), ("worker", worker.as_str())],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{token:?}");
        assert!(p.body.contains("nothing was changed"));
    }
    // A cross-site form with the right token is refused by its Origin.
    let csrf = web.get("/devices").await.csrf();
    let resp = web
        .http
        .post(format!("{}/devices/enrol", web.base))
        .header(COOKIE, web.cookie_header())
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(urlencoded(&[
            ("csrf", csrf.as_str()),
            ("worker", worker.as_str()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let after = dashboard_store(&s).audit_entries(1000, None).unwrap();
    assert!(
        after.len() - before <= 3,
        "page views only: {:?}",
        &after[..after.len() - before]
    );
    assert!(!after.iter().any(|e| e.action == "enrolment_code_created"));

    // The right token from this page works.
    let p = web
        .post(
            "/devices/enrol",
            &[("csrf", csrf.as_str()), ("worker", worker.as_str())],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(r#"id="enrolment-code""#));
    assert!(p.body.contains("<svg"), "the QR code");
}

#[tokio::test]
async fn an_idle_session_ends_after_fifteen_minutes() {
    let s = TestServer::start().await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    let mut web = Web::new(&s);
    web.sign_in("dee", PASSWORD).await;
    s.clock.advance(chrono::Duration::minutes(14));
    assert_eq!(web.get("/tonight").await.status, StatusCode::OK);
    s.clock.advance(chrono::Duration::minutes(14));
    assert_eq!(web.get("/tonight").await.status, StatusCode::OK);
    s.clock.advance(chrono::Duration::minutes(16));
    let p = web.get("/tonight").await;
    assert_eq!(p.location(), "/sign-in?expired=1");
    assert!(web
        .get("/sign-in?expired=1")
        .await
        .body
        .contains("without activity"));
}

#[tokio::test]
async fn every_page_shows_only_what_the_role_may_see() {
    let s = TestServer::start().await;
    let now = s.now();
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let v = |at| sam.version_at(at);
    let jade = person(&sam.identity, "Jade", now);
    let kim = person(&sam.identity, "Kim", now);
    let (jade_id, kim_id) = (id_of(&jade), id_of(&kim));
    let c1 = contact(
        &sam.identity,
        Some(jade_id),
        ContactKind::OutreachConversation,
        now,
    );
    let to_stars = consent(
        &sam.identity,
        jade_id,
        "stars",
        now + chrono::Duration::days(90),
        None,
        now,
    );
    let to_harp = consent(
        &sam.identity,
        kim_id,
        "harp",
        now + chrono::Duration::days(90),
        None,
        now,
    );
    let r_stars = referral(
        &sam.identity,
        jade_id,
        "stars",
        id_of(&to_stars),
        ReferralStatus::Queued,
        now,
    );
    let r_harp = referral(
        &sam.identity,
        kim_id,
        "harp",
        id_of(&to_harp),
        ReferralStatus::Queued,
        now,
    );
    let r_stars_id = id_of(&r_stars);
    s.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &v(now), jade),
            change(RecordKind::Person, &v(now), kim),
            change(RecordKind::Contact, &v(now), c1),
            change(RecordKind::Consent, &v(now), to_stars),
            change(RecordKind::Consent, &v(now), to_harp),
            change(RecordKind::Referral, &v(now), r_stars),
            change(RecordKind::Referral, &v(now), r_harp.clone()),
        ],
    )
    .await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    account(
        &s,
        "STARS",
        "STARS desk",
        Role::ReceivingAgency,
        Some("stars"),
        "stars",
    );
    account(
        &s,
        "Essex Police",
        "PC Hart",
        Role::PoliceOfficer,
        None,
        "hart",
    );
    account(&s, "The Vineyard", "Vi", Role::Supervisor, None, "vi");

    // The supervisor of the organisation sees both women and both referrals.
    let mut dee = Web::new(&s);
    dee.sign_in("dee", PASSWORD).await;
    let people = dee.get("/people").await.body;
    assert!(people.contains("Jade") && people.contains("Kim"));
    let board = dee.get("/referrals").await.body;
    assert!(board.contains("STARS") && board.contains("HARP"));
    assert!(dee.get("/tonight").await.body.contains("Jade"));

    // The STARS desk sees Jade's referral to STARS, not Kim's to HARP, no
    // contacts, and none of the supervisor's pages.
    let mut stars = Web::new(&s);
    stars.sign_in("stars", PASSWORD).await;
    let board = stars.get("/referrals").await.body;
    assert!(board.contains("Jade"));
    assert!(!board.contains("Kim") && !board.contains("HARP"));
    let people = stars.get("/people").await.body;
    assert!(people.contains("Jade") && !people.contains("Kim"));
    assert!(!stars
        .get("/tonight")
        .await
        .body
        .contains("id=\"contacts-table\""));
    for page in ["/devices", "/audit", "/report", "/alerts", "/supplies"] {
        assert_eq!(
            stars.get(page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
    assert_eq!(
        stars.get(&format!("/people/{kim_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let nav = stars.get("/referrals").await.body;
    assert!(!nav.contains(r#"href="/devices""#));

    // The police officer sees neither woman (no consent to the police).
    let mut hart = Web::new(&s);
    hart.sign_in("hart", PASSWORD).await;
    let people = hart.get("/people").await.body;
    assert!(!people.contains("Jade") && !people.contains("Kim"));
    assert!(!hart.get("/referrals").await.body.contains("Jade"));
    assert_eq!(
        hart.get(&format!("/people/{jade_id}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Another organisation's supervisor sees none of it.
    let mut vi = Web::new(&s);
    vi.sign_in("vi", PASSWORD).await;
    assert!(!vi.get("/people").await.body.contains("Jade"));
    assert!(!vi.get("/report/summary.csv").await.body.contains(",1\r\n"));

    // STARS acknowledges on the dashboard: through the sync write path, so
    // Sam's phone pulls the new status.
    let csrf = stars.get("/referrals").await.csrf();
    let p = stars
        .post(
            &format!("/referrals/{r_stars_id}/status"),
            &[("csrf", csrf.as_str()), ("status", "acknowledged")],
        )
        .await;
    assert_eq!(p.location(), "/referrals?done=acknowledged", "{}", p.body);
    let pulled = s.pull_all(&sam).await;
    let back = pulled
        .iter()
        .rev()
        .find(|c| c.change.id == r_stars_id)
        .unwrap();
    assert_eq!(back.change.body.as_ref().unwrap()["status"], "acknowledged");
    // STARS may not acknowledge HARP's referral, even by guessing its id.
    // (Sam's phone pushed it, so its pull does not send it back.)
    let r_harp_id = id_of(&r_harp);
    let p = stars
        .post(
            &format!("/referrals/{r_harp_id}/status"),
            &[("csrf", csrf.as_str()), ("status", "acknowledged")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // Reading a person's record is audited, by id.
    dee.get(&format!("/people/{jade_id}")).await;
    let log = dashboard_store(&s).audit_entries(100, None).unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "view_person" && e.subject.as_deref() == Some(&jade_id.to_string())));
    assert!(log.iter().all(|e| !format!("{e:?}").contains("Jade")));
}

#[tokio::test]
async fn overdue_referrals_are_red_and_csv_and_audit_chain_work() {
    let s = TestServer::start().await;
    let now = s.now();
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let jade = person(&sam.identity, "Jade", now);
    let jade_id = id_of(&jade);
    let to_harp = consent(
        &sam.identity,
        jade_id,
        "harp",
        now + chrono::Duration::days(90),
        None,
        now,
    );
    let r = referral(
        &sam.identity,
        jade_id,
        "harp",
        id_of(&to_harp),
        ReferralStatus::Queued,
        now,
    );
    let r_id = id_of(&r);
    s.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &sam.version_at(now), jade),
            change(RecordKind::Consent, &sam.version_at(now), to_harp),
            change(RecordKind::Referral, &sam.version_at(now), r),
        ],
    )
    .await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    let mut dee = Web::new(&s);
    dee.sign_in("dee", PASSWORD).await;
    let card = format!(r#"id="referral-{r_id}" data-overdue="false""#);
    assert!(dee.get("/referrals").await.body.contains(&card));

    // A day and a bit later the red referral is overdue, and can be escalated.
    s.clock.advance(chrono::Duration::hours(25));
    dee.sign_in("dee", PASSWORD).await;
    let board = dee.get("/referrals").await;
    assert!(board
        .body
        .contains(&format!(r#"class="card overdue" id="referral-{r_id}""#)));
    assert!(board.body.contains("OVERDUE"));
    let csrf = board.csrf();
    let p = dee
        .post(
            &format!("/referrals/{r_id}/escalate"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(p.location(), "/referrals?done=escalated");
    assert!(dee.get("/referrals").await.body.contains("ESCALATED"));

    // CSV: the agencies table of the board report.
    let csv = dee.get("/report/agencies.csv").await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"nightround-agencies-"));
    assert!(csv.body.starts_with("Agency,Made,Of which red,"));
    assert!(csv.body.contains("HARP,1,1,0,0,0,1\r\n"), "{}", csv.body);
    assert_eq!(
        dee.get("/report/nothing.csv").await.status,
        StatusCode::NOT_FOUND
    );

    // The audit page verifies the chain; an edit outside the server shows.
    let p = dee.get("/audit?verify=1").await;
    assert!(p.body.contains("The chain is intact"), "{}", p.body);
    assert!(p.body.contains("changed a record (sync)"));
    s.sql("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2");
    let p = dee.get("/audit?verify=1").await;
    assert!(
        p.body.contains("The chain is broken at entry 2"),
        "{}",
        p.body
    );
}

#[tokio::test]
async fn an_alert_issued_on_the_dashboard_reaches_the_phones_and_can_be_ended() {
    let s = TestServer::start().await;
    let police = s
        .device("Essex Police", "PC Hart", Role::PoliceOfficer, None)
        .await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    let mut dee = Web::new(&s);
    dee.sign_in("dee", PASSWORD).await;
    let csrf = dee.get("/alerts").await.csrf();
    let p = dee
        .post(
            "/alerts",
            &[
                ("csrf", csrf.as_str()),
                ("category", "dangerous_vehicle"),
                ("severity", "high"),
                ("area", "york_road"),
                ("days", "3"),
                (
                    "description",
                    "Blue van, driver offered lifts and would not leave",
                ),
                ("colour", "blue"),
                ("make", "van"),
                ("registration", "ex12"),
                ("police_consent", "on"),
            ],
        )
        .await;
    assert_eq!(p.location(), "/alerts?done=alert-issued", "{}", p.body);
    let page = dee.get("/alerts").await.body;
    assert!(page.contains("Blue van") && page.contains("EX12"));

    // The police phone (another organisation) pulls the team alert.
    let pulled = s.pull_all(&police).await;
    let alert = pulled
        .iter()
        .find(|c| c.change.kind == RecordKind::Concern)
        .expect("the alert reaches the police phone");
    let id = alert.change.id;
    assert_eq!(
        alert.change.body.as_ref().unwrap()["recorded_by"]["display_name"],
        "Dee"
    );

    // Out of range or unknown values are refused with words, nothing stored.
    let p = dee
        .post(
            "/alerts",
            &[
                ("csrf", csrf.as_str()),
                ("category", "dangerous_vehicle"),
                ("severity", "high"),
                ("area", "york_road"),
                ("days", "365"),
                ("description", "x"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("between 1 and 90 days"));

    // She ends it: a new version, so no phone shows it as active any more.
    let p = dee
        .post(&format!("/alerts/{id}/end"), &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(p.location(), "/alerts?done=alert-ended", "{}", p.body);
    let page = dee.get("/alerts").await.body;
    assert!(page.contains("Active (0)"));
    // The police phone drops it on its next pull (protocol version 2).
    let page = s.pull_page(&police, 0, 500, u32::MAX).await;
    assert!(page.changes.iter().all(|c| c.change.id != id));
    assert!(
        page.retract
            .iter()
            .any(|r| r.id == id && r.fields.is_none()),
        "{:?}",
        page.retract
    );
    let audit = dashboard_store(&s).audit_entries(50, None).unwrap();
    assert!(audit.iter().any(|e| e.action == "alert_issued"));
    assert!(audit.iter().any(|e| e.action == "alert_ended"));
}

#[tokio::test]
async fn a_supervisor_adds_a_worker_and_gives_her_a_sign_in() {
    let s = TestServer::start().await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    let mut dee = Web::new(&s);
    dee.sign_in("dee", PASSWORD).await;
    let csrf = dee.get("/devices").await.csrf();
    let p = dee
        .post(
            "/devices/workers",
            &[
                ("csrf", csrf.as_str()),
                ("name", "Robin"),
                ("role", "outreach_worker"),
                ("agency", ""),
            ],
        )
        .await;
    assert_eq!(p.location(), "/devices?done=worker-added");
    let robin = s
        .admin()
        .workers()
        .unwrap()
        .into_iter()
        .find(|w| w.display_name == "Robin")
        .unwrap();
    assert_eq!(robin.organisation_id, "aspirations");
    let p = dee
        .post(
            "/devices/accounts",
            &[
                ("csrf", csrf.as_str()),
                ("worker", robin.id.as_str()),
                ("username", "robin"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let at = p.body.find(r#"id="new-password">"#).unwrap() + r#"id="new-password">"#.len();
    let password = p.body[at..at + 19].to_owned();
    assert_eq!(password.matches('-').count(), 3, "{password}");
    // She signs in with it, and sees no supervisor's pages.
    let mut robin_web = Web::new(&s);
    let p = robin_web.sign_in("robin", &password).await;
    assert_eq!(p.location(), "/tonight");
    assert_eq!(
        robin_web.get("/devices").await.status,
        StatusCode::FORBIDDEN
    );
    // A supervisor cannot reach into another organisation's workers.
    let other = s
        .admin()
        .create_organisation("The Vineyard")
        .and_then(|o| {
            s.admin()
                .create_worker(&o.id, "Jo", Role::OutreachWorker, None)
        })
        .unwrap();
    let p = dee
        .post(
            "/devices/enrol",
            &[("csrf", csrf.as_str()), ("worker", other.id.as_str())],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_the_session_cookie_is_secure_and_the_qr_code_pins_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(nightround_core::clock::ManualClock::new(
        common::start_time(),
    ));
    let config = nightround_server::ServerConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap())
        .with_clock(clock.clone());
    let server = nightround_server::start(config.clone()).await.unwrap();
    let pem = server.tls_cert_pem().unwrap().to_owned();
    let fingerprint = server.tls_fingerprint().unwrap().to_owned();
    let org = server.admin().create_organisation("Aspirations").unwrap();
    let w = server
        .admin()
        .create_worker(&org.id, "Dee", Role::Supervisor, None)
        .unwrap();
    accounts::create_in_data_dir(&config, &w.id, "dee", Some(PASSWORD)).unwrap();
    let mut web = Web {
        http: reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()])
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: server.base_url(),
        cookies: BTreeMap::new(),
    };
    let p = web.sign_in("dee", PASSWORD).await;
    assert_eq!(p.location(), "/tonight");
    let session = p
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("nr_session="))
        .unwrap();
    assert!(session.ends_with("; Secure"), "{session}");
    let csrf = web.get("/devices").await.csrf();
    let p = web
        .post(
            "/devices/enrol",
            &[("csrf", csrf.as_str()), ("worker", w.id.as_str())],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    let encoded_fp = fingerprint.replace(':', "%3A");
    assert!(
        p.body.contains(&format!("cert_sha256={encoded_fp}<")),
        "the QR code names the certificate to pin: {}",
        &p.body[p.body.find("QR code of").unwrap_or(0)..][..300]
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_missed_round_bannered_acknowledged_and_counted_for_the_board() {
    let s = TestServer::start().await;
    let now = s.now();
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let r = common::round(
        &sam.identity,
        None,
        now,
        30,
        now + chrono::Duration::hours(3),
    );
    s.push_ok(
        &sam,
        vec![change(
            RecordKind::Round,
            &sam.version_at(now),
            serde_json::to_value(&r).unwrap(),
        )],
    )
    .await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    account(
        &s,
        "Aspirations",
        "Priya",
        Role::OutreachWorker,
        None,
        "priya",
    );
    let mut dee = Web::new(&s);
    dee.sign_in("dee", PASSWORD).await;
    assert!(!dee
        .get("/tonight")
        .await
        .body
        .contains("section class=\"safety\""));

    s.clock.advance(chrono::Duration::minutes(45));
    assert_eq!(s.server.watchdog_step().unwrap().len(), 1);
    dee.sign_in("dee", PASSWORD).await;
    let mut csrf = String::new();
    for page in ["/tonight", "/people", "/referrals", "/report"] {
        let p = dee.get(page).await;
        assert!(p.body.contains("Sam has missed a check-in"), "{page}");
        csrf = p.csrf();
    }
    // Only a supervisor banner: an outreach worker's pages carry none, and
    // she cannot acknowledge.
    let mut priya = Web::new(&s);
    priya.sign_in("priya", PASSWORD).await;
    let p = priya.get("/tonight").await;
    assert!(!p.body.contains("Sam has missed a check-in"));
    let ack = format!("/safety/{}/acknowledge", r.id);
    let refused = priya.post(&ack, &[("csrf", p.csrf().as_str())]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A forged token changes nothing.
    let forged = dee.post(&ack, &[("csrf", "not-the-token")]).await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    assert!(dee
        .get("/tonight")
        .await
        .body
        .contains("Sam has missed a check-in"));

    let done = dee.post(&ack, &[("csrf", csrf.as_str())]).await;
    assert_eq!(done.location(), "/tonight?done=safety-acknowledged");
    let tonight = dee.get("/tonight").await;
    assert!(!tonight.body.contains("Sam has missed a check-in"));
    assert!(tonight.body.contains("Dee is dealing with it"));
    let again = dee.post(&ack, &[("csrf", csrf.as_str())]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "acknowledged once");

    let csv = dee.get("/report/safety.csv").await;
    assert!(
        csv.body.contains("Lone-worker rounds,1\r\n"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("Rounds raised as missed,1\r\n"));
    assert!(csv
        .body
        .contains("Of which acknowledged by a supervisor,1\r\n"));
    let log = dashboard_store(&s).audit_entries(100, None).unwrap();
    let steps: Vec<&str> = log
        .iter()
        .rev()
        .filter(|e| e.subject.as_deref() == Some(&r.id.to_string()))
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("safety_"))
        .collect();
    assert_eq!(
        steps,
        ["safety_raised", "safety_seen", "safety_acknowledged"]
    );
}

/// Issue 14: a supervisor links her organisation's profile to the one
/// another organisation shares with hers by the woman's consent; the link
/// shows on her page, is audited, and can be undone. A worker may not link,
/// and a profile she cannot see cannot be linked.
#[tokio::test]
async fn a_supervisor_links_two_profiles_of_one_woman_and_unlinks_them() {
    let s = TestServer::start().await;
    let now = s.now();
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let kim = s
        .device("Storehouse", "Kim", Role::OutreachWorker, None)
        .await;
    account(&s, "Storehouse", "Lee", Role::Supervisor, None, "lee");
    account(&s, "Storehouse", "Kit", Role::OutreachWorker, None, "kit");
    let jade_a = person(&sam.identity, "Jade", now);
    let jade_s = person(&kim.identity, "Jade S", now);
    let (a, b) = (id_of(&jade_a), id_of(&jade_s));
    s.push_ok(
        &kim,
        vec![change(RecordKind::Person, &kim.version_at(now), jade_s)],
    )
    .await;
    s.push_ok(
        &sam,
        vec![change(RecordKind::Person, &sam.version_at(now), jade_a)],
    )
    .await;
    let mut lee = Web::new(&s);
    lee.sign_in("lee", PASSWORD).await;
    let page = lee.get(&format!("/people/{b}/links")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains(&a.to_string()), "not shared yet");
    let csrf = page.csrf();
    let form = |other: &str| vec![("csrf", csrf.clone()), ("other", other.to_owned())];
    let refused = lee
        .post(
            &format!("/people/{b}/links"),
            &form(&a.to_string())
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);

    // She consents to The Storehouse: Lee sees both and links them.
    let to_storehouse = consent(
        &sam.identity,
        a,
        "storehouse",
        now + chrono::Duration::days(90),
        None,
        now,
    );
    s.push_ok(
        &sam,
        vec![change(
            RecordKind::Consent,
            &sam.version_at(now),
            to_storehouse,
        )],
    )
    .await;
    let page = lee.get(&format!("/people/{b}/links")).await;
    assert!(page.body.contains(&a.to_string()), "a candidate now");
    let done = lee
        .post(
            &format!("/people/{b}/links"),
            &[("csrf", csrf.as_str()), ("other", &a.to_string())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = lee.get(&format!("/people/{b}/links")).await;
    assert!(page.body.contains("Unlink"), "{}", page.body);
    let store = dashboard_store(&s);
    let links =
        nightround_server::store::links::LinkStore::profile_links(&*store, None, b, now).unwrap();
    assert_eq!(links.len(), 1);
    let audit = store.audit_entries(50, None).unwrap();
    assert!(audit.iter().any(|e| e.action == "link_profiles"));

    // A worker may not link or unlink.
    let mut kit = Web::new(&s);
    kit.sign_in("kit", PASSWORD).await;
    let kcsrf = kit.get("/people").await.csrf();
    let p = kit
        .post(
            &format!("/people/links/{}/unlink", links[0].id),
            &[("csrf", kcsrf.as_str()), ("person", &b.to_string())],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);

    let p = lee
        .post(
            &format!("/people/links/{}/unlink", links[0].id),
            &[("csrf", csrf.as_str()), ("person", &b.to_string())],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let store = dashboard_store(&s);
    assert!(
        nightround_server::store::links::LinkStore::profile_links(&*store, None, b, now)
            .unwrap()
            .is_empty()
    );
    let audit = store.audit_entries(50, None).unwrap();
    assert!(audit.iter().any(|e| e.action == "unlink_profiles"));
}

/// Issue 11: the people list is paged (50 to a page, newest contact first,
/// a next-page link that keeps the search), every person on exactly one
/// page, and the counts above it cover everyone, not the page.
#[tokio::test]
async fn the_people_list_is_paged_with_a_next_link() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    let by = sam.identity.clone();
    let t0 = s.now();
    let mut changes = Vec::new();
    // 60 women; the first 55 seen tonight, a minute apart, the rest never.
    for i in 0..60 {
        let p = person(&by, &format!("Woman{i:02}"), t0);
        let id = id_of(&p);
        changes.push(change(RecordKind::Person, &sam.version_at(t0), p));
        if i < 55 {
            let at = t0 - chrono::Duration::minutes(60 - i);
            changes.push(change(
                RecordKind::Contact,
                &sam.version_at(at),
                contact(&by, Some(id), ContactKind::OutreachConversation, at),
            ));
        }
    }
    for chunk in changes.chunks(100) {
        s.push_ok(&sam, chunk.to_vec()).await;
    }
    let mut dee = Web::new(&s);
    dee.sign_in("dee", PASSWORD).await;
    let names_on = |body: &str| -> Vec<String> {
        (0..60)
            .map(|i| format!("Woman{i:02}"))
            .filter(|n| body.contains(&format!(">{n}<")))
            .collect()
    };
    let first = dee.get("/people").await.body;
    assert!(first.contains("60 people you may see"), "{first}");
    let on_first = names_on(&first);
    assert_eq!(on_first.len(), 50);
    // Newest contact first: the last seen woman leads the first page.
    assert!(first.find(">Woman54<").unwrap() < first.find(">Woman53<").unwrap());
    assert!(
        first.contains("href=\"/people?page=2\""),
        "a next-page link"
    );
    let second = dee.get("/people?page=2").await.body;
    let on_second = names_on(&second);
    assert_eq!(on_second.len(), 10);
    assert!(on_first.iter().all(|n| !on_second.contains(n)));
    assert!(second.contains("Woman59") && second.contains("never"));
    assert!(!second.contains("page=3"));
    // A search pages too, and its link keeps the search.
    let found = dee.get("/people?q=woman0").await.body;
    assert_eq!(names_on(&found).len(), 10);
    assert!(!found.contains("page=2"));
}

/// Issue 11: the referrals board counts every open referral but opens and
/// shows only the most pressing of each colour.
#[tokio::test]
async fn the_referrals_board_shows_the_most_pressing_and_counts_the_rest() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, None, "dee");
    let by = sam.identity.clone();
    let t0 = s.now();
    let mut changes = Vec::new();
    let n = 35;
    for i in 0..n {
        let p = person(&by, &format!("Woman{i:02}"), t0);
        let id = id_of(&p);
        let c = consent(
            &by,
            id,
            "vineyard",
            t0 + chrono::Duration::days(90),
            None,
            t0,
        );
        // Made a minute apart, so due a minute apart; the first is due first.
        let at = t0 - chrono::Duration::minutes(60 - i);
        let r = referral(&by, id, "vineyard", id_of(&c), ReferralStatus::Sent, at);
        changes.push(change(RecordKind::Person, &sam.version_at(t0), p));
        changes.push(change(RecordKind::Consent, &sam.version_at(t0), c));
        changes.push(change(RecordKind::Referral, &sam.version_at(at), r));
    }
    for chunk in changes.chunks(100) {
        s.push_ok(&sam, chunk.to_vec()).await;
    }
    let mut dee = Web::new(&s);
    dee.sign_in("dee", PASSWORD).await;
    let board = dee.get("/referrals").await.body;
    let cards = board.matches("<li class=\"card").count();
    assert_eq!(cards, 30, "thirty cards shown");
    assert!(
        board.contains(&format!("<span class=\"n\">{n}</span>")),
        "all counted"
    );
    assert!(board.contains("and 5 more"), "the rest counted");
    // The soonest due are shown: the first made, not the last.
    assert!(board.contains(">Woman00<") && !board.contains(">Woman34<"));
}
