# shellcheck shell=bash
# scripts/pg.sh: a throw-away PostgreSQL cluster for the tests. Meant to be
# *sourced* (it sets a trap that stops and removes the cluster on exit):
#
#     source "$REPO/scripts/pg.sh"   # exports NIGHTROUND_TEST_PG=postgres://...
#
# Installs Debian's `postgresql` when missing (scripts/tools.sh's
# ensure_postgres), runs initdb into a temporary directory as an unprivileged
# user (PostgreSQL refuses to run as root), starts it with pg_ctl on a free
# loopback port with its socket in the same directory, and creates nothing
# else: each test creates its own database in it. Nothing assumes a running
# service; a second source in the same shell reuses the cluster.
#
# Also usable on its own:  bash scripts/pg.sh -- cargo test -p nightround-server
# runs the command with the cluster up and NIGHTROUND_TEST_BACKEND=postgres.

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# shellcheck source=scripts/tools.sh
source "$REPO/scripts/tools.sh"

pg_log() { printf '[pg] %s\n' "$*" >&2; }

# The unprivileged owner of the cluster's files and process.
_pg_user() {
    if [ "$(id -u)" -ne 0 ]; then
        id -un
        return
    fi
    if ! id nightround-test >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin nightround-test 2>/dev/null ||
            { pg_log "could not create user nightround-test; using nobody"; echo nobody; return; }
    fi
    echo nightround-test
}

# Runs a command as the cluster's owner.
_pg_as() {
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$PG_USER" -- "$@"
    else
        su -s /bin/sh "$PG_USER" -c "$(printf '%q ' "$@")"
    fi
}

_pg_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pg_stop() {
    # Keeps the exit status it was called with, so an EXIT trap that runs
    # after it (test-all.sh's summary) still sees whether the run failed.
    local rc=$?
    if [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP" ]; then
        _pg_as "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
        pg_log "stopped and removed the cluster"
    fi
    PG_TMP=""
    return $rc
}

pg_start() {
    if [ -n "${NIGHTROUND_TEST_PG:-}" ] && [ -n "${PG_TMP:-}" ]; then
        return 0 # already up in this shell
    fi
    ensure_postgres
    PG_USER="$(_pg_user)"
    PG_TMP="$(mktemp -d /tmp/nightround-pg.XXXXXX)"
    chown "$PG_USER" "$PG_TMP" 2>/dev/null || true
    chmod 700 "$PG_TMP"
    local port
    port="$(_pg_free_port)"
    pg_log "initdb into $PG_TMP as $PG_USER (PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'))"
    _pg_as "$PG_BIN/initdb" -D "$PG_TMP/data" -U nightround --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log" >&2; return 1; }
    # Quick to start and stop; durability is not what these tests measure
    # (the server's own code does not depend on these settings).
    _pg_as "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
        -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
        start >/dev/null || { cat "$PG_TMP/server.log" >&2; return 1; }
    # Stop the cluster on exit, before whatever the caller's trap does.
    local existing
    existing="$(trap -p EXIT | sed -e "s/^trap -- '\(.*\)' EXIT\$/\1/")"
    # shellcheck disable=SC2064
    trap "pg_stop; ${existing:-true}" EXIT
    NIGHTROUND_TEST_PG="postgres://nightround@127.0.0.1:$port/postgres"
    export NIGHTROUND_TEST_PG PG_TMP PG_USER
    pg_log "cluster up: NIGHTROUND_TEST_PG=$NIGHTROUND_TEST_PG"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    # Run directly: start, run the command after `--` on PostgreSQL, stop.
    set -euo pipefail
    [ "${1:-}" = "--" ] && shift
    pg_start
    if [ "$#" -gt 0 ]; then
        NIGHTROUND_TEST_BACKEND=postgres "$@"
    else
        echo "NIGHTROUND_TEST_PG=$NIGHTROUND_TEST_PG"
    fi
else
    pg_start
fi
