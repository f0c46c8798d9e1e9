#!/usr/bin/env bash
# scripts/load-bench.sh: D phones syncing R records each at once, against the
# release Nightround server and against express-pouchdb, both over HTTPS on
# loopback, in two layouts (an organisation per phone; all in one). Prints
# figures and the ratio; asserts no timing. See docs/benchmarks.md.
#
#   scripts/load-bench.sh                  D=200 R=500, both layouts, both servers
#   DEVICES=20 RECORDS=50 scripts/load-bench.sh
#   LAYOUTS=per-org SKIP_POUCHDB=1 scripts/load-bench.sh
#   SERVER_BIN=/path/to/an/older/nightround-server scripts/load-bench.sh   (before/after)
#   SKIP_NIGHTROUND=1 scripts/load-bench.sh                                (PouchDB only)
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
work="$REPO/target/load-bench"
mkdir -p "$work"
out="$work/results-$(date +%Y%m%d-%H%M%S).txt"
: >"$out"

echo "==== build (release) ===="
if [ -n "${SKIP_NIGHTROUND:-}" ]; then
    server_bin="" bench_bin=""
elif [ -n "${SERVER_BIN:-}" ]; then
    server_bin="$SERVER_BIN"
else
    cargo build --release -p nightround-server
    server_bin="$REPO/target/release/nightround-server"
fi
[ -n "${SKIP_NIGHTROUND:-}" ] || bench_bin="$(cargo bench -p nightround-e2e --bench load --no-run --message-format=json-render-diagnostics |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "load" \
            and "bench" in m["target"]["kind"] and m.get("executable"):
        print(m["executable"])
')"
[ -n "${SKIP_NIGHTROUND:-}" ] || [ -x "$bench_bin" ] || { echo "load bench not built" >&2; exit 1; }

# Enough file descriptors for D phones' connections and vault files.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

for layout in $LAYOUTS; do
    [ -z "${SKIP_NIGHTROUND:-}" ] || break
    echo "==== nightround, $layout, D=$DEVICES R=$RECORDS ===="
    "$bench_bin" --server "$server_bin" --devices "$DEVICES" --records "$RECORDS" \
        --layout "$layout" | tee -a "$out"
done

if [ -z "${SKIP_POUCHDB:-}" ]; then
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
        node bench/load/pouch-server.js "$data" "$port" "$tls/key.pem" "$tls/cert.pem" >/dev/null &
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
    rows[(parts[1], f["layout"])] = f
for layout in ("per-org", "one-org"):
    n, p = rows.get(("nightround", layout)), rows.get(("pouchdb", layout))
    if not n:
        continue
    line = (f"{layout:8} nightround {float(n['wall_s']):7.2f} s {n['records_per_s']:>7} rec/s "
            f"errors {n['errors']} rss {n['server_peak_rss_mib']} MiB cpu {n['server_cpu_s']} s")
    if p:
        ratio = float(p["wall_s"]) / float(n["wall_s"])
        line += (f" | pouchdb {float(p['wall_s']):7.2f} s {p['records_per_s']:>7} rec/s errors {p['errors']}"
                 f" rss {p['server_peak_rss_mib']} MiB cpu {p['server_cpu_s']} s | nightround/pouchdb throughput x{ratio:.2f}")
    print(line)
PY
echo "(raw lines: $out)"
