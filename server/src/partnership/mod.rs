//! The partnership as data: its information-sharing agreement and its
//! directory, kept on the server, checked before they are saved, and
//! changed only by the partnership administrator (on the dashboard) or by
//! whoever holds the server (the admin CLI). Each save of the directory
//! raises its revision, so phones receive it on their next pull.
//!
//! - [`directory_check`]: what makes a directory acceptable;
//! - [`startup`]: `serve` refuses to start a real partnership on the
//!   built-in example without being told to.

pub mod data_dir;
pub mod directory_check;
pub mod referral_form;
pub mod referral_pdf;
pub mod startup;

use crate::admin::Admin;
use crate::error::ServerError;
use crate::store::partnership::DirectoryOrigin;
pub use directory_check::DirectoryError;
use nightround_core::domain::agreement::{AgreementError, SharingAgreement};
use nightround_core::domain::Directory;

/// Why the agreement or the directory was not saved. Each says in plain
/// words what to fix; none carries anything about a woman.
#[derive(Debug, thiserror::Error)]
pub enum PartnershipError {
    #[error(transparent)]
    Agreement(#[from] AgreementError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Server(#[from] ServerError),
}

impl From<crate::store::StoreError> for PartnershipError {
    fn from(e: crate::store::StoreError) -> Self {
        PartnershipError::Server(e.into())
    }
}

impl From<PartnershipError> for ServerError {
    fn from(e: PartnershipError) -> Self {
        match e {
            PartnershipError::Server(e) => e,
            e => ServerError::Invalid(e.to_string()),
        }
    }
}

/// The stored agreement, `None` until the partnership has one.
pub fn agreement(admin: &Admin) -> Result<Option<SharingAgreement>, PartnershipError> {
    Ok(admin.store().agreement()?)
}

/// Checks and stores an agreement: whole and consistent, and naming every
/// agency of the current directory (else nothing could be shared with it).
/// Its revision becomes one past the stored one's. Returns what was stored.
pub fn save_agreement(
    admin: &Admin,
    mut new: SharingAgreement,
) -> Result<SharingAgreement, PartnershipError> {
    new.validate()?;
    let store = admin.store();
    new.check_against(&store.directory()?)?;
    if let Some(current) = store.agreement()? {
        new.revision = new.revision.max(current.revision.saturating_add(1));
    }
    store.set_agreement(&new)?;
    tracing::info!(revision = new.revision, "sharing agreement saved");
    Ok(new)
}

/// [`save_agreement`] from JSON text (a file, the dashboard's form).
pub fn save_agreement_json(
    admin: &Admin,
    text: &str,
) -> Result<SharingAgreement, PartnershipError> {
    save_agreement(admin, SharingAgreement::from_json(text)?)
}

/// Where the current directory came from.
pub fn directory_origin(admin: &Admin) -> Result<DirectoryOrigin, PartnershipError> {
    Ok(admin.store().directory_origin()?)
}

/// Checks and stores the partnership's own directory, at a revision past
/// the current one (whatever revision the file carried), so every phone
/// receives it on its next pull. When an agreement is stored, every agency
/// must be a party to it. Returns what was stored.
pub fn save_directory(admin: &Admin, mut dir: Directory) -> Result<Directory, PartnershipError> {
    directory_check::check(&dir)?;
    let store = admin.store();
    if let Some(agreement) = store.agreement()? {
        agreement.check_against(&dir)?;
    }
    let current = store.directory()?.revision;
    dir.revision = dir.revision.max(current.saturating_add(1));
    admin.set_directory(&dir)?;
    store.set_directory_origin(DirectoryOrigin::Own)?;
    tracing::info!(revision = dir.revision, "directory saved");
    Ok(dir)
}

/// [`save_directory`] from JSON text (a file, the dashboard's form).
pub fn save_directory_json(admin: &Admin, text: &str) -> Result<Directory, PartnershipError> {
    save_directory(admin, directory_check::from_json(text)?)
}

/// Pretty JSON for export and for the dashboard's editor.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, PartnershipError> {
    serde_json::to_string_pretty(value)
        .map_err(|e| ServerError::Invalid(format!("could not write JSON: {e}")).into())
}

impl From<PartnershipError> for crate::dashboard::DashError {
    fn from(e: PartnershipError) -> Self {
        ServerError::from(e).into()
    }
}

/// The agencies some live (unrevoked) receiving-agency worker acts for: a
/// referral to any other agency reaches it only by hand.
pub fn agencies_with_accounts(
    workers: &[crate::store::Worker],
) -> std::collections::HashSet<String> {
    workers
        .iter()
        .filter(|w| {
            w.role == nightround_core::domain::Role::ReceivingAgency && w.revoked_at.is_none()
        })
        .filter_map(|w| w.agency_id.clone())
        .collect()
}
