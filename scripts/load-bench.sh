#!/usr/bin/env bash
# scripts/load-bench.sh: D phones syncing R records each at once, against the
# release Nightround server on SQLite, the same server on PostgreSQL, and
# express-pouchdb, all over HTTPS on loopback, in two layouts (an
# organisation per phone; all in one). Prints the columns side by side and
# the ratios; asserts no timing. See docs/benchmarks.md.
#
#   scripts/load-bench.sh                  D=200 R=500, both layouts, all three
#   DEVICES=20 RECORDS=50 scripts/load-bench.sh
#   LOAD_BACKENDS=sqlite,postgres LAYOUTS=per-org scripts/load-bench.sh
#   SERVER_BIN=/path/to/an/older/nightround-server scripts/load-bench.sh   (before/after)
#   LOAD_BACKENDS=pouchdb scripts/load-bench.sh                            (PouchDB only)
#
# LOAD_BACKENDS (comma- or space-separated; default sqlite,postgres,pouchdb)
# chooses the columns. SKIP_POUCHDB=1 / SKIP_NIGHTROUND=1 still drop theirs.
#
# postgres: scripts/pg.sh starts a throw-away cluster (initdb into a temp
# dir, as an unprivileged user; stopped and removed when this script exits),
# and each run gets a fresh, empty database in it. The bench is also given
# the postmaster's pid and prints the cluster's CPU time (its processes'
# user+system during the timed part) and memory (summed PSS at the end).
#
# 1. builds the release server and the load bench (tests/benches/load.rs);
#    the bench starts the server as its own process, enrols the phones
#    (in-process clients on the real core: vault + sync client, as the
#    server's demo does), makes R contacts on each, then times one sync per
#    phone, all released together; peak RSS is the server's VmHWM, CPU its
#    user+system time during the timed part;
# 2. installs pouchdb + express-pouchdb (npm) into target/load-bench/ (git
#    ignores target/), makes a self-signed certificate with openssl, starts
#    express-pouchdb on node's https and drives the same load from one node
#    process of in-memory PouchDB clients (a push then a pull each);
# 3. prints the ratio PouchDB wall time / Nightround wall time per layout
#    (above 1: Nightround faster).
#
# The server has no request throttling on this branch; when it gains one,
# switch it off or set it high here for the bench.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
DEVICES="${DEVICES:-200}"
RECORDS="${RECORDS:-500}"
LAYOUTS="${LAYOUTS:-per-org one-org}"
BACKENDS=" $(printf '%s' "${LOAD_BACKENDS:-sqlite,postgres,pouchdb}" | tr ',' ' ') "
[ -z "${SKIP_POUCHDB:-}" ] || BACKENDS="${BACKENDS/ pouchdb / }"
[ -z "${SKIP_NIGHTROUND:-}" ] || { BACKENDS="${BACKENDS/ sqlite / }"; BACKENDS="${BACKENDS/ postgres / }"; }
want() { [[ "$BACKENDS" == *" $1 "* ]]; }
nightround=""
if want sqlite || want postgres; then nightround=1; fi
work="$REPO/target/load-bench"
mkdir -p "$work"
out="$work/results-$(date +%Y%m%d-%H%M%S).txt"
: >"$out"

echo "==== build (release) ===="
if [ -z "$nightround" ]; then
    server_bin="" bench_bin=""
elif [ -n "${SERVER_BIN:-}" ]; then
    server_bin="$SERVER_BIN"
else
    cargo build --release -p nightround-server
    server_bin="$REPO/target/release/nightround-server"
fi
[ -z "$nightround" ] || bench_bin="$(cargo bench -p nightround-e2e --bench load --no-run --message-format=json-render-diagnostics |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "load" \
            and "bench" in m["target"]["kind"] and m.get("executable"):
        print(m["executable"])
')"
[ -z "$nightround" ] || [ -x "$bench_bin" ] || { echo "load bench not built" >&2; exit 1; }

# Enough file descriptors for D phones' connections and vault files.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if want postgres; then
    echo "==== postgres: throw-away cluster ===="
    # shellcheck source=scripts/pg.sh
    source "$REPO/scripts/pg.sh" # NIGHTROUND_TEST_PG, PG_TMP, PG_BIN; stopped on exit
    pg_admin="$NIGHTROUND_TEST_PG"
    postmaster="$(head -n 1 "$PG_TMP/data/postmaster.pid")"
fi

# The bench process holds D phones' vaults at once. Each vault's creation runs
# Argon2id over 19 MiB; glibc then raises its mmap threshold to that size, so
# every later 19 MiB buffer comes from the heap and stays resident once freed
# (measured: 10 vaults 179 MiB, with a fixed threshold 6 MiB): at D=1000 the
# bench process alone reached 19 GiB and was OOM-killed. A fixed threshold
# for the bench process only; the server it starts does not inherit it
# (tests/benches/load.rs removes it from the child's environment).
export MALLOC_MMAP_THRESHOLD_=131072

for layout in $LAYOUTS; do
    if want sqlite; then
        echo "==== nightround on sqlite, $layout, D=$DEVICES R=$RECORDS ===="
        "$bench_bin" --server "$server_bin" --devices "$DEVICES" --records "$RECORDS" \
            --layout "$layout" | tee -a "$out"
    fi
    if want postgres; then
        echo "==== nightround on postgres, $layout, D=$DEVICES R=$RECORDS ===="
        db="load_$(date +%s)_${layout//-/_}"
        "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 "$pg_admin" -c "CREATE DATABASE $db"
        "$bench_bin" --server "$server_bin" --devices "$DEVICES" --records "$RECORDS" \
            --layout "$layout" --database "${pg_admin%/*}/$db" --pg-pid "$postmaster" |
            tee -a "$out"
        "$PG_BIN/psql" -q "$pg_admin" -c "DROP DATABASE $db" || true
    fi
done

if want pouchdb; then
    echo "==== pouchdb: install ===="
    cp bench/load/package.json "$work/package.json"
    (cd "$work" && npm install --no-audit --no-fund --loglevel=error)
    export NODE_PATH="$work/node_modules"
    tls="$work/tls"
    mkdir -p "$tls"
    if [ ! -f "$tls/cert.pem" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
            -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>/dev/null
    fi
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    for layout in $LAYOUTS; do
        echo "==== pouchdb, $layout, D=$DEVICES R=$RECORDS ===="
        data="$(mktemp -d "$work/pouch-data.XXXXXX")"
        env -u MALLOC_MMAP_THRESHOLD_ node bench/load/pouch-server.js "$data" "$port" "$tls/key.pem" "$tls/cert.pem" >/dev/null &
        pouch_pid=$!
        for _ in $(seq 100); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
            sleep 0.1
        done
        NODE_EXTRA_CA_CERTS="$tls/cert.pem" UV_THREADPOOL_SIZE=8 \
            node --max-old-space-size=4096 bench/load/pouch-load.js "https://127.0.0.1:$port/" \
            "$DEVICES" "$RECORDS" "$layout" "$pouch_pid" | tee -a "$out" || true
        kill "$pouch_pid" 2>/dev/null || true
        wait "$pouch_pid" 2>/dev/null || true
        rm -rf "$data"
    done
fi

echo "==== summary ===="
python3 - "$out" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("LOAD "):
        continue
    parts = line.split()
    f = dict(p.split("=", 1) for p in parts[2:])
    # Lines from before the PostgreSQL column carry no backend: SQLite.
    name = "pouchdb" if parts[1] == "pouchdb" else f.get("backend", "sqlite")
    rows[(name, f["layout"])] = f
cols = [c for c in ("sqlite", "postgres", "pouchdb") if any(k[0] == c for k in rows)]
def cell(r, key, fmt="{}"):
    return fmt.format(r[key]) if r and key in r else "-"
fields = [
    ("wall (s)", lambda r: cell(r, "wall_s")),
    ("records/s", lambda r: cell(r, "records_per_s")),
    ("errors", lambda r: cell(r, "errors")),
    ("pushed / left pending", lambda r: f"{cell(r, 'pushed')} / {cell(r, 'left_pending')}" if r and "pushed" in r else "-"),
    ("server peak RSS (MiB)", lambda r: cell(r, "server_peak_rss_mib")),
    ("server CPU (s)", lambda r: cell(r, "server_cpu_s")),
    ("PostgreSQL processes", lambda r: cell(r, "pg_processes")),
    ("PostgreSQL PSS at end (MiB)", lambda r: cell(r, "pg_pss_mib")),
    ("PostgreSQL CPU (s)", lambda r: cell(r, "pg_cpu_s")),
    ("slowest phone (s)", lambda r: cell(r, "slowest_phone_s")),
]
for layout in ("per-org", "one-org"):
    if not any(k[1] == layout for k in rows):
        continue
    print(f"-- {layout} --")
    print(f"{'':28}" + "".join(f"{c:>16}" for c in cols))
    for label, get in fields:
        print(f"{label:28}" + "".join(f"{get(rows.get((c, layout))):>16}" for c in cols))
    base = rows.get(("sqlite", layout))
    for c in cols:
        r = rows.get((c, layout))
        if base and r and c != "sqlite":
            print(f"{c} wall / sqlite wall: x{float(r['wall_s']) / float(base['wall_s']):.2f}")
PY
echo "(raw lines: $out)"
