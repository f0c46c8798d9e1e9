//! Issue 9's accounts and HTTP hardening, against a real server on loopback:
//! police and agency identities are the partnership's to grant, sign-in
//! failures slow down one client on one name (never lock the real user out)
//! and answer unknown names exactly as wrong passwords, enrolment-code
//! guessing is throttled, HTTPS responses carry HSTS, forms are checked
//! against the public origin, and the data directory is private.

mod common;
#[path = "support/web.rs"]
mod web;

use common::TestServer;
use nightround_core::domain::Role;
use nightround_server::dashboard::accounts;
use reqwest::StatusCode;
use web::Web;

const PASSWORD: &str = "a long enough password";

/// A worker with a dashboard account, made as the admin CLI makes them.
fn account(s: &TestServer, org: &str, name: &str, role: Role, username: &str) -> String {
    let admin = s.admin();
    let org = admin
        .find_organisation(org)
        .or_else(|_| admin.create_organisation(org))
        .unwrap();
    let w = admin.create_worker(&org.id, name, role, None).unwrap();
    let config = common::config(s.dir.path(), &s.clock);
    accounts::create_in_data_dir(&config, &w.id, username, Some(PASSWORD)).unwrap();
    w.id
}

fn worker_named(s: &TestServer, name: &str) -> Option<nightround_server::store::Worker> {
    s.admin()
        .workers()
        .unwrap()
        .into_iter()
        .find(|w| w.display_name == name)
}

#[tokio::test]
async fn a_supervisor_cannot_create_or_enrol_police_or_agency_workers() {
    let s = TestServer::start().await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, "dee");
    let mut dee = Web::new(&s.url(""));
    assert_eq!(dee.sign_in("dee", PASSWORD).await.location(), "/tonight");
    let page = dee.get("/devices").await;
    assert!(!page.body.contains(r#"value="police_officer""#));
    assert!(!page.body.contains(r#"value="receiving_agency""#));
    let csrf = page.csrf();
    for (name, role, agency) in [
        ("PC Reed", "police_officer", ""),
        ("HARP desk", "receiving_agency", "harp"),
    ] {
        let p = dee
            .post(
                "/devices/workers",
                &[
                    ("csrf", csrf.as_str()),
                    ("name", name),
                    ("role", role),
                    ("agency", agency),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{role}: {}", p.body);
        assert!(worker_named(&s, name).is_none(), "{role} was created");
    }
    // Nor into another organisation, even with her own roles.
    let police = s.admin().create_organisation("Essex Police").unwrap();
    let p = dee
        .post(
            "/devices/workers",
            &[
                ("csrf", csrf.as_str()),
                ("name", "Mole"),
                ("role", "outreach_worker"),
                ("organisation", police.id.as_str()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(worker_named(&s, "Mole").is_none());
    // A police officer already in her organisation (made by the CLI) gets
    // no enrolment code and no sign-in from her.
    let pc = s
        .admin()
        .create_worker("aspirations", "PC Inside", Role::PoliceOfficer, None)
        .unwrap();
    let p = dee
        .post(
            "/devices/enrol",
            &[("csrf", csrf.as_str()), ("worker", pc.id.as_str())],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = dee
        .post(
            "/devices/accounts",
            &[
                ("csrf", csrf.as_str()),
                ("worker", pc.id.as_str()),
                ("username", "pc.inside"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // Her own roles still work.
    let p = dee
        .post(
            "/devices/workers",
            &[
                ("csrf", csrf.as_str()),
                ("name", "Robin"),
                ("role", "outreach_worker"),
            ],
        )
        .await;
    assert_eq!(p.location(), "/devices?done=worker-added");
    assert_eq!(
        worker_named(&s, "Robin").unwrap().organisation_id,
        "aspirations"
    );
}

#[tokio::test]
async fn the_partnership_administrator_creates_and_enrols_police_and_agency_workers() {
    let s = TestServer::start().await;
    account(&s, "Southend Partnership", "Ash", Role::Supervisor, "ash");
    let config = common::config(s.dir.path(), &s.clock);
    accounts::grant_partnership_admin_in_data_dir(&config, "ash").unwrap();
    // Only a supervisor can be made one.
    account(&s, "Aspirations", "Sam", Role::OutreachWorker, "sam");
    assert!(accounts::grant_partnership_admin_in_data_dir(&config, "sam").is_err());
    let police = s.admin().create_organisation("Essex Police").unwrap();
    let harp = s.admin().create_organisation("HARP").unwrap();

    let mut ash = Web::new(&s.url(""));
    assert_eq!(ash.sign_in("ash", PASSWORD).await.location(), "/tonight");
    let page = ash.get("/devices").await;
    assert!(page.body.contains(r#"value="police_officer""#));
    assert!(page.body.contains(r#"name="organisation""#));
    let csrf = page.csrf();
    for (name, role, agency, org) in [
        ("PC Reed", "police_officer", "", police.id.as_str()),
        ("HARP desk", "receiving_agency", "harp", harp.id.as_str()),
    ] {
        let p = ash
            .post(
                "/devices/workers",
                &[
                    ("csrf", csrf.as_str()),
                    ("name", name),
                    ("role", role),
                    ("agency", agency),
                    ("organisation", org),
                ],
            )
            .await;
        assert_eq!(p.location(), "/devices?done=worker-added", "{}", p.body);
        let w = worker_named(&s, name).unwrap();
        assert_eq!(w.organisation_id, org);
        let p = ash
            .post(
                "/devices/enrol",
                &[("csrf", csrf.as_str()), ("worker", w.id.as_str())],
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{role}");
        assert!(p.body.contains(r#"id="enrolment-code""#));
    }
    // The admin CLI's route keeps working too.
    let pc = s
        .admin()
        .create_worker(&police.id, "PC Lake", Role::PoliceOfficer, None)
        .unwrap();
    assert_eq!(pc.role, Role::PoliceOfficer);
}

/// Sign-in failures from one client slow that client down on that name;
/// the real user elsewhere signs in.
#[tokio::test]
async fn failed_sign_ins_from_one_client_do_not_lock_the_real_user_out() {
    let s = TestServer::start().await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, "dee");
    let mut attacker = Web::from(&s.url(""), [127, 0, 0, 2].into());
    for i in 1..=5 {
        let p = attacker.sign_in("dee", "not the password").await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // Now that client must wait, with the right password too.
    let p = attacker.sign_in("dee", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = p
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header");
    assert!((1..=30).contains(&wait), "{wait}");
    // Dee, from her own machine, is not held up at all.
    let mut dee = Web::from(&s.url(""), [127, 0, 0, 1].into());
    assert_eq!(dee.sign_in("dee", PASSWORD).await.location(), "/tonight");
    // The waits grow: after the wait, one more failure waits twice as long.
    s.clock.advance(chrono::Duration::seconds(31));
    let p = attacker.sign_in("dee", "still not it").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    let p = attacker.sign_in("dee", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = p.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((31..=60).contains(&wait), "{wait}");
    s.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(
        attacker.sign_in("dee", PASSWORD).await.location(),
        "/tonight"
    );
}

/// An unknown username gets the same status and the same page as a wrong
/// password, in the same Argon2 time, also once the waits begin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_usernames_are_answered_exactly_as_wrong_passwords() {
    let s = TestServer::start().await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, "dee");
    let mut web = Web::new(&s.url(""));
    // Warm up.
    web.sign_in("warm", "x").await;
    let mut timings = Vec::new();
    for i in 1..=6 {
        let mut answers = Vec::new();
        for name in ["dee", "deeX"] {
            let started = std::time::Instant::now();
            let p = web.sign_in(name, "not the password").await;
            let took = started.elapsed();
            let body = p.body.replace(name, "NAME");
            answers.push((p.status, body, p.headers.get("retry-after").is_some()));
            timings.push((i, name, took));
        }
        assert_eq!(answers[0], answers[1], "attempt {i}");
        let want = if i <= 5 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(answers[0].0, want, "attempt {i}");
    }
    for (i, name, took) in &timings {
        println!("sign-in attempt {i} as {name:5}: {took:?}");
    }
    let mean = |n: &str| {
        let t: Vec<_> = timings.iter().filter(|t| t.1 == n && t.0 <= 5).collect();
        t.iter().map(|t| t.2.as_secs_f64()).sum::<f64>() / t.len() as f64
    };
    println!(
        "mean of the five checked attempts: known name {:.1} ms, unknown name {:.1} ms",
        mean("dee") * 1e3,
        mean("deeX") * 1e3
    );
}

/// Guessing enrolment codes: 3,000 guesses from one address are mostly
/// answered 429 with `Retry-After` and the protocol's JSON, and quickly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_code_guessing_is_throttled() {
    let s = TestServer::start().await;
    let started = std::time::Instant::now();
    let mut limited = 0;
    let mut first_limited = None;
    for i in 0..3000 {
        let (status, body) = s
            .enrol_raw(&serde_json::json!({
                "protocol": nightround_core::sync::protocol::PROTOCOL_VERSION,
                "code": format!("AAAAA-{i:05}"),
                "device_name": "guesser",
            }))
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
            if first_limited.is_none() {
                first_limited = Some(i);
                assert_eq!(body["error"], "rate_limited", "{body}");
            }
        } else {
            assert_eq!(body["error"], "enrolment_invalid", "{body}");
        }
    }
    let took = started.elapsed();
    println!(
        "3000 enrolment guesses: {limited} answered 429 (the first at guess {first_limited:?}), in {took:?}"
    );
    assert!(limited >= 2900, "{limited}");
    // The 429 says when to come back.
    let resp = s
        .http
        .post(s.url("/v1/enrol"))
        .json(&serde_json::json!({"protocol": 1, "code": "AAAAA-AAAAA", "device_name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(after >= 1, "{after}");
    // A real code from another address still enrols (per address).
    let w = s
        .admin()
        .create_organisation("Aspirations")
        .and_then(|o| {
            s.admin()
                .create_worker(&o.id, "Sam", Role::OutreachWorker, None)
        })
        .unwrap();
    let code = s.admin().create_enrolment_code(&w.id).unwrap();
    let other = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 3]))
        .build()
        .unwrap();
    let resp = other
        .post(s.url("/v1/enrol"))
        .json(&serde_json::json!({
            "protocol": nightround_core::sync::protocol::PROTOCOL_VERSION,
            "code": code.code,
            "device_name": "Sam's phone",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

/// A phone syncing as phones do (a push and a few pulls a minute, more in a
/// burst after being offline) is never throttled under the default limits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_normal_phone_syncing_is_not_throttled() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    // Back from a night offline: 40 batches and pulls in a row.
    for _ in 0..40 {
        let body = common::person(&sam.identity, "Rose", s.now());
        let version = sam.version_at(s.now());
        s.push_ok(
            &sam,
            vec![common::change(
                nightround_core::domain::RecordKind::Person,
                &version,
                body,
            )],
        )
        .await;
        let (status, _) = s.pull_raw(&sam.token, "").await;
        assert_eq!(status, StatusCode::OK);
    }
}

/// A runaway loop on one phone is stopped by its token, whatever its pace
/// (limits lowered here so that the loop's speed on a loaded machine does not
/// matter), and another phone on the same address syncs on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runaway_phone_is_throttled_by_its_token_alone() {
    use nightround_server::throttle::{Limit, RateLimits};
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(nightround_core::clock::ManualClock::new(
        common::start_time(),
    ));
    let limits = RateLimits {
        sync_per_device: Limit {
            burst: 100,
            per_minute: 6,
        },
        ..RateLimits::default()
    };
    let server =
        nightround_server::start(common::config(dir.path(), &clock).with_rate_limits(limits))
            .await
            .unwrap();
    let s = TestServer {
        server,
        dir,
        clock,
        http: reqwest::Client::new(),
    };
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let kim = s
        .device("Aspirations", "Kim", Role::OutreachWorker, None)
        .await;
    let mut limited = None;
    for i in 0..1000 {
        let (status, body) = s.pull_raw(&kim.token, "").await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["error"], "rate_limited");
            limited = Some(i);
            break;
        }
        assert_eq!(status, StatusCode::OK);
    }
    println!("a runaway pull loop was throttled after {limited:?} requests");
    assert!(
        limited.is_some_and(|n| (100..=120).contains(&n)),
        "{limited:?}"
    );
    let (status, _) = s.pull_raw(&sam.token, "").await;
    assert_eq!(status, StatusCode::OK);
}

/// Every HTTPS answer carries HSTS (pages, the API, refusals); plain HTTP
/// on loopback does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_answers_carry_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(nightround_core::clock::ManualClock::new(
        common::start_time(),
    ));
    let config = nightround_server::ServerConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap())
        .with_clock(clock);
    let server = nightround_server::start(config).await.unwrap();
    let pem = server.tls_cert_pem().unwrap().to_owned();
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (path, status) in [
        ("/sign-in", StatusCode::OK),
        ("/tonight", StatusCode::SEE_OTHER),
        ("/v1/pull", StatusCode::UNAUTHORIZED),
        ("/no-such-page", StatusCode::NOT_FOUND),
    ] {
        let resp = http
            .get(format!("{}{path}", server.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{path}");
        assert_eq!(
            resp.headers()
                .get("strict-transport-security")
                .map(|v| v.to_str().unwrap()),
            Some("max-age=31536000"),
            "{path}"
        );
    }
    server.shutdown().await.unwrap();

    let plain = TestServer::start().await;
    let resp = plain.http.get(plain.url("/sign-in")).send().await.unwrap();
    assert!(!resp.headers().contains_key("strict-transport-security"));
}

/// A signed-in supervisor's enrolment form posted with `origin`.
async fn post_enrol_from(web: &mut Web, worker: &str, origin: &str) -> StatusCode {
    let csrf = web.get("/devices").await.csrf();
    let resp = web
        .http
        .post(format!("{}/devices/enrol", web.base))
        .header("cookie", web.cookie_header())
        .header("origin", origin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(web::urlencoded(&[
            ("csrf", csrf.as_str()),
            ("worker", worker),
        ]))
        .send()
        .await
        .unwrap();
    resp.status()
}

/// The `Origin` must be the server's public origin, scheme and port
/// included; an operator's configured origin replaces the derived ones.
#[tokio::test]
async fn forms_are_taken_only_from_the_public_origin() {
    let s = TestServer::start().await;
    let dee = account(&s, "Aspirations", "Dee", Role::Supervisor, "dee");
    let mut web = Web::new(&s.url(""));
    web.sign_in("dee", PASSWORD).await;
    let port = s.server.addr().port();
    for (origin, ok) in [
        // The reported hole: the right host under another scheme.
        (format!("https://127.0.0.1:{port}"), false),
        (format!("http://127.0.0.1:{port}"), true),
        (format!("http://localhost:{port}"), true),
        (format!("http://127.0.0.1:{}", port.wrapping_add(1)), false),
        ("http://evil.example".to_owned(), false),
        ("null".to_owned(), false),
    ] {
        let status = post_enrol_from(&mut web, &dee, &origin).await;
        let want = if ok {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, want, "{origin}");
    }

    // Behind a reverse proxy: only the configured origin.
    let dir = tempfile::tempdir().unwrap();
    let config = common::config(dir.path(), &s.clock).with_public_origin("https://dash.example");
    let proxied = nightround_server::start(config.clone()).await.unwrap();
    let org = proxied.admin().create_organisation("Aspirations").unwrap();
    let w = proxied
        .admin()
        .create_worker(&org.id, "Dee", Role::Supervisor, None)
        .unwrap();
    accounts::create_in_data_dir(&config, &w.id, "dee", Some(PASSWORD)).unwrap();
    let mut web = Web::new(&proxied.base_url());
    web.sign_in("dee", PASSWORD).await;
    let port = proxied.addr().port();
    assert_eq!(
        post_enrol_from(&mut web, &w.id, &format!("http://127.0.0.1:{port}")).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_enrol_from(&mut web, &w.id, "https://dash.example").await,
        StatusCode::OK
    );
    proxied.shutdown().await.unwrap();
}

/// Every directory under `root` (itself included) with its mode, and every
/// file, as `(path, mode)`.
#[cfg(unix)]
fn modes(root: &std::path::Path) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        out.push((p.display().to_string(), meta.permissions().mode() & 0o777));
        if meta.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        }
    }
    out.sort();
    out
}

#[cfg(unix)]
fn assert_private(root: &std::path::Path) {
    for (path, mode) in modes(root) {
        let dir = std::path::Path::new(&path).is_dir();
        let want = if dir { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{path} is {mode:o}");
    }
}

/// A data directory is private from the first start (database, WAL and
/// shared memory, key, certificate and its key), and one made readable by
/// others is repaired at the next start.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_is_private_and_repaired_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let clock = std::sync::Arc::new(nightround_core::clock::ManualClock::new(
        common::start_time(),
    ));
    // HTTPS, so that the certificate and its key are there too.
    let config = nightround_server::ServerConfig::new(&root, "127.0.0.1:0".parse().unwrap())
        .with_clock(clock);
    let server = nightround_server::start(config.clone()).await.unwrap();
    server.admin().create_organisation("Aspirations").unwrap();
    let files: Vec<String> = modes(&root).into_iter().map(|(p, _)| p).collect();
    for name in [
        "nightround-server.db",
        "-wal",
        "-shm",
        "server-records.key",
        "server-cert.pem",
        "server-key.pem",
    ] {
        assert!(
            files.iter().any(|f| f.ends_with(name)),
            "{name} in {files:?}"
        );
    }
    assert_private(&root);
    server.shutdown().await.unwrap();

    // Someone (a restore from backup, a careless chmod) opens it up.
    let set = |p: &std::path::Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    set(&root, 0o755);
    set(&root.join("keys"), 0o755);
    set(&root.join("nightround-server.db"), 0o644);
    set(&root.join("tls").join("server-cert.pem"), 0o644);
    std::fs::write(root.join("notes.txt"), "restored from backup").unwrap();
    set(&root.join("notes.txt"), 0o666);
    let repaired = nightround_server::private_dir::enforce(&root).unwrap();
    let named: Vec<String> = repaired.iter().map(|r| r.to_string()).collect();
    println!("repaired: {named:#?}");
    assert_eq!(repaired.len(), 5, "{named:?}");
    assert!(named
        .iter()
        .any(|r| r.contains("notes.txt") && r.contains("666") && r.contains("600")));
    assert_private(&root);

    // And at start.
    set(&root.join("nightround-server.db"), 0o640);
    set(&root, 0o750);
    let server = nightround_server::start(config).await.unwrap();
    assert_private(&root);
    server.shutdown().await.unwrap();
}
