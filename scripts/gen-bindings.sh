#!/usr/bin/env bash
# scripts/gen-bindings.sh: (re)generate the Kotlin and Swift bindings from the
# nightround-ffi library with uniffi-bindgen (library mode).
#
#   scripts/gen-bindings.sh           write bindings/kotlin/ and bindings/swift/
#   scripts/gen-bindings.sh --check   generate into a temp dir and exit 1, with a
#                                     diff, if the committed bindings differ
#                                     (drift check, used by test-all.sh / CI)
#
# bindings/kotlin/ and bindings/swift/ are entirely generated: do not edit or
# add files there by hand (the drift check compares the whole directories).
#
# Two separate cargo commands on purpose: building uniffi-bindgen (uniffi's
# `cli` feature) in the same command as the cdylib would unify features and
# drag the CLI dependencies into the library the apps load.
#
# Outputs (LIB = nightround_ffi):
#   target/debug/libLIB.so                          the library (debug, unstripped)
#   bindings/kotlin/uniffi/LIB/LIB.kt               Kotlin (package uniffi.LIB), needs JNA
#   bindings/swift/LIB.swift, LIBFFI.h, LIBFFI.modulemap
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$REPO"

FFI_CRATE="${NR_FFI_CRATE:-nightround-ffi}"  # cargo package
FFI_LIB="${NR_FFI_LIB:-nightround_ffi}"      # [lib] name
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$REPO/$TARGET_DIR" ;; esac
LIB_PATH="$TARGET_DIR/debug/lib$FFI_LIB.so"
BINDGEN="$TARGET_DIR/debug/uniffi-bindgen"

check=0
case "${1:-}" in
    --check) check=1 ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

log() { printf '[gen-bindings] %s\n' "$*" >&2; }

log "cargo build -p $FFI_CRATE"
cargo build -p "$FFI_CRATE"
log "cargo build -p uniffi-bindgen"
cargo build -p uniffi-bindgen
[ -f "$LIB_PATH" ] || { log "library not found: $LIB_PATH"; exit 1; }

# generate OUT_DIR: write kotlin/ and swift/ under OUT_DIR.
# --no-format: no ktlint/swiftformat here, and the output must not depend on
# whether a formatter happens to be installed.
generate() {
    local out="$1" lang
    for lang in kotlin swift; do
        "$BINDGEN" generate "$LIB_PATH" --language "$lang" --out-dir "$out/$lang" --no-format
    done
    human_messages "$out/kotlin/uniffi/$FFI_LIB/$FFI_LIB.kt"
}

# uniffi gives a Kotlin exception with fields the message "field=value" and
# one without fields an empty message. NightroundError exports its Rust
# Display (a plain sentence per variant, checked by a Rust test), which
# uniffi renders as toString(); make `.message` say the same. Fails when the
# generated shape changes, rather than silently leaving empty messages.
human_messages() {
    local kt="$1" before after
    before=$(grep -c 'get() = "' "$kt" || true)
    sed -i '/^sealed class NightroundException/,/^}/ s/^\( *get() = \)".*"$/\1toString()/' "$kt"
    after=$(grep -c 'get() = "' "$kt" || true)
    if [ "$before" = "$after" ] || ! grep -q 'override fun toString(): String' "$kt"; then
        log "could not give NightroundException human messages: uniffi's Kotlin shape changed"
        exit 1
    fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
generate "$tmp"

if [ "$check" = 1 ]; then
    status=0
    for lang in kotlin swift; do
        if ! diff -ru "bindings/$lang" "$tmp/$lang" >"$tmp/$lang.diff" 2>&1; then
            status=1
            log "bindings/$lang is out of date with the library (diff: committed -> generated):"
            head -n 200 "$tmp/$lang.diff" >&2
            lines=$(wc -l <"$tmp/$lang.diff")
            [ "$lines" -le 200 ] || log "... ($lines diff lines in total)"
        fi
    done
    if [ "$status" = 0 ]; then
        log "bindings are up to date"
    else
        log "run scripts/gen-bindings.sh and commit bindings/kotlin and bindings/swift"
    fi
    exit "$status"
fi

# Replace the directories wholesale so that removed items do not linger.
for lang in kotlin swift; do
    rm -rf "bindings/$lang"
    cp -R "$tmp/$lang" "bindings/$lang"
done
log "wrote:"
(cd bindings && find kotlin swift -type f | sort | sed 's/^/    bindings\//') >&2
