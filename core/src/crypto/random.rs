//! The operating system's random generator, the only source of nonces and keys.

/// Fills `buf` with random bytes. The OS generator failing leaves the phone
/// unable to make keys at all, which no caller could recover from.
pub fn fill(buf: &mut [u8]) {
    #[allow(clippy::expect_used)]
    getrandom::fill(buf).expect("the operating system's random generator failed");
}

/// A fresh random array.
pub fn array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill(&mut out);
    out
}
