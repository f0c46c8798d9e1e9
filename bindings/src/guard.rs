//! No panic crosses the boundary: every exported call runs inside
//! [`guarded`], which turns a panic into [`NightroundError::Internal`] without
//! its message (a message could, through a bug, hold what she said).
//!
//! That holds where panics unwind: the Rust tests, plain debug builds and
//! the iOS `--release` build. The Android library is built with the `phone`
//! profile, where a panic aborts the app instead
//! (docs/adr/0017-panic-abort-in-the-phone-library.md): then nothing
//! crosses either, and the app restarts locked. The Kotlin suite loads a
//! debug library that aborts too (scripts/kotlin-tests.sh).

use crate::NightroundError;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, mapping core errors and panics to the FFI error.
pub fn guarded<T, E: Into<NightroundError>>(
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, NightroundError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(Into::into),
        Err(_) => {
            tracing::error!(target: "nightround::ffi", "a core call panicked");
            Err(NightroundError::Internal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_internal() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r: Result<(), NightroundError> =
            guarded(|| -> Result<(), NightroundError> { panic!("secret words") });
        std::panic::set_hook(hook);
        assert_eq!(r, Err(NightroundError::Internal));
    }
}
