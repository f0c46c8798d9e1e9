# shellcheck shell=bash
# scripts/tools.sh: installs the non-Rust tools the test scripts need, but
# only when they are missing. Meant to be *sourced*, not run:
#
#     source "$(dirname "$0")/tools.sh"
#     ensure_kotlinc        # exports KOTLINC, KOTLIN_HOME, KOTLIN_LIB, KOTLIN_STDLIB_JAR,
#                           #         KOTLIN_TEST_JAR, KOTLINX_COROUTINES_JAR
#     ensure_jna            # exports JNA_JAR
#     ensure_chromium       # exports CHROMIUM_BIN, CHROMEDRIVER_BIN
#
# Every function is idempotent: a second call (or a second run) costs a few
# `test -f` checks. Nothing here needs a terminal: apt runs with
# DEBIAN_FRONTEND=noninteractive, npm with --yes.
#
# Where things go:
#   kotlinc     -> $REPO/.tools/kotlinc/package/{bin,lib}   (.tools is gitignored)
#   JNA         -> Debian package libjna-java (/usr/share/java/jna.jar)
#   chromium    -> Debian packages chromium + chromium-driver

# Repository root (this file lives in <root>/scripts/).
REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
TOOLS_DIR="${NR_TOOLS_DIR:-$REPO/.tools}"

# Kotlin compiler, shipped on npm as kotlin-compiler (the same zip JetBrains
# publishes on GitHub, repackaged). Pinned by version *and* by the registry's
# sha512 (npm view kotlin-compiler@2.4.20 dist.integrity, hex-encoded), so a
# tarball taken from a local cache is checked the same way as a fresh one.
KOTLIN_VERSION="2.4.20"
KOTLIN_TGZ_SHA512="205e4854cecba4f840fe7b47410a5a56dd72c6969a428bed11560bcaa58cb9a2ebd177a52cf3e6effb0ce872e1b5c4638e3a12b0aec8ee53f693360990ccbbdf"
# Places where a previously downloaded tarball may already sit (optional).
KOTLIN_TGZ_CACHES=("/opt/nr-tools")

export DEBIAN_FRONTEND=noninteractive

tools_log() { printf '[tools] %s\n' "$*" >&2; }

# Run a command as root (directly when we are root, else through sudo).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n env DEBIAN_FRONTEND=noninteractive "$@"
    else
        tools_log "need root to run: $*"
        return 1
    fi
}

# apt_install PKG...: install Debian packages. The package lists are only
# refreshed (apt-get update) when the first attempt fails, which is the
# case on a fresh machine whose lists are empty or stale.
apt_install() {
    local apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    tools_log "apt-get install $*"
    if as_root apt-get install "${apt_opts[@]}" "$@" >/dev/null; then
        return 0
    fi
    tools_log "install failed; running apt-get update and retrying"
    as_root apt-get update -q >/dev/null
    as_root apt-get install "${apt_opts[@]}" "$@" >/dev/null
}

# --- kotlinc ----------------------------------------------------------------

_kotlin_tgz_ok() { # FILE: true when FILE is the pinned tarball
    [ -f "$1" ] && [ "$(sha512sum "$1" | cut -d' ' -f1)" = "$KOTLIN_TGZ_SHA512" ]
}

_kotlin_export() {
    KOTLIN_HOME="$TOOLS_DIR/kotlinc/package"
    KOTLINC="$KOTLIN_HOME/bin/kotlinc"
    KOTLIN_LIB="$KOTLIN_HOME/lib"
    KOTLIN_STDLIB_JAR="$KOTLIN_LIB/kotlin-stdlib.jar"
    KOTLIN_TEST_JAR="$KOTLIN_LIB/kotlin-test.jar"
    KOTLINX_COROUTINES_JAR="$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar"
    export KOTLIN_HOME KOTLINC KOTLIN_LIB KOTLIN_STDLIB_JAR KOTLIN_TEST_JAR KOTLINX_COROUTINES_JAR
}

ensure_kotlinc() {
    _kotlin_export
    local stamp="$TOOLS_DIR/kotlinc/.version"
    if [ -x "$KOTLINC" ] && [ -f "$KOTLINX_COROUTINES_JAR" ] &&
        [ "$(cat "$stamp" 2>/dev/null)" = "$KOTLIN_VERSION" ]; then
        return 0
    fi
    command -v java >/dev/null 2>&1 || { tools_log "java is required for kotlinc"; return 1; }
    mkdir -p "$TOOLS_DIR"

    # 1. Find the tarball: .tools/, then the optional caches, then npm.
    local tgz_name="kotlin-compiler-$KOTLIN_VERSION.tgz" tgz="" c
    for c in "$TOOLS_DIR" "${KOTLIN_TGZ_CACHES[@]}"; do
        if _kotlin_tgz_ok "$c/$tgz_name"; then tgz="$c/$tgz_name"; break; fi
    done
    if [ -z "$tgz" ]; then
        command -v npm >/dev/null 2>&1 || { tools_log "npm is required to fetch kotlinc"; return 1; }
        tools_log "npm pack kotlin-compiler@$KOTLIN_VERSION (~90 MB)"
        rm -f "$TOOLS_DIR/$tgz_name"
        (cd "$TOOLS_DIR" && npm pack --yes --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null)
        tgz="$TOOLS_DIR/$tgz_name"
        if ! _kotlin_tgz_ok "$tgz"; then
            tools_log "checksum mismatch for $tgz"
            return 1
        fi
    fi

    # 2. Unpack into a scratch dir and move into place, so an interrupted
    #    run never leaves a half-extracted compiler that looks installed.
    tools_log "unpacking $tgz"
    local tmp="$TOOLS_DIR/kotlinc.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    tar -xzf "$tgz" -C "$tmp"
    chmod +x "$tmp"/package/bin/* # npm tarballs do not always keep modes
    echo "$KOTLIN_VERSION" >"$tmp/.version"
    rm -rf "$TOOLS_DIR/kotlinc"
    mv "$tmp" "$TOOLS_DIR/kotlinc"

    local f
    for f in "$KOTLINC" "$KOTLIN_STDLIB_JAR" "$KOTLIN_TEST_JAR" "$KOTLINX_COROUTINES_JAR"; do
        [ -e "$f" ] || { tools_log "missing after unpack: $f"; return 1; }
    done
    tools_log "kotlinc $KOTLIN_VERSION ready at $KOTLINC"
}

# --- JNA --------------------------------------------------------------------

ensure_jna() {
    JNA_JAR="${JNA_JAR:-/usr/share/java/jna.jar}"
    if [ ! -f "$JNA_JAR" ]; then
        # libjna-java pulls in libjna-jni (libjnidispatch.so); Debian's
        # jna.jar finds that native part on its own.
        apt_install libjna-java
    fi
    [ -f "$JNA_JAR" ] || { tools_log "JNA jar not found at $JNA_JAR"; return 1; }
    export JNA_JAR
}

# --- chromium (browser tests) ------------------------------------------------

ensure_chromium() {
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        apt_install chromium chromium-driver
    fi
    CHROMIUM_BIN="$(command -v chromium)"
    CHROMEDRIVER_BIN="$(command -v chromedriver)"
    export CHROMIUM_BIN CHROMEDRIVER_BIN
}

# Everything the Kotlin tests need.
ensure_kotlin_toolchain() {
    ensure_kotlinc
    ensure_jna
}

# --- PostgreSQL (the second storage backend's tests) -------------------------

# Exports PG_BIN: the directory holding initdb, pg_ctl, postgres, pg_dump.
# Debian's `postgresql` puts them under /usr/lib/postgresql/<major>/bin,
# not on PATH; the newest installed major is taken.
ensure_postgres() {
    _pg_find_bin() {
        local d
        d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
        [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && printf '%s' "$d"
    }
    PG_BIN="${PG_BIN:-$(_pg_find_bin || true)}"
    if [ -z "$PG_BIN" ]; then
        apt_install postgresql
        PG_BIN="$(_pg_find_bin || true)"
    fi
    [ -n "$PG_BIN" ] || { tools_log "PostgreSQL's initdb/pg_ctl not found after installing postgresql"; return 1; }
    export PG_BIN
}
