#!/usr/bin/env bash
# Soak test: serve the Reuters index with bin/folio, drive it with the shared
# load generator (../shared/bench/cmd/loadgen) at CLIENTS concurrent clients
# for SLICES × SLICE (default 16 clients, 10 × 60s) with the Reuters query
# log plus a few bad requests, and report QPS and p50/p99 per slice, errors,
# the status codes the server counted, and RSS at start/middle/end.
# Not part of `make test`: run it with `make soak`. Everything it writes goes
# to WORK (a temporary directory unless set); ../shared is only read.
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${CLIENTS:-16}
SLICES=${SLICES:-10}
SLICE=${SLICE:-60s}
PORT=${PORT:-18097}
SHARED=${SHARED:-../shared}
[ -d "$SHARED" ] || SHARED=../../shared # from a git worktree in wt/<name>
SHARED=$(cd "$SHARED" && pwd)
CORPUS=${CORPUS:-$SHARED/corpora/reuters21578/articles.jsonl.gz}
QUERIES=${QUERIES:-$SHARED/bench/queries-reuters.tsv}
WORK=${WORK:-$(mktemp -d -t folio-soak.XXXXXX)}
INDEX=${INDEX:-$WORK/reuters.bleve}
NICE=${NICE:-nice -n 5}
BASE=http://127.0.0.1:$PORT

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

mkdir -p "$WORK"
log "work directory: $WORK"
make -s build
( cd "$SHARED/bench" && GOFLAGS=-mod=mod go build -o "$WORK/loadgen" ./cmd/loadgen )

if [ ! -d "$INDEX" ]; then
  log "indexing $CORPUS into $INDEX"
  FOLIO_INDEX_PATH=$INDEX FOLIO_INDEX_SOURCES= $NICE ./bin/folio index "$CORPUS" >"$WORK/index.log" 2>&1
  tail -n 1 "$WORK/index.log" >&2
fi

# The query log: the shared Reuters log with one bad request after every 50
# good ones (expected: 400 invalid_query or invalid_parameter).
awk -F'\t' 'BEGIN { split("*|/.*/|oil~5|\"unclosed|oil", bad, "|"); split("||||not-a-date", badfrom, "|"); n = 0 }
  { print; if (NR % 50 == 0) { i = n % 5 + 1; printf "%s\t%s\t%s\n", bad[i], badfrom[i], (badfrom[i] != "" ? "1987-12-31" : ""); n++ } }' \
  "$QUERIES" >"$WORK/queries.tsv"
total=$(wc -l <"$WORK/queries.tsv"); bad=$((total - $(wc -l <"$QUERIES")))
log "query log: $total lines, $bad bad requests"

FOLIO_INDEX_PATH=$INDEX FOLIO_INDEX_SOURCES= FOLIO_SERVER_ADDR=127.0.0.1:$PORT FOLIO_LOG_LEVEL=warn \
  $NICE ./bin/folio serve 2>"$WORK/serve.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$BASE/readyz" >&2; echo >&2
log "server pid $PID, RSS before load $(rss_kb $PID) kB; uptime: $(uptime)"

printf '%-6s %-9s %9s %9s %9s %7s %10s\n' slice end qps p50_ms p99_ms errors rss_kB
for i in $(seq "$SLICES"); do
  $NICE "$WORK/loadgen" -url "$BASE/api/search?q={q}&size=10" -url-dated "$BASE/api/search?q={q}&from={from}&to={to}&size=10" \
    -queries "$WORK/queries.tsv" -c "$CLIENTS" -d "$SLICE" -json "$WORK/slice-$i.json" >"$WORK/slice-$i.txt"
  rss=$(rss_kb $PID)
  echo "$rss" >"$WORK/rss-$i"
  python3 - "$WORK/slice-$i.json" "$i" "$rss" <<'PY'
import json, sys, time
r = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:<6} {time.strftime('%H:%M:%S', time.gmtime()):<9} {r['qps']:9.1f} {r['p50_ms']:9.2f} {r['p99_ms']:9.2f} {r['errors']:7d} {sys.argv[3]:>10}")
PY
done

mid=$(( (SLICES + 1) / 2 ))
python3 - "$WORK" "$SLICES" "$mid" <<'PY'
import json, sys
work, n, mid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rs = [json.load(open(f"{work}/slice-{i}.json")) for i in range(1, n + 1)]
req = sum(r["requests"] for r in rs); err = sum(r["errors"] for r in rs); sec = sum(r["seconds"] for r in rs)
rss = [int(open(f"{work}/rss-{i}").read()) for i in range(1, n + 1)]
start, middle, end = rss[0], rss[mid - 1], rss[-1]
growth = (end - start) / start * 100
print(f"total: {req} requests in {sec:.0f}s, {req / sec:.1f} QPS, {err} non-200 answers ({err / req * 100:.2f}%)")
print(f"RSS after warm-up (slice 1) {start} kB, middle (slice {mid}) {middle} kB, end {end} kB: growth {growth:+.1f}% ({'OK' if growth < 10 else 'OVER 10%'})")
PY

log "status codes the server counted for /api/search (every non-200 must be a 400):"
curl -fsS "$BASE/metrics" | grep -E '^folio_http_requests_total\{method="GET",route="/api/search"|^folio_http_rejected_requests_total' >&2

log "graceful stop (SIGTERM) and restart"
kill -TERM $PID; wait $PID && log "serve exited 0 after SIGTERM" || log "serve exited $? after SIGTERM"
trap - EXIT
t0=$(date +%s%N)
FOLIO_INDEX_PATH=$INDEX FOLIO_INDEX_SOURCES= FOLIO_SERVER_ADDR=127.0.0.1:$PORT FOLIO_LOG_LEVEL=warn ./bin/folio serve 2>>"$WORK/serve.log" &
PID=$!
for _ in $(seq 300); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
t1=$(date +%s%N)
log "restart: ready in $(( (t1 - t0) / 1000000 )) ms: $(curl -fsS "$BASE/readyz")"
kill -TERM $PID; wait $PID || true
log "done; results in $WORK"
