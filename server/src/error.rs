//! The server's typed errors for startup, storage and administration. The
//! HTTP edge turns them into the protocol's error bodies (`api::error`).
//! No variant carries a record body, a token or an enrolment code.

use crate::store::StoreError;
use std::net::SocketAddr;
use std::path::PathBuf;

/// What went wrong outside a request: starting, storing, administering.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A file or directory could not be read or written.
    #[error("{what} ({path}): {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The configuration cannot work (for example plain HTTP off loopback).
    #[error("configuration: {0}")]
    Config(String),
    #[error("TLS: {0}")]
    Tls(String),
    /// The server key file is missing, damaged or unsafe.
    #[error("server key: {0}")]
    Key(String),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// An admin operation named something that does not exist.
    #[error("no {0} with that id")]
    NotFound(&'static str),
    /// An admin operation's input is not acceptable; the message says why.
    #[error("{0}")]
    Invalid(String),
    #[error("the worker has been revoked")]
    WorkerRevoked,
}

/// The server's result type.
pub type Result<T, E = ServerError> = std::result::Result<T, E>;

impl ServerError {
    /// An I/O error with what was being done and where.
    pub fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ServerError::Io {
            what,
            path: path.into(),
            source,
        }
    }
}
