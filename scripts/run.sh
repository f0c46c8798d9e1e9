#!/usr/bin/env bash
# The README's "run it" command: nightround-server demo. It starts the sync
# server on 127.0.0.1 with an embedded SQLite database in a fresh data
# directory, creates the partnership and its directory, enrols simulated
# phones with real encrypted vaults, drives a week of evening rounds through
# the real core and sync (synthetic aliases only), then serves the supervisor
# dashboard and prints its address and sign-ins. Ctrl-C stops it.
#
#   scripts/run.sh [demo options]    e.g. --listen 127.0.0.1:9000, --days 7
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
cargo build --release -p nightround-server
exec "$REPO/target/release/nightround-server" demo "$@"
