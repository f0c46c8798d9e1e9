//! The enrolment QR code a supervisor shows on the dashboard's devices page
//! (`docs/dashboard.md`), read here once for Android, iOS and the
//! command-line device:
//!
//! ```text
//! nightround:enrol?server=<percent-encoded base URL>&code=<code>[&cert_sha256=<fingerprint>]
//! ```
//!
//! The apps' scanners hand the text they read to [`parse_enrolment_link`];
//! [`enrol_with_link`] then enrols. When the code names the server's
//! certificate by its SHA-256 fingerprint (a server with its own self-signed
//! certificate), the certificate is fetched over TLS, accepted only if its
//! fingerprint is the one in the code, and pinned from then on, exactly as a
//! certificate given as a PEM file would be.

use super::engine::enrol;
use crate::domain::{ValidationError, WorkerIdentity};
use crate::error::{CoreError, Result};
use crate::vault::Enrolment;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The longest enrolment code accepted (the server's are 11 characters).
const MAX_CODE_CHARS: usize = 32;

/// The longest text a scanner may hand over (a QR code holds a few hundred
/// characters; anything longer is not ours).
const MAX_LINK_CHARS: usize = 2048;

/// What an enrolment QR code says: where the server is, the one-time code,
/// and the fingerprint of the certificate to pin, if the server has its own.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct EnrolmentLink {
    pub server_url: String,
    pub code: String,
    /// SHA-256 of the server's certificate, upper-case hex pairs joined by
    /// colons (`AB:CD:…`), as the server prints it.
    pub cert_sha256: Option<String>,
}

/// Reads the text of an enrolment QR code. Anything else (a web address, a
/// code for another app, a damaged read) is `NotAnEnrolmentCode`, so the
/// scanner can keep looking or let her type the code.
pub fn parse_enrolment_link(text: &str) -> std::result::Result<EnrolmentLink, ValidationError> {
    let text = text.trim();
    if text.chars().count() > MAX_LINK_CHARS {
        return Err(ValidationError::NotAnEnrolmentCode);
    }
    let url = url::Url::parse(text).map_err(|_| ValidationError::NotAnEnrolmentCode)?;
    if url.scheme() != "nightround" || url.path() != "enrol" {
        return Err(ValidationError::NotAnEnrolmentCode);
    }
    let (mut server, mut code, mut cert) = (None, None, None);
    for (key, value) in url.query_pairs() {
        let slot = match key.as_ref() {
            "server" => &mut server,
            "code" => &mut code,
            "cert_sha256" => &mut cert,
            // Later versions may add fields; they are not needed to enrol.
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            // Twice the same field: not something the dashboard makes.
            return Err(ValidationError::NotAnEnrolmentCode);
        }
    }
    let server_url = server.ok_or(ValidationError::NotAnEnrolmentCode)?;
    crate::vault::forms::check_server_url(&server_url)?;
    let code = code
        .map(|c| c.trim().to_uppercase())
        .filter(|c| {
            !c.is_empty()
                && c.chars().count() <= MAX_CODE_CHARS
                && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
        })
        .ok_or(ValidationError::NotAnEnrolmentCode)?;
    let cert_sha256 = cert
        .map(|f| normalise_fingerprint(&f).ok_or(ValidationError::NotAnEnrolmentCode))
        .transpose()?;
    Ok(EnrolmentLink {
        server_url: server_url.trim().to_owned(),
        code,
        cert_sha256,
    })
}

/// `AB:CD:…` (32 pairs) from a fingerprint written with or without colons,
/// in either case; `None` if it is not 32 bytes of hex.
fn normalise_fingerprint(text: &str) -> Option<String> {
    let hex: String = text.chars().filter(|c| *c != ':').collect();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let upper = hex.to_ascii_uppercase();
    let pairs: Vec<&str> = (0..32).map(|i| &upper[i * 2..i * 2 + 2]).collect();
    Some(pairs.join(":"))
}

/// The SHA-256 fingerprint of a DER certificate, as `AB:CD:…`.
pub fn certificate_fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Enrols with what a QR code said: the certificate it names pinned, or,
/// without one, the server's public certificate checked against Mozilla's
/// roots.
pub fn enrol_with_link(
    link: &EnrolmentLink,
    device_name: &str,
) -> Result<(Enrolment, WorkerIdentity)> {
    let pinned = match &link.cert_sha256 {
        Some(fp) => {
            let fp = normalise_fingerprint(fp).ok_or(ValidationError::NotAnEnrolmentCode)?;
            Some(fetch_pinned_certificate(
                &link.server_url,
                &fp,
                Duration::from_secs(15),
            )?)
        }
        None => None,
    };
    enrol(&link.server_url, pinned.as_deref(), &link.code, device_name)
}

/// Connects to the server at `server_url`, accepts its certificate only if
/// its SHA-256 is `fingerprint` (and the handshake is signed by it), and
/// returns that certificate as PEM, to pin.
pub fn fetch_pinned_certificate(
    server_url: &str,
    fingerprint: &str,
    timeout: Duration,
) -> Result<String> {
    let refused = || {
        CoreError::Offline(
            "the server's certificate is not the one in the enrolment code; ask your supervisor for a new code (nothing was sent)"
                .into(),
        )
    };
    let offline =
        |what: &str| CoreError::Offline(format!("could not reach the server to enrol ({what})"));
    let url = url::Url::parse(server_url.trim()).map_err(|_| ValidationError::NotAUrl)?;
    if url.scheme() != "https" {
        // A certificate fingerprint only means something over TLS.
        return Err(ValidationError::NotAnEnrolmentCode.into());
    }
    let host = url.host_str().ok_or(ValidationError::NotAUrl)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(FingerprintVerifier {
        fingerprint: fingerprint.to_owned(),
        provider: provider.clone(),
        seen: Mutex::new(None),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| offline("TLS set-up"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    // IPv6 literals come bracketed from the URL; the name wants them bare.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(bare.to_owned()).map_err(|_| ValidationError::NotAUrl)?;
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|_| offline("TLS set-up"))?;
    let addr = (bare, port)
        .to_socket_addrs()
        .map_err(|_| offline("the server's name was not found"))?
        .next()
        .ok_or_else(|| offline("the server's name was not found"))?;
    let mut tcp = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|_| offline("no connection to the server"))?;
    tcp.set_read_timeout(Some(timeout))
        .and_then(|()| tcp.set_write_timeout(Some(timeout)))
        .map_err(|_| offline("no connection to the server"))?;
    while conn.is_handshaking() {
        if conn.complete_io(&mut tcp).is_err() {
            return Err(if verifier.mismatched() {
                refused()
            } else {
                offline("the connection was cut during the handshake")
            });
        }
    }
    // Only the certificate was wanted: say goodbye and hang up.
    conn.send_close_notify();
    let _ = conn.complete_io(&mut tcp);
    let _ = tcp.flush();
    let der = verifier.accepted().ok_or_else(refused)?;
    Ok(certificate_pem(&der))
}

/// A certificate as PEM, the form the transport pins (and the server
/// writes its generated certificate in).
pub fn certificate_pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// Trusts exactly one certificate, named by its fingerprint, and checks the
/// handshake's signatures with it as rustls would with any other.
#[derive(Debug)]
struct FingerprintVerifier {
    fingerprint: String,
    provider: Arc<rustls::crypto::CryptoProvider>,
    /// `Some(Ok(der))` once the expected certificate was seen,
    /// `Some(Err(()))` if another one was.
    seen: Mutex<Option<std::result::Result<Vec<u8>, ()>>>,
}

impl FingerprintVerifier {
    fn accepted(&self) -> Option<Vec<u8>> {
        match &*self.seen.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(der)) => Some(der.clone()),
            _ => None,
        }
    }

    fn mismatched(&self) -> bool {
        matches!(
            &*self.seen.lock().unwrap_or_else(|p| p.into_inner()),
            Some(Err(()))
        )
    }
}

impl ServerCertVerifier for FingerprintVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let matches = certificate_fingerprint(end_entity.as_ref()) == self.fingerprint;
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(if matches {
            Ok(end_entity.as_ref().to_vec())
        } else {
            Err(())
        });
        if matches {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    #[test]
    fn the_dashboards_code_is_read_with_its_certificate() {
        // As server/src/dashboard/pages/devices.rs::enrolment_uri writes it.
        let text = format!(
            "nightround:enrol?server=https%3A%2F%2F127.0.0.1%3A8443&code=7KQ2M-XH4PD&cert_sha256={}",
            FP.replace(':', "%3A")
        );
        let link = parse_enrolment_link(&format!("  {text}\n")).unwrap();
        assert_eq!(link.server_url, "https://127.0.0.1:8443");
        assert_eq!(link.code, "7KQ2M-XH4PD");
        assert_eq!(link.cert_sha256.as_deref(), Some(FP));
    }

    #[test]
    fn without_a_certificate_and_in_any_case() {
        let link = parse_enrolment_link(
            "nightround:enrol?code=7kq2m-xh4pd&server=https%3A%2F%2Fnightround.example.org%2F&v=2",
        )
        .unwrap();
        assert_eq!(link.server_url, "https://nightround.example.org/");
        assert_eq!(
            link.code, "7KQ2M-XH4PD",
            "upper-cased as the server issues it"
        );
        assert_eq!(link.cert_sha256, None);
        let lower = FP.to_lowercase().replace(':', "");
        let link = parse_enrolment_link(&format!(
            "nightround:enrol?server=https%3A%2F%2Fa.example&code=AAAAA-AAAAA&cert_sha256={lower}"
        ))
        .unwrap();
        assert_eq!(link.cert_sha256.as_deref(), Some(FP), "normalised");
    }

    #[test]
    fn anything_else_is_not_an_enrolment_code() {
        for text in [
            "",
            "7KQ2M-XH4PD",
            "https://nightround.example.org/enrol?code=7KQ2M-XH4PD",
            "nightround:other?server=https%3A%2F%2Fa.example&code=A",
            "nightround:enrol?server=https%3A%2F%2Fa.example",
            "nightround:enrol?code=AAAAA-AAAAA",
            "nightround:enrol?server=https%3A%2F%2Fa.example&code=",
            "nightround:enrol?server=https%3A%2F%2Fa.example&code=AA%20AA",
            "nightround:enrol?server=https%3A%2F%2Fa.example&code=A&code=B",
            "nightround:enrol?server=https%3A%2F%2Fa.example&code=A&cert_sha256=AB%3ACD",
            "nightround:enrol?server=https%3A%2F%2Fa.example&code=A&cert_sha256=zz",
        ] {
            assert_eq!(
                parse_enrolment_link(text),
                Err(ValidationError::NotAnEnrolmentCode),
                "{text:?}"
            );
        }
        let long = format!(
            "nightround:enrol?server=https%3A%2F%2Fa.example&code=A&x={}",
            "a".repeat(3000)
        );
        assert_eq!(
            parse_enrolment_link(&long),
            Err(ValidationError::NotAnEnrolmentCode)
        );
        // A server address that is not one is said as such.
        assert_eq!(
            parse_enrolment_link("nightround:enrol?server=not%20a%20url&code=AAAAA-AAAAA"),
            Err(ValidationError::NotAUrl)
        );
    }

    #[test]
    fn pem_wraps_at_64_columns() {
        let p = certificate_pem(&[7u8; 100]);
        assert!(p.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(p.ends_with("-----END CERTIFICATE-----\n"));
        assert!(p.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
    }

    #[test]
    fn a_fingerprint_over_plain_http_is_refused_before_connecting() {
        let err = fetch_pinned_certificate("http://127.0.0.1:9", FP, Duration::from_secs(1));
        assert_eq!(
            err,
            Err(CoreError::Validation(ValidationError::NotAnEnrolmentCode))
        );
    }
}
