//! The unlocked vault's own generator for nonces and record ids.
//!
//! Every record write needs 24 random nonce bytes for its envelope, 24 more
//! for its outbox copy sealed to the server, and a random record id: three
//! `getrandom` system calls, about a tenth of what one contact cost on top of
//! plain SQLite (issue 13, docs/benchmarks.md). Here ChaCha20 (RustCrypto's
//! `ChaCha20Rng`) is keyed once per unlock with 32 bytes from the operating
//! system and hands those bytes out from memory instead.
//!
//! What it may make, and what it may not:
//!
//! - nonces and record ids only: values stored in the clear beside what they
//!   protect, which must never repeat but need not stay secret. An XChaCha20
//!   nonce is 192 bits, so drawing it from a CSPRNG is as safe from repeats
//!   as drawing it from the OS; every unlock seeds a fresh, independent
//!   stream, so no two unlocks share one.
//! - never a key, a salt or a secret: those still come from the OS generator
//!   ([`super::random`]), so a generator state read out of memory could not
//!   reveal any key.
//!
//! The state lives in the vault's session and is zeroized when the session is
//! dropped, which is what locking does (`ChaCha20Rng` zeroizes its key, its
//! counter and its output buffer on drop).

use chacha20_rng::rand_core::{Rng, SeedableRng};
use chacha20_rng::ChaCha20Rng;
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;

/// Bytes in a nonce it hands out (XChaCha20-Poly1305's).
pub const NONCE_LEN: usize = 24;

/// A ChaCha20 generator seeded from the OS, for one unlocked session.
pub struct SessionRng {
    inner: Mutex<State>,
}

struct State {
    rng: ChaCha20Rng,
    /// The last record id's millisecond and its 74 random bits, so that ids
    /// made within one millisecond still sort in the order they were made.
    last_ms: u64,
    last_rand: u128,
}

/// The 74 bits of a version-7 id below its millisecond (rand_a and rand_b).
const RAND_BITS: u32 = 74;
const RAND_MASK: u128 = (1u128 << RAND_BITS) - 1;

impl SessionRng {
    /// A generator keyed with 32 fresh bytes from the operating system.
    pub fn from_os() -> Self {
        let mut seed = zeroize::Zeroizing::new(super::random::array::<32>());
        let rng = ChaCha20Rng::from_seed(*seed);
        zeroize::Zeroize::zeroize(&mut *seed);
        Self {
            inner: Mutex::new(State {
                rng,
                last_ms: 0,
                last_rand: 0,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the generator half-stepped.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh nonce.
    pub fn nonce(&self) -> [u8; NONCE_LEN] {
        let mut out = [0u8; NONCE_LEN];
        self.state().rng.fill_bytes(&mut out);
        out
    }

    /// A fresh version-7 record id for the wall-clock time now: as
    /// `Uuid::now_v7`, time-ordered, and ordered by creation within a
    /// millisecond (RFC 9562, 6.2 method 2: the random part of the previous
    /// id plus one), with the random bits from this generator.
    pub fn record_id(&self) -> Uuid {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.record_id_at(now_ms)
    }

    fn record_id_at(&self, now_ms: u64) -> Uuid {
        let mut st = self.state();
        let (ms, rand) = if now_ms > st.last_ms {
            // The top bit stays clear, so the ids of one busy millisecond
            // have room to count up without borrowing the next one.
            let mut bytes = [0u8; 16];
            st.rng.fill_bytes(&mut bytes);
            (now_ms, u128::from_be_bytes(bytes) & (RAND_MASK >> 1))
        } else if st.last_rand < RAND_MASK {
            // Same millisecond, or the wall clock went back: count up.
            (st.last_ms, st.last_rand + 1)
        } else {
            (st.last_ms + 1, 0)
        };
        st.last_ms = ms;
        st.last_rand = rand;
        drop(st);
        // rand_a (12 bits) then rand_b (62 bits) around the version and
        // variant, as the uuid crate lays out a v7 counter: the 74 bits go
        // into the top of the ten bytes the builder takes, which keeps the
        // 2 bits it overwrites with the variant out of the way.
        let rand_a = (rand >> 62) as u16 & 0x0fff;
        let rand_b = (rand & ((1u128 << 62) - 1)) as u64;
        let mut ten = [0u8; 10];
        ten[..2].copy_from_slice(&rand_a.to_be_bytes());
        ten[2..].copy_from_slice(&rand_b.to_be_bytes());
        uuid::Builder::from_unix_timestamp_millis(ms, &ten).into_uuid()
    }
}

impl std::fmt::Debug for SessionRng {
    /// Never prints the state.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionRng(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn its_state_is_zeroized_when_dropped() {
        // Locking drops the session and with it this generator: the
        // generator type must wipe its key, counter and buffer on drop.
        fn wipes_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wipes_on_drop::<ChaCha20Rng>();
    }

    #[test]
    fn two_generators_never_share_a_stream() {
        let a = SessionRng::from_os();
        let b = SessionRng::from_os();
        let mut seen = HashSet::new();
        for _ in 0..1000 {
            assert!(seen.insert(a.nonce()));
            assert!(seen.insert(b.nonce()));
        }
        assert!(!seen.contains(&[0u8; NONCE_LEN]));
    }

    #[test]
    fn ids_are_version_7_and_in_creation_order_within_a_millisecond() {
        let rng = SessionRng::from_os();
        let mut ids: Vec<Uuid> = (0..500)
            .map(|_| rng.record_id_at(1_795_201_200_000))
            .collect();
        ids.push(rng.record_id_at(1_795_201_200_001));
        // The wall clock going back still gives a later id.
        ids.push(rng.record_id_at(1_795_201_100_000));
        for w in ids.windows(2) {
            assert!(w[0] < w[1], "{} then {}", w[0], w[1]);
            assert!(w[0].to_string() < w[1].to_string());
        }
        for id in &ids {
            assert_eq!(id.get_version(), Some(uuid::Version::SortRand));
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        }
        let (secs, _) = ids[0].get_timestamp().unwrap().to_unix();
        assert_eq!(secs, 1_795_201_200);
        // Random below the millisecond: another generator's ids differ.
        let other = SessionRng::from_os().record_id_at(1_795_201_200_000);
        assert_ne!(other, ids[0]);
    }

    #[test]
    fn an_id_counter_at_its_top_borrows_the_next_millisecond() {
        let rng = SessionRng::from_os();
        {
            let mut st = rng.state();
            st.last_ms = 1_000;
            st.last_rand = RAND_MASK;
        }
        let before = uuid::Builder::from_unix_timestamp_millis(1_000, &[0xff; 10]).into_uuid();
        let id = rng.record_id_at(1_000);
        assert!(id > before);
        let (secs, nanos) = id.get_timestamp().unwrap().to_unix();
        assert_eq!((secs, nanos / 1_000_000), (1, 1));
    }
}
