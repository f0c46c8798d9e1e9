#!/usr/bin/env bash
# scripts/lib-size.sh: builds the FFI library the phones ship with the
# `phone` profile (opt-level z, fat LTO, one codegen unit; Cargo.toml), strips
# it, prints its size beside the bound and exits 1 above it.
#
#   scripts/lib-size.sh            x86_64 host build as the proxy for the phones
#   NR_LIB_MAX_BYTES=N             the bound (default 4000000, issue 13)
#
# What keeps it small (see the comments at each place): ring rather than
# aws-lc for TLS and for the vault's AEAD (core/src/crypto/xchacha.rs), ureq
# rather than reqwest (no tokio or hyper), url without ICU tables
# (idna_adapter 1.0), SQLite without the extensions nothing uses
# (.cargo/config.toml), packed relocations and safe identical-code folding
# (bindings/build.rs). Panics still unwind (uniffi catches them at the
# boundary), so the unwind tables (~0.8 MB) stay.
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$REPO"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
MAX="${NR_LIB_MAX_BYTES:-4000000}"

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
verdict=PASS
[ "$size" -le "$MAX" ] || verdict=OVER
awk -v s="$size" -v m="$MAX" -v t="$took" -v v="$verdict" 'BEGIN {
    printf "libnightround_ffi.so (phone profile, stripped, x86_64): %d bytes = %.2f MB (bound %.2f MB) %s [build %d s]\n", s, s / 1e6, m / 1e6, v, t
}'
if [ "$verdict" != PASS ]; then
    echo "[lib-size] over the bound" >&2
    exit 1
fi
