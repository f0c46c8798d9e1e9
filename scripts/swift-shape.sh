#!/usr/bin/env bash
# scripts/swift-shape.sh: static checks that the generated Swift bindings in
# bindings/swift/ are "in shape". There is no Swift toolchain on Linux CI, so
# this checks structure and consistency rather than compiling Swift:
#
#   For each component C (LIB = nightround_ffi, plus e.g. nightround_core when
#   the core exports records/enums with its own uniffi scaffolding):
#   * the three generated files exist (C.swift, CFFI.h, CFFI.modulemap)
#     and the modulemap points at the header
#   * the header is valid C (gcc, with clang's nullability keywords removed)
#   * the header declares uniffi_C_checksum_* functions (required for LIB),
#     and the Swift file checks exactly the same set of checksums
#   * every FFI function the Swift file calls is declared in the header
#   Then, over all components:
#   * every function the headers declare is exported by
#     target/debug/libLIB.so (all components live in that one library)
#   * each pattern in bindings/tests/swift-expected.txt (one grep -E pattern
#     per line; blank lines and lines starting with # are ignored) matches
#     a line of one of the generated .swift files
#
# Run after scripts/gen-bindings.sh (test-all.sh does). Prints one PASS/FAIL
# line per check and `N passed, N failed`; exit 1 if anything failed.
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$REPO"

LIB="${NR_FFI_LIB:-nightround_ffi}"
DIR="bindings/swift"
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

# A library built from several crates that each call
# uniffi::setup_scaffolding!() yields one component per crate (e.g.
# nightround_core next to nightround_ffi): check each one found, and
# require the main one.
components=("$LIB")
for h in "$DIR"/*FFI.h; do
    [ -e "$h" ] || continue
    c="$(basename "$h" FFI.h)"
    [ "$c" = "$LIB" ] || components+=("$c")
done
echo "components: ${components[*]}"

: >"$tmp/all.fns"
for c in "${components[@]}"; do
    swift="$DIR/$c.swift"
    header="$DIR/${c}FFI.h"
    modulemap="$DIR/${c}FFI.modulemap"

    # --- files ---------------------------------------------------------------
    for f in "$swift" "$header" "$modulemap"; do
        check "exists: $f" test -s "$f"
    done
    if [ ! -s "$swift" ] || [ ! -s "$header" ]; then continue; fi
    check "$c: modulemap declares module ${c}FFI with header ${c}FFI.h" \
        bash -c "grep -q '^module ${c}FFI ' '$modulemap' && grep -q 'header \"${c}FFI.h\"' '$modulemap'"
    check "$c: swift imports Foundation and ${c}FFI" \
        bash -c "grep -q '^import Foundation' '$swift' && grep -q '^import ${c}FFI' '$swift'"

    # --- header --------------------------------------------------------------
    if command -v cc >/dev/null 2>&1; then
        printf '#include "%s"\n' "$REPO/$header" >"$tmp/h.c"
        if cc -fsyntax-only -std=c11 -Wno-pragma-once-outside-header -D_Nonnull= -D_Nullable= \
            "$tmp/h.c" 2>"$tmp/cc.err"; then
            pass "$c: header is valid C"
        else
            fail "$c: header is valid C" "$(head -n 5 "$tmp/cc.err")"
        fi
    fi

    # Function names declared in the header / called from Swift.
    fn_re="\\b(uniffi|ffi)_${c}_[A-Za-z0-9_]+\\("
    grep -oE "$fn_re" "$header" | tr -d '(' | sort -u >"$tmp/header.fns"
    grep -oE "$fn_re" "$swift" | tr -d '(' | sort -u >"$tmp/swift.fns"
    cat "$tmp/header.fns" >>"$tmp/all.fns"
    grep "^uniffi_${c}_checksum_" "$tmp/header.fns" >"$tmp/header.sums" || true
    grep "^uniffi_${c}_checksum_" "$tmp/swift.fns" >"$tmp/swift.sums" || true

    n_sums=$(wc -l <"$tmp/header.sums")
    if [ "$c" = "$LIB" ]; then
        # The main component exports functions, so it must have checksums
        # (a component with only records/enums has none).
        if [ "$n_sums" -gt 0 ]; then
            pass "$c: header declares $n_sums uniffi_${c}_checksum_* functions"
        else
            fail "$c: header declares uniffi_${c}_checksum_* functions" "none found"
        fi
    fi
    if cmp -s "$tmp/header.sums" "$tmp/swift.sums"; then
        pass "$c: swift verifies the same $n_sums checksums as the header declares"
    else
        fail "$c: swift verifies the same checksums as the header declares" \
            "$(diff "$tmp/header.sums" "$tmp/swift.sums" | grep '^[<>]' | head -n 5 | tr '\n' ' ')"
    fi
    missing="$(comm -13 "$tmp/header.fns" "$tmp/swift.fns")"
    if [ -z "$missing" ]; then
        pass "$c: every FFI function swift calls is declared in the header"
    else
        fail "$c: every FFI function swift calls is declared in the header" "$(echo "$missing" | head -n 5 | tr '\n' ' ')"
    fi
done

# --- library exports ---------------------------------------------------------
# All components live in the one library the apps load.
sort -u -o "$tmp/all.fns" "$tmp/all.fns"
if [ -f "$SO" ] && command -v nm >/dev/null 2>&1; then
    nm -D --defined-only "$SO" | awk '{print $NF}' | sort -u >"$tmp/so.syms"
    missing="$(comm -23 "$tmp/all.fns" "$tmp/so.syms")"
    if [ -z "$missing" ]; then
        pass "lib$LIB.so exports all $(wc -l <"$tmp/all.fns") header functions"
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
        if grep -qhE -- "$pattern" "$DIR"/*.swift; then
            pass "swift matches: $pattern"
        else
            fail "swift matches: $pattern"
        fi
    done <"$EXPECTED"
else
    fail "expected-declarations file $EXPECTED exists"
fi

summary
