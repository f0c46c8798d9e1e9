//! Referrals that leave the system. For an agency with no account on the
//! server the board marks a referral "to be sent by hand", and the
//! referring organisation gets the universal referral form:
//! `GET /referrals/{id}/form` (a printable page), `GET /referrals/{id}/form.pdf`,
//! and `POST /referrals/{id}/sent-by-hand`, which records who sent it and
//! when (the referral moves to "sent" through the sync write path, so the
//! referring worker's phone shows it, and the audit log keeps it). The
//! response clock is the referral's own and keeps running.

use super::CsrfForm;
use crate::dashboard::auth::SignedIn;
use crate::dashboard::data::{Rec, Visible};
use crate::dashboard::{blocking, time, write, DashError, DashboardState};
use crate::partnership::referral_form::{self, FormInput, ReferralSheet};
use crate::partnership::{self, referral_pdf};
use crate::store::dashboard::NewAuditEntry;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use nightround_core::domain::{RecordKind, Referral, ReferralStatus, Role};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "referral_form.html")]
struct FormPage {
    title: String,
    sheet: ReferralSheet,
    csrf: String,
    /// Not yet recorded as sent, and the agency has no account.
    can_mark_sent: bool,
}

/// Whether `who` works for the organisation that made the referral (only
/// it sends a referral on by hand).
fn is_referrer(who: &SignedIn, r: &Rec<Referral>) -> bool {
    matches!(who.role(), Role::OutreachWorker | Role::Supervisor)
        && r.meta.organisation_id == who.organisation.id
}

/// Whether the referral's agency has no account: it must be sent by hand.
async fn by_hand(state: &DashboardState, agency_id: &str) -> Result<bool, DashError> {
    let store = state.0.store.clone();
    let workers = blocking(move || Ok(store.workers()?)).await?;
    Ok(!partnership::agencies_with_accounts(&workers).contains(agency_id))
}

async fn sheet(
    state: &DashboardState,
    who: &SignedIn,
    id: &str,
) -> Result<(Visible, ReferralSheet, Uuid), DashError> {
    let id = Uuid::parse_str(id).map_err(|_| DashError::NotFound)?;
    // The referral, then her profile and the consent it rests on.
    let mut v = Visible::load_ids(state, who, vec![id]).await?;
    let named: Vec<Uuid> = v
        .referrals
        .iter()
        .filter(|r| r.body.id == id)
        .flat_map(|r| [r.body.person_id, r.body.consent_id])
        .collect();
    v.add_ids(state, who, named).await?;
    let r = v
        .referrals
        .iter()
        .find(|r| r.body.id == id)
        .ok_or(DashError::NotFound)?;
    if !is_referrer(who, r) {
        return Err(DashError::Forbidden);
    }
    let admin = state.0.admin.clone();
    let name = blocking(move || Ok(partnership::agreement(&admin)?))
        .await?
        .map_or_else(|| "The partnership".to_owned(), |a| a.name);
    let when = |t| time::day_hm(t);
    let sheet = referral_form::build(&FormInput {
        partnership: &name,
        referral: &r.body,
        person: v.people.get(&r.body.person_id).map(|p| &p.body),
        consent: v
            .consents
            .iter()
            .find(|c| c.body.id == r.body.consent_id)
            .map(|c| &c.body),
        agency: v.directory.agency(&r.body.agency_id),
        now: v.now,
        when: &when,
    })
    .map_err(|e| DashError::Invalid(format!("No form can be made: {e}.")))?;
    Ok((v, sheet, id))
}

async fn audit_view(
    state: &DashboardState,
    who: &SignedIn,
    id: Uuid,
    what: &str,
) -> Result<(), DashError> {
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: format!("referral_form_{what}"),
            subject: Some(id.to_string()),
            detail: None,
        })
        .await
}

/// `GET /referrals/{id}/form`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    let (v, sheet, id) = sheet(&state, &who, &id).await?;
    let agency_id = v
        .referrals
        .iter()
        .find(|r| r.body.id == id)
        .map(|r| r.body.agency_id.clone())
        .unwrap_or_default();
    let can_mark_sent = sheet.sent.is_none() && by_hand(&state, &agency_id).await?;
    audit_view(&state, &who, id, "viewed").await?;
    let page = FormPage {
        title: format!("{}: referral form", sheet.partnership),
        sheet,
        csrf: who.csrf.clone(),
        can_mark_sent,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /referrals/{id}/form.pdf`
pub async fn pdf(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    let (_, sheet, id) = sheet(&state, &who, &id).await?;
    let bytes = blocking(move || {
        referral_pdf::render(&sheet).map_err(|e| {
            tracing::error!(error = %e, "a referral form PDF failed");
            DashError::Internal
        })
    })
    .await?;
    audit_view(&state, &who, id, "pdf").await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"referral-{id}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /referrals/{id}/sent-by-hand`
pub async fn mark_sent(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    // The form must be makeable (her consent in force) before it is sent.
    let (v, _, id) = sheet(&state, &who, &id).await?;
    let r = v
        .referrals
        .iter()
        .find(|r| r.body.id == id)
        .ok_or(DashError::NotFound)?;
    if !by_hand(&state, &r.body.agency_id).await? {
        return Err(DashError::Invalid(
            "This agency has an account: it receives the referral through Nightround.".into(),
        ));
    }
    // The step names the writer exactly (the server keeps referral history
    // append-only and the writer's own); "by hand" is the agency's lack of
    // an account, and the audit entry says it.
    let next = r
        .body
        .moved_to(ReferralStatus::Sent, state.now(), &who.worker.display_name)
        .map_err(|_| {
            DashError::Invalid("This referral has already been sent or answered.".into())
        })?;
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
            action: "referral_sent_by_hand".into(),
            subject: Some(id.to_string()),
            detail: Some(format!("agency {}", r.body.agency_id)),
        })
        .await?;
    Ok(Redirect::to("/referrals?done=sent-by-hand").into_response())
}
