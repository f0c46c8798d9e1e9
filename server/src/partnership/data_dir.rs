//! The admin CLI's agreement and directory commands on a data directory
//! (`admin agreement import|export`, `admin directory import|export`), each
//! import audited in the hash chain as the dashboard's edits are.

use super::{save_agreement_json, save_directory_json, to_json};
use crate::admin::{open_data_dir, Admin};
use crate::config::ServerConfig;
use crate::error::{Result, ServerError};
use crate::store::dashboard::NewAuditEntry;
use std::path::Path;

/// The audit log's actor for changes made with the admin CLI.
pub const CLI_ACTOR: &str = "admin_cli";

fn read(path: &Path, what: &'static str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| ServerError::io(what, path, e))
}

/// Imports an agreement file; returns its stored revision.
pub fn import_agreement(config: &ServerConfig, file: &Path) -> Result<u32> {
    let text = read(file, "reading the agreement file")?;
    let (store, keys) = open_data_dir(config)?;
    let admin = Admin::new(store.clone(), config, &keys);
    let saved = save_agreement_json(&admin, &text)?;
    store.append_audit(&NewAuditEntry {
        at: config.clock.now(),
        actor: CLI_ACTOR.into(),
        action: "agreement_saved".into(),
        subject: None,
        detail: Some(format!("revision {}", saved.revision)),
    })?;
    Ok(saved.revision)
}

/// The stored agreement as JSON; an error when there is none.
pub fn export_agreement(config: &ServerConfig) -> Result<String> {
    let admin = Admin::open(config)?;
    let agreement = super::agreement(&admin)?.ok_or_else(|| {
        ServerError::Invalid("no sharing agreement is stored yet: import one first".into())
    })?;
    Ok(to_json(&agreement)?)
}

/// Imports a directory file; returns its stored (new) revision.
pub fn import_directory(config: &ServerConfig, file: &Path) -> Result<u32> {
    let text = read(file, "reading the directory file")?;
    let (store, keys) = open_data_dir(config)?;
    let admin = Admin::new(store.clone(), config, &keys);
    let saved = save_directory_json(&admin, &text)?;
    store.append_audit(&NewAuditEntry {
        at: config.clock.now(),
        actor: CLI_ACTOR.into(),
        action: "directory_saved".into(),
        subject: None,
        detail: Some(format!("revision {}", saved.revision)),
    })?;
    Ok(saved.revision)
}

/// The current directory as JSON.
pub fn export_directory(config: &ServerConfig) -> Result<String> {
    let admin = Admin::open(config)?;
    Ok(to_json(&admin.directory()?)?)
}
