#!/usr/bin/env bash
# android/jvm-check/run.sh: compile the app's state holders
# (android/app/src/main/java/org/nightround/app/state) on a plain JVM against
# the generated bindings, and, unless --compile-only, drive them against the
# real core with StateSmoke.kt (and a real nightround-server over TLS on
# loopback for enrolment by QR code, the kept changes and the duress PIN).
# Needs no Android SDK.
#
#   android/jvm-check/run.sh                 build the core, compile, run the smoke test
#   android/jvm-check/run.sh --compile-only  compile state/ only (what CI's JVM check needs)
#
# Environment: NR_SKIP_BUILD=1 uses target/debug/libnightround_ffi.so as it is.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
# shellcheck source=scripts/tools.sh
source "$REPO/scripts/tools.sh"
ensure_kotlin_toolchain

compile_only=0
[ "${1:-}" = "--compile-only" ] && compile_only=1

TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$REPO/$TARGET_DIR" ;; esac
OUT="$TARGET_DIR/android-jvm-check"
mkdir -p "$OUT"

mapfile -t bindings < <(find bindings/kotlin -name '*.kt' | sort)
mapfile -t state < <(find android/app/src/main/java/org/nightround/app/state -name '*.kt' | sort)

# The state layer must stay free of Android so that this compile means something.
if grep -nE '^import (android|androidx)\.' "${state[@]}"; then
    echo "[jvm-check] state/ imports Android; keep it plain Kotlin" >&2
    exit 1
fi

cp="$JNA_JAR:$KOTLINX_COROUTINES_JAR"
srcs=("${bindings[@]}" "${state[@]}")
[ "$compile_only" = 1 ] || srcs+=(android/jvm-check/StateSmoke.kt)
echo "[jvm-check] kotlinc: ${#state[@]} state file(s) + ${#bindings[@]} binding file(s)" >&2
JAVA_OPTS="${KOTLINC_JAVA_OPTS:--Xmx2g}" "$KOTLINC" -nowarn -jvm-target 17 -classpath "$cp" \
    -d "$OUT/state.jar" "${srcs[@]}"
[ "$compile_only" = 1 ] && { echo "[jvm-check] state/ compiles on the JVM" >&2; exit 0; }

if [ "${NR_SKIP_BUILD:-0}" != 1 ]; then
    cargo build -p nightround-ffi >&2
    # The server the enrolment-by-QR, kept-changes and duress checks run against.
    cargo build -q -p nightround-server >&2
fi
so="$TARGET_DIR/debug/libnightround_ffi.so"
props=("-Djna.library.path=$TARGET_DIR/debug")
for d in bindings/kotlin/uniffi/*/; do
    props+=("-Duniffi.component.$(basename "$d").libraryOverride=$so")
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
server_bin="$TARGET_DIR/debug/nightround-server"
[ -x "$server_bin" ] || { echo "[jvm-check] missing $server_bin" >&2; exit 1; }
NIGHTROUND_SERVER_BIN="$server_bin" NIGHTROUND_TEST_TMP="$tmp" java "${props[@]}" \
    -cp "$OUT/state.jar:$KOTLIN_STDLIB_JAR:$KOTLINX_COROUTINES_JAR:$JNA_JAR" StateSmokeKt
