//! Administration: the operations a supervisor's tools call (the CLI today,
//! the dashboard later, tests throughout), on the same store the server uses.

use crate::config::{DataPaths, ServerConfig};
use crate::error::{Result, ServerError};
use crate::keys::{self, ServerKeys};
use crate::secrets;
use crate::store::dashboard::{DashboardStore, NewAuditEntry};
use crate::store::data_protection::DataProtectionStore;
use crate::store::links::{LinkError, ProfileLink};
use crate::store::open::{open_backend, Backend};
use crate::store::{Organisation, Store, StoreError, StoredCode, Worker};
use nightround_core::clock::Clock;
use nightround_core::crypto::DataKey;
use nightround_core::domain::agreement::{RetentionSchedule, SharingAgreement};
use nightround_core::domain::{Directory, Role};
use nightround_core::Timestamp;
use std::sync::Arc;
use uuid::Uuid;

/// The longest display or organisation name accepted.
pub const MAX_NAME_CHARS: usize = 80;

/// A one-time enrolment code, to show to the worker once (as text or, on the
/// dashboard, a QR code). Only its keyed hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrolmentCode {
    /// Ten characters from an unambiguous alphabet, shown as `XXXXX-XXXXX`.
    pub code: String,
    pub worker_id: String,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for EnrolmentCode {
    /// Never prints the code itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolmentCode")
            .field("worker_id", &self.worker_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// One enrolled device as a supervisor's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub device_id: Uuid,
    pub name: String,
    pub worker_id: String,
    pub worker_name: String,
    pub role: Role,
    pub organisation: String,
    pub enrolled_at: Timestamp,
    pub last_sync_at: Option<Timestamp>,
    /// The device or its worker was revoked.
    pub revoked: bool,
    /// Not synced within the lease: the phone has locked itself.
    pub lease_expired: bool,
    /// When the duress PIN was last used on this phone, if ever: someone
    /// may have made her unlock it. Shown to supervisors, never to the phone.
    pub duress_reported_at: Option<Timestamp>,
}

/// Administrative operations on one data directory.
#[derive(Clone)]
pub struct Admin {
    store: Arc<dyn Store>,
    protection: Arc<dyn DataProtectionStore>,
    audit: Arc<dyn DashboardStore>,
    /// The configured agreement: used only while none is stored.
    fallback_agreement: SharingAgreement,
    clock: Arc<dyn Clock>,
    code_key: DataKey,
    code_ttl: chrono::Duration,
    lease_days: u32,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin").finish_non_exhaustive()
    }
}

/// Opens a data directory: creates it, its key and its database as needed.
/// The database is the SQLite file in it, or the PostgreSQL database of
/// `config.database`; the keys are in the directory either way.
pub(crate) fn open_data_dir(config: &ServerConfig) -> Result<(Arc<dyn Backend>, ServerKeys)> {
    let paths: DataPaths = config.paths();
    keys::create_private_dir(paths.root())?;
    // Whatever was loosened since the last start is tightened (and logged)
    // before anything is read.
    crate::private_dir::enforce(paths.root())?;
    let server_keys = keys::load_or_create(&paths)?;
    if config.database.is_none() {
        // The SQLite file is created 0600 before SQLite opens it.
        crate::private_dir::create_private_file(&paths.database())?;
    }
    let store = open_backend(
        config.database.as_deref(),
        &paths.database(),
        server_keys.records.clone(),
        config.clock.now(),
    )?;
    Ok((store, server_keys))
}

fn clean_name(what: &str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ServerError::Invalid(format!("a {what} is needed")));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ServerError::Invalid(format!(
            "a {what} is at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name.to_owned())
}

/// A stable id from a name: "Essex Police" becomes `essex_police`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// A refused link as the command line says it; a store failure stays one.
fn link_error(e: LinkError) -> ServerError {
    match e {
        LinkError::Store(e) => ServerError::Store(e),
        e => ServerError::Invalid(e.to_string()),
    }
}

impl Admin {
    /// Opens the data directory of `config` for administration (the CLI,
    /// with or without a running server: SQLite serialises the two).
    pub fn open(config: &ServerConfig) -> Result<Admin> {
        let (store, keys) = open_data_dir(config)?;
        Ok(Admin::new(store, config, &keys))
    }

    pub(crate) fn new(store: Arc<dyn Backend>, config: &ServerConfig, keys: &ServerKeys) -> Admin {
        Admin {
            protection: store.clone(),
            audit: store.clone(),
            fallback_agreement: config.agreement.clone(),
            store,
            clock: config.clock.clone(),
            code_key: keys.enrolment_codes.clone(),
            code_ttl: config.enrolment_code_ttl,
            lease_days: config.lease_days,
        }
    }

    /// The store of erasure, retention and legal holds
    /// (`crate::erasure`, `crate::retention`).
    pub fn data_protection(&self) -> Arc<dyn DataProtectionStore> {
        self.protection.clone()
    }

    /// The retention schedule this server runs: the stored agreement's.
    pub fn retention_schedule(&self) -> Result<RetentionSchedule> {
        Ok(self.agreement()?.retention)
    }

    /// The partnership's agreement this server runs under: the stored one
    /// (edited by the partnership administrator), else the configured one.
    pub fn agreement(&self) -> Result<SharingAgreement> {
        Ok(self
            .store
            .agreement()?
            .unwrap_or_else(|| self.fallback_agreement.clone()))
    }

    /// Erases a woman (see `crate::erasure`), audited under `actor`.
    pub fn erase_person(
        &self,
        person: Uuid,
        actor: &str,
    ) -> std::result::Result<crate::erasure::ErasureAnswer, crate::erasure::ErasureError> {
        let schedule = self.store.agreement()?.map_or_else(
            || self.fallback_agreement.retention.clone(),
            |a| a.retention,
        );
        crate::erasure::erase_person(
            self.protection.as_ref(),
            &schedule,
            person,
            actor,
            self.clock.now(),
        )
    }

    /// Places (`held`) or lifts a legal hold on a woman, audited.
    pub fn set_legal_hold(&self, person: Uuid, held: bool, actor: &str) -> Result<()> {
        let now = self.clock.now();
        self.protection.set_legal_hold(
            person,
            held,
            &NewAuditEntry {
                at: now,
                actor: actor.into(),
                action: if held {
                    "legal_hold_placed"
                } else {
                    "legal_hold_lifted"
                }
                .into(),
                subject: Some(person.to_string()),
                detail: None,
            },
            now,
        )?;
        Ok(())
    }

    /// The women under a legal hold.
    pub fn legal_holds(&self) -> Result<Vec<Uuid>> {
        Ok(self.protection.legal_holds()?)
    }

    /// One run of the retention schedule now (the daily job does the same).
    pub fn run_retention(&self) -> Result<crate::retention::RetentionRun> {
        Ok(crate::retention::step(
            self.protection.as_ref(),
            &self.retention_schedule()?,
            self.clock.now(),
        )?)
    }

    /// Everything held about her, redacted of third parties, with the
    /// lawful basis of each record; audited (ids and counts only).
    pub fn subject_access(
        &self,
        person: Uuid,
        actor: &str,
    ) -> Result<crate::subject_access::SubjectAccessExport> {
        let now = self.clock.now();
        let workers = self.store.workers()?;
        let export = crate::subject_access::export(
            self.protection.as_ref(),
            &self.agreement()?,
            &workers,
            person,
            now,
        )?
        .ok_or(ServerError::NotFound("person"))?;
        self.audit.append_audit(&NewAuditEntry {
            at: now,
            actor: actor.into(),
            action: "subject_access_export".into(),
            subject: Some(person.to_string()),
            detail: Some(format!(
                "{} records, {} deliveries",
                export.records.len(),
                export.shared_with.len()
            )),
        })?;
        Ok(export)
    }

    /// The audit chain's head, to keep outside the server.
    pub fn audit_anchor(&self) -> Result<Option<crate::audit_anchor::AuditAnchor>> {
        Ok(crate::audit_anchor::export_anchor(self.audit.as_ref())?)
    }

    /// Verifies the audit chain against an anchor kept outside the server.
    pub fn verify_audit_anchor(
        &self,
        anchor: &crate::audit_anchor::AuditAnchor,
    ) -> Result<crate::audit_anchor::AnchorCheck> {
        Ok(crate::audit_anchor::verify_against(
            self.audit.as_ref(),
            anchor,
        )?)
    }

    /// The store, for tools (the dashboard) that read through the policy.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// Links two person records that are the same woman (issue 14), as the
    /// administrator: audited, nothing merged.
    pub fn link_profiles(&self, a: Uuid, b: Uuid) -> Result<ProfileLink> {
        self.store
            .link_profiles(None, a, b, self.clock.now())
            .map_err(link_error)
    }

    /// Undoes a link; the row stays, with who undid it and when (audited).
    pub fn unlink_profiles(&self, link: Uuid) -> Result<ProfileLink> {
        self.store
            .unlink_profiles(None, link, self.clock.now())
            .map_err(link_error)
    }

    /// The live links of a person record.
    pub fn profile_links(&self, person: Uuid) -> Result<Vec<ProfileLink>> {
        Ok(self.store.profile_links(None, person, self.clock.now())?)
    }

    /// Adds a member organisation; its id is made from its name.
    pub fn create_organisation(&self, name: &str) -> Result<Organisation> {
        let name = clean_name("organisation name", name)?;
        let id = slug(&name);
        if id.is_empty() {
            return Err(ServerError::Invalid(
                "an organisation name needs letters or digits".into(),
            ));
        }
        let org = Organisation {
            id,
            name,
            created_at: self.clock.now(),
        };
        self.store.add_organisation(&org).map_err(|e| match e {
            StoreError::Duplicate(_) => {
                ServerError::Invalid("an organisation with that name already exists".into())
            }
            e => e.into(),
        })?;
        tracing::info!(organisation = %org.id, "organisation created");
        Ok(org)
    }

    pub fn organisations(&self) -> Result<Vec<Organisation>> {
        Ok(self.store.organisations()?)
    }

    /// Finds an organisation by id or (case-insensitively) by name.
    pub fn find_organisation(&self, id_or_name: &str) -> Result<Organisation> {
        if let Some(org) = self.store.organisation(id_or_name)? {
            return Ok(org);
        }
        self.store
            .organisations()?
            .into_iter()
            .find(|o| o.name.eq_ignore_ascii_case(id_or_name.trim()))
            .ok_or(ServerError::NotFound("organisation"))
    }

    /// Adds a worker. A receiving-agency worker names her agency from the
    /// directory; no other role carries one.
    pub fn create_worker(
        &self,
        organisation: &str,
        display_name: &str,
        role: Role,
        agency_id: Option<&str>,
    ) -> Result<Worker> {
        let org = self.find_organisation(organisation)?;
        let display_name = clean_name("display name", display_name)?;
        let agency_id = match (role, agency_id) {
            (Role::ReceivingAgency, Some(a)) => {
                if self.store.directory()?.agency(a).is_none() {
                    return Err(ServerError::Invalid(format!(
                        "no agency '{a}' in the directory"
                    )));
                }
                Some(a.to_owned())
            }
            (Role::ReceivingAgency, None) => {
                return Err(ServerError::Invalid(
                    "a receiving-agency worker needs an agency from the directory".into(),
                ))
            }
            (_, Some(_)) => {
                return Err(ServerError::Invalid(
                    "only a receiving-agency worker has an agency".into(),
                ))
            }
            (_, None) => None,
        };
        let worker = Worker {
            id: Uuid::now_v7().to_string(),
            organisation_id: org.id,
            display_name,
            role,
            agency_id,
            created_at: self.clock.now(),
            revoked_at: None,
        };
        self.store.add_worker(&worker)?;
        tracing::info!(worker = %worker.id, role = role.label(), "worker created");
        Ok(worker)
    }

    pub fn workers(&self) -> Result<Vec<Worker>> {
        Ok(self.store.workers()?)
    }

    /// A one-time code valid for the configured time (15 minutes by default).
    pub fn create_enrolment_code(&self, worker_id: &str) -> Result<EnrolmentCode> {
        self.create_enrolment_code_valid_for(worker_id, self.code_ttl)
    }

    /// A one-time code valid for `ttl`.
    pub fn create_enrolment_code_valid_for(
        &self,
        worker_id: &str,
        ttl: chrono::Duration,
    ) -> Result<EnrolmentCode> {
        if ttl <= chrono::Duration::zero() || ttl > chrono::Duration::days(7) {
            return Err(ServerError::Invalid(
                "a code is valid for between a minute and a week".into(),
            ));
        }
        let worker = self
            .store
            .worker(worker_id)?
            .ok_or(ServerError::NotFound("worker"))?;
        if worker.revoked_at.is_some() {
            return Err(ServerError::WorkerRevoked);
        }
        let code = secrets::new_enrolment_code();
        let normalised = secrets::normalise_code(&code).ok_or(ServerError::Invalid(
            "a generated code did not normalise".into(),
        ))?;
        let now = self.clock.now();
        let stored = StoredCode {
            hash: secrets::code_hash(&self.code_key, &normalised),
            worker_id: worker.id.clone(),
            created_at: now,
            expires_at: now + ttl,
        };
        self.store.add_enrolment_code(&stored)?;
        tracing::info!(worker = %worker.id, "enrolment code created");
        Ok(EnrolmentCode {
            code,
            worker_id: worker.id,
            expires_at: stored.expires_at,
        })
    }

    /// Shuts a device out: its next request answers 403 `revoked`.
    pub fn revoke_device(&self, device_id: Uuid) -> Result<()> {
        if !self.store.revoke_device(device_id, self.clock.now())? {
            return Err(ServerError::NotFound("device"));
        }
        tracing::info!(device = %device_id, "device revoked");
        Ok(())
    }

    /// Shuts out every device of a worker, and any code she has not used.
    pub fn revoke_worker(&self, worker_id: &str) -> Result<()> {
        if !self.store.revoke_worker(worker_id, self.clock.now())? {
            return Err(ServerError::NotFound("worker"));
        }
        tracing::info!(worker = %worker_id, "worker revoked");
        Ok(())
    }

    pub fn directory(&self) -> Result<Directory> {
        Ok(self.store.directory()?)
    }

    /// Replaces the directory phones receive; the revision must go up.
    pub fn set_directory(&self, dir: &Directory) -> Result<()> {
        self.store
            .set_directory(dir, self.clock.now())
            .map_err(|e| match e {
                StoreError::StaleDirectory { current, given } => ServerError::Invalid(format!(
                    "directory revision {given} is not newer than the current {current}"
                )),
                e => e.into(),
            })
    }

    /// Every device, with its worker, last sync and whether its lease ran out.
    pub fn devices(&self) -> Result<Vec<DeviceInfo>> {
        let now = self.clock.now();
        let lease = chrono::Duration::days(i64::from(self.lease_days));
        let duress = self.store.duress_reports()?;
        Ok(self
            .store
            .devices()?
            .into_iter()
            .map(|d| {
                let last = d.device.last_sync_at.unwrap_or(d.device.enrolled_at);
                DeviceInfo {
                    device_id: d.device.id,
                    name: d.device.name.clone(),
                    worker_id: d.worker.id.clone(),
                    worker_name: d.worker.display_name.clone(),
                    role: d.worker.role,
                    organisation: d.organisation.name.clone(),
                    enrolled_at: d.device.enrolled_at,
                    last_sync_at: d.device.last_sync_at,
                    revoked: d.is_revoked(),
                    lease_expired: now - last > lease,
                    duress_reported_at: duress
                        .iter()
                        .rev()
                        .find(|(id, _)| *id == d.device.id)
                        .map(|(_, at)| *at),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Essex Police"), "essex_police");
        assert_eq!(slug("  The Vineyard!! "), "the_vineyard");
        assert_eq!(slug("STARS (Southend)"), "stars_southend");
        assert_eq!(slug("***"), "");
    }
}
