#!/usr/bin/env bash
# scripts/browser-tests.sh: the dashboard's tests in a real headless Chromium.
#
# Installs Debian's chromium and chromium-driver when missing (scripts/tools.sh),
# then runs server/tests/dashboard_browser.rs with NIGHTROUND_BROWSER_TESTS=1:
# each test starts the real demo (a simulated week of rounds from phones with
# real vaults, synced over loopback), drives the dashboard through chromedriver
# and saves screenshots of the main pages to target/screenshots/.
#
# Ends with a line "browser tests: N passed, N failed"; exits non-zero on any
# failure. Runs non-interactively.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO
cd "$REPO"
# shellcheck source=scripts/tools.sh
source "$REPO/scripts/tools.sh"
ensure_chromium

export NIGHTROUND_BROWSER_TESTS=1
export CHROMIUM_BIN="${CHROMIUM_BIN:-$(command -v chromium)}"
export CHROMEDRIVER_BIN="${CHROMEDRIVER_BIN:-$(command -v chromedriver)}"
mkdir -p target/screenshots

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# One test at a time: each runs a demo and a browser on a 2-core machine.
cargo test -p nightround-server --test dashboard_browser -- --ignored --test-threads=1 2>&1 | tee "$log" || status=$?

passed=$(sed -n 's/^test result: .* \([0-9][0-9]*\) passed; \([0-9][0-9]*\) failed.*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^test result: .* \([0-9][0-9]*\) passed; \([0-9][0-9]*\) failed.*/\2/p' "$log" | tail -1)
if [ -z "$passed" ]; then
    # The tests did not run (a build failure): count it as one failure.
    passed=0
    failed=1
    [ "$status" -ne 0 ] || status=1
fi
echo "screenshots: $REPO/target/screenshots/"
find target/screenshots -name "*.png" | sort | sed "s|^|  |"
echo "browser tests: $passed passed, $failed failed"
exit "$status"
