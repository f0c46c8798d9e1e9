//! Cryptography for the vault: one envelope format, one key hierarchy, one
//! keyed hash. Decisions behind them: `docs/adr/0001-envelope-format.md` and
//! `docs/adr/0002-key-hierarchy.md`.

pub mod envelope;
pub mod index;
pub mod keys;
pub mod random;
pub mod sealed_box;
pub mod session_rng;
pub mod xchacha;

pub use envelope::{open, seal, Aad, Envelope, EnvelopeError};
pub use keys::{DataKey, KdfParams, RecordKeys};
