#!/usr/bin/env bash
# Records one synthetic evening round with the command-line device and shows
# what the phone's screens would show. Aliases are invented; no real people.
#   scripts/demo-round.sh [path/to/nightround]
set -euo pipefail
NR="${1:-nightround}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
export NIGHTROUND_PIN="246810"
nr() { "$NR" --vault-dir "$DIR" "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "A new encrypted vault for an outreach worker (local only, no server)"
nr init --name "Sam (demo)" --role outreach_worker --org "Aspirations"

say "People she meets tonight (synthetic aliases)"
nr add-person --alias "Jade" --prefers-female-worker --key-worker "Priya" >/dev/null
nr add-person --alias "Amber" >/dev/null
nr add-person --alias "Kez" --birth-year 1991 >/dev/null
echo "added Jade, Amber, Kez"

say "Contacts on York Road and Ambleside Drive, with supplies"
nr contact --area york_road --person Jade --flag distressed --supply condoms=10 --supply hygiene_pack=1 \
   --note "Wants the Thursday drop-in; asked about a women-only session"
nr contact --area ambleside_drive --person Amber --supply condoms=5 --supply food_drink=1 --supply personal_alarm=1
nr contact --area ambleside_drive --flag first_contact --supply leaflet=1 --note "New face; took a leaflet"
nr supplies --area york_road --purpose restock_drop_point --supply condoms=40 --supply lubricant=10

say "An 'ugly mug' report shared as a team alert for 72 hours"
nr concern --category dangerous_vehicle --description "Man in his 50s, grey beard, tried to pull a woman into the car" \
   --area ambleside_drive --severity high --alert-hours 72 --police-consent \
   --vehicle-make Ford --vehicle-colour silver --vehicle-reg "AB12"

say "A red referral, with Jade's consent to STARS and HARP"
nr refer --person Jade --agency stars --agency harp --urgency red \
   --needs "Somewhere safe tonight; script review" --consent verbal --covers contact_details,housing,substance_use

say "Tonight"
nr show tonight
say "Alerts"
nr show alerts
say "Referrals"
nr show referrals
say "Jade's timeline"
nr show person Jade
say "On disk: nothing readable"
if grep -q -a "Jade" "$DIR"/vault.db* 2>/dev/null; then echo "plaintext found on disk!"; exit 1; fi
echo "grep for 'Jade' in the vault files: nothing found"
