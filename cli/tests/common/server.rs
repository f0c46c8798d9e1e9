//! A real sync server started in-process over HTTPS on loopback, with its
//! self-signed certificate written where `enrol --cert` can read it: the one
//! start the command-line tests that talk to a server share.

use nightround_server::{start, RunningServer, ServerConfig};
use std::path::PathBuf;

/// The running server, the runtime it runs on and the directory it keeps its
/// data and certificate in (all removed when this is dropped).
/// Fields drop in order: the server before the runtime it runs on.
pub struct TestServer {
    pub server: RunningServer,
    pub rt: tokio::runtime::Runtime,
    /// `https://127.0.0.1:<port>`.
    pub url: String,
    /// The server's certificate in PEM, for `enrol --cert`.
    pub cert: PathBuf,
    /// The server's certificate fingerprint, for an enrolment link.
    pub fingerprint: String,
    _data: tempfile::TempDir,
}

impl TestServer {
    /// Starts a fresh server on a free port with an empty database.
    pub fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let data = tempfile::tempdir().unwrap();
        let config = ServerConfig::new(data.path().join("server"), "127.0.0.1:0".parse().unwrap());
        let server = rt.block_on(start(config)).unwrap();
        let url = server.base_url();
        let cert = data.path().join("server-cert.pem");
        std::fs::write(&cert, server.tls_cert_pem().unwrap()).unwrap();
        let fingerprint = server.tls_fingerprint().unwrap().to_owned();
        Self {
            server,
            rt,
            url,
            cert,
            fingerprint,
            _data: data,
        }
    }

    /// The certificate's path as `enrol --cert` takes it.
    pub fn cert_arg(&self) -> &str {
        self.cert.to_str().unwrap()
    }

    /// Stops the server and waits for it to finish.
    pub fn shutdown(self) {
        let Self { rt, server, .. } = self;
        rt.block_on(server.shutdown()).unwrap();
    }
}
