//! `GET /tonight`: the round as it syncs: contacts, supplies, concerns, and
//! who is out. "Tonight" is the current round (noon to noon, UK time), so
//! in the morning it is last night's. `?auto=1` reloads every 30 seconds
//! (off unless asked for: a page that moves by itself is hard to read).

use super::{html, sees_any, Chrome};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::data::{snake_words, Visible};
use crate::dashboard::{blocking, time, DashError, DashboardState};
use crate::store::dashboard::Scope;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Redirect, Response};
use nightround_core::domain::{RecordKind, Role};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// `GET /`
pub async fn home() -> Redirect {
    Redirect::to("/tonight")
}

#[derive(Debug, Deserialize)]
pub struct TonightQuery {
    auto: Option<String>,
    done: Option<String>,
}

pub struct Count {
    pub label: &'static str,
    pub value: usize,
}

pub struct OutRow {
    pub name: String,
    pub role: String,
    pub organisation: String,
    pub contacts: usize,
    pub last_record: String,
    pub last_sync: String,
}

/// One lone-worker round of this evening (ADR 0004).
pub struct RoundRow {
    pub name: String,
    pub area: String,
    pub started: String,
    pub expected_end: String,
    pub every: String,
    pub buddy: String,
    pub last_check_in: String,
    pub status: String,
    /// `ok`, `due` or `raised`: how the status is drawn.
    pub tone: &'static str,
}

pub struct ContactRow {
    pub time: String,
    pub area: String,
    pub alias: String,
    pub person_href: Option<String>,
    pub kind: String,
    pub flags: String,
    pub supplies: String,
    pub by: String,
}

pub struct ConcernRow {
    pub time: String,
    pub area: String,
    pub category: String,
    pub severity: String,
    pub description: String,
    pub alert: String,
    pub by: String,
}

pub struct SupplyRow {
    pub name: String,
    pub quantity: u64,
}

#[derive(Template)]
#[template(path = "tonight.html")]
struct TonightPage {
    chrome: Chrome,
    heading: String,
    since: String,
    updated: String,
    auto: bool,
    counts: Vec<Count>,
    out: Vec<OutRow>,
    rounds: Vec<RoundRow>,
    show_sync: bool,
    sees_contacts: bool,
    contacts: Vec<ContactRow>,
    sees_concerns: bool,
    concerns: Vec<ConcernRow>,
    supplies: Vec<SupplyRow>,
    active_alerts: usize,
}

/// `GET /tonight`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(q): Query<TonightQuery>,
) -> Result<Response, DashError> {
    // What the page shows: this round's contacts, drops, concerns and new
    // profiles (read by when they reached the server), live team alerts,
    // the rounds, and then only the check-ins of the rounds on screen and
    // the profiles of the women tonight's contacts name (their aliases).
    let round_start = time::round_start(time::round_of(state.now()));
    let mut v = Visible::load_scoped(
        &state,
        &who,
        vec![
            Scope::since(
                &[
                    RecordKind::Contact,
                    RecordKind::SupplyDrop,
                    RecordKind::Concern,
                    RecordKind::Person,
                ],
                round_start,
            ),
            Scope::kinds(&[RecordKind::Round]),
            Scope {
                alert_after: Some(state.now()),
                ..Scope::kinds(&[RecordKind::Concern])
            },
        ],
    )
    .await?;
    let shown_since = v
        .rounds
        .iter()
        .filter(|r| r.body.is_open() || r.body.started_at >= round_start)
        .map(|r| r.body.started_at)
        .min();
    if let Some(since) = shown_since {
        v.extend(
            &state,
            &who,
            vec![Scope::since(&[RecordKind::CheckIn], since.min(round_start))],
        )
        .await?;
    }
    let named = v.contacts.iter().filter_map(|c| c.body.person_id).collect();
    v.add_ids(&state, &who, named).await?;
    let devices = if who.is_supervisor() {
        let admin = state.0.admin.clone();
        blocking(move || Ok(admin.devices()?)).await?
    } else {
        Vec::new()
    };
    let now = v.now;
    let round = time::round_of(now);
    let tonight = |t| time::round_of(t) == round;
    let local_hour = time::local(now).format("%H").to_string();
    let morning = matches!(local_hour.as_str(), "06" | "07" | "08" | "09" | "10" | "11");
    let heading = format!(
        "{}, {}",
        if morning { "Last night" } else { "Tonight" },
        time::day(time::round_start(round))
    );

    let contacts: Vec<_> = v.contacts.iter().filter(|c| tonight(c.body.at)).collect();
    let drops: Vec<_> = v
        .supply_drops
        .iter()
        .filter(|d| tonight(d.body.at))
        .collect();
    let concerns: Vec<_> = v.concerns.iter().filter(|c| tonight(c.body.at)).collect();
    let women: HashSet<_> = contacts.iter().filter_map(|c| c.body.person_id).collect();
    let new_people = v
        .people
        .values()
        .filter(|p| tonight(p.body.created_at))
        .count();

    let mut supplies: BTreeMap<String, u64> = BTreeMap::new();
    for (at, line) in v.supply_lines() {
        if tonight(at) {
            *supplies.entry(line.item_id.clone()).or_default() += u64::from(line.quantity);
        }
    }
    let handed_out: u64 = supplies.values().sum();

    // Who is out: everyone who recorded something in this round.
    struct Out {
        name: String,
        role: Role,
        organisation: String,
        contacts: usize,
        last: nightround_core::Timestamp,
    }
    let mut out: BTreeMap<String, Out> = BTreeMap::new();
    let mut saw = |id: &nightround_core::domain::WorkerIdentity, at, contact: bool| {
        let e = out.entry(id.worker_id.clone()).or_insert_with(|| Out {
            name: id.display_name.clone(),
            role: id.role,
            organisation: id.organisation.clone(),
            contacts: 0,
            last: at,
        });
        e.contacts += usize::from(contact);
        e.last = e.last.max(at);
    };
    for c in &contacts {
        saw(&c.body.recorded_by, c.body.at, true);
    }
    for d in &drops {
        saw(&d.body.recorded_by, d.body.at, false);
    }
    for c in &concerns {
        saw(&c.body.recorded_by, c.body.at, false);
    }
    let round_start = time::round_start(round);
    for d in devices.iter().filter(|d| !d.revoked) {
        let Some(last) = d.last_sync_at.filter(|t| *t >= round_start) else {
            continue;
        };
        if d.organisation == who.organisation.name && !out.contains_key(&d.worker_id) {
            out.insert(
                d.worker_id.clone(),
                Out {
                    name: d.worker_name.clone(),
                    role: d.role,
                    organisation: d.organisation.clone(),
                    contacts: 0,
                    last,
                },
            );
        }
    }
    let mut out_rows: Vec<OutRow> = out
        .into_iter()
        .map(|(worker_id, o)| {
            let last_sync = devices
                .iter()
                .filter(|d| d.worker_id == worker_id)
                .filter_map(|d| d.last_sync_at)
                .max()
                .map_or_else(|| "—".to_owned(), |t| time::relative(t, now));
            OutRow {
                name: o.name,
                role: o.role.label().to_owned(),
                organisation: o.organisation,
                contacts: o.contacts,
                last_record: time::hm(o.last),
                last_sync,
            }
        })
        .collect();
    out_rows.sort_by(|a, b| b.contacts.cmp(&a.contacts).then(a.name.cmp(&b.name)));
    let rounds = round_rows(&v, now, &tonight);

    let contact_rows = contacts
        .iter()
        .map(|c| {
            let b = &c.body;
            ContactRow {
                time: time::hm(b.at),
                area: v.area_name(&b.area_id),
                alias: v.alias_or(b.person_id),
                person_href: b
                    .person_id
                    .filter(|p| v.people.contains_key(p))
                    .map(|p| format!("/people/{p}")),
                kind: snake_words(&b.kind),
                flags: b
                    .wellbeing
                    .iter()
                    .map(snake_words)
                    .collect::<Vec<_>>()
                    .join(", "),
                supplies: v.supplies_text(&b.supplies),
                by: b.recorded_by.display_name.clone(),
            }
        })
        .collect();
    let concern_rows = concerns
        .iter()
        .map(|c| {
            let b = &c.body;
            ConcernRow {
                time: time::hm(b.at),
                area: v.area_name(&b.area_id),
                category: snake_words(&b.category),
                severity: snake_words(&b.severity),
                description: b.description.clone(),
                alert: match b.alert_until {
                    Some(u) if u > now => format!("team alert until {}", time::day_hm(u)),
                    Some(_) => "alert ended".into(),
                    None => "no team alert".into(),
                },
                by: b.recorded_by.display_name.clone(),
            }
        })
        .collect();
    let active_alerts = v
        .concerns
        .iter()
        .filter(|c| c.body.is_active_alert(now))
        .count();

    let body = TonightPage {
        chrome: Chrome::new(&who, "Tonight", "/tonight").with_flash(q.done.as_deref()),
        heading,
        since: format!("Round from {} (UK time)", time::day_hm(round_start)),
        updated: time::local(now).format("%H:%M:%S").to_string(),
        auto: q.auto.is_some(),
        counts: vec![
            Count {
                label: "Contacts",
                value: contacts.len(),
            },
            Count {
                label: "Women seen",
                value: women.len(),
            },
            Count {
                label: "New people",
                value: new_people,
            },
            Count {
                label: "Supplies handed out",
                value: usize::try_from(handed_out).unwrap_or(usize::MAX),
            },
            Count {
                label: "Concerns raised",
                value: concerns.len(),
            },
        ],
        out: out_rows,
        rounds,
        show_sync: who.is_supervisor(),
        sees_contacts: sees_any(who.role(), RecordKind::Contact),
        contacts: contact_rows,
        sees_concerns: sees_any(who.role(), RecordKind::Concern),
        concerns: concern_rows,
        supplies: supplies
            .into_iter()
            .map(|(id, quantity)| SupplyRow {
                name: v.supply_name(&id),
                quantity,
            })
            .collect(),
        active_alerts,
    };
    html(&body)
}

/// This evening's rounds (and any still open), open ones first: who, where,
/// when she last checked in, and where the server's watch stands.
fn round_rows(
    v: &Visible,
    now: nightround_core::Timestamp,
    tonight: &dyn Fn(nightround_core::Timestamp) -> bool,
) -> Vec<RoundRow> {
    use nightround_core::domain::{CheckInKind, WatchState};
    let mut rows: Vec<(bool, nightround_core::Timestamp, RoundRow)> = Vec::new();
    for r in v
        .rounds
        .iter()
        .filter(|r| r.body.is_open() || tonight(r.body.started_at))
    {
        let round = &r.body;
        let last = v
            .check_ins
            .iter()
            .filter(|c| c.body.round_id == Some(round.id) && c.body.kind == CheckInKind::AllRight)
            .map(|c| c.body.made_at)
            .max();
        let due = round.next_check_in_due(last);
        let (status, tone) = match (&round.watch, round.ended_at) {
            (Some(w), _) if w.state == WatchState::Missed => (
                match &w.acknowledged_by {
                    Some(by) => format!(
                        "raised as missed at {}; {by} is dealing with it",
                        time::hm(w.raised_at)
                    ),
                    None => format!("raised as missed at {}", time::hm(w.raised_at)),
                },
                "raised",
            ),
            (Some(w), None) if w.state == WatchState::HeardFromAgain => (
                format!("heard from again at {}", time::hm(w.changed_at)),
                "due",
            ),
            (_, Some(end)) => (format!("ended {}", time::hm(end)), "ok"),
            (_, None) if now > due => (format!("check-in overdue since {}", time::hm(due)), "due"),
            (_, None) => (format!("next check-in due {}", time::hm(due)), "ok"),
        };
        rows.push((
            round.is_open(),
            round.started_at,
            RoundRow {
                name: round.recorded_by.display_name.clone(),
                area: round
                    .area_id
                    .as_deref()
                    .map_or_else(|| "—".to_owned(), |a| v.area_name(a)),
                started: time::hm(round.started_at),
                expected_end: time::hm(round.expected_end),
                every: format!("{} min", round.check_in_minutes),
                buddy: round
                    .buddy
                    .as_ref()
                    .map_or_else(|| "—".to_owned(), |b| b.display_name.clone()),
                last_check_in: last.map_or_else(|| "none yet".to_owned(), time::hm),
                status,
                tone,
            },
        ));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    rows.into_iter().map(|(_, _, r)| r).collect()
}
