#!/usr/bin/env bash
# scripts/bench.sh: the vault bench, by hand (not part of CI). See docs/benchmarks.md.
#
#   scripts/bench.sh             3 rounds on tmpfs, up to 5 on disk, then the comparison
#   scripts/bench.sh --quick     a smoke run (1,000 records, 60 samples, 1 round each)
#   ROUNDS=3 TMPFS_ROUNDS=2 BUDGET=120 scripts/bench.sh
#
# About 2 minutes when the disk answers an fsync in ~0.2 ms; no disk round
# starts after BUDGET seconds (default 200), so ~4-5 minutes at worst.
#
# 1. builds the vault bench (core/benches/vault.rs, plain SQLite linked in)
#    and the SQLCipher bench (bench/sqlcipher, a crate outside the workspace:
#    the two SQLites cannot share one binary), both in release;
# 2. runs rounds, tmpfs first, then disk; in each, the vault bench drives the
#    SQLCipher binary as a child (`--serve`), so vault, plain SQLite and
#    SQLCipher take turns contact by contact (one contact) and every 250
#    contacts (10,000 records), the order rotating, and all three meet the
#    same disk at the same moment;
#    - on disk: files under target/bench-work/, on the disk the build uses;
#    - on tmpfs (/dev/shm): no fsync cost, so what is left is CPU: sealing,
#      serialising and SQL; the queries are measured there (a 10,000-record
#      vault is built in under a second instead of 10,000 fsyncs; queries read
#      from the page cache either way);
# 3. prints medians across rounds, the ratios vault/plain and vault/SQLCipher
#    (median of the per-round ratios) and PASS/MISS against the targets.
#
# Raw lines go to target/bench-work/results-<time>-{disk,tmpfs}.txt.
# The first build of the vendored OpenSSL inside SQLCipher takes a few minutes.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

ROUNDS="${ROUNDS:-5}"
TMPFS_ROUNDS="${TMPFS_ROUNDS:-3}"
BUDGET="${BUDGET:-200}"
QUICK=()
if [ "${1:-}" = "--quick" ]; then
    QUICK=(--quick)
    ROUNDS=1
    TMPFS_ROUNDS=1
fi

echo "==== build (release) ===="
vault_bin="$(cargo bench -p nightround-core --bench vault --no-run --message-format=json-render-diagnostics |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "vault" \
            and "bench" in m["target"]["kind"] and m.get("executable"):
        print(m["executable"])
')"
# SQLCipher's amalgamation gets only the SQLite flag that changes speed
# (memory statistics off, as in .cargo/config.toml for the plain SQLite the
# vault bench links), not the feature omissions meant for the phones' library.
LIBSQLITE3_FLAGS="-DSQLITE_DEFAULT_MEMSTATUS=0" cargo build --release --manifest-path bench/sqlcipher/Cargo.toml
sqlcipher_bin="$REPO/bench/sqlcipher/target/release/sqlcipher-bench"
[ -x "$vault_bin" ] || { echo "vault bench not built" >&2; exit 1; }
echo "vault bench:     $vault_bin"
echo "sqlcipher bench: $sqlcipher_bin"

work="$REPO/target/bench-work"
stamp="$(date +%Y%m%d-%H%M%S)"
mkdir -p "$work/disk"
disk_out="$work/results-$stamp-disk.txt"
tmpfs_out="$work/results-$stamp-tmpfs.txt"
: >"$disk_out"
: >"$tmpfs_out"
tmpfs_dir=""
if [ -d /dev/shm ] && [ "$TMPFS_ROUNDS" -gt 0 ]; then
    tmpfs_dir="$(mktemp -d /dev/shm/nightround-bench.XXXXXX)"
fi
cleanup() { if [ -n "$tmpfs_dir" ]; then rm -rf "$tmpfs_dir"; fi; }
trap cleanup EXIT

start=$SECONDS
run_round() { # location dir round out [extra args]
    local location="$1" dir="$2" round="$3" out="$4"
    shift 4
    echo "==== round $round on $location ($((SECONDS - start)) s in) ===="
    "$vault_bin" --dir "$dir" --round "$round" --sqlcipher "$sqlcipher_bin" "${QUICK[@]}" "$@" |
        tee -a "$out"
}
# tmpfs first: it needs no disk, and meanwhile the build's dirty pages
# reach the disk, which would otherwise slow the first fsyncs timed.
sync &
for ((r = 1; r <= TMPFS_ROUNDS; r++)); do
    [ -n "$tmpfs_dir" ] || break
    extra=()
    run_round tmpfs "$tmpfs_dir" "$r" "$tmpfs_out" "${extra[@]}"
done
wait
sync
sleep 2
# On disk, ROUNDS is a most: no new round starts after BUDGET seconds, so a
# throttled shared disk (fsyncs at several ms) cannot stretch the run past
# a few minutes.
for ((r = 1; r <= ROUNDS; r++)); do
    if [ "$r" -gt 1 ] && [ $((SECONDS - start)) -ge "$BUDGET" ]; then
        echo "(budget of $BUDGET s spent: stopping after $((r - 1)) disk rounds)"
        break
    fi
    extra=(--no-queries)
    run_round disk "$work/disk" "$r" "$disk_out" "${extra[@]}"
done
echo "(rounds took $((SECONDS - start)) s; raw lines in $disk_out and $tmpfs_out)"

python3 - "$disk_out" "$tmpfs_out" <<'PY'
import re, statistics, sys

TARGETS = [  # (metric, field, other engine, at most)
    ("one_contact", "p50_us", "plain", 1.2),
    ("one_contact", "p99_us", "plain", 1.2),
    ("one_contact", "p50_us", "sqlcipher", 0.8),
    ("one_contact", "p99_us", "sqlcipher", 0.8),
    ("write_10k", "total_ms", "plain", 1.4),
]

def load(path):
    """{(metric, engine): [ {field: value} per round ]}"""
    runs = {}
    try:
        lines = open(path).read().splitlines()
    except FileNotFoundError:
        return runs
    for line in lines:
        m = re.match(r"BENCH (\S+)\.([^.\s]+) (.*)", line)
        if not m:
            continue
        fields = {k: float(v) for k, v in (kv.split("=") for kv in m.group(3).split())}
        runs.setdefault((m.group(1), m.group(2)), []).append(fields)
    return runs

def med(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")

def value(runs, metric, engine, field):
    return med([r.get(field, float("nan")) for r in runs.get((metric, engine), [])])

def ratio(runs, metric, field, a, b):
    """Median of per-round ratios a/b (the engines ran interleaved in each round)."""
    xs, ys = runs.get((metric, a), []), runs.get((metric, b), [])
    return med([x[field] / y[field] for x, y in zip(xs, ys) if y.get(field)])

def fmt(x, unit=""):
    if x != x:
        return "-"
    return f"{x:,.0f}{unit}" if x >= 100 else f"{x:,.1f}{unit}"

def times(r):
    return "-" if r != r else f"{r:.2f}×"

def report(title, runs):
    if not runs:
        return
    n = len(runs.get(("one_contact", "vault"), []))
    print(f"\n## {title} (median of {n} round{'s' if n != 1 else ''})\n")
    print("| measure | vault | plain SQLite | SQLCipher | vault/plain | vault/SQLCipher |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = [
        ("one contact, p50 (µs)", "one_contact", "p50_us"),
        ("one contact, p99 (µs)", "one_contact", "p99_us"),
        ("10,000 records, one transaction each (ms)", "write_10k", "total_ms"),
        ("10,000 records, per record (µs)", "write_10k", "per_record_us"),
        ("10,000 records in one transaction (ms)", "write_10k_bulk", "total_ms"),
        ("file after 10,000 records (KiB)", "size_10k", "db_kib"),
    ]
    for label, metric, field in rows:
        v, p, s = (value(runs, metric, e, field) for e in ("vault", "plain", "sqlcipher"))
        rp, rs = ratio(runs, metric, field, "vault", "plain"), ratio(runs, metric, field, "vault", "sqlcipher")
        print(f"| {label} | {fmt(v)} | {fmt(p)} | {fmt(s)} | {times(rp)} | {times(rs)} |")
    print("\n| target | measured | |")
    print("|---|---:|---|")
    for metric, field, other, limit in TARGETS:
        r = ratio(runs, metric, field, "vault", other)
        verdict = "-" if r != r else ("PASS" if r <= limit else "MISS")
        label = {"one_contact": "one contact", "write_10k": "10,000 records"}[metric]
        what = field.split("_")[0]
        print(f"| {label} {what}: vault ≤ {limit}× {other} | {times(r)} | {verdict} |")
    order = ["plain", "vault_sql", "vault_sql+hlc", "vault_sql+hlc+history",
             "vault_sql+hlc+history+person", "vault_sql+hlc+history+person+prefs",
             "vault", "proposed", "sqlcipher"]
    found = {e for (m, e) in runs if m == "breakdown"}
    bd = [e for e in order if e in found] + sorted(found - set(order))
    if bd:
        print("\nWhere one contact's time goes (first round; each step adds to the one above):\n")
        print("| step | p50 (µs) | p99 (µs) | WAL pages per commit |")
        print("|---|---:|---:|---:|")
        for e in bd:
            print(f"| {e} | {fmt(value(runs, 'breakdown', e, 'p50_us'))} | "
                  f"{fmt(value(runs, 'breakdown', e, 'p99_us'))} | "
                  f"{fmt(value(runs, 'breakdown', e, 'frames_per_commit'))} |")
    queries = sorted(m for (m, e) in runs if m.startswith("query.") and e == "vault")
    if queries:
        real = runs.get(("realistic", "vault"), [{}])[0]
        print(f"\nQueries on a vault of {real.get('records', 0):,.0f} records "
              f"({real.get('people', 0):,.0f} people, {real.get('contacts', 0):,.0f} contacts, "
              f"{real.get('concerns', 0):,.0f} concerns, {real.get('supply_drops', 0):,.0f} supply drops, "
              f"{real.get('referral_forms', 0):,.0f} referral forms):\n")
        print("| query | p50 (µs) | p99 (µs) | rows |")
        print("|---|---:|---:|---:|")
        for q in queries:
            print(f"| {q[len('query.'):]} | {fmt(value(runs, q, 'vault', 'p50_us'))} | "
                  f"{fmt(value(runs, q, 'vault', 'p99_us'))} | {fmt(value(runs, q, 'vault', 'rows'))} |")

report("On disk (target/bench-work)", load(sys.argv[1]))
report("On tmpfs (/dev/shm: no fsync cost)", load(sys.argv[2]))
PY
