//! Device tokens and enrolment codes: how they are made, and the only form
//! in which the server keeps them (a hash).

use base64::Engine;
use hmac::{Hmac, Mac};
use nightround_core::crypto::{random, DataKey};
use sha2::{Digest, Sha256};

/// Letters and digits that cannot be mistaken for one another when read off
/// a screen or typed on a phone: no 0/O, 1/I/L.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in an enrolment code (about 49 bits).
pub const CODE_LEN: usize = 10;

/// A new device token: 256 random bits, base64url without padding.
pub fn new_device_token() -> String {
    let bytes = zeroize::Zeroizing::new(random::array::<32>());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_slice())
}

/// The stored form of a device token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A new enrolment code, shown as two groups of five (`7KQ2M-XH4PD`).
pub fn new_enrolment_code() -> String {
    let mut out = String::with_capacity(CODE_LEN + 1);
    let n = CODE_ALPHABET.len();
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - (256 % n);
    while out.len() < CODE_LEN + 1 {
        for b in random::array::<16>() {
            if usize::from(b) < limit && out.len() < CODE_LEN + 1 {
                if out.len() == CODE_LEN / 2 {
                    out.push('-');
                }
                out.push(char::from(CODE_ALPHABET[usize::from(b) % n]));
            }
        }
    }
    out
}

/// The code as typed, in canonical form: spaces and dashes dropped, upper
/// case. `None` when it cannot be a code at all.
pub fn normalise_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// The stored form of an enrolment code: an HMAC under a key derived from the
/// server key, so the database alone does not allow guessing short codes.
pub fn code_hash(key: &DataKey, normalised: &str) -> [u8; 32] {
    // HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key.bytes()).expect("HMAC accepts 32-byte keys");
    mac.update(b"nightround.enrolment-code.v1:");
    mac.update(normalised.as_bytes());
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_base64url() {
        let t = new_device_token();
        assert_eq!(t.len(), 43);
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(t, new_device_token());
        assert_ne!(token_hash(&t), token_hash(&new_device_token()));
    }

    #[test]
    fn codes_are_easy_to_type_and_normalise() {
        for _ in 0..200 {
            let c = new_enrolment_code();
            assert_eq!(c.len(), 11);
            assert_eq!(&c[5..6], "-");
            let n = normalise_code(&c).unwrap();
            assert_eq!(n.len(), 10);
            assert_eq!(
                normalise_code(&n.to_lowercase()).as_deref(),
                Some(n.as_str())
            );
            let spaced = format!(" {} {} ", &n[..5], &n[5..]);
            assert_eq!(normalise_code(&spaced).as_deref(), Some(n.as_str()));
        }
        assert_eq!(
            normalise_code("ABCDE-FGHJ0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(normalise_code("ABCDE"), None);
        let key = DataKey::generate(1);
        assert_eq!(code_hash(&key, "ABCDEFGHJK"), code_hash(&key, "ABCDEFGHJK"));
        assert_ne!(
            code_hash(&key, "ABCDEFGHJK"),
            code_hash(&DataKey::generate(1), "ABCDEFGHJK")
        );
    }
}
