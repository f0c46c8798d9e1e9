//! `GET /people`: the people the viewer may see, with when each was last
//! seen and a flag when she has not been seen for [`NOT_SEEN_ROUNDS`] rounds
//! or more; `GET /people/{id}`: her profile, consents, referrals and
//! timeline. Both are audited: the list as a list, each profile by id.

use super::{html, require_sees, Chrome};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::data::{snake_words, Visible};
use crate::dashboard::{blocking, time, DashError, DashboardState};
use crate::store::dashboard::{NewAuditEntry, PersonSeen, Scope};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use nightround_core::domain::{ConsentState, Contact, Person, RecordKind};
use nightround_core::Timestamp;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Rounds without a contact after which a person is flagged.
pub const NOT_SEEN_ROUNDS: usize = 3;
/// The most characters of a search looked at.
const MAX_QUERY: usize = 60;

#[derive(Debug, Deserialize)]
pub struct PeopleQuery {
    q: Option<String>,
    flagged: Option<String>,
    /// The page of the list, from 1.
    page: Option<usize>,
}

/// People to a page of the list.
pub const PAGE: usize = 50;

pub struct PersonRow {
    pub href: String,
    pub alias: String,
    pub last_seen: String,
    pub last_area: String,
    pub contacts: usize,
    pub open_referrals: usize,
    pub flag: Option<String>,
    pub registered: bool,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    chrome: Chrome,
    rows: Vec<PersonRow>,
    q: String,
    flagged_only: bool,
    flagged: usize,
    total: usize,
    rounds: usize,
    not_seen_rounds: usize,
    page: usize,
    pages: usize,
    next: Option<String>,
    previous: Option<String>,
}

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub struct ConsentRow {
    pub agency: String,
    pub state: &'static str,
    pub covers: String,
    pub given: String,
    pub review: String,
}

pub struct ReferralRow {
    pub agency: String,
    pub urgency: String,
    pub status: String,
    pub due: String,
    pub overdue: bool,
    pub needs: String,
}

pub struct Event {
    pub when: String,
    pub what: String,
    pub detail: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    chrome: Chrome,
    alias: String,
    facts: Vec<Fact>,
    flag: Option<String>,
    consents: Vec<ConsentRow>,
    referrals: Vec<ReferralRow>,
    events: Vec<Event>,
    /// Her id, for a supervisor's data-protection links ("shared with",
    /// subject access, erasure); `None` for other roles.
    supervisor_links: Option<String>,
}

/// Her last contact and the rounds since, given the rounds on which anyone
/// was seen.
fn not_seen_for(
    v: &Visible,
    person: Uuid,
    rounds: &[chrono::NaiveDate],
) -> (Option<Timestamp>, usize) {
    let last = v
        .contacts
        .iter()
        .filter(|c| c.body.person_id == Some(person))
        .map(|c| c.body.at)
        .max();
    (last, rounds_since(last, rounds))
}

/// How many of `rounds` came after the one of `last` (all, without one).
fn rounds_since(last: Option<Timestamp>, rounds: &[chrono::NaiveDate]) -> usize {
    match last {
        Some(t) => {
            let r = time::round_of(t);
            rounds.len() - rounds.partition_point(|d| *d <= r)
        }
        None => rounds.len(),
    }
}

fn flag_words(last: Option<Timestamp>, since: usize) -> Option<String> {
    if since < NOT_SEEN_ROUNDS {
        return None;
    }
    Some(match last {
        Some(_) => format!("Not seen for {since} rounds"),
        None => format!("No contact recorded in {since} rounds"),
    })
}

/// `GET /people`: everyone she may see is listed from the plaintext
/// indexes (profile metadata and the contact index: who, when), newest
/// contact first, [`PAGE`] to a page; only the rows on screen are opened
/// (her profile, her last contact, her referrals). A search opens the
/// profiles, since aliases are sealed: people, never their records.
pub async fn list(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(q): Query<PeopleQuery>,
) -> Result<Response, DashError> {
    require_sees(&who, RecordKind::Person)?;
    let query: String =
        q.q.unwrap_or_default()
            .trim()
            .chars()
            .take(MAX_QUERY)
            .collect();
    let needle = query.to_lowercase();
    let flagged_only = q.flagged.is_some();
    let page_no = q.page.unwrap_or(1).max(1);
    let now = state.now();
    let dash = state.0.dash.clone();
    let store = state.0.store.clone();
    let viewer_of = who.clone();
    let listed = blocking(move || {
        let viewer = viewer_of.viewer();
        let seen = dash.people_seen(&viewer, now)?;
        let rounds = dash.contact_rounds(&viewer, now)?;
        let total = seen.len();
        let mut rows: Vec<(PersonSeen, usize)> = seen
            .into_iter()
            .map(|p| {
                let since = rounds_since(p.last_contact.map(|(_, at)| at), &rounds);
                (p, since)
            })
            .collect();
        let flagged = rows
            .iter()
            .filter(|(p, since)| flag_words(p.last_contact.map(|c| c.1), *since).is_some())
            .count();
        if flagged_only {
            rows.retain(|(p, since)| flag_words(p.last_contact.map(|c| c.1), *since).is_some());
        }
        // Newest contact first; never seen last; then the newest profile.
        rows.sort_by(|a, b| {
            b.0.last_contact
                .map(|c| c.1)
                .cmp(&a.0.last_contact.map(|c| c.1))
                .then(b.0.meta.seq.cmp(&a.0.meta.seq))
        });
        let mut aliases: HashMap<Uuid, Person> = HashMap::new();
        if !needle.is_empty() {
            let ids: Vec<Uuid> = rows.iter().map(|(p, _)| p.meta.id).collect();
            for r in dash.open_records(&viewer, now, &ids)? {
                if let Ok(p) = Person::deserialize(serde_json::Value::Object(r.body)) {
                    aliases.insert(p.id, p);
                }
            }
            rows.retain(|(p, _)| {
                aliases
                    .get(&p.meta.id)
                    .is_some_and(|a| a.alias.to_lowercase().contains(&needle))
            });
        }
        let matching = rows.len();
        let on_screen: Vec<(PersonSeen, usize)> = rows
            .into_iter()
            .skip((page_no - 1).saturating_mul(PAGE))
            .take(PAGE)
            .collect();
        // Open only what is on screen: her profile (unless the search did)
        // and her last contact.
        let mut ids: Vec<Uuid> = on_screen
            .iter()
            .filter(|(p, _)| !aliases.contains_key(&p.meta.id))
            .map(|(p, _)| p.meta.id)
            .collect();
        ids.extend(
            on_screen
                .iter()
                .filter_map(|(p, _)| p.last_contact.map(|c| c.0)),
        );
        let mut last_areas: HashMap<Uuid, String> = HashMap::new();
        for r in dash.open_records(&viewer, now, &ids)? {
            let body = serde_json::Value::Object(r.body);
            match r.meta.kind {
                RecordKind::Person => {
                    if let Ok(p) = Person::deserialize(body) {
                        aliases.insert(p.id, p);
                    }
                }
                RecordKind::Contact => {
                    if let Ok(c) = Contact::deserialize(body) {
                        last_areas.insert(c.id, c.area_id);
                    }
                }
                _ => {}
            }
        }
        let directory = store.directory()?;
        let ids: Vec<Uuid> = on_screen.iter().map(|(p, _)| p.meta.id).collect();
        let counts = dash.people_on_screen(&viewer, now, &ids)?;
        let mut out = Vec::with_capacity(on_screen.len());
        for ((p, since), (contacts, open_referrals)) in on_screen.into_iter().zip(counts) {
            let id = p.meta.id;
            // A profile that would not open for her is not listed.
            let Some(person) = aliases.get(&id) else {
                continue;
            };
            let last = p.last_contact.map(|c| c.1);
            let area = p
                .last_contact
                .and_then(|c| last_areas.get(&c.0))
                .map(|a| {
                    directory
                        .area(a)
                        .map_or_else(|| a.clone(), |a| a.name.clone())
                })
                .unwrap_or_default();
            out.push(PersonRow {
                href: format!("/people/{id}"),
                alias: person.alias.clone(),
                last_seen: last.map_or_else(|| "never".into(), time::day_hm),
                last_area: area,
                contacts: contacts.count,
                open_referrals,
                flag: flag_words(last, since),
                registered: person.registered_with_outreach,
            });
        }
        Ok(Listed {
            rows: out,
            total,
            flagged,
            matching,
            rounds: rounds.len(),
        })
    })
    .await?;
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: "view_people".into(),
            subject: None,
            detail: Some(format!(
                "{} people listed (page {page_no})",
                listed.rows.len()
            )),
        })
        .await?;
    let link = |n: usize| {
        let mut params = form_urlencoded::Serializer::new(String::new());
        if !query.is_empty() {
            params.append_pair("q", &query);
        }
        if flagged_only {
            params.append_pair("flagged", "1");
        }
        params.append_pair("page", &n.to_string());
        format!("/people?{}", params.finish())
    };
    let pages = listed.matching.div_ceil(PAGE).max(1);
    html(&PeoplePage {
        chrome: Chrome::new(&who, "People", "/people"),
        rows: listed.rows,
        q: query.clone(),
        flagged_only,
        flagged: listed.flagged,
        total: listed.total,
        rounds: listed.rounds,
        not_seen_rounds: NOT_SEEN_ROUNDS,
        page: page_no,
        pages,
        next: (page_no < pages).then(|| link(page_no + 1)),
        previous: (page_no > 1).then(|| link(page_no - 1)),
    })
}

/// What the list handler gathered off the async runtime.
struct Listed {
    rows: Vec<PersonRow>,
    total: usize,
    flagged: usize,
    matching: usize,
    rounds: usize,
}

/// `GET /people/{id}`
pub async fn person(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    require_sees(&who, RecordKind::Person)?;
    let id = Uuid::parse_str(&id).map_err(|_| DashError::NotFound)?;
    // Her profile and the records about her; the concerns (who reported one
    // is inside its sealed body).
    let v = Visible::load_scoped(
        &state,
        &who,
        vec![
            Scope {
                person: Some(id),
                ..Scope::kinds(&[
                    RecordKind::Person,
                    RecordKind::Contact,
                    RecordKind::Consent,
                    RecordKind::Referral,
                ])
            },
            Scope::kinds(&[RecordKind::Concern]),
        ],
    )
    .await?;
    // Not found and not allowed are the same answer.
    if !v.people.contains_key(&id) {
        return Err(DashError::NotFound);
    }
    // The rounds her organisation went out on, from the contact index (the
    // list's count): no other contact is opened.
    let rounds = {
        let dash = state.0.dash.clone();
        let (who, now) = (who.clone(), v.now);
        blocking(move || Ok(dash.contact_rounds(&who.viewer(), now)?)).await?
    };
    let p = v.people.get(&id).ok_or(DashError::NotFound)?;
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: "view_person".into(),
            subject: Some(id.to_string()),
            detail: None,
        })
        .await?;
    let now = v.now;
    let b = &p.body;
    let (last, since) = not_seen_for(&v, id, &rounds);
    let yes_no = |x: bool| if x { "yes" } else { "no" }.to_owned();
    let mut facts = vec![
        Fact {
            label: "Known as",
            value: b.alias.clone(),
        },
        Fact {
            label: "Registered with outreach",
            value: yes_no(b.registered_with_outreach),
        },
        Fact {
            label: "Prefers a female worker",
            value: yes_no(b.prefers_female_worker),
        },
        Fact {
            label: "First recorded",
            value: format!(
                "{} by {}",
                time::day_hm(b.created_at),
                b.recorded_by.display_name
            ),
        },
        Fact {
            label: "Last seen",
            value: last.map_or_else(|| "no contact recorded".into(), time::day_hm),
        },
    ];
    if let Some(k) = &b.key_worker {
        facts.push(Fact {
            label: "Key worker",
            value: k.clone(),
        });
    }
    if let Some(y) = b.birth_year {
        facts.push(Fact {
            label: "Born",
            value: y.to_string(),
        });
    }
    if let Some(d) = &b.description {
        facts.push(Fact {
            label: "Description",
            value: d.clone(),
        });
    }
    // Who holds her record and on what lawful basis (the agreement).
    let admin = state.0.admin.clone();
    let agreement = blocking(move || Ok(admin.agreement()?)).await?;
    let basis = crate::subject_access::legal_basis(&agreement, &p.meta.organisation_id);
    facts.push(Fact {
        label: "Controller",
        value: basis.controller,
    });
    facts.push(Fact {
        label: "Lawful basis",
        value: format!("{}; {}", basis.article6, basis.article9),
    });
    let consents = v
        .consents
        .iter()
        .filter(|c| c.body.person_id == id)
        .map(|c| ConsentRow {
            agency: v.agency_name(&c.body.agency_id),
            state: match c.body.state(now) {
                ConsentState::Valid => "in force",
                ConsentState::DueForReview => "due for review",
                ConsentState::Withdrawn => "withdrawn",
            },
            covers: c
                .body
                .covers
                .iter()
                .map(snake_words)
                .collect::<Vec<_>>()
                .join(", "),
            given: format!(
                "{} ({})",
                time::day_hm(c.body.given_at),
                snake_words(&c.body.method)
            ),
            review: time::day(c.body.review_at),
        })
        .collect();
    let referrals = v
        .referrals
        .iter()
        .filter(|r| r.body.person_id == id)
        .map(|r| ReferralRow {
            agency: v.agency_name(&r.body.agency_id),
            urgency: snake_words(&r.body.urgency),
            status: r.body.status.as_str().to_owned(),
            due: time::day_hm(r.body.due_at),
            overdue: r.body.is_overdue(now),
            needs: r.body.needs.clone(),
        })
        .collect();
    let mut events: Vec<(Timestamp, Event)> = Vec::new();
    for c in v.contacts.iter().filter(|c| c.body.person_id == Some(id)) {
        let c = &c.body;
        let mut detail = vec![v.area_name(&c.area_id)];
        if !c.wellbeing.is_empty() {
            detail.push(
                c.wellbeing
                    .iter()
                    .map(snake_words)
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        if !c.supplies.is_empty() {
            detail.push(v.supplies_text(&c.supplies));
        }
        if let Some(n) = &c.note {
            detail.push(format!("Note: {n}"));
        }
        events.push((
            c.at,
            Event {
                when: time::day_hm(c.at),
                what: snake_words(&c.kind),
                detail: detail.join(" · "),
                by: c.recorded_by.display_name.clone(),
            },
        ));
    }
    for r in v.referrals.iter().filter(|r| r.body.person_id == id) {
        for h in &r.body.history {
            events.push((
                h.at,
                Event {
                    when: time::day_hm(h.at),
                    what: format!("referral {}", h.status.as_str()),
                    detail: v.agency_name(&r.body.agency_id),
                    by: h.by.clone(),
                },
            ));
        }
    }
    for c in v.consents.iter().filter(|c| c.body.person_id == id) {
        events.push((
            c.body.given_at,
            Event {
                when: time::day_hm(c.body.given_at),
                what: "consent given".into(),
                detail: v.agency_name(&c.body.agency_id),
                by: c.body.taken_by.display_name.clone(),
            },
        ));
    }
    for c in v.concerns.iter().filter(|c| c.body.reported_by == Some(id)) {
        events.push((
            c.body.at,
            Event {
                when: time::day_hm(c.body.at),
                what: format!("reported: {}", snake_words(&c.body.category)),
                detail: v.area_name(&c.body.area_id),
                by: c.body.recorded_by.display_name.clone(),
            },
        ));
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.0));
    html(&PersonPage {
        chrome: Chrome::new(&who, b.alias.clone(), "/people"),
        alias: b.alias.clone(),
        facts,
        flag: flag_words(last, since),
        consents,
        referrals,
        events: events.into_iter().map(|(_, e)| e).collect(),
        supervisor_links: who.is_supervisor().then(|| id.to_string()),
    })
}
