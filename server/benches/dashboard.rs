//! Dashboard page times against the number of stored records: the real
//! server on loopback (plain HTTP: the page's cost, not TLS's), filled
//! through the real push path with a partnership's evenings, a supervisor
//! signed in, each page fetched repeatedly; prints p50 per page and size
//! as a table, and the server process's peak RSS. Run by hand:
//!
//! ```sh
//! cargo bench -p nightround-server --bench dashboard              # 1k, 10k, 100k
//! cargo bench -p nightround-server --bench dashboard -- 1000 5000 # other sizes
//! PAGES=/tonight,/report SAMPLES=5 cargo bench -p nightround-server --bench dashboard
//! KEEP_DB=/tmp cargo bench -p nightround-server --bench dashboard -- 100000  # keep the db
//! ```
//!
//! Each evening five outreach workers record 250 records between them:
//! contacts (most with a woman, some anonymous), supply drops, concerns, and
//! new profiles until there are 400 women, with a consent and a referral for
//! one woman in ten. The clock moves an evening at a time, so "tonight"
//! always holds one evening's records and the rest is history.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{change, concern, consent, contact, person, referral, supply_drop, TestServer};
use nightround_core::domain::{ContactKind, RecordKind, ReferralStatus, Role};
use nightround_core::sync::protocol::Change;
use nightround_server::dashboard::accounts;
use reqwest::header::{COOKIE, SET_COOKIE};
use std::time::{Duration, Instant};
use uuid::Uuid;

const PASSWORD: &str = "a long enough password";
const PER_EVENING: usize = 250;
const WOMEN: usize = 400;
const PAGES: [&str; 6] = [
    "/tonight",
    "/people",
    "/report",
    "/referrals",
    "/supplies",
    "/alerts",
];
/// Samples per page; `SAMPLES=5` for a quicker run.
fn samples() -> usize {
    std::env::var("SAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(11)
}

/// The pages timed; `PAGES=/tonight,/report` for some of them.
fn pages() -> Vec<String> {
    std::env::var("PAGES").map_or_else(
        |_| PAGES.iter().map(|p| (*p).to_owned()).collect(),
        |v| v.split(',').map(str::to_owned).collect(),
    )
}

struct Filler {
    devices: Vec<common::TestDevice>,
    women: Vec<Uuid>,
    stored: usize,
    evening: u32,
}

impl Filler {
    /// One evening's records, pushed in batches of 100 as phones do.
    async fn evening(&mut self, s: &TestServer) {
        let now = s.now();
        let mut batches: Vec<Vec<Change>> = vec![Vec::new(); self.devices.len()];
        for i in 0..PER_EVENING {
            let d = i % self.devices.len();
            let dev = &self.devices[d];
            let by = &dev.identity;
            let at = now - chrono::Duration::minutes((PER_EVENING - i) as i64 / 4);
            let mut push = |kind, body| batches[d].push(change(kind, &dev.version_at(at), body));
            if self.women.len() < WOMEN && i % 5 == 0 {
                let body = person(by, &format!("Alias {}", self.women.len()), at);
                self.women.push(common::id_of(&body));
                push(RecordKind::Person, body);
            } else if i % 25 == 1 && !self.women.is_empty() {
                let w = self.women[(i + self.evening as usize) % self.women.len()];
                let c = consent(by, w, "vineyard", at + chrono::Duration::days(90), None, at);
                let cid = common::id_of(&c);
                push(RecordKind::Consent, c);
                let r = referral(by, w, "vineyard", cid, ReferralStatus::Sent, at);
                push(RecordKind::Referral, r);
            } else if i % 20 == 2 {
                push(RecordKind::SupplyDrop, supply_drop(by, at));
            } else if i % 50 == 3 {
                let until = (i % 100 == 3).then(|| at + chrono::Duration::hours(6));
                push(RecordKind::Concern, concern(by, until, at));
            } else {
                let w = (i % 3 != 0 && !self.women.is_empty())
                    .then(|| self.women[(i * 7 + self.evening as usize) % self.women.len()]);
                push(
                    RecordKind::Contact,
                    contact(by, w, ContactKind::OutreachConversation, at),
                );
            }
        }
        for (d, changes) in batches.into_iter().enumerate() {
            for chunk in changes.chunks(100) {
                self.stored += chunk.len();
                s.push_ok(&self.devices[d], chunk.to_vec()).await;
            }
        }
        self.evening += 1;
        s.clock.advance(chrono::Duration::days(1));
    }
}

/// Signs in as `username` and returns the session cookie.
async fn sign_in(s: &TestServer, username: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let form = http
        .get(s.url("/sign-in"))
        .send()
        .await
        .expect("the sign-in page");
    let pre: Vec<String> = form
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    let body = form.text().await.expect("a body");
    let at = body.find(r#"name="csrf" value=""#).expect("a CSRF token") + 19;
    let csrf = &body[at..at + body[at..].find('"').expect("a closing quote")];
    let resp = http
        .post(s.url("/sign-in"))
        .header(COOKIE, pre.join("; "))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&username={username}&password={}",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .expect("signed in");
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .find(|c| c.starts_with("nr_session="))
        .expect("a session cookie")
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// `KEEP_DB=/some/dir`: a copy of the filled database per size
/// (`dashboard-<n>.db`), to read its query plans with `sqlite3` afterwards.
fn keep_db(s: &TestServer, stored: usize) {
    let Ok(dir) = std::env::var("KEEP_DB") else {
        return;
    };
    let to = std::path::Path::new(&dir).join(format!("dashboard-{stored}.db"));
    let _ = std::fs::remove_file(&to);
    let conn = rusqlite::Connection::open(s.server_db()).expect("the database");
    conn.execute("VACUUM INTO ?1", [to.to_string_lossy()])
        .expect("a copy of the database");
    eprintln!("kept a copy in {}", to.display());
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000, 100_000];
    }
    let s = TestServer::start().await;
    let mut devices = Vec::new();
    for n in 0..5 {
        devices.push(
            s.device(
                "Aspirations",
                &format!("Worker {n}"),
                Role::OutreachWorker,
                None,
            )
            .await,
        );
    }
    let org = s.admin().find_organisation("Aspirations").expect("the org");
    let dee = s
        .admin()
        .create_worker(&org.id, "Dee", Role::Supervisor, None)
        .expect("a supervisor");
    let config = common::config(s.dir.path(), &s.clock);
    accounts::create_in_data_dir(&config, &dee.id, "dee", Some(PASSWORD)).expect("an account");
    let mut filler = Filler {
        devices,
        women: Vec::new(),
        stored: 0,
        evening: 0,
    };
    let http = reqwest::Client::new();

    let (pages, samples) = (pages(), samples());
    println!("| stored records | {} | peak RSS |", pages.join(" | "));
    println!("|---:|{}---:|", "---:|".repeat(pages.len()));
    for size in sizes {
        let t = Instant::now();
        while filler.stored < size {
            filler.evening(&s).await;
        }
        eprintln!(
            "filled to {} records in {:.1} s",
            filler.stored,
            t.elapsed().as_secs_f64()
        );
        keep_db(&s, filler.stored);
        // The evening's round is under way: the clock stands at 23:00 of
        // the last evening filled.
        s.clock.advance(-chrono::Duration::hours(22));
        let cookie = sign_in(&s, "dee").await;
        let mut cells = Vec::new();
        for page in &pages {
            let mut times: Vec<Duration> = Vec::with_capacity(samples);
            for _ in 0..samples {
                let t = Instant::now();
                let resp = http
                    .get(s.url(page.as_str()))
                    .header(COOKIE, &cookie)
                    .send()
                    .await
                    .expect("a page");
                let status = resp.status();
                let _ = resp.bytes().await.expect("a body");
                times.push(t.elapsed());
                assert!(status.is_success(), "{page}: {status}");
            }
            times.sort();
            cells.push(format!("{:.1} ms", times[samples / 2].as_secs_f64() * 1e3));
        }
        println!(
            "| {} | {} | {:.0} MiB |",
            filler.stored,
            cells.join(" | "),
            peak_rss_mib()
        );
        s.clock.advance(chrono::Duration::hours(22));
    }
}
