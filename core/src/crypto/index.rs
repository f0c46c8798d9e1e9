//! The keyed hash behind plaintext index columns.
//!
//! "Which contacts are Jade's" must be answerable without decrypting every
//! contact, yet a stolen file must not reveal which records belong together
//! across vaults. So the person column holds HMAC-SHA256(index key, person id):
//! stable within this vault, meaningless outside it.

use super::keys::DataKey;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The index value for "belongs to person `person_id`".
pub fn person_ref(index_key: &DataKey, person_id: &uuid::Uuid) -> Vec<u8> {
    // HMAC accepts keys of any length.
    #[allow(clippy::expect_used)]
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(index_key.bytes()).expect("HMAC takes any key");
    mac.update(b"person:");
    mac.update(person_id.as_bytes());
    mac.finalize().into_bytes()[..16].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_per_key_and_distinct_per_person() {
        let k = DataKey::generate(1);
        let a = uuid::Uuid::now_v7();
        let b = uuid::Uuid::now_v7();
        assert_eq!(person_ref(&k, &a), person_ref(&k, &a));
        assert_ne!(person_ref(&k, &a), person_ref(&k, &b));
        assert_ne!(person_ref(&k, &a), person_ref(&DataKey::generate(1), &a));
        assert!(!person_ref(&k, &a).windows(16).any(|w| w == a.as_bytes()));
    }
}
