#!/usr/bin/env bash
# scripts/test-postgres.sh: the tests again on PostgreSQL (issue 12), as
# scripts/test-all.sh runs them (also usable on its own).
#
# Starts a throw-away cluster (scripts/pg.sh: Debian's postgresql installed
# when missing, initdb into a temp dir as an unprivileged user, stopped and
# removed on exit), then:
#
#   1. always: the store-level tests that open PostgreSQL themselves (schema,
#      scope queries, legal holds: `--lib postgres`; data protection and
#      profile links, one body on both backends: `--test store_parity`);
#   2. the full pass: the server's whole test suite with every test server on
#      PostgreSQL, then the end-to-end lone-worker, killed-mid-sync,
#      two-processes and seeded fault-schedule tests on it.
#
# The full pass runs by itself as soon as `PgStore::open` serves (a probe
# opens a fresh database with the real binary); while it still refuses with
# "has not caught up" (issue 12) only step 1 runs, and says so.
# NIGHTROUND_PG_FULL=1 forces the full pass (to see what fails),
# NIGHTROUND_PG_FULL=0 skips it.
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export REPO
cd "$REPO"
# shellcheck source=scripts/pg.sh
source "$REPO/scripts/pg.sh"

pg_timings=()
timed() {
    local start=$SECONDS
    "$@"
    pg_timings+=("$(printf '%5ss  %s' "$((SECONDS - start))" "$*")")
}
pg_summary() {
    printf '[pg] %s\n' "${pg_timings[@]}" >&2
}

# Whether PgStore::open serves: the real binary opens a fresh database.
pg_backend_serves() {
    local name dir url out
    name="nr_probe_$$"
    dir="$(mktemp -d /tmp/nightround-probe.XXXXXX)"
    url="${NIGHTROUND_TEST_PG%/*}/$name"
    "$PG_BIN/psql" -q -X "$NIGHTROUND_TEST_PG" -c "CREATE DATABASE $name" >/dev/null
    local rc=0
    out="$(cargo run -q -p nightround-server -- admin orgs --data-dir "$dir" --database "$url" 2>&1)" || rc=$?
    rm -rf "$dir"
    "$PG_BIN/psql" -q -X "$NIGHTROUND_TEST_PG" -c "DROP DATABASE $name" >/dev/null || true
    [ "$rc" = 0 ] && return 0
    # Any other failure runs the full pass, where it shows.
    ! grep -q "has not caught up" <<<"$out"
}

timed cargo test -p nightround-server --lib postgres
timed cargo test -p nightround-server --test store_parity

full="${NIGHTROUND_PG_FULL:-auto}"
if [ "$full" = auto ]; then
    if pg_backend_serves; then full=1; else full=0; fi
    [ "$full" = 1 ] || echo "*** PostgreSQL: PgStore::open still refuses (issue 12): store-level tests only; the full pass starts by itself once it serves (NIGHTROUND_PG_FULL=1 forces it) ***"
fi
if [ "$full" = 1 ]; then
    export NIGHTROUND_TEST_BACKEND=postgres
    timed cargo test --no-fail-fast -p nightround-server
    timed cargo test --no-fail-fast -p nightround-e2e \
        --test lone_worker --test killed_mid_sync --test two_servers --test fault_schedules
fi
pg_summary
