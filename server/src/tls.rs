//! TLS through rustls (the aws-lc-rs provider, never OpenSSL).
//!
//! Without a certificate from the operator, the server makes a self-signed
//! one on its first start, keeps it in `<data-dir>/tls/` and prints its
//! SHA-256 fingerprint: phones pin that certificate, so no public CA is
//! involved and the fingerprint is what a supervisor checks at enrolment.

use crate::config::{DataPaths, TlsSetting};
use crate::error::{Result, ServerError};
use crate::keys;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// A ready rustls configuration with what the operator needs to know of it.
#[derive(Clone)]
pub struct TlsMaterial {
    pub config: Arc<rustls::ServerConfig>,
    /// SHA-256 of the leaf certificate, upper-case hex pairs joined by colons.
    pub fingerprint: String,
    /// The leaf certificate, PEM: what a phone pins.
    pub cert_pem: String,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// The SHA-256 fingerprint of a DER certificate, as `AB:CD:...`: the
/// core's own, so the QR code the dashboard prints and the phone that checks
/// it cannot disagree on the form.
pub use nightround_core::sync::enrolment_link::certificate_fingerprint as fingerprint;

/// The TLS material for a setting; `None` for plain HTTP.
pub fn prepare(setting: &TlsSetting, paths: &DataPaths) -> Result<Option<TlsMaterial>> {
    match setting {
        TlsSetting::PlainLoopback => Ok(None),
        TlsSetting::Files { cert, key } => load(cert, key).map(Some),
        TlsSetting::SelfSigned { hostnames } => {
            let (cert, key) = (paths.tls_cert(), paths.tls_key());
            match (cert.exists(), key.exists()) {
                (true, true) => {}
                (false, false) => generate(paths, hostnames)?,
                _ => {
                    return Err(ServerError::Tls(format!(
                        "only one of {} and {} exists; restore the other or remove both \
                         to make a new certificate (phones pinning the old one must re-enrol)",
                        cert.display(),
                        key.display()
                    )))
                }
            }
            load(&cert, &key).map(Some)
        }
    }
}

fn generate(paths: &DataPaths, hostnames: &[String]) -> Result<()> {
    let names = if hostnames.is_empty() {
        vec!["localhost".to_owned(), "127.0.0.1".to_owned()]
    } else {
        hostnames.to_vec()
    };
    let mut params = rcgen::CertificateParams::new(names)
        .map_err(|e| ServerError::Tls(format!("certificate names: {e}")))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Nightround sync server");
    let key = rcgen::KeyPair::generate()
        .map_err(|e| ServerError::Tls(format!("generating a key: {e}")))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| ServerError::Tls(format!("signing the certificate: {e}")))?;
    keys::create_private_dir(&paths.tls_dir())?;
    let key_pem = zeroize::Zeroizing::new(key.serialize_pem());
    keys::write_private_file(&paths.tls_key(), key_pem.as_bytes())?;
    // Public, but the data directory holds only private files.
    keys::write_private_file(&paths.tls_cert(), cert.pem().as_bytes())?;
    tracing::info!(path = %paths.tls_cert().display(), "generated a self-signed certificate");
    Ok(())
}

fn load(cert_path: &Path, key_path: &Path) -> Result<TlsMaterial> {
    let cert_pem = std::fs::read_to_string(cert_path)
        .map_err(|e| ServerError::io("reading the certificate", cert_path, e))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            ServerError::Tls(format!("{} is not PEM certificates", cert_path.display()))
        })?;
    let leaf = chain
        .first()
        .ok_or_else(|| ServerError::Tls(format!("{} holds no certificate", cert_path.display())))?;
    let fingerprint = fingerprint(leaf.as_ref());
    let leaf_pem = nightround_core::sync::enrolment_link::certificate_pem(leaf.as_ref());
    let key = PrivateKeyDer::from_pem_file(key_path)
        .map_err(|_| ServerError::Tls(format!("{} holds no private key", key_path.display())))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| ServerError::Tls(format!("certificate and key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsMaterial {
        config: Arc::new(config),
        fingerprint,
        cert_pem: leaf_pem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused_with_a_private_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let paths = DataPaths::new(dir.path());
        let setting = TlsSetting::SelfSigned {
            hostnames: Vec::new(),
        };
        let a = prepare(&setting, &paths).unwrap().unwrap();
        let b = prepare(&setting, &paths).unwrap().unwrap();
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.fingerprint.len(), 32 * 3 - 1);
        assert_eq!(
            a.cert_pem,
            std::fs::read_to_string(paths.tls_cert()).unwrap()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(paths.tls_key())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_file(paths.tls_key()).unwrap();
        assert!(matches!(
            prepare(&setting, &paths),
            Err(ServerError::Tls(_))
        ));
    }
}
