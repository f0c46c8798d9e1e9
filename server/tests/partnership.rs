//! Issue 14's partnership as data, against a real server on loopback and the
//! real binary: the sharing agreement page (read by everyone, edited only by
//! the partnership administrator, checked, audited), the directory edited on
//! the dashboard reaching a phone on its next pull, and `serve` refusing a
//! data directory whose directory nobody chose.

mod common;
#[path = "support/web.rs"]
mod web;

use common::TestServer;
use nightround_core::domain::agreement::SharingAgreement;
use nightround_core::domain::{Area, Directory, Role};
use nightround_core::sync::protocol::PullResponse;
use nightround_server::dashboard::accounts;
use nightround_server::store::open::{open_backend, Backend};
use reqwest::StatusCode;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use web::Web;

const PASSWORD: &str = "a long enough password";

fn account(s: &TestServer, org: &str, name: &str, role: Role, username: &str) {
    let admin = s.admin();
    let org = admin
        .find_organisation(org)
        .or_else(|_| admin.create_organisation(org))
        .unwrap();
    let w = admin.create_worker(&org.id, name, role, None).unwrap();
    let config = common::config(s.dir.path(), &s.clock);
    accounts::create_in_data_dir(&config, &w.id, username, Some(PASSWORD)).unwrap();
}

/// Ash, the partnership administrator; Dee, a member's supervisor; Sam, an
/// outreach worker. Each signed in.
async fn partnership() -> (TestServer, Web, Web, Web) {
    let s = TestServer::start().await;
    account(&s, "Southend Partnership", "Ash", Role::Supervisor, "ash");
    account(&s, "Aspirations", "Dee", Role::Supervisor, "dee");
    account(&s, "Aspirations", "Sam", Role::OutreachWorker, "sam");
    let config = common::config(s.dir.path(), &s.clock);
    accounts::grant_partnership_admin_in_data_dir(&config, "ash").unwrap();
    let mut out = Vec::new();
    for name in ["ash", "dee", "sam"] {
        let mut web = Web::new(&s.url(""));
        assert_eq!(web.sign_in(name, PASSWORD).await.location(), "/tonight");
        out.push(web);
    }
    let sam = out.pop().unwrap();
    let dee = out.pop().unwrap();
    let ash = out.pop().unwrap();
    (s, ash, dee, sam)
}

/// The server's store, on whichever backend the tests run on.
fn store(s: &TestServer) -> std::sync::Arc<dyn Backend> {
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

fn audited(s: &TestServer, action: &str) -> Vec<(String, Option<String>)> {
    let store = store(s);
    assert_eq!(store.verify_audit().unwrap().first_broken, None);
    store
        .audit_entries(1000, None)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| (e.actor, e.detail))
        .collect()
}

fn worker_id(s: &TestServer, name: &str) -> String {
    s.admin()
        .workers()
        .unwrap()
        .into_iter()
        .find(|w| w.display_name == name)
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agreement_page_is_read_by_everyone_and_edited_only_by_the_partnership_administrator() {
    let (s, mut ash, mut dee, mut sam) = partnership().await;

    // No agreement yet: everyone is told so; only Ash gets the editor.
    let page = sam.get("/partnership").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"id="no-agreement""#), "{}", page.body);
    assert!(!page.body.contains("agreement-json"));
    assert!(page.body.contains(r#"href="/partnership""#), "in the menu");
    let page = ash.get("/partnership").await;
    assert!(page.body.contains(r#"id="agreement-json""#));

    // A broken agreement is refused with the core's reason, her text kept.
    let mut bad = SharingAgreement::southend_example();
    bad.review_days = 0;
    let bad_json = serde_json::to_string(&bad).unwrap();
    let csrf = page.csrf();
    let refused = ash
        .post(
            "/partnership/agreement",
            &[("csrf", &csrf), ("agreement", &bad_json)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("the consent review period must be 1 to 366 days"),
        "{}",
        refused.body
    );
    // Her text comes back in the editor (HTML-escaped), not the stored one.
    let unescaped = refused.body.replace("&#34;", "\"").replace("&quot;", "\"");
    assert!(unescaped.contains("\"review_days\":0"), "{unescaped}");
    assert_eq!(store(&s).agreement().unwrap(), None);

    // An agency of the directory that is not a party is refused too.
    let mut missing = SharingAgreement::southend_example();
    let first_agency = s.admin().directory().unwrap().agencies[0].id.clone();
    missing
        .controllers
        .retain(|c| c.organisation_id != first_agency);
    let refused = ash
        .post(
            "/partnership/agreement",
            &[
                ("csrf", &csrf),
                ("agreement", &serde_json::to_string(&missing).unwrap()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&first_agency), "{}", refused.body);

    // A member's supervisor may not edit it, whatever she sends.
    let good = serde_json::to_string(&SharingAgreement::southend_example()).unwrap();
    let dee_csrf = dee.get("/partnership").await.csrf();
    let forbidden = dee
        .post(
            "/partnership/agreement",
            &[("csrf", &dee_csrf), ("agreement", &good)],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(store(&s).agreement().unwrap(), None);

    // Ash saves it: stored, audited, shown to Sam.
    let saved = ash
        .post(
            "/partnership/agreement",
            &[("csrf", &csrf), ("agreement", &good)],
        )
        .await;
    assert_eq!(saved.location(), "/partnership?done=agreement-saved");
    let stored = store(&s).agreement().unwrap().unwrap();
    assert_eq!(stored, SharingAgreement::southend_example());
    let page = sam.get("/partnership").await;
    assert!(page.body.contains(&stored.name));
    assert!(page.body.contains("Terrence Higgins Trust"));
    assert!(page.body.contains("EXAMPLE"));
    assert_eq!(
        audited(&s, "agreement_saved"),
        vec![(
            worker_id(&s, "Ash"),
            Some(format!("revision {}", stored.revision))
        )]
    );

    // A second save moves the revision on, whatever the text says.
    let again = ash
        .post(
            "/partnership/agreement",
            &[("csrf", &csrf), ("agreement", &good)],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        store(&s).agreement().unwrap().unwrap().revision,
        stored.revision + 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_edit_on_the_dashboard_reaches_a_phone_on_its_next_pull() {
    let (s, mut ash, mut dee, mut sam) = partnership().await;
    let phone = s
        .device("Aspirations", "Mo", Role::OutreachWorker, None)
        .await;
    let before = s.admin().directory().unwrap();
    let pull: PullResponse = s.pull_page(&phone, 0, 10, before.revision).await;
    assert!(pull.directory.is_none(), "the phone is up to date");

    // Everyone sees the directory, marked as the example until it is replaced.
    let page = sam.get("/directory").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"id="directory-example""#));
    assert!(!page.body.contains("directory-json"));

    let mut edited: Directory = before.clone();
    edited.agencies[0].phone = "01702 123456".into();
    edited.agencies[0].response.red_hours = 4;
    edited.areas.push(Area {
        id: "leigh_broadway".into(),
        name: "Leigh Broadway".into(),
    });
    let csrf = ash.get("/directory").await.csrf();

    // A duplicated area is refused with its reason, nothing stored.
    let mut bad = edited.clone();
    bad.areas.push(bad.areas[0].clone());
    let refused = ash
        .post(
            "/directory",
            &[
                ("csrf", &csrf),
                ("directory", &serde_json::to_string(&bad).unwrap()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("is listed twice"), "{}", refused.body);
    assert_eq!(s.admin().directory().unwrap(), before);

    // Dee may not edit it.
    let dee_csrf = dee.get("/directory").await.csrf();
    let edited_json = serde_json::to_string(&edited).unwrap();
    let forbidden = dee
        .post(
            "/directory",
            &[("csrf", &dee_csrf), ("directory", &edited_json)],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    // Ash saves it (the revision in her text is left as it was).
    let saved = ash
        .post(
            "/directory",
            &[("csrf", &csrf), ("directory", &edited_json)],
        )
        .await;
    assert_eq!(saved.location(), "/directory?done=directory-saved");
    let now = s.admin().directory().unwrap();
    assert_eq!(now.revision, before.revision + 1);

    // The phone receives it on its next pull.
    let pull: PullResponse = s.pull_page(&phone, 0, 10, before.revision).await;
    let got = pull.directory.expect("the new directory");
    assert_eq!(got.revision, before.revision + 1);
    assert_eq!(got.agencies[0].phone, "01702 123456");
    assert_eq!(got.agencies[0].response.red_hours, 4);
    assert!(got.area("leigh_broadway").is_some());

    // No longer the example; audited.
    let page = sam.get("/directory").await;
    assert!(!page.body.contains(r#"id="directory-example""#));
    assert!(page.body.contains("Leigh Broadway"));
    assert_eq!(
        audited(&s, "directory_saved"),
        vec![(
            worker_id(&s, "Ash"),
            Some(format!("revision {}", now.revision))
        )]
    );
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nightround-server"))
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `serve` and returns its first line of output.
fn serve_first_line(args: &[&str]) -> String {
    let mut child = bin()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let first = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .map(|l| l.unwrap())
        .unwrap_or_default();
    let _ = child.kill();
    child.wait().unwrap();
    first
}

#[test]
fn serve_refuses_an_unchosen_directory_and_the_admin_cli_imports_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let serve = [
        "serve",
        "--data-dir",
        d,
        "--listen",
        "127.0.0.1:0",
        "--plain-http",
    ];

    // A fresh data directory: refused, with what to do.
    let (ok, _, err) = run(&serve);
    assert!(!ok);
    assert!(
        err.contains("--directory <file.json>") && err.contains("--example-directory"),
        "{err}"
    );

    // Export the example, make it the partnership's own, import it.
    let (ok, exported, err) = run(&["admin", "--data-dir", d, "directory", "export"]);
    assert!(ok, "{err}");
    let mut own: Directory = serde_json::from_str(&exported).unwrap();
    assert_eq!(own, Directory::southend_defaults());
    own.agencies[0].phone = "01702 999999".into();
    let file = dir.path().join("own-directory.json");
    std::fs::write(&file, serde_json::to_string(&own).unwrap()).unwrap();

    // A broken file is refused with its reason; nothing changes.
    let broken = dir.path().join("broken.json");
    let mut bad = own.clone();
    bad.agencies[0].name = " ".into();
    std::fs::write(&broken, serde_json::to_string(&bad).unwrap()).unwrap();
    let (ok, _, err) = run(&[
        "admin",
        "--data-dir",
        d,
        "directory",
        "import",
        broken.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("has no name"), "{err}");

    // serve --directory imports it and starts.
    let mut with_file = serve.to_vec();
    with_file.extend(["--directory", file.to_str().unwrap()]);
    assert!(serve_first_line(&with_file).starts_with("listening on http://127.0.0.1:"));
    let (_, exported, _) = run(&["admin", "--data-dir", d, "directory", "export"]);
    let stored: Directory = serde_json::from_str(&exported).unwrap();
    assert_eq!(stored.revision, own.revision + 1);
    assert_eq!(stored.agencies[0].phone, "01702 999999");
    // From now on the plain command starts.
    assert!(serve_first_line(&serve).starts_with("listening on"));

    // The agreement: none yet, then imported, checked, exported.
    let (ok, _, err) = run(&["admin", "--data-dir", d, "agreement", "export"]);
    assert!(!ok && err.contains("no sharing agreement"), "{err}");
    let agreement = dir.path().join("agreement.json");
    let mut bad = SharingAgreement::southend_example();
    bad.controllers.clear();
    std::fs::write(&agreement, serde_json::to_string(&bad).unwrap()).unwrap();
    let import = [
        "admin",
        "--data-dir",
        d,
        "agreement",
        "import",
        agreement.to_str().unwrap(),
    ];
    let (ok, _, err) = run(&import);
    assert!(!ok && err.contains("names no controller"), "{err}");
    std::fs::write(
        &agreement,
        serde_json::to_string(&SharingAgreement::southend_example()).unwrap(),
    )
    .unwrap();
    let (ok, out, err) = run(&import);
    assert!(ok && out.contains("revision"), "{err}");
    let (ok, out, _) = run(&["admin", "--data-dir", d, "agreement", "export"]);
    assert!(ok);
    let back: SharingAgreement = serde_json::from_str(&out).unwrap();
    assert_eq!(back, SharingAgreement::southend_example());
}

#[test]
fn serve_with_example_directory_says_it_chose_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let serve = [
        "serve",
        "--data-dir",
        d,
        "--listen",
        "127.0.0.1:0",
        "--plain-http",
    ];
    let mut example = serve.to_vec();
    example.push("--example-directory");
    assert!(serve_first_line(&example).starts_with("listening on"));
    // The choice is remembered.
    assert!(serve_first_line(&serve).starts_with("listening on"));
}

/// The text of every page of a PDF.
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referral_to_an_agency_without_an_account_goes_by_hand_on_the_consented_form() {
    use common::{change, consent, id_of, person, referral};
    use nightround_core::domain::{RecordKind, ReferralStatus};
    let (s, mut ash, mut dee, _sam) = partnership().await;
    // STARS has a desk on Nightround; HARP does not.
    s.device("STARS", "Desk", Role::ReceivingAgency, Some("stars"))
        .await;
    let mo = s
        .device("Aspirations", "Mo", Role::OutreachWorker, None)
        .await;
    let now = s.now();
    let mut her = person(&mo.identity, "Jaz", now);
    her["description"] = "Red coat, short hair".into();
    let her_id = id_of(&her);
    let review = now + chrono::Duration::days(90);
    let to_harp = consent(&mo.identity, her_id, "harp", review, None, now);
    let to_stars = consent(&mo.identity, her_id, "stars", review, None, now);
    let withdrawn = consent(&mo.identity, her_id, "cgl", review, Some(now), now);
    let r_harp = referral(
        &mo.identity,
        her_id,
        "harp",
        id_of(&to_harp),
        ReferralStatus::Queued,
        now,
    );
    let r_stars = referral(
        &mo.identity,
        her_id,
        "stars",
        id_of(&to_stars),
        ReferralStatus::Queued,
        now,
    );
    let r_cgl = referral(
        &mo.identity,
        her_id,
        "cgl",
        id_of(&withdrawn),
        ReferralStatus::Queued,
        now,
    );
    let v = mo.version_at(now);
    s.push_ok(
        &mo,
        vec![
            change(RecordKind::Person, &v, her),
            change(RecordKind::Consent, &v, to_harp),
            change(RecordKind::Consent, &v, to_stars),
            change(RecordKind::Consent, &v, withdrawn),
            change(RecordKind::Referral, &v, r_harp.clone()),
            change(RecordKind::Referral, &v, r_stars.clone()),
            change(RecordKind::Referral, &v, r_cgl.clone()),
        ],
    )
    .await;
    let (harp_id, stars_id, cgl_id) = (id_of(&r_harp), id_of(&r_stars), id_of(&r_cgl));

    // The board marks only HARP's referral, and links its form.
    let board = dee.get("/referrals").await;
    assert_eq!(board.status, StatusCode::OK);
    let card = |id: uuid::Uuid| {
        let at = board.body.find(&format!(r#"id="referral-{id}""#)).unwrap();
        board.body[at..at + board.body[at..].find("</li>").unwrap()].to_owned()
    };
    assert!(
        card(harp_id).contains("TO BE SENT BY HAND"),
        "{}",
        card(harp_id)
    );
    assert!(card(harp_id).contains(&format!("/referrals/{harp_id}/form")));
    assert!(!card(stars_id).contains("BY HAND"));

    // The printable form: her details as consented (contact details and
    // housing), the needs withheld (free text is not covered), the consent.
    let form = dee.get(&format!("/referrals/{harp_id}/form")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for expected in [
        "Jaz",
        "Red coat, short hair",
        "She asks to see women workers only",
        "HARP",
        "She agreed verbally",
        "Contact details, Housing",
        "To be reviewed with her by",
        "free-text notes",
        r#"id="mark-sent""#,
    ] {
        assert!(form.body.contains(expected), "{expected}: {}", form.body);
    }
    assert!(
        !form.body.contains("Somewhere safe to stay tonight"),
        "needs not consented"
    );

    // The PDF says the same.
    let resp = reqwest::Client::new()
        .get(s.url(&format!("/referrals/{harp_id}/form.pdf")))
        .header(reqwest::header::COOKIE, dee.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let text = pdf_text(&resp.bytes().await.unwrap());
    for expected in ["Jaz", "Red coat, short hair", "She agreed verbally", "HARP"] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert!(!text.contains("Somewhere safe to stay tonight"));

    // Only the referring organisation makes it; no form under a withdrawn consent.
    assert_ne!(
        ash.get(&format!("/referrals/{harp_id}/form")).await.status,
        StatusCode::OK
    );
    let refused = dee.get(&format!("/referrals/{cgl_id}/form")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("withdrawn"), "{}", refused.body);

    // Dee records that she sent it: the phone sees it sent, the clock runs on.
    let csrf = form.csrf();
    let sent = dee
        .post(
            &format!("/referrals/{harp_id}/sent-by-hand"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        sent.location(),
        "/referrals?done=sent-by-hand",
        "{}",
        sent.body
    );
    let pulled = s.pull_all(&mo).await;
    let back = pulled
        .iter()
        .rfind(|c| c.change.id == harp_id)
        .and_then(|c| c.change.body.clone())
        .unwrap();
    let back: nightround_core::domain::Referral = serde_json::from_value(back).unwrap();
    assert_eq!(back.status, ReferralStatus::Sent);
    assert_eq!(back.history.last().unwrap().by, "Dee");
    assert_eq!(
        back.due_at,
        now + chrono::Duration::hours(24),
        "the clock still runs"
    );
    assert!(back.status.awaits_response());
    assert_eq!(
        audited(&s, "referral_sent_by_hand"),
        vec![(worker_id(&s, "Dee"), Some("agency harp".into()))]
    );
    let form = dee.get(&format!("/referrals/{harp_id}/form")).await;
    assert!(
        form.body.contains("Sent by hand by Dee on"),
        "{}",
        form.body
    );
    assert!(!form.body.contains(r#"id="mark-sent""#));

    // Not twice; and not for an agency that has an account.
    let again = dee
        .post(
            &format!("/referrals/{harp_id}/sent-by-hand"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let stars = dee
        .post(
            &format!("/referrals/{stars_id}/sent-by-hand"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(stars.status, StatusCode::BAD_REQUEST);
    assert!(stars.body.contains("has an account"), "{}", stars.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_form_changes_response_times_and_a_phone_receives_them() {
    let (s, mut ash, mut dee, _sam) = partnership().await;
    let phone = s
        .device("Aspirations", "Mo", Role::OutreachWorker, None)
        .await;
    let before = s.admin().directory().unwrap();
    let harp = before.agency("harp").unwrap().clone();
    let csrf = ash.get("/directory").await.csrf();
    let red = harp.response.red_hours.to_string();
    let form = |red: &str, amber: &str, green: &str| {
        vec![
            ("name", harp.name.clone()),
            ("offers", harp.offers.clone()),
            ("address", "1 Real Street, Southend".to_owned()),
            ("opening_times", harp.opening_times.clone()),
            ("phone", "01702 111222".to_owned()),
            ("red_hours", red.to_owned()),
            ("amber_hours", amber.to_owned()),
            ("green_hours", green.to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>, csrf: String| {
        let mut all = vec![("csrf", csrf)];
        all.extend(fields);
        all
    };

    // Red slower than amber: refused, nothing stored.
    let bad = post(form("100", "10", "200"), csrf.clone());
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = ash.post("/directory/agencies/harp", &refs).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("response times"), "{}", refused.body);
    assert_eq!(s.admin().directory().unwrap(), before);
    // Not a number: refused.
    let bad = post(form("soon", "10", "200"), csrf.clone());
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        ash.post("/directory/agencies/harp", &refs).await.status,
        StatusCode::BAD_REQUEST
    );
    // Dee may not.
    let dee_csrf = dee.get("/directory").await.csrf();
    let good = form("6", "48", "120");
    let mine = post(good.clone(), dee_csrf);
    let refs: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        dee.post("/directory/agencies/harp", &refs).await.status,
        StatusCode::FORBIDDEN
    );
    assert_ne!(red, "6");

    let ok = post(good, csrf);
    let refs: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = ash.post("/directory/agencies/harp", &refs).await;
    assert_eq!(saved.location(), "/directory?done=directory-saved");
    let pull: PullResponse = s.pull_page(&phone, 0, 10, before.revision).await;
    let got = pull.directory.expect("the new directory");
    let h = got.agency("harp").unwrap();
    assert_eq!(
        (
            h.response.red_hours,
            h.response.amber_hours,
            h.response.green_hours
        ),
        (6, 48, 120)
    );
    assert_eq!(h.phone, "01702 111222");
    assert!(!h.example_details);
}
