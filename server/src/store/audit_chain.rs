//! The audit log's chain, the same for every backend: each entry's value is
//! an HMAC-SHA256 over the previous value and the entry's fields, under a key
//! derived from the record key (outside the database). Both backends compute
//! it here, so a log copied from one to the other still verifies.

use super::StoreError;
use hmac::{Hmac, Mac};
use nightround_core::crypto::DataKey;
use sha2::Sha256;

/// The purpose the audit chain's key is derived for.
const AUDIT_KEY_PURPOSE: &str = "nightround.server.audit-chain";
const AUDIT_DOMAIN: &[u8] = b"nightround audit v1";

/// The chain's key.
pub fn audit_key(records_key: &DataKey) -> DataKey {
    records_key.derive(AUDIT_KEY_PURPOSE)
}

/// The fields of one entry that the chain covers.
#[derive(Debug, Clone, Copy)]
pub struct ChainFields<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub detail: Option<&'a str>,
}

fn put_field(mac: &mut Hmac<Sha256>, field: Option<&str>) {
    match field {
        None => mac.update(&[0]),
        Some(s) => {
            mac.update(&[1]);
            mac.update(&(s.len() as u64).to_be_bytes());
            mac.update(s.as_bytes());
        }
    }
}

/// The chain value of one entry after `prev`.
pub fn chain_value(key: &DataKey, prev: &[u8; 32], e: &ChainFields<'_>) -> [u8; 32] {
    // HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha256>::new_from_slice(key.bytes()).expect("HMAC accepts any key length");
    mac.update(AUDIT_DOMAIN);
    mac.update(prev);
    mac.update(&e.seq.to_be_bytes());
    mac.update(&e.at.to_be_bytes());
    put_field(&mut mac, Some(e.actor));
    put_field(&mut mac, Some(e.action));
    put_field(&mut mac, e.subject);
    put_field(&mut mac, e.detail);
    mac.finalize().into_bytes().into()
}

/// A stored chain value, checked for length.
pub fn to_array(v: &[u8]) -> Result<[u8; 32], StoreError> {
    v.try_into()
        .map_err(|_| StoreError::Corrupt("an audit chain value"))
}

/// Lower-case hex, for the head value a supervisor notes down.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
