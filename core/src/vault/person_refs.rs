//! The keyed hashes of the people this session has written about.
//!
//! Every record about a known woman carries `person_ref`, an HMAC of her id
//! under the index key (crypto/index.rs), so that her timeline is found
//! without opening every record. A round meets the same regulars again and
//! again: the hash is worked out once per person per unlocked session and
//! kept here. The values are the ones stored in the clear in the file's
//! index column, so holding them reveals nothing the file does not; they
//! go with the session when the vault locks.

use crate::crypto::{index, RecordKeys};
use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;

/// More people than a phone holds; past it the memo starts again.
const MAX_ENTRIES: usize = 4096;

/// Person id to index hash, for one unlocked session.
#[derive(Debug, Default)]
pub(crate) struct PersonRefs(Mutex<HashMap<Uuid, Vec<u8>>>);

impl PersonRefs {
    /// `index::person_ref(keys.index, person)`, worked out once.
    pub(crate) fn get(&self, keys: &RecordKeys, person: &Uuid) -> Vec<u8> {
        let mut memo = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = memo.get(person) {
            return r.clone();
        }
        let r = index::person_ref(&keys.index, person);
        if memo.len() >= MAX_ENTRIES {
            memo.clear();
        }
        memo.insert(*person, r.clone());
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::DataKey;

    #[test]
    fn the_same_hash_as_the_index_for_every_person_even_past_the_cap() {
        let keys = RecordKeys::from_data_key(&DataKey::generate(1));
        let refs = PersonRefs::default();
        let people: Vec<Uuid> = (0..MAX_ENTRIES + 10).map(|_| Uuid::now_v7()).collect();
        for _ in 0..2 {
            for p in &people {
                assert_eq!(refs.get(&keys, p), index::person_ref(&keys.index, p));
            }
        }
        assert!(refs.0.lock().unwrap().len() <= MAX_ENTRIES);
        // Another vault's keys give other hashes: the memo is per session.
        let other = RecordKeys::from_data_key(&DataKey::generate(1));
        assert_ne!(
            PersonRefs::default().get(&other, &people[0]),
            refs.get(&keys, &people[0])
        );
    }
}
