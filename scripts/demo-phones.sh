#!/usr/bin/env bash
# The sync server with its embedded SQLite database, two command-line phones
# enrolled with one-time codes, an evening round recorded on one and synced
# through the server to the other. The server then keeps running (Ctrl-C
# stops it) so that more devices can enrol.
#
#   scripts/demo-phones.sh          release build, server on 127.0.0.1:8443 (HTTPS)
#   scripts/demo-phones.sh --once   stop after the demo (used by the test script)
#
# Environment: NIGHTROUND_PORT (8443), NIGHTROUND_DATA (a fresh temp dir),
# NIGHTROUND_PROFILE (release; "debug" builds faster).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
once=0
[ "${1:-}" = "--once" ] && once=1
profile="${NIGHTROUND_PROFILE:-release}"
port="${NIGHTROUND_PORT:-8443}"
work="$(mktemp -d)"
data="${NIGHTROUND_DATA:-$work/server-data}"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Building the server and the command-line device ($profile)"
if [ "$profile" = release ]; then
    cargo build --release -p nightround-server -p nightround-cli
else
    cargo build -p nightround-server -p nightround-cli
fi
S="$REPO/target/$profile/nightround-server"
NR="$REPO/target/$profile/nightround"

say "A partnership: one organisation, an outreach worker and a police officer"
"$S" admin --data-dir "$data" add-org --name "Aspirations" >/dev/null 2>&1
sam=$("$S" admin --data-dir "$data" add-worker --org Aspirations --name "Sam (demo)" --role outreach_worker 2>/dev/null)
hart=$("$S" admin --data-dir "$data" add-worker --org Aspirations --name "PC Hart (demo)" --role police_officer 2>/dev/null)
sam_code=$("$S" admin --data-dir "$data" enrol-code --worker "$sam" 2>/dev/null)
hart_code=$("$S" admin --data-dir "$data" enrol-code --worker "$hart" 2>/dev/null)
echo "one-time enrolment codes: Sam $sam_code, PC Hart $hart_code"

say "Starting the server on https://127.0.0.1:$port/ (data in $data)"
"$S" serve --data-dir "$data" --listen "127.0.0.1:$port" --example-directory &
server_pid=$!
cleanup() { kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
cert="$data/tls/server-cert.pem"

export NIGHTROUND_PIN="246810"
phone_a="$work/sam-phone"
phone_b="$work/hart-phone"
a() { "$NR" --vault-dir "$phone_a" "$@"; }
b() { "$NR" --vault-dir "$phone_b" "$@"; }

say "Sam's phone enrols with its code, pinning the server's certificate"
a enrol --server "https://127.0.0.1:$port/" --cert "$cert" --code "$sam_code" --name "Sam's phone"
b enrol --server "https://127.0.0.1:$port/" --cert "$cert" --code "$hart_code" --name "PC Hart's phone"

say "An evening round on Sam's phone, offline (synthetic aliases)"
a add-person --alias "Jade" --prefers-female-worker --key-worker "Priya" >/dev/null
a add-person --alias "Amber" >/dev/null
a contact --area york_road --person Jade --flag distressed --supply condoms=10 --supply hygiene_pack=1 \
    --note "Wants the Thursday drop-in; asked about a women-only session"
a contact --area ambleside_drive --person Amber --supply condoms=5 --supply food_drink=1 --supply personal_alarm=1
a contact --area ambleside_drive --flag first_contact --supply leaflet=1 --note "New face; took a leaflet"
a concern --category dangerous_vehicle --description "Man in his 50s, grey beard, tried to pull a woman into the car" \
    --area ambleside_drive --severity high --alert-hours 72 --police-consent \
    --vehicle-make Ford --vehicle-colour silver --vehicle-reg "AB12"
a refer --person Jade --agency stars --agency harp --urgency red \
    --needs "Somewhere safe tonight; script review" --consent verbal --covers contact_details,housing,substance_use
a show tonight

say "Back in signal: Sam's phone syncs"
a sync
a show status

say "PC Hart's phone syncs: she gets the team alert, and nothing about Jade"
b sync
b show alerts
b show people

say "Nothing readable on disk"
if grep -q -a "Jade" "$phone_a"/vault.db* "$data"/*.db* 2>/dev/null; then
    echo "plaintext found on disk!" >&2
    exit 1
fi
echo "grep for 'Jade' in the phone's vault and the server's database: nothing found"

if [ "$once" = 1 ]; then
    exit 0
fi
say "The server is running at https://127.0.0.1:$port/ (Ctrl-C to stop)"
cat <<MSG
Enrol another command-line phone:
  code=\$($S admin --data-dir $data enrol-code --worker $sam)
  NIGHTROUND_PIN=135790 $NR --vault-dir /tmp/another-phone enrol \\
      --server https://127.0.0.1:$port/ --cert $cert --code \$code
  NIGHTROUND_PIN=135790 $NR --vault-dir /tmp/another-phone sync
  NIGHTROUND_PIN=135790 $NR --vault-dir /tmp/another-phone show alerts
MSG
wait "$server_pid"
