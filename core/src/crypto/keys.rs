//! The key hierarchy (see `docs/adr/0002-key-hierarchy.md`):
//!
//! ```text
//! PIN ──Argon2id(salt, m≥19 MiB, t≥2)──┐
//!                                      ├─HKDF-SHA256─▶ wrapping key ──wraps──▶ data key (random 256 bits)
//! keystore secret (platform) ──────────┘                                         │
//!                                                     HKDF "records" ◀───────────┤
//!                                                     HKDF "index"   ◀───────────┘
//! ```
//!
//! Only the wrapped data key is stored. Changing the PIN rewraps it; records
//! are never re-encrypted. Every key type zeroizes itself when dropped.

use argon2::{Algorithm, Argon2, Params, Version};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A 256-bit symmetric key with the id its envelopes name.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey {
    #[zeroize(skip)]
    id: u32,
    bytes: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    /// Never prints key bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey(id={}, ..)", self.id)
    }
}

impl DataKey {
    /// A fresh random key.
    pub fn generate(id: u32) -> Self {
        Self::from_bytes(id, super::random::array())
    }
    pub fn from_bytes(id: u32, bytes: [u8; 32]) -> Self {
        Self { id, bytes }
    }
    pub fn id(&self) -> u32 {
        self.id
    }
    pub fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }
    /// A key for one purpose, derived so that no two purposes share a key.
    pub fn derive(&self, purpose: &str) -> DataKey {
        let hk = Hkdf::<Sha256>::new(Some(b"nightround.subkey.v1"), &self.bytes);
        let mut out = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's output limit.
        #[allow(clippy::expect_used)]
        hk.expand(purpose.as_bytes(), &mut out)
            .expect("32-byte HKDF output");
        let key = DataKey::from_bytes(self.id, out);
        out.zeroize();
        key
    }
}

/// The working keys of an unlocked vault, derived from its data key.
#[derive(Clone, Debug)]
pub struct RecordKeys {
    /// Seals record bodies.
    pub records: DataKey,
    /// Keys the hash that indexes sensitive values (whose record is whose).
    pub index: DataKey,
}

impl RecordKeys {
    pub fn from_data_key(data_key: &DataKey) -> Self {
        Self {
            records: data_key.derive("records"),
            index: data_key.derive("index"),
        }
    }
}

/// Argon2id cost, stored beside the wrapped key so it can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub algorithm: KdfAlgorithm,
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

/// The one PIN-stretching algorithm in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KdfAlgorithm {
    Argon2id,
}

impl Default for KdfParams {
    /// OWASP's first Argon2id profile: 19 MiB, two passes, one lane.
    fn default() -> Self {
        Self {
            algorithm: KdfAlgorithm::Argon2id,
            m_kib: 19 * 1024,
            t: 2,
            p: 1,
        }
    }
}

impl KdfParams {
    /// Refuses parameters below the floor, whatever a file claims.
    pub fn is_acceptable(&self) -> bool {
        self.m_kib >= 19 * 1024 && self.t >= 2 && self.p >= 1 && self.m_kib <= 1024 * 1024
    }
}

/// Stretches a PIN into 32 bytes.
pub fn stretch_pin(
    pin: &str,
    salt: &[u8],
    params: &KdfParams,
) -> Result<Zeroizing<[u8; 32]>, argon2::Error> {
    let p = Params::new(params.m_kib, params.t, params.p, Some(32))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
    let mut out = Zeroizing::new([0u8; 32]);
    argon.hash_password_into(pin.as_bytes(), salt, out.as_mut())?;
    Ok(out)
}

/// Combines what she knows (the stretched PIN) and what the phone holds (the
/// keystore secret) into the key that wraps the data key.
pub fn wrapping_key(
    stretched_pin: &[u8; 32],
    keystore_secret: &[u8],
    salt: &[u8],
    key_id: u32,
) -> DataKey {
    let mut ikm = Zeroizing::new(Vec::with_capacity(32 + keystore_secret.len()));
    ikm.extend_from_slice(stretched_pin);
    ikm.extend_from_slice(keystore_secret);
    let hk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut out = [0u8; 32];
    #[allow(clippy::expect_used)]
    hk.expand(b"nightround.wrap.v1", &mut out)
        .expect("32-byte HKDF output");
    let key = DataKey::from_bytes(key_id, out);
    out.zeroize();
    key
}

fn wrap_aad(key_id: u32) -> Vec<u8> {
    let mut ad = b"nightround.keywrap.v1".to_vec();
    ad.extend_from_slice(&key_id.to_be_bytes());
    ad
}

/// Seals the data key under the wrapping key: (nonce, wrapped bytes).
pub fn wrap(wrapping: &DataKey, data_key: &DataKey) -> ([u8; 24], Vec<u8>) {
    let nonce: [u8; 24] = super::random::array();
    let wrapped = super::xchacha::seal(
        wrapping.bytes(),
        &nonce,
        &wrap_aad(data_key.id()),
        data_key.bytes(),
    );
    (nonce, wrapped)
}

/// Opens the wrapped data key; `None` means the wrapping key is not the one
/// that sealed it (a wrong PIN, or a different keystore secret).
pub fn unwrap(wrapping: &DataKey, key_id: u32, nonce: &[u8], wrapped: &[u8]) -> Option<DataKey> {
    if nonce.len() != 24 {
        return None;
    }
    let nonce: [u8; 24] = nonce.try_into().ok()?;
    let plain = super::xchacha::open(wrapping.bytes(), &nonce, &wrap_aad(key_id), wrapped)?;
    let bytes: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(DataKey::from_bytes(key_id, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_unwrap_needs_both_halves() {
        let params = KdfParams::default();
        let salt = [3u8; 16];
        let secret = [9u8; 32];
        let pin = stretch_pin("2468", &salt, &params).unwrap();
        let w = wrapping_key(&pin, &secret, &salt, 1);
        let dk = DataKey::generate(1);
        let (nonce, wrapped) = wrap(&w, &dk);
        assert_eq!(unwrap(&w, 1, &nonce, &wrapped).unwrap().bytes(), dk.bytes());

        let wrong_pin = stretch_pin("2469", &salt, &params).unwrap();
        let w2 = wrapping_key(&wrong_pin, &secret, &salt, 1);
        assert!(unwrap(&w2, 1, &nonce, &wrapped).is_none());
        let w3 = wrapping_key(&pin, &[8u8; 32], &salt, 1);
        assert!(unwrap(&w3, 1, &nonce, &wrapped).is_none());
        assert!(unwrap(&w, 2, &nonce, &wrapped).is_none(), "key id is bound");
    }

    #[test]
    fn subkeys_differ_and_debug_hides_bytes() {
        let dk = DataKey::from_bytes(1, [0x41; 32]);
        let keys = RecordKeys::from_data_key(&dk);
        assert_ne!(keys.records.bytes(), keys.index.bytes());
        assert_ne!(keys.records.bytes(), dk.bytes());
        assert_eq!(format!("{dk:?}"), "DataKey(id=1, ..)");
    }

    #[test]
    fn weak_params_are_refused() {
        assert!(KdfParams::default().is_acceptable());
        let weak = KdfParams {
            m_kib: 1024,
            ..KdfParams::default()
        };
        assert!(!weak.is_acceptable());
        let one_pass = KdfParams {
            t: 1,
            ..KdfParams::default()
        };
        assert!(!one_pass.is_acceptable());
    }
}
