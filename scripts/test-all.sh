#!/usr/bin/env bash
# scripts/test-all.sh: the one command that runs every test.
#
#   1. installs missing test tools (kotlinc, JNA; chromium only if needed)
#   2. cargo test --workspace (all but the uniffi-bindgen CLI crate, whose
#      features would otherwise be unified into every test binary)
#   2b. scripts/test-postgres.sh: PostgreSQL (Debian's postgresql installed
#      when missing, a throw-away cluster): the store-level tests, then the
#      server's whole suite, the lone-worker, killed-mid-sync, two-process
#      and seeded fault-schedule tests again on it (NIGHTROUND_PG_FULL=0
#      skips those; issue 12)
#   3. scripts/gen-bindings.sh --check   committed bindings match the library
#   4. scripts/kotlin-tests.sh           Kotlin tests against the real .so
#   5. scripts/swift-shape.sh            static checks of the Swift bindings
#   6. android/jvm-check/run.sh          the Android screens' state holders on the JVM
#      android/check-manifest.sh, ios/check-shape.sh   app shell checks
#   7. scripts/demo-phones.sh --once     command-line phones against a real server
#   7b. scripts/lib-size.sh              the phones' library, stripped, against its bound
#   8. scripts/browser-tests.sh          only if it exists and is executable
#
# Stops at the first failing step (set -e) and prints a timing summary.
# Runs non-interactively (CI=true, no stdin is fine).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO
cd "$REPO"
# shellcheck source=scripts/tools.sh
source "$REPO/scripts/tools.sh"

timings=()
section_name=""
section_start=0
section() {
    end_section
    section_name="$1"
    section_start=$SECONDS
    printf '\n==== %s ====\n' "$section_name"
}
end_section() {
    if [ -n "$section_name" ]; then
        timings+=("$(printf '%5ss  %s   (target/ %s, disk free %s)' "$((SECONDS - section_start))" "$section_name" \
            "$(du -sh "$REPO/target" 2>/dev/null | cut -f1)" "$(df -h "$REPO" 2>/dev/null | awk 'NR==2 {print $4}')")")
    fi
    section_name=""
}
report() {
    local status=$?
    end_section
    printf '\n==== summary ====\n'
    printf '%s\n' "${timings[@]}"
    if [ "$status" = 0 ]; then echo "ALL TESTS PASSED"; else echo "FAILED (exit $status)"; fi
}
trap report EXIT

section "tools"
ensure_kotlin_toolchain

section "cargo test --workspace --exclude uniffi-bindgen"
cargo test --workspace --exclude uniffi-bindgen

section "tests again on PostgreSQL (scripts/test-postgres.sh)"
# The same test bodies on the second backend: a throw-away cluster (initdb
# into a temp dir as an unprivileged user), a fresh database per test server.
# Store-level tests, then the server's whole suite and the end-to-end
# lone-worker, killed-mid-sync, two-process and fault-schedule tests with
# every server on PostgreSQL (issue 12; NIGHTROUND_PG_FULL=0 skips those).
bash scripts/test-postgres.sh

section "bindings drift check (scripts/gen-bindings.sh --check)"
bash scripts/gen-bindings.sh --check

section "kotlin tests (scripts/kotlin-tests.sh)"
# The drift check just proved bindings/kotlin matches the library, so
# regenerating is pointless, but the library must be the one built without
# uniffi-bindgen's features (gen-bindings.sh built it last). Skip the rewrite.
NR_SKIP_GEN=1 bash scripts/kotlin-tests.sh

section "android screen state on the JVM (android/jvm-check/run.sh)"
# The app's per-screen state holders, compiled with kotlinc against the
# generated bindings and driven against the real library: each screen's flow
# calls exactly what the Compose screens call.
bash android/jvm-check/run.sh

section "swift shape (scripts/swift-shape.sh)"
bash scripts/swift-shape.sh

for check in android/check-manifest.sh ios/check-shape.sh; do
    if [ -f "$check" ]; then
        section "app shell checks ($check)"
        bash "$check"
    fi
done

section "phones and server end to end (scripts/demo-phones.sh --once)"
# The command-line phones' demo from the README, on a debug build and a free
# port. (The README's run command, nightround-server demo, is tested by
# server/tests/dashboard_demo.rs.)
NIGHTROUND_PROFILE=debug NIGHTROUND_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')" \
    bash scripts/demo-phones.sh --once

section "phones' library size (scripts/lib-size.sh)"
# A fat-LTO build of the FFI library in the phone profile (~3 min on 2 cores
# from clean, less when only the core changed). It fails above the 4 MB
# target (issue 13); the library is 3.76 MB (docs/benchmarks.md).
bash scripts/lib-size.sh

if [ -x scripts/browser-tests.sh ]; then
    section "browser tests (scripts/browser-tests.sh)"
    ensure_chromium
    scripts/browser-tests.sh
fi
