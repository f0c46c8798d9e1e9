#!/usr/bin/env bash
# scripts/kotlin-bench.sh: the busy-night bench (issue 13, item 8). Times
# tonight's screens from Kotlin on the RELEASE library through the committed
# bindings: 10,000 stored records, 300 contacts tonight; prints p50/p99/max
# beside the 16 ms bound (one frame) and exits 1 when a screen's p99 is over
# it. Then the same workload through the Rust API (core/benches/tonight.rs),
# for the peer figure without the JVM and the FFI.
#
#   scripts/kotlin-bench.sh [ITERATIONS]    default 200 per screen
#
# Not part of scripts/test-all.sh: it needs a release build (several minutes
# from cold on two cores; about a minute once built). The vault lives on
# /dev/shm when there is one (NR_BENCH_DIR to choose): writing the 10,000
# records is then not fsync-bound; the timed reads come from SQLite's page
# cache either way.
#
# Environment:
#   NR_BENCH_PROFILE=release   cargo profile of the library (phone: the
#                              size-optimised one the phones ship)
#   NR_BENCH_DIR=DIR           where the bench vault is written
#   NR_SKIP_RUST=1             skip the Rust peer figure
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$REPO"
# shellcheck source=scripts/tools.sh
source "$REPO/scripts/tools.sh"
ensure_kotlin_toolchain

ITERATIONS="${1:-200}"
PROFILE="${NR_BENCH_PROFILE:-release}"
FFI_LIB="${NR_FFI_LIB:-nightround_ffi}"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$REPO/$TARGET_DIR" ;; esac
OUT="$TARGET_DIR/kotlin-bench"
log() { printf '[kotlin-bench] %s\n' "$*" >&2; }
start=$SECONDS

# 1. The release library.
log "cargo build --profile $PROFILE -p nightround-ffi"
cargo build -q --profile "$PROFILE" -p nightround-ffi
so="$TARGET_DIR/$PROFILE/lib$FFI_LIB.so"
[ -f "$so" ] || { log "missing $so"; exit 1; }
log "library: $so ($(du -h "$so" | cut -f1), built by $((SECONDS - start)) s)"

# 2. Compile: the bindings once per change (the slow part, cached by hash),
#    then the bench against them.
mkdir -p "$OUT"
mapfile -t binding_srcs < <(find bindings/kotlin -name '*.kt' | sort)
bindings_jar="$OUT/bindings.jar"
bench_jar="$OUT/bench.jar"
bench_src="bindings/tests/kotlin/bench/ScreensBench.kt"
hash_of() { { echo "$KOTLIN_VERSION"; sha256sum "$@"; } | sha256sum | cut -d' ' -f1; }
kc() { JAVA_OPTS="${KOTLINC_JAVA_OPTS:--Xmx2g -Xms256m}" "$KOTLINC" -nowarn -jvm-target 17 "$@"; }
if [ "$(cat "$bindings_jar.sha256" 2>/dev/null)" != "$(hash_of "${binding_srcs[@]}")" ] || [ ! -f "$bindings_jar" ]; then
    log "kotlinc: bindings (a few minutes on a busy machine)"
    rm -f "$bindings_jar"
    kc -classpath "$JNA_JAR" -d "$bindings_jar" "${binding_srcs[@]}"
    hash_of "${binding_srcs[@]}" >"$bindings_jar.sha256"
fi
if [ "$(cat "$bench_jar.sha256" 2>/dev/null)" != "$(hash_of "$bench_src" "$bindings_jar")" ] || [ ! -f "$bench_jar" ]; then
    log "kotlinc: $bench_src"
    rm -f "$bench_jar"
    kc -classpath "$bindings_jar:$JNA_JAR" -d "$bench_jar" "$bench_src"
    hash_of "$bench_src" "$bindings_jar" >"$bench_jar.sha256"
fi

# 3. Run on the release library (pinned per component, as kotlin-tests.sh does).
bench_dir="${NR_BENCH_DIR:-}"
if [ -z "$bench_dir" ]; then
    if [ -d /dev/shm ]; then bench_dir="$(mktemp -d /dev/shm/nightround-kbench.XXXXXX)"; else bench_dir="$(mktemp -d)"; fi
    trap 'rm -rf "$bench_dir"' EXIT
fi
java_props=("-Djna.library.path=$(dirname "$so")")
for d in bindings/kotlin/uniffi/*/; do
    java_props+=("-Duniffi.component.$(basename "$d").libraryOverride=$so")
done
log "java ScreensBenchKt ($ITERATIONS iterations per screen)"
set +e
java "${java_props[@]}" -cp "$bench_jar:$bindings_jar:$KOTLIN_STDLIB_JAR:$JNA_JAR" ScreensBenchKt "$bench_dir" "$ITERATIONS"
status=$?
set -e

# 4. The Rust peer figure: the same workload without the JVM and the FFI.
if [ "${NR_SKIP_RUST:-0}" != 1 ]; then
    log "cargo bench -p nightround-core --bench tonight"
    cargo bench -q -p nightround-core --bench tonight -- --dir "$bench_dir" --iterations "$ITERATIONS"
fi
log "done in $((SECONDS - start)) s"
exit "$status"
