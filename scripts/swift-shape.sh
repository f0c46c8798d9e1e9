#!/usr/bin/env bash
# scripts/swift-shape.sh: static checks that the generated Swift bindings in
# bindings/swift/ are "in shape". There is no Swift toolchain on Linux CI, so
# this checks structure and consistency rather than compiling Swift:
#
#   * the three generated files exist (LIB.swift, LIBFFI.h, LIBFFI.modulemap)
#     and the modulemap points at the header
#   * the header is valid C (gcc, with clang's nullability keywords removed)
#   * the header declares the uniffi_LIB_checksum_* functions, and the Swift
#     file checks exactly the same set of checksums
#   * every FFI function the Swift file calls is declared in the header
#   * every function the header declares is exported by target/debug/libLIB.so
#   * each pattern in bindings/tests/swift-expected.txt (one grep -E pattern
#     per line; blank lines and lines starting with # are ignored) matches
#     a line of LIB.swift
#
# Run after scripts/gen-bindings.sh (test-all.sh does). Prints one PASS/FAIL
# line per check and `N passed, N failed`; exit 1 if anything failed.
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$REPO"

LIB="${NR_FFI_LIB:-nightround_ffi}"
DIR="bindings/swift"
SWIFT="$DIR/$LIB.swift"
HEADER="$DIR/${LIB}FFI.h"
MODULEMAP="$DIR/${LIB}FFI.modulemap"
EXPECTED="${NR_SWIFT_EXPECTED:-bindings/tests/swift-expected.txt}"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$REPO/$TARGET_DIR" ;; esac
SO="$TARGET_DIR/debug/lib$LIB.so"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }
# check NAME CMD...: PASS when CMD succeeds.
check() {
    local name="$1"; shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}
summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- files ----------------------------------------------------------------
for f in "$SWIFT" "$HEADER" "$MODULEMAP"; do
    check "exists: $f" test -s "$f"
done
if [ ! -s "$SWIFT" ] || [ ! -s "$HEADER" ]; then
    summary; exit 1
fi
check "modulemap declares module ${LIB}FFI with header ${LIB}FFI.h" \
    bash -c "grep -q '^module ${LIB}FFI ' '$MODULEMAP' && grep -q 'header \"${LIB}FFI.h\"' '$MODULEMAP'"
check "swift imports Foundation and ${LIB}FFI" \
    bash -c "grep -q '^import Foundation' '$SWIFT' && grep -q 'import ${LIB}FFI' '$SWIFT'"

# --- header -----------------------------------------------------------------
if command -v cc >/dev/null 2>&1; then
    printf '#include "%s"\n' "$REPO/$HEADER" >"$tmp/h.c"
    if cc -fsyntax-only -std=c11 -Wno-pragma-once-outside-header -D_Nonnull= -D_Nullable= \
        "$tmp/h.c" 2>"$tmp/cc.err"; then
        pass "header is valid C"
    else
        fail "header is valid C" "$(head -n 5 "$tmp/cc.err")"
    fi
fi

# Function names declared in the header / called from Swift.
fn_re="\\b(uniffi|ffi)_${LIB}_[A-Za-z0-9_]+\\("
grep -oE "$fn_re" "$HEADER" | tr -d '(' | sort -u >"$tmp/header.fns"
grep -oE "$fn_re" "$SWIFT" | tr -d '(' | sort -u >"$tmp/swift.fns"
grep "^uniffi_${LIB}_checksum_" "$tmp/header.fns" >"$tmp/header.sums" || true
grep "^uniffi_${LIB}_checksum_" "$tmp/swift.fns" >"$tmp/swift.sums" || true

n_sums=$(wc -l <"$tmp/header.sums")
if [ "$n_sums" -gt 0 ]; then
    pass "header declares $n_sums uniffi_${LIB}_checksum_* functions"
else
    fail "header declares uniffi_${LIB}_checksum_* functions" "none found"
fi
if cmp -s "$tmp/header.sums" "$tmp/swift.sums"; then
    pass "swift verifies the same $n_sums checksums"
else
    fail "swift verifies the same checksums" \
        "$(diff "$tmp/header.sums" "$tmp/swift.sums" | grep '^[<>]' | head -n 5 | tr '\n' ' ')"
fi
missing="$(comm -13 "$tmp/header.fns" "$tmp/swift.fns")"
if [ -z "$missing" ]; then
    pass "every FFI function swift calls is declared in the header"
else
    fail "every FFI function swift calls is declared in the header" "$(echo "$missing" | head -n 5 | tr '\n' ' ')"
fi

# --- library exports ---------------------------------------------------------
if [ -f "$SO" ] && command -v nm >/dev/null 2>&1; then
    nm -D --defined-only "$SO" | awk '{print $NF}' | sort -u >"$tmp/so.syms"
    missing="$(comm -23 "$tmp/header.fns" "$tmp/so.syms")"
    if [ -z "$missing" ]; then
        pass "lib$LIB.so exports all $(wc -l <"$tmp/header.fns") header functions"
    else
        fail "lib$LIB.so exports all header functions" "$(echo "$missing" | head -n 5 | tr '\n' ' ')"
    fi
else
    echo "SKIP library exports ($SO or nm missing)"
fi

# --- expected public declarations ----------------------------------------------
if [ -f "$EXPECTED" ]; then
    while IFS= read -r pattern || [ -n "$pattern" ]; do
        case "$pattern" in "" | "#"*) continue ;; esac
        if grep -qE -- "$pattern" "$SWIFT"; then
            pass "swift matches: $pattern"
        else
            fail "swift matches: $pattern"
        fi
    done <"$EXPECTED"
else
    fail "expected-declarations file $EXPECTED exists"
fi

summary
