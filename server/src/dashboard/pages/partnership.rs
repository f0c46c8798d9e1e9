//! `GET /partnership`: the partnership's information-sharing agreement, for
//! everyone signed in (who the controllers are and on what basis, what each
//! kind of organisation may receive with her consent, review and retention
//! periods). `POST /partnership/agreement`: the partnership administrator
//! replaces it (checked with the core's typed errors, audited); a refused
//! edit comes back with her text and the reason, nothing lost.

use super::{Chrome, Done};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::{blocking, DashError, DashboardState};
use crate::partnership::{self, PartnershipError};
use crate::store::dashboard::NewAuditEntry;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use nightround_core::domain::agreement::SharingAgreement;
use serde::Deserialize;

pub struct PartyRow {
    pub name: String,
    pub id: String,
    pub kind: &'static str,
    pub article6: &'static str,
    pub article9: String,
}

pub struct RuleRow {
    pub receiver: &'static str,
    pub categories: String,
}

pub struct RetentionRow {
    pub what: String,
    pub keep: String,
}

/// The agreement as the page shows it.
pub struct AgreementView {
    pub name: String,
    pub example: bool,
    pub revision: u32,
    pub review_days: u32,
    pub parties: Vec<PartyRow>,
    pub rules: Vec<RuleRow>,
    pub retention: Vec<RetentionRow>,
}

impl AgreementView {
    pub fn of(a: &SharingAgreement) -> Self {
        let r = &a.retention;
        let mut retention: Vec<RetentionRow> = r
            .records
            .iter()
            .map(|rule| RetentionRow {
                what: format!("{} records", rule.kind.as_str()),
                keep: rule.keep.describe(),
            })
            .collect();
        retention.push(RetentionRow {
            what: "safeguarding records".into(),
            keep: r.safeguarding.describe(),
        });
        retention.push(RetentionRow {
            what: "the audit log".into(),
            keep: r.audit.describe(),
        });
        retention.push(RetentionRow {
            what: "records on a phone".into(),
            keep: format!("{} days after the server has them", r.phone_window_days),
        });
        AgreementView {
            name: a.name.clone(),
            example: a.example,
            revision: a.revision,
            review_days: a.review_days,
            parties: a
                .controllers
                .iter()
                .map(|c| PartyRow {
                    name: c.name.clone(),
                    id: c.organisation_id.clone(),
                    kind: c.kind.label(),
                    article6: c.article6.citation(),
                    article9: c.article9.citation(),
                })
                .collect(),
            rules: a
                .sharing
                .iter()
                .map(|s| RuleRow {
                    receiver: s.receiver.label(),
                    categories: if s.may_receive.is_empty() {
                        "nothing".into()
                    } else {
                        s.may_receive
                            .iter()
                            .map(|c| c.label())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                })
                .collect(),
            retention,
        }
    }
}

#[derive(Template)]
#[template(path = "partnership.html")]
struct PartnershipPage {
    chrome: Chrome,
    agreement: Option<AgreementView>,
    /// The editor, for the partnership administrator only.
    can_edit: bool,
    editor_text: String,
    error: Option<String>,
}

async fn render(
    state: &DashboardState,
    who: &SignedIn,
    done: Option<&str>,
    refused: Option<(String, String)>,
) -> Result<Response, DashError> {
    let admin = state.0.admin.clone();
    let stored = blocking(move || Ok(partnership::agreement(&admin)?)).await?;
    let can_edit = who.partnership_admin && who.is_supervisor();
    let (editor_text, error) = match refused {
        Some((text, error)) => (text, Some(error)),
        None if can_edit => (
            match &stored {
                Some(a) => partnership::to_json(a)?,
                None => partnership::to_json(&SharingAgreement::southend_example())?,
            },
            None,
        ),
        None => (String::new(), None),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PartnershipPage {
        chrome: Chrome::new(who, "Partnership", "/partnership").with_flash(done),
        agreement: stored.as_ref().map(AgreementView::of),
        can_edit,
        editor_text,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /partnership`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, DashError> {
    render(&state, &who, done.done.as_deref(), None).await
}

#[derive(Debug, Deserialize)]
pub struct AgreementForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agreement: String,
}

/// The longest agreement text accepted from the form.
pub const MAX_FORM_CHARS: usize = 256 * 1024;

/// `POST /partnership/agreement`
pub async fn save(
    State(state): State<DashboardState>,
    who: SignedIn,
    form: Result<Form<AgreementForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    if !(who.partnership_admin && who.is_supervisor()) {
        return Err(DashError::Forbidden);
    }
    if form.agreement.len() > MAX_FORM_CHARS {
        return Err(DashError::Invalid(
            "The agreement is too long for the form.".into(),
        ));
    }
    let admin = state.0.admin.clone();
    let text = form.agreement.clone();
    let saved = blocking(move || Ok(partnership::save_agreement_json(&admin, &text))).await?;
    match saved {
        Ok(a) => {
            state
                .audit(NewAuditEntry {
                    at: state.now(),
                    actor: who.worker.id.clone(),
                    action: "agreement_saved".into(),
                    subject: None,
                    detail: Some(format!("revision {}", a.revision)),
                })
                .await?;
            Ok(Redirect::to("/partnership?done=agreement-saved").into_response())
        }
        Err(PartnershipError::Server(e)) => Err(e.into()),
        Err(e) => render(&state, &who, None, Some((form.agreement, e.to_string()))).await,
    }
}
