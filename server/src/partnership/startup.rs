//! `serve` on a data directory whose directory nobody has chosen refuses to
//! start: the built-in Southend list has invented numbers, and a real
//! partnership must not send its workers to them. It starts when given the
//! partnership's own (`--directory <file.json>`, imported) or told that the
//! example is wanted (`--example-directory`, a trial).

use super::{save_directory_json, PartnershipError};
use crate::admin::Admin;
use crate::error::ServerError;
use crate::store::partnership::DirectoryOrigin;
use nightround_core::domain::Directory;
use std::path::PathBuf;

/// What `serve` was told about the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryChoice {
    /// Nothing: start only if the directory was chosen before.
    Keep,
    /// Import this file (a new revision) before serving.
    Import(PathBuf),
    /// Serve the built-in example, knowingly.
    Example,
}

/// The message `serve` stops with when nobody has chosen a directory.
pub const UNCHOSEN: &str = "this data directory has no partnership directory yet: \
     start with --directory <file.json> to import your partnership's agencies, areas and \
     supplies (see `admin directory export` for the format), or with --example-directory \
     to run on the built-in Southend example (invented numbers; for trials only)";

/// Readies the directory before serving, as `choice` says; refuses when
/// nobody has ever chosen one.
pub fn prepare(admin: &Admin, choice: &DirectoryChoice) -> Result<(), ServerError> {
    let store = admin.store();
    match choice {
        DirectoryChoice::Import(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ServerError::io("reading the directory file", path, e))?;
            let dir = save_directory_json(admin, &text).map_err(|e| match e {
                PartnershipError::Server(e) => e,
                e => ServerError::Config(format!("{}: {e}", path.display())),
            })?;
            tracing::info!(revision = dir.revision, "directory imported");
            Ok(())
        }
        DirectoryChoice::Example => {
            if store.directory_origin()? == DirectoryOrigin::Unchosen {
                store.set_directory_origin(DirectoryOrigin::Example)?;
            }
            Ok(())
        }
        DirectoryChoice::Keep => {
            if store.directory_origin()? != DirectoryOrigin::Unchosen {
                return Ok(());
            }
            // A directory set before origins were kept is the partnership's.
            if store.directory()? == Directory::southend_defaults() {
                return Err(ServerError::Config(UNCHOSEN.into()));
            }
            store.set_directory_origin(DirectoryOrigin::Own)?;
            Ok(())
        }
    }
}
