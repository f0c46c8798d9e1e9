#!/usr/bin/env bash
# ios/build-xcframework.sh: builds the Rust core for iOS and packages it for
# Swift Package Manager (run on a Mac with Xcode 16+ and rustup).
#
#   ios/build-xcframework.sh            build everything
#   ios/build-xcframework.sh --strict   also fail if the Swift generated here
#                                       differs from the committed bindings/swift
#
# Outputs (both ignored by git; the app build needs them):
#   ios/NightroundCore/NightroundCoreFFI.xcframework          device + simulator static libraries,
#                                                             the two C headers, one module.modulemap
#   ios/NightroundCore/Sources/NightroundCore/Generated/*.swift   the uniffi Swift the app imports
#
# Why each step is the way it is:
# - three targets: arm64 phones, arm64 simulators (Apple silicon Macs) and
#   x86_64 simulators (Intel Macs); the two simulator slices share a platform,
#   so an XCFramework needs them merged into one fat library with lipo;
# - the bindings are generated from the host's unstripped debug library, the
#   same way scripts/gen-bindings.sh does it, because uniffi reads its
#   metadata from symbols a stripped release artefact may have lost, and so the
#   result can be compared with the committed bindings/swift;
# - uniffi-bindgen is built in its own cargo command: building it together
#   with the library would unify features and drag its CLI dependencies into
#   the library the phones load;
# - uniffi writes one modulemap per component (nightround_ffiFFI and
#   nightround_coreFFI); an XCFramework's headers directory holds exactly one
#   module.modulemap, so the two module declarations are merged into it.
set -euo pipefail

IOS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$IOS_DIR/.." && pwd)"
cd "$REPO"

FFI_CRATE="nightround-ffi"
FFI_LIB="nightround_ffi"
TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$REPO/$TARGET_DIR" ;; esac
PACKAGE_DIR="$IOS_DIR/NightroundCore"
XCFRAMEWORK="$PACKAGE_DIR/NightroundCoreFFI.xcframework"
SWIFT_OUT="$PACKAGE_DIR/Sources/NightroundCore/Generated"
# Objects compiled by build scripts (SQLite, ring) must not claim a newer iOS
# than the app's deployment target, or the linker warns on every build.
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-17.0}"

strict=0
case "${1:-}" in
    --strict) strict=1 ;;
    "") ;;
    *) echo "usage: $0 [--strict]" >&2; exit 2 ;;
esac

log() { printf '[build-xcframework] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- tools ----------------------------------------------------------------------
[ "$(uname -s)" = Darwin ] || die "this script needs macOS with Xcode (xcodebuild, lipo)"
for tool in cargo rustup xcodebuild lipo; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
installed="$(rustup target list --installed)"
for t in "${TARGETS[@]}"; do
    if ! grep -qx "$t" <<<"$installed"; then
        log "adding Rust target $t"
        rustup target add "$t"
    fi
done

# --- the static libraries ---------------------------------------------------------
for t in "${TARGETS[@]}"; do
    log "cargo build --release -p $FFI_CRATE --target $t"
    cargo build --release -p "$FFI_CRATE" --target "$t"
done
DEVICE_LIB="$TARGET_DIR/aarch64-apple-ios/release/lib$FFI_LIB.a"
SIM_ARM_LIB="$TARGET_DIR/aarch64-apple-ios-sim/release/lib$FFI_LIB.a"
SIM_X86_LIB="$TARGET_DIR/x86_64-apple-ios/release/lib$FFI_LIB.a"
for lib in "$DEVICE_LIB" "$SIM_ARM_LIB" "$SIM_X86_LIB"; do
    [ -f "$lib" ] || die "expected library missing: $lib"
done

SIM_DIR="$TARGET_DIR/ios-simulator-universal/release"
SIM_LIB="$SIM_DIR/lib$FFI_LIB.a"
mkdir -p "$SIM_DIR"
log "lipo: one simulator library from arm64 and x86_64"
lipo -create "$SIM_ARM_LIB" "$SIM_X86_LIB" -output "$SIM_LIB"

# --- the Swift bindings -------------------------------------------------------------
log "cargo build -p $FFI_CRATE (host, debug: the unstripped library uniffi reads)"
cargo build -p "$FFI_CRATE"
log "cargo build -p uniffi-bindgen (its own command, so its features stay out of the library)"
cargo build -p uniffi-bindgen
BINDGEN="$TARGET_DIR/debug/uniffi-bindgen"
HOST_LIB="$TARGET_DIR/debug/lib$FFI_LIB.dylib"
[ -f "$HOST_LIB" ] || HOST_LIB="$TARGET_DIR/debug/lib$FFI_LIB.so"
[ -f "$HOST_LIB" ] || die "host library not found in $TARGET_DIR/debug"
[ -x "$BINDGEN" ] || die "uniffi-bindgen not found at $BINDGEN"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "uniffi-bindgen generate --library $(basename "$HOST_LIB") --language swift"
"$BINDGEN" generate --library "$HOST_LIB" --language swift --out-dir "$work/swift" --no-format

if ! diff -r "$REPO/bindings/swift" "$work/swift" >"$work/drift.diff" 2>&1; then
    if [ "$strict" = 1 ]; then
        head -n 60 "$work/drift.diff" >&2
        die "the generated Swift differs from bindings/swift: run scripts/gen-bindings.sh"
    fi
    log "warning: the generated Swift differs from the committed bindings/swift"
    log "         (scripts/gen-bindings.sh --check shows how); packaging what this library exports"
fi

# --- headers and one module.modulemap ---------------------------------------------------
HEADERS="$work/headers"
mkdir -p "$HEADERS"
cp "$work"/swift/*.h "$HEADERS/"
modulemaps=("$work"/swift/*.modulemap)
[ -e "${modulemaps[0]}" ] || die "uniffi wrote no modulemap"
{
    echo "// Generated by ios/build-xcframework.sh from uniffi's per-component modulemaps."
    for m in "${modulemaps[@]}"; do
        grep -q '^module [A-Za-z0-9_]* {' "$m" || die "unexpected modulemap format: $m"
        cat "$m"
        echo
    done
} >"$HEADERS/module.modulemap"
log "module.modulemap declares: $(grep -o '^module [A-Za-z0-9_]*' "$HEADERS/module.modulemap" | cut -d' ' -f2 | tr '\n' ' ')"

# --- the XCFramework ----------------------------------------------------------------
rm -rf "$XCFRAMEWORK"
log "xcodebuild -create-xcframework -> ${XCFRAMEWORK#"$REPO/"}"
xcodebuild -create-xcframework \
    -library "$DEVICE_LIB" -headers "$HEADERS" \
    -library "$SIM_LIB" -headers "$HEADERS" \
    -output "$XCFRAMEWORK"

# --- the Swift sources for the package ------------------------------------------------------
rm -rf "$SWIFT_OUT"
mkdir -p "$SWIFT_OUT"
cp "$work"/swift/*.swift "$SWIFT_OUT/"
log "copied $(find "$SWIFT_OUT" -name '*.swift' | wc -l | tr -d ' ') Swift files to ${SWIFT_OUT#"$REPO/"}"
log "done: open ios/Nightround.xcodeproj after 'cd ios && xcodegen generate'"
