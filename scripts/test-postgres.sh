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
# NIGHTROUND_PG_FULL=0 skips the full pass (step 2).
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

timed cargo test -p nightround-server --lib postgres
timed cargo test -p nightround-server --test store_parity

full="${NIGHTROUND_PG_FULL:-1}"
if [ "$full" = 1 ]; then
    export NIGHTROUND_TEST_BACKEND=postgres
    timed cargo test --no-fail-fast -p nightround-server
    timed cargo test --no-fail-fast -p nightround-e2e \
        --test lone_worker --test killed_mid_sync --test two_servers --test fault_schedules
fi
pg_summary
