//! Sealing to the server's public key, so that a phone can hold a copy of
//! each unsent change that it can deliver but no longer read (ADR 0003).
//!
//! ```text
//! byte 0      format version (1)
//! bytes 1..33 the sender's ephemeral X25519 public key
//! bytes 33..57 XChaCha20 nonce (random)
//! bytes 57..  XChaCha20-Poly1305 ciphertext and tag
//! key = HKDF-SHA256(salt = ephemeral pk ‖ server pk, ikm = X25519(ephemeral, server),
//!                   info = "nightround.sealed-to-server.v1")
//! ```
//!
//! The ephemeral secret is dropped (zeroized) as soon as the box is made, so
//! the phone keeps nothing that opens it. The associated data names the
//! change (kind, id, version), rebuilt by the server from the delivery.

use super::envelope::EnvelopeError;
use hkdf::Hkdf;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

const VERSION: u8 = 1;
const HEADER: usize = 1 + 32 + 24;

/// A server's long-term X25519 key pair; the secret half never leaves it.
#[derive(Clone)]
pub struct ServerSealingKey(StaticSecret);

impl std::fmt::Debug for ServerSealingKey {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSealingKey(..)")
    }
}

impl ServerSealingKey {
    pub fn generate() -> Self {
        Self(StaticSecret::from(super::random::array::<32>()))
    }
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(StaticSecret::from(bytes))
    }
    /// The secret, for the server to keep in its key file.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }
    pub fn public(&self) -> [u8; 32] {
        PublicKey::from(&self.0).to_bytes()
    }
}

fn box_key(shared: &[u8; 32], eph: &[u8; 32], server: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph);
    salt[32..].copy_from_slice(server);
    let hk = Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut key = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's output limit.
    #[allow(clippy::expect_used)]
    hk.expand(b"nightround.sealed-to-server.v1", key.as_mut())
        .expect("32-byte HKDF output");
    key
}

/// Version, ephemeral public key, nonce, then the plaintext encrypted in
/// place and its tag: one buffer.
fn framed(
    ephemeral_public: &[u8; 32],
    key: &[u8; 32],
    nonce: &[u8; 24],
    aad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + plaintext.len() + super::xchacha::TAG_LEN);
    out.push(VERSION);
    out.extend_from_slice(ephemeral_public);
    out.extend_from_slice(nonce);
    out.extend_from_slice(plaintext);
    let tag = super::xchacha::seal_in_place(key, nonce, aad, &mut out[HEADER..]);
    out.extend_from_slice(&tag);
    out
}

/// Seals `plaintext` so that only the holder of `server_public`'s secret can
/// open it. `None` if the public key is a low-order point (a forged key).
pub fn seal_to(server_public: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    let eph = StaticSecret::from(super::random::array::<32>());
    let eph_public = PublicKey::from(&eph).to_bytes();
    let shared = eph.diffie_hellman(&PublicKey::from(*server_public));
    if !shared.was_contributory() {
        return None;
    }
    let key = box_key(shared.as_bytes(), &eph_public, server_public);
    let nonce: [u8; 24] = super::random::array();
    Some(framed(&eph_public, &key, &nonce, aad, plaintext))
}

/// One ephemeral key per unlocked session: a single X25519 agreement when the
/// vault unlocks, then one XChaCha20-Poly1305 seal per change (measured: an
/// agreement per change cost more than the rest of recording a contact). The
/// box key lives only as long as the session and is zeroized with it; the
/// format is the same as [`seal_to`]'s, so the server opens both alike.
pub struct SealingSession {
    ephemeral_public: [u8; 32],
    key: Zeroizing<[u8; 32]>,
}

impl SealingSession {
    /// `None` if the server's key is a low-order point (a forged key).
    pub fn new(server_public: &[u8; 32]) -> Option<Self> {
        let eph = StaticSecret::from(super::random::array::<32>());
        let ephemeral_public = PublicKey::from(&eph).to_bytes();
        let shared = eph.diffie_hellman(&PublicKey::from(*server_public));
        if !shared.was_contributory() {
            return None;
        }
        Some(Self {
            key: box_key(shared.as_bytes(), &ephemeral_public, server_public),
            ephemeral_public,
        })
    }

    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce: [u8; 24] = super::random::array();
        framed(&self.ephemeral_public, &self.key, &nonce, aad, plaintext)
    }

    /// As [`SealingSession::seal`], with the nonce from an unlocked vault's
    /// generator instead of a system call (see `session_rng`).
    pub fn seal_using(
        &self,
        rng: &super::session_rng::SessionRng,
        aad: &[u8],
        plaintext: &[u8],
    ) -> Vec<u8> {
        framed(
            &self.ephemeral_public,
            &self.key,
            &rng.nonce(),
            aad,
            plaintext,
        )
    }
}

impl std::fmt::Debug for SealingSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingSession(..)")
    }
}

/// The associated data of a sealed change: its kind, id and version.
pub fn change_aad(kind: &str, id: &str, version: &str) -> Vec<u8> {
    const LABEL: &[u8] = b"nightround.sealed-change.v1";
    let mut out = Vec::with_capacity(LABEL.len() + 3 * 4 + kind.len() + id.len() + version.len());
    out.extend_from_slice(LABEL);
    for part in [kind, id, version] {
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// Opens a sealed box with the server's secret.
pub fn open_sealed(
    key: &ServerSealingKey,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    if sealed.len() < HEADER + 16 {
        return Err(EnvelopeError::TooShort { len: sealed.len() });
    }
    if sealed[0] != VERSION {
        return Err(EnvelopeError::UnknownVersion(sealed[0]));
    }
    let mut eph = [0u8; 32];
    eph.copy_from_slice(&sealed[1..33]);
    let shared = key.0.diffie_hellman(&PublicKey::from(eph));
    if !shared.was_contributory() {
        return Err(EnvelopeError::Forged);
    }
    let box_key = box_key(shared.as_bytes(), &eph, &key.public());
    let mut nonce = [0u8; 24];
    nonce.copy_from_slice(&sealed[33..HEADER]);
    super::xchacha::open(&box_key, &nonce, aad, &sealed[HEADER..]).ok_or(EnvelopeError::Forged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_server_opens_and_the_context_is_bound() {
        let server = ServerSealingKey::generate();
        let sealed = seal_to(&server.public(), b"contact|id|v1", b"a change").unwrap();
        assert_eq!(
            &open_sealed(&server, b"contact|id|v1", &sealed).unwrap()[..],
            b"a change"
        );
        assert_eq!(
            open_sealed(&server, b"contact|id|v2", &sealed).unwrap_err(),
            EnvelopeError::Forged
        );
        let other = ServerSealingKey::generate();
        assert_eq!(
            open_sealed(&other, b"contact|id|v1", &sealed).unwrap_err(),
            EnvelopeError::Forged
        );
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(
                open_sealed(&server, b"contact|id|v1", &bad).is_err(),
                "byte {i}"
            );
        }
        assert!(
            seal_to(&[0u8; 32], b"", b"x").is_none(),
            "a low-order key is refused"
        );
        let again = seal_to(&server.public(), b"contact|id|v1", b"a change").unwrap();
        assert_ne!(sealed, again, "fresh ephemeral key and nonce each time");
        let restored = ServerSealingKey::from_bytes(*server.to_bytes());
        assert_eq!(restored.public(), server.public());
    }

    #[test]
    fn a_session_seals_many_with_one_agreement() {
        let server = ServerSealingKey::generate();
        let s = SealingSession::new(&server.public()).unwrap();
        let a = s.seal(b"a", b"one");
        let b = s.seal(b"b", b"two");
        assert_eq!(a[1..33], b[1..33], "one ephemeral key per session");
        assert_ne!(a[33..57], b[33..57], "a fresh nonce per change");
        assert_eq!(&open_sealed(&server, b"a", &a).unwrap()[..], b"one");
        assert_eq!(&open_sealed(&server, b"b", &b).unwrap()[..], b"two");
        assert!(open_sealed(&server, b"a", &b).is_err());
        assert!(SealingSession::new(&[0u8; 32]).is_none());
    }
}
