//! The one sealed-envelope format for every record body on the phone.
//!
//! ```text
//! byte 0      format version (1)
//! bytes 1..5  key id, big-endian u32
//! bytes 5..29 XChaCha20 nonce, 24 random bytes, fresh for every write
//! bytes 29..  XChaCha20-Poly1305 ciphertext followed by its 16-byte tag
//! ```
//!
//! The associated data is never stored: it is rebuilt from where the envelope
//! is read (format version, table, record id, record version, key id), so an
//! envelope copied into another row, or replayed as an older version, fails.

use super::keys::DataKey;
use zeroize::Zeroizing;

/// The only format version this code writes.
pub const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN;
/// The shortest well-formed envelope: a header and a tag around an empty body.
pub const MIN_LEN: usize = HEADER_LEN + TAG_LEN;

/// Why an envelope would not open. None of these carry the envelope's bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("envelope too short ({len} bytes)")]
    TooShort { len: usize },
    #[error("unknown envelope version {0}")]
    UnknownVersion(u8),
    #[error("envelope sealed under key {found}, this vault holds key {expected}")]
    UnknownKey { expected: u32, found: u32 },
    #[error("envelope failed authentication (tampered, moved or wrong key)")]
    Forged,
}

/// Where an envelope lives: the context its associated data is rebuilt from.
#[derive(Debug, Clone, Copy)]
pub struct Aad<'a> {
    pub table: &'a str,
    pub record_id: &'a str,
    pub version: &'a str,
}

impl Aad<'_> {
    /// Length-prefixed fields so that no two contexts encode alike.
    fn encode(&self, format: u8, key_id: u32) -> Vec<u8> {
        const LABEL: &[u8] = b"nightround.envelope";
        let fields = self.table.len() + self.record_id.len() + self.version.len();
        let mut out = Vec::with_capacity(LABEL.len() + 1 + 3 * 4 + fields + 4);
        out.extend_from_slice(LABEL);
        out.push(format);
        for field in [self.table, self.record_id, self.version] {
            out.extend_from_slice(&(field.len() as u32).to_be_bytes());
            out.extend_from_slice(field.as_bytes());
        }
        out.extend_from_slice(&key_id.to_be_bytes());
        out
    }
}

/// A parsed envelope, before it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub format: u8,
    pub key_id: u32,
    pub nonce: [u8; NONCE_LEN],
    pub ciphertext: Vec<u8>,
}

impl Envelope {
    /// Reads the header; the body is not touched until [`open`].
    pub fn parse(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        if bytes.is_empty() {
            return Err(EnvelopeError::TooShort { len: 0 });
        }
        if bytes[0] != FORMAT_V1 {
            return Err(EnvelopeError::UnknownVersion(bytes[0]));
        }
        if bytes.len() < MIN_LEN {
            return Err(EnvelopeError::TooShort { len: bytes.len() });
        }
        let mut key_id = [0u8; 4];
        key_id.copy_from_slice(&bytes[1..5]);
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[5..HEADER_LEN]);
        Ok(Self {
            format: bytes[0],
            key_id: u32::from_be_bytes(key_id),
            nonce,
            ciphertext: bytes[HEADER_LEN..].to_vec(),
        })
    }

    /// The stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.ciphertext.len());
        out.push(self.format);
        out.extend_from_slice(&self.key_id.to_be_bytes());
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.ciphertext);
        out
    }
}

/// Seals `plaintext` under `key` for the row `aad` names.
pub fn seal(key: &DataKey, aad: &Aad<'_>, plaintext: &[u8]) -> Vec<u8> {
    seal_with_nonce(key, aad, plaintext, super::random::array())
}

/// As [`seal`], with the nonce from an unlocked vault's generator instead
/// of a system call (the record write path; see `session_rng`).
pub fn seal_using(
    rng: &super::session_rng::SessionRng,
    key: &DataKey,
    aad: &Aad<'_>,
    plaintext: &[u8],
) -> Vec<u8> {
    seal_with_nonce(key, aad, plaintext, rng.nonce())
}

fn seal_with_nonce(
    key: &DataKey,
    aad: &Aad<'_>,
    plaintext: &[u8],
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    let ad = aad.encode(FORMAT_V1, key.id());
    // Header, then the plaintext encrypted in place, then the tag: one buffer.
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.push(FORMAT_V1);
    out.extend_from_slice(&key.id().to_be_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = super::xchacha::seal_in_place(key.bytes(), &nonce, &ad, &mut out[HEADER_LEN..]);
    out.extend_from_slice(&tag);
    out
}

/// Opens an envelope read from the row `aad` names.
pub fn open(
    key: &DataKey,
    aad: &Aad<'_>,
    bytes: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    let env = Envelope::parse(bytes)?;
    if env.key_id != key.id() {
        return Err(EnvelopeError::UnknownKey {
            expected: key.id(),
            found: env.key_id,
        });
    }
    let ad = aad.encode(env.format, env.key_id);
    super::xchacha::open(key.bytes(), &env.nonce, &ad, &env.ciphertext).ok_or(EnvelopeError::Forged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DataKey {
        DataKey::generate(7)
    }
    const AAD: Aad<'static> = Aad {
        table: "records:person",
        record_id: "0190-a",
        version: "v1",
    };

    #[test]
    fn round_trip_and_fresh_nonces() {
        let k = key();
        let a = seal(&k, &AAD, b"Jade");
        let b = seal(&k, &AAD, b"Jade");
        assert_ne!(a, b, "every write uses a fresh nonce");
        assert_eq!(&open(&k, &AAD, &a).unwrap()[..], b"Jade");
        assert_eq!(a.len(), MIN_LEN + 4);
    }

    #[test]
    fn every_flipped_byte_is_a_typed_error() {
        let k = key();
        let sealed = seal(&k, &AAD, b"a body of some length");
        for i in 0..sealed.len() {
            for bit in [0x01u8, 0x80] {
                let mut bad = sealed.clone();
                bad[i] ^= bit;
                let err = open(&k, &AAD, &bad).unwrap_err();
                match i {
                    0 => assert!(matches!(err, EnvelopeError::UnknownVersion(_)), "{i}"),
                    1..=4 => assert!(matches!(err, EnvelopeError::UnknownKey { .. }), "{i}"),
                    _ => assert_eq!(err, EnvelopeError::Forged, "byte {i}"),
                }
            }
        }
    }

    #[test]
    fn context_is_bound() {
        let k = key();
        let sealed = seal(&k, &AAD, b"x");
        for other in [
            Aad {
                table: "records:contact",
                ..AAD
            },
            Aad {
                record_id: "0190-b",
                ..AAD
            },
            Aad {
                version: "v2",
                ..AAD
            },
        ] {
            assert_eq!(
                open(&k, &other, &sealed).unwrap_err(),
                EnvelopeError::Forged
            );
        }
        // The same key bytes under another key id is another key.
        let same_bytes_other_id = DataKey::from_bytes(8, *k.bytes());
        assert!(matches!(
            open(&same_bytes_other_id, &AAD, &sealed).unwrap_err(),
            EnvelopeError::UnknownKey {
                expected: 8,
                found: 7
            }
        ));
        assert_eq!(
            open(&DataKey::generate(7), &AAD, &sealed).unwrap_err(),
            EnvelopeError::Forged
        );
    }

    #[test]
    fn truncation_and_unknown_versions() {
        let k = key();
        let sealed = seal(&k, &AAD, b"x");
        for len in 0..MIN_LEN {
            let err = open(&k, &AAD, &sealed[..len]).unwrap_err();
            assert!(
                matches!(err, EnvelopeError::TooShort { .. }),
                "len {len}: {err:?}"
            );
        }
        let mut v2 = sealed.clone();
        v2[0] = 2;
        assert_eq!(
            open(&k, &AAD, &v2).unwrap_err(),
            EnvelopeError::UnknownVersion(2)
        );
    }
}
