#!/usr/bin/env bash
# scripts/lib-size.sh: builds the FFI library the phones ship with the
# `phone` profile (opt-level z, fat LTO, one codegen unit; Cargo.toml), strips
# it, prints its size beside the bound and exits 1 above it.
#
#   scripts/lib-size.sh            x86_64 host build as the proxy for the phones
#   NR_LIB_MAX_BYTES=N             fail above N bytes (default: the target)
#
# The bound is the target, 4,000,000 bytes (issue 13); test-all.sh runs this
# with the default. NR_LIB_MAX_BYTES is for trying something bigger.
#
# What keeps it small (see the comments at each place): ring rather than
# aws-lc for TLS and for the vault's AEAD (core/src/crypto/xchacha.rs), ureq
# rather than reqwest (no tokio or hyper), url without ICU tables
# (idna_adapter 1.0), SQLite without the extensions nothing uses
# (.cargo/config.toml), packed relocations and safe identical-code folding
# (bindings/build.rs), `log` statements compiled out of release builds
# (bindings/Cargo.toml: nothing installs a `log` logger), C code without
# unwind tables and a few more SQLite omissions (.cargo/config.toml), one
# serde_json deserialiser per record type (core/src/vault/indexing.rs), and
# panics that abort instead of unwinding (Cargo.toml's phone profile; ADR
# 0017): no landing pads or exception tables. The unwind tables for Rust
# code (~0.45 MB) stay: they give a crash report its stack trace.
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$REPO"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
TARGET=4000000
MAX="${NR_LIB_MAX_BYTES:-$TARGET}"

start=$SECONDS
cargo build --profile phone -p nightround-ffi >&2
took=$((SECONDS - start))
lib="$TARGET_DIR/phone/libnightround_ffi.so"
[ -f "$lib" ] || { echo "[lib-size] missing $lib" >&2; exit 1; }
stripped="$(mktemp)"
trap 'rm -f "$stripped"' EXIT
cp "$lib" "$stripped"
if command -v strip >/dev/null; then strip --strip-all "$stripped"; fi
size=$(stat -c %s "$stripped")
target_verdict="within the target"
[ "$size" -le "$TARGET" ] || target_verdict="OVER the target"
awk -v s="$size" -v m="$MAX" -v g="$TARGET" -v t="$took" -v v="$target_verdict" 'BEGIN {
    printf "libnightround_ffi.so (phone profile, stripped, x86_64): %d bytes = %.2f MB (target %.2f MB: %s; fails above %.2f MB) [build %d s]\n", s, s / 1e6, g / 1e6, v, m / 1e6, t
}'
if [ "$size" -gt "$MAX" ]; then
    echo "[lib-size] over the bound of $MAX bytes" >&2
    exit 1
fi
