//! XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) on ring's ChaCha20-Poly1305.
//!
//! The same construction and bytes as RustCrypto's `XChaCha20Poly1305`, which
//! sealed every envelope before (the test below opens each one's output with
//! the other): HChaCha20 turns the key and the nonce's first 16 bytes into a
//! subkey, then IETF ChaCha20-Poly1305 runs under that subkey with the nonce
//! `0u32 || nonce[16..24]`. ring's sealing is assembly that needs no per-call
//! set-up, so a record costs about half what it did (the vault bench's one
//! contact seals two), and ring is in the phones' library already for TLS.

use chacha20::cipher::consts::U10;
use chacha20::cipher::generic_array::GenericArray;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use zeroize::Zeroizing;

/// Nonce length: 24 random bytes are safe to pick at random for every message.
pub const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
pub const TAG_LEN: usize = 16;

/// The inner ChaCha20-Poly1305 key and nonce for `key` and `nonce`.
fn inner(key: &[u8; 32], nonce: &[u8; NONCE_LEN]) -> (LessSafeKey, Nonce) {
    let mut derived = chacha20::hchacha::<U10>(
        GenericArray::from_slice(key),
        GenericArray::from_slice(&nonce[..16]),
    );
    let mut subkey = Zeroizing::new([0u8; 32]);
    subkey.copy_from_slice(&derived);
    zeroize::Zeroize::zeroize(derived.as_mut_slice());
    #[allow(clippy::expect_used)]
    let unbound =
        UnboundKey::new(&CHACHA20_POLY1305, subkey.as_ref()).expect("a 32-byte ChaCha20 key");
    let mut short = [0u8; 12];
    short[4..].copy_from_slice(&nonce[16..]);
    (
        LessSafeKey::new(unbound),
        Nonce::assume_unique_for_key(short),
    )
}

/// Encrypts `data` in place and returns its tag.
pub fn seal_in_place(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    data: &mut [u8],
) -> [u8; TAG_LEN] {
    let (key, nonce) = inner(key, nonce);
    #[allow(clippy::expect_used)]
    let tag = key
        .seal_in_place_separate_tag(nonce, Aad::from(aad), data)
        .expect("a message under the AEAD size limit");
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(tag.as_ref());
    out
}

/// `plaintext` sealed: ciphertext then tag, in a new buffer.
pub fn seal(key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(plaintext.len() + TAG_LEN);
    out.extend_from_slice(plaintext);
    let tag = seal_in_place(key, nonce, aad, &mut out);
    out.extend_from_slice(&tag);
    out
}

/// Opens ciphertext-then-tag; `None` if it fails authentication.
pub fn open(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    sealed: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < TAG_LEN {
        return None;
    }
    let (key, nonce) = inner(key, nonce);
    let mut buf = Zeroizing::new(sealed.to_vec());
    let len = key
        .open_in_place(nonce, Aad::from(aad), buf.as_mut_slice())
        .ok()?
        .len();
    buf.truncate(len);
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};

    fn reference() -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&[7u8; 32]).into())
    }

    #[test]
    fn the_same_bytes_as_rustcrypto_both_ways() {
        let key = [7u8; 32];
        for len in [0usize, 1, 15, 16, 63, 64, 65, 500, 4096] {
            let nonce: [u8; NONCE_LEN] = crate::crypto::random::array();
            let msg: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let aad = b"nightround.test";
            let ours = seal(&key, &nonce, aad, &msg);
            let theirs = reference()
                .encrypt(XNonce::from_slice(&nonce), Payload { msg: &msg, aad })
                .unwrap();
            assert_eq!(ours, theirs, "length {len}");
            assert_eq!(
                open(&key, &nonce, aad, &theirs).unwrap().as_slice(),
                &msg[..]
            );
        }
    }

    #[test]
    fn a_flipped_bit_a_wrong_aad_or_a_short_input_is_refused() {
        let key = [7u8; 32];
        let nonce = [9u8; NONCE_LEN];
        let mut sealed = seal(&key, &nonce, b"a", b"her record");
        assert!(open(&key, &nonce, b"b", &sealed).is_none());
        sealed[3] ^= 1;
        assert!(open(&key, &nonce, b"a", &sealed).is_none());
        assert!(open(&key, &nonce, b"a", &sealed[..10]).is_none());
        let mut other = nonce;
        other[20] ^= 1;
        sealed[3] ^= 1;
        assert!(open(&key, &other, b"a", &sealed).is_none());
        assert!(open(&key, &nonce, b"a", &sealed).is_some());
    }
}
