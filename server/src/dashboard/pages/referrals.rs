//! `GET /referrals`: the red/amber/green board of open referrals with their
//! due and overdue times; `POST /referrals/{id}/status` moves a referral on
//! (the receiving agency acknowledges, accepts or declines; the referring
//! organisation may record it on the agency's behalf), through the sync write
//! path so the referring worker's phone gets it; `POST /referrals/{id}/escalate`
//! records a supervisor's escalation of an overdue referral.

use super::{html, Chrome, CsrfForm, Done};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::data::{Rec, Visible};
use crate::dashboard::{blocking, time, write, DashError, DashboardState};
use crate::policy::{self, Writes};
use crate::store::dashboard::{Escalation, NewAuditEntry, ReferralRow};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use nightround_core::domain::{RecordKind, Referral, ReferralStatus, Urgency};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

pub struct Card {
    pub id: String,
    pub alias: String,
    pub person_href: Option<String>,
    pub agency: String,
    pub agency_phone: String,
    pub needs: String,
    pub status: String,
    pub created: String,
    pub due: String,
    pub due_words: String,
    pub overdue: bool,
    pub due_soon: bool,
    pub escalated: Option<String>,
    pub can_move: bool,
    /// The viewer is the receiving agency (else she records its answer).
    pub as_agency: bool,
    pub can_escalate: bool,
    pub by: String,
    /// The agency has no account: the referral goes by hand (the form).
    pub by_hand: bool,
    /// The viewer's organisation made it (it prints and sends the form).
    pub is_referrer: bool,
}

pub struct Column {
    pub class: &'static str,
    pub title: &'static str,
    pub cards: Vec<Card>,
    /// Open referrals of this urgency not shown (beyond [`PER_COLUMN`]).
    pub more: usize,
}

/// Cards shown in a column: the most overdue, then the soonest due.
pub const PER_COLUMN: usize = 30;
/// Answered and closed referrals listed under the board.
const DECIDED: usize = 30;

pub struct DecidedRow {
    pub alias: String,
    pub agency: String,
    pub urgency: &'static str,
    pub status: String,
    pub when: String,
    pub sort_at: nightround_core::Timestamp,
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct BoardPage {
    chrome: Chrome,
    columns: Vec<Column>,
    open: usize,
    overdue: usize,
    awaiting: usize,
    escalated: usize,
    decided: Vec<DecidedRow>,
}

fn urgency_name(u: Urgency) -> &'static str {
    match u {
        Urgency::Red => "red",
        Urgency::Amber => "amber",
        Urgency::Green => "green",
    }
}

/// Whether `who` may move this referral's status (the policy's write half).
fn may_move(who: &SignedIn, r: &Rec<Referral>) -> bool {
    match policy::writes(RecordKind::Referral, who.role()) {
        Writes::OwnOrganisation => r.meta.organisation_id == who.organisation.id,
        Writes::StatusOfReferralsToItsAgency => {
            who.worker.agency_id.as_deref() == Some(r.body.agency_id.as_str())
        }
        Writes::Own => r.meta.author_worker_id == who.worker.id,
        Writes::Nothing => false,
    }
}

async fn escalations(state: &DashboardState) -> Result<HashMap<Uuid, Escalation>, DashError> {
    let dash = state.0.dash.clone();
    let all = blocking(move || Ok(dash.escalations()?)).await?;
    Ok(all.into_iter().map(|e| (e.referral_id, e)).collect())
}

/// `GET /referrals`
pub async fn board(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, DashError> {
    // Every referral she may see, from the referral index (nothing opened):
    // the counts, and which cards to show. Then only those referrals and
    // the profiles they name are opened.
    let now = state.now();
    let rows = {
        let dash = state.0.dash.clone();
        let who = who.clone();
        blocking(move || Ok(dash.referral_rows(&who.viewer(), now)?)).await?
    };
    let open_rows: Vec<&ReferralRow> = rows.iter().filter(|r| r.open).collect();
    let open = open_rows.len();
    let overdue = open_rows.iter().filter(|r| r.is_overdue(now)).count();
    let awaiting = open_rows.iter().filter(|r| r.awaiting).count();
    let mut cards: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    let mut more = [0usize; 3];
    for (i, u) in [Urgency::Red, Urgency::Amber, Urgency::Green]
        .iter()
        .enumerate()
    {
        let mut col: Vec<&&ReferralRow> = open_rows.iter().filter(|r| r.urgency == *u).collect();
        col.sort_by_key(|r| (!r.is_overdue(now), r.due_at));
        more[i] = col.len().saturating_sub(PER_COLUMN);
        cards.extend(col.iter().take(PER_COLUMN).map(|r| r.id));
    }
    let mut decided_rows: Vec<&ReferralRow> =
        rows.iter().filter(|r| !r.open || !r.awaiting).collect();
    // The latest due first: the index holds no answer's time (the page sorts
    // the ones it opens by that).
    decided_rows.sort_by_key(|r| std::cmp::Reverse(r.due_at));
    let mut shown: Vec<Uuid> = cards.iter().copied().collect();
    shown.extend(decided_rows.iter().take(DECIDED).map(|r| r.id));
    let mut v = Visible::load_ids(&state, &who, shown).await?;
    v.add_referred_people(&state, &who).await?;
    let esc = escalations(&state).await?;
    let all_workers = {
        let store = state.0.store.clone();
        blocking(move || Ok(store.workers()?)).await?
    };
    let with_accounts = crate::partnership::agencies_with_accounts(&all_workers);
    let workers: HashMap<String, String> = all_workers
        .into_iter()
        .map(|w| (w.id, w.display_name))
        .collect();
    let now = v.now;
    let mut columns = vec![
        Column {
            class: "red",
            title: "Red",
            cards: Vec::new(),
            more: more[0],
        },
        Column {
            class: "amber",
            title: "Amber",
            cards: Vec::new(),
            more: more[1],
        },
        Column {
            class: "green",
            title: "Green",
            cards: Vec::new(),
            more: more[2],
        },
    ];
    let mut decided = Vec::new();
    for r in &v.referrals {
        let b = &r.body;
        if !b.status.is_open() || !b.status.awaits_response() {
            decided.push(DecidedRow {
                alias: v.alias_or(Some(b.person_id)),
                agency: v.agency_name(&b.agency_id),
                urgency: urgency_name(b.urgency),
                status: b.status.as_str().to_owned(),
                when: time::day_hm(b.history.last().map_or(b.created_at, |h| h.at)),
                sort_at: b.history.last().map_or(b.created_at, |h| h.at),
            });
            if !b.status.is_open() {
                continue;
            }
        }
        if !cards.contains(&b.id) {
            continue;
        }
        let is_overdue = b.is_overdue(now);
        let escalation = esc.get(&b.id);
        let card = Card {
            id: b.id.to_string(),
            alias: v.alias_or(Some(b.person_id)),
            person_href: v
                .people
                .contains_key(&b.person_id)
                .then(|| format!("/people/{}", b.person_id)),
            agency: v.agency_name(&b.agency_id),
            agency_phone: v
                .directory
                .agency(&b.agency_id)
                .map(|a| a.phone.clone())
                .unwrap_or_default(),
            needs: b.needs.clone(),
            status: b.status.as_str().to_owned(),
            created: time::day_hm(b.created_at),
            due: time::day_hm(b.due_at),
            due_words: if is_overdue {
                format!(
                    "overdue by {}",
                    time::relative(now, b.due_at).trim_start_matches("in ")
                )
            } else if b.status.awaits_response() {
                format!("due {}", time::relative(b.due_at, now))
            } else {
                "answered".into()
            },
            overdue: is_overdue,
            due_soon: !is_overdue
                && b.status.awaits_response()
                && b.due_at - now < chrono::Duration::hours(24),
            escalated: escalation.map(|e| {
                format!(
                    "Escalated by {} on {}",
                    workers
                        .get(&e.worker_id)
                        .map_or("a supervisor", String::as_str),
                    time::day_hm(e.at)
                )
            }),
            can_move: b.status.awaits_response() && may_move(&who, r),
            as_agency: who.role() == nightround_core::domain::Role::ReceivingAgency,
            can_escalate: who.is_supervisor() && is_overdue && escalation.is_none(),
            by: b.recorded_by.display_name.clone(),
            by_hand: !with_accounts.contains(&b.agency_id),
            is_referrer: matches!(
                who.role(),
                nightround_core::domain::Role::OutreachWorker
                    | nightround_core::domain::Role::Supervisor
            ) && r.meta.organisation_id == who.organisation.id,
        };
        let i = match b.urgency {
            Urgency::Red => 0,
            Urgency::Amber => 1,
            Urgency::Green => 2,
        };
        columns[i].cards.push(card);
    }
    for c in &mut columns {
        // Overdue first, then by due time (the list is already by due time).
        c.cards.sort_by_key(|card| !card.overdue);
    }
    decided.sort_by_key(|d| std::cmp::Reverse(d.sort_at));
    decided.truncate(DECIDED);
    let body = BoardPage {
        chrome: Chrome::new(&who, "Referrals", "/referrals").with_flash(done.done.as_deref()),
        escalated: open_rows.iter().filter(|r| esc.contains_key(&r.id)).count(),
        columns,
        open,
        overdue,
        awaiting,
        decided,
    };
    html(&body)
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
}

fn parse_id(id: &str) -> Result<Uuid, DashError> {
    Uuid::parse_str(id).map_err(|_| DashError::NotFound)
}

/// `POST /referrals/{id}/status`
pub async fn set_status(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<StatusForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    let to = match form.status.as_str() {
        "acknowledged" => ReferralStatus::Acknowledged,
        "accepted" => ReferralStatus::Accepted,
        "declined" => ReferralStatus::Declined,
        _ => {
            return Err(DashError::Invalid(
                "That is not a status to set here.".into(),
            ))
        }
    };
    let id = parse_id(&id)?;
    let v = Visible::load_ids(&state, &who, vec![id]).await?;
    let r = v
        .referrals
        .iter()
        .find(|r| r.body.id == id)
        .ok_or(DashError::NotFound)?;
    if !may_move(&who, r) {
        return Err(DashError::Forbidden);
    }
    let next = r
        .body
        .moved_to(to, state.now(), &who.worker.display_name)
        .map_err(|e| DashError::Invalid(format!("Not possible: {e}.")))?;
    let body = serde_json::to_value(&next).map_err(|_| DashError::Internal)?;
    write::push(
        &state,
        &who,
        RecordKind::Referral,
        id,
        Some(&r.meta.version),
        body,
    )
    .await?;
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: format!("referral_{}", to.as_str()),
            subject: Some(id.to_string()),
            detail: Some(format!("agency {}", r.body.agency_id)),
        })
        .await?;
    Ok(Redirect::to(&format!("/referrals?done={}", to.as_str())).into_response())
}

/// `POST /referrals/{id}/escalate`
pub async fn escalate(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    who.require_supervisor()?;
    let id = parse_id(&id)?;
    let v = Visible::load_ids(&state, &who, vec![id]).await?;
    let r = v
        .referrals
        .iter()
        .find(|r| r.body.id == id)
        .ok_or(DashError::NotFound)?;
    if !r.body.is_overdue(v.now) {
        return Err(DashError::Invalid(
            "Only an overdue referral can be escalated.".into(),
        ));
    }
    let now = state.now();
    let dash = state.0.dash.clone();
    let e = Escalation {
        referral_id: id,
        worker_id: who.worker.id.clone(),
        at: now,
    };
    blocking(move || Ok(dash.add_escalation(&e)?)).await?;
    state
        .audit(NewAuditEntry {
            at: now,
            actor: who.worker.id.clone(),
            action: "referral_escalated".into(),
            subject: Some(id.to_string()),
            detail: Some(format!("agency {}", r.body.agency_id)),
        })
        .await?;
    Ok(Redirect::to("/referrals?done=escalated").into_response())
}
