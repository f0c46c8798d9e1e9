#!/usr/bin/env bash
# The README's "run it" command. Today: the command-line device on the core,
# recording an evening round into a fresh encrypted vault and showing it.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
cargo build --release -p nightround-cli
exec "$REPO/scripts/demo-round.sh" "$REPO/target/release/nightround"
