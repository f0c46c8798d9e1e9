//! Dashboard accounts: a worker's username and password for the dashboard.
//! Used by `nightround-server admin dashboard-account`, by the demo, and by
//! a supervisor on the devices page.

use super::auth::{self, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::admin::open_data_dir;
use crate::config::ServerConfig;
use crate::error::{Result, ServerError};
use crate::store::dashboard::{Account, DashboardStore};
use crate::store::{Store, StoreError};
use nightround_core::Timestamp;

/// The longest username accepted.
pub const MAX_USERNAME_CHARS: usize = 64;

/// A username as stored: trimmed, letters, digits and `.-_@` only.
pub fn clean_username(name: &str) -> std::result::Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_USERNAME_CHARS {
        return Err(format!(
            "a username is 1 to {MAX_USERNAME_CHARS} characters"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
    {
        return Err("a username uses letters, digits and . - _ @ only".into());
    }
    Ok(name.to_owned())
}

/// Checks a password chosen by hand.
pub fn check_password(password: &str) -> std::result::Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!(
            "a password is at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!(
            "a password is at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    Ok(())
}

/// Creates a dashboard account for a worker. With no password, one is
/// generated; the password is returned so it can be handed over once.
pub fn create(
    store: &dyn Store,
    dash: &dyn DashboardStore,
    worker_id: &str,
    username: &str,
    password: Option<&str>,
    now: Timestamp,
) -> Result<String> {
    let worker = store
        .worker(worker_id)?
        .ok_or(ServerError::NotFound("worker"))?;
    if worker.revoked_at.is_some() {
        return Err(ServerError::WorkerRevoked);
    }
    let username = clean_username(username).map_err(ServerError::Invalid)?;
    let password = match password {
        Some(p) => {
            check_password(p).map_err(ServerError::Invalid)?;
            p.to_owned()
        }
        None => auth::generate_password(),
    };
    let hash = auth::hash_password(&password)
        .map_err(|_| ServerError::Config("hashing a password failed".into()))?;
    dash.add_account(&Account {
        worker_id: worker.id.clone(),
        username,
        password_hash: hash,
        created_at: now,
        failed_attempts: 0,
        locked_until: None,
        last_sign_in_at: None,
    })
    .map_err(|e| match e {
        StoreError::Duplicate(_) => ServerError::Invalid(
            "that worker already has a dashboard account, or the username is taken".into(),
        ),
        e => e.into(),
    })?;
    tracing::info!(worker = %worker.id, "dashboard account created");
    Ok(password)
}

/// Creates an account on a data directory (the CLI).
pub fn create_in_data_dir(
    config: &ServerConfig,
    worker_id: &str,
    username: &str,
    password: Option<&str>,
) -> Result<String> {
    let (store, _keys) = open_data_dir(config)?;
    let now = config.clock.now();
    create(
        store.as_ref(),
        store.as_ref(),
        worker_id,
        username,
        password,
        now,
    )
}

/// Makes the worker behind a dashboard account one of the partnership's
/// administrators, who alone may create police officers and
/// receiving-agency workers from the dashboard (the CLI:
/// `admin dashboard-account --partnership-admin`). Only a supervisor may be.
pub fn grant_partnership_admin(
    store: &dyn Store,
    dash: &dyn DashboardStore,
    username: &str,
    now: Timestamp,
) -> Result<()> {
    let account = dash
        .account_by_username(username)?
        .ok_or(ServerError::NotFound("dashboard account"))?;
    let worker = store
        .worker(&account.worker_id)?
        .ok_or(ServerError::NotFound("worker"))?;
    if worker.role != nightround_core::domain::Role::Supervisor {
        return Err(ServerError::Invalid(
            "only a supervisor can be the partnership's administrator".into(),
        ));
    }
    dash.set_partnership_admin(&worker.id, true, now)?;
    tracing::info!(worker = %worker.id, "made a partnership administrator");
    Ok(())
}

/// Creates a supervisor's dashboard account that is the partnership's
/// administrator (the CLI's `dashboard-account --partnership-admin`): the
/// role is checked before anything is written.
pub fn create_partnership_admin_in_data_dir(
    config: &ServerConfig,
    worker_id: &str,
    username: &str,
) -> Result<String> {
    let (store, _keys) = open_data_dir(config)?;
    let worker = store
        .worker(worker_id)?
        .ok_or(ServerError::NotFound("worker"))?;
    if worker.role != nightround_core::domain::Role::Supervisor {
        return Err(ServerError::Invalid(
            "only a supervisor can be the partnership's administrator".into(),
        ));
    }
    let now = config.clock.now();
    let password = create(
        store.as_ref(),
        store.as_ref(),
        worker_id,
        username,
        None,
        now,
    )?;
    grant_partnership_admin(store.as_ref(), store.as_ref(), username, now)?;
    Ok(password)
}

/// [`grant_partnership_admin`] on a data directory (the CLI).
pub fn grant_partnership_admin_in_data_dir(config: &ServerConfig, username: &str) -> Result<()> {
    let (store, _keys) = open_data_dir(config)?;
    grant_partnership_admin(store.as_ref(), store.as_ref(), username, config.clock.now())
}

/// Sets a new password (and lifts a lockout) on a data directory (the CLI).
pub fn reset_in_data_dir(config: &ServerConfig, username: &str) -> Result<String> {
    let (store, _keys) = open_data_dir(config)?;
    let account = store
        .account_by_username(username)?
        .ok_or(ServerError::NotFound("dashboard account"))?;
    let password = auth::generate_password();
    let hash = auth::hash_password(&password)
        .map_err(|_| ServerError::Config("hashing a password failed".into()))?;
    store.set_password(&account.worker_id, &hash)?;
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords() {
        assert_eq!(clean_username(" sam.k ").unwrap(), "sam.k");
        assert!(clean_username("").is_err());
        assert!(clean_username("sam k").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("long enough password").is_ok());
    }
}
