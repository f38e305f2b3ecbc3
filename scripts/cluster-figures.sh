#!/usr/bin/env bash
# Cluster figures (docs/cluster.md "Figures"): on one machine, loopback only,
# three `folio serve` nodes with embedded JetStream (R3, fsync always), for
# each scale of SCALES (copies of Reuters-21578, 21,577 articles; copy k gets
# the id suffix -xk, as ../shared/bench/cmd/expand writes it):
#   1. ingest the corpus with one _bulk stream through node 1 (articles/s);
#   2. search QPS of node 1, idle and while one _bulk stream through node 2
#      ingests new articles at full rate, REPS times each, alternately, with
#      ../shared/bench/cmd/loadgen (CLIENTS clients, DUR per slice, the
#      Reuters query log), and node 1's CPU per query;
#   3. rejoin from the log alone: a new node (empty directory) started with
#      routes to the three, timed until it has applied the log's last seq;
#   4. rejoin from a backup: POST /api/admin/backup on node 1, TAIL new
#      articles written through node 2, then a new node started on the
#      backup, timed until it has applied the log's last seq.
# Every process it starts is killed on exit; every wait is bounded. Not part
# of `make test`: run it with `make cluster-figures` (SCALES="1 10" for 10x).
# Everything it writes goes to WORK (a temporary directory unless set).
set -euo pipefail
cd "$(dirname "$0")/.."

SCALES=${SCALES:-1}
QPS_SCALES=${QPS_SCALES:-1}   # scales at which step 2 runs
REPS=${REPS:-3}
DUR=${DUR:-20s}
CLIENTS=${CLIENTS:-16}
TAIL=${TAIL:-1000}
WAIT=${WAIT:-3600}            # seconds any single wait may take
SHARED=${SHARED:-../shared}
[ -d "$SHARED" ] || SHARED=../../shared # from a git worktree in wt/<name>
SHARED=$(cd "$SHARED" && pwd)
CORPUS=${CORPUS:-$SHARED/corpora/reuters21578/articles.jsonl.gz}
QUERIES=${QUERIES:-$SHARED/bench/queries-reuters.tsv}
WORK=${WORK:-$(mktemp -d -t folio-cluster-figures.XXXXXX)}
NICE=${NICE:-nice -n 5}
KEY=cluster-figures-admin-key-0123456789

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
# json FILE-or--  EXPR: a Python expression over the parsed JSON j.
json() { python3 -c 'import json,sys; f=sys.argv[1]; j=json.load(sys.stdin if f=="-" else open(f)); print(eval(sys.argv[2]))' "$@"; }
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
killtree() { local c; for c in $(ps -o pid= --ppid "$1"); do killtree "$c"; done; kill "$1" 2>/dev/null || true; }
cputicks() { awk '{print $14+$15}' "/proc/$1/stat"; }

mkdir -p "$WORK"
log "work directory: $WORK; load average $(load)"
make -s build
BIN=$PWD/bin/folio
( cd "$SHARED/bench" && GOFLAGS=-mod=mod go build -o "$WORK/loadgen" ./cmd/loadgen && GOFLAGS=-mod=mod go build -o "$WORK/expand" ./cmd/expand )
mkdir -p "$WORK/no-sources"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Node n: HTTP port, NATS client port, route port, directory.
declare -A HTTP NATS ROUTE DIR PID
ALL_ROUTES=""
newnode() { # n
  HTTP[$1]=$(freeport); NATS[$1]=$(freeport); ROUTE[$1]=$(freeport); DIR[$1]=$WORK/s$S/node$1
  mkdir -p "${DIR[$1]}"
}
# startnode n index-path routes
startnode() {
  FOLIO_INDEX_PATH=$2 FOLIO_INDEX_SOURCES=$WORK/no-sources FOLIO_SERVER_ADDR=127.0.0.1:${HTTP[$1]} \
  FOLIO_SERVER_ADMIN_KEYS=$KEY FOLIO_ANALYTICS_ENABLED=false FOLIO_LOG_LEVEL=info \
  FOLIO_CLUSTER_NODE=node$1 FOLIO_CLUSTER_MAX_READY_LAG=0 \
  FOLIO_CLUSTER_NATS_LISTEN=127.0.0.1:${NATS[$1]} FOLIO_CLUSTER_NATS_CLUSTER_LISTEN=127.0.0.1:${ROUTE[$1]} \
  FOLIO_CLUSTER_NATS_ROUTES=$3 \
    $NICE "$BIN" serve >>"${DIR[$1]}/serve.log" 2>&1 &
  PID[$1]=$!
  PIDS+=("$!")
}
stopnode() { kill "${PID[$1]}" 2>/dev/null || true; wait "${PID[$1]}" 2>/dev/null || true; }
ready() { curl -fsS "http://127.0.0.1:${HTTP[$1]}/readyz" 2>/dev/null; }
# current n seq: wait until node n has applied seq (bounded by WAIT).
current() {
  local end=$(( $(date +%s) + WAIT )) a
  while [ "$(date +%s)" -lt "$end" ]; do
    a=$(readyz "$1" applied_seq 2>/dev/null || echo 0)
    [ "$a" -ge "$2" ] && return 0
    kill -0 "${PID[$1]}" 2>/dev/null || { log "node $1 exited"; tail -n 20 "${DIR[$1]}/serve.log" >&2; exit 1; }
    sleep 0.2
  done
  log "node $1 has not applied seq $2 within ${WAIT}s"; tail -n 20 "${DIR[$1]}/serve.log" >&2; exit 1
}
# readyz n FIELD: a field of node n's /readyz (also when it answers 503 replaying).
readyz() { curl -sS "http://127.0.0.1:${HTTP[$1]}/readyz" | json - "j[\"$2\"]"; }
lastseq() { readyz "$1" log_last_seq; }
# join n index-path: start node n on index-path with routes to the three;
# JOIN_SEQ is the log's last seq then, JOIN_SECS the seconds until node n applied it.
join() {
  local t0 t1
  JOIN_SEQ=$(lastseq 1); t0=$(now)
  startnode "$1" "$2" "$ALL_ROUTES"
  current "$1" "$JOIN_SEQ"
  t1=$(now)
  JOIN_SECS=$(python3 -c "print(f'{$t1-$t0:.1f}')")
}
# bulk n: POST stdin (NDJSON) to node n's _bulk, streamed; prints the summary line.
bulk() {
  curl -sS -X POST -T - -H "Authorization: Bearer $KEY" -H 'Content-Type: application/x-ndjson' \
    "http://127.0.0.1:${HTTP[$1]}/api/articles/_bulk" | tail -n 1
}
# renamed SUFFIX [N]: the corpus (its first N articles) on stdout with
# "-SUFFIX" appended to every id (new articles); quiet when the reader stops.
renamed() { python3 -c '
import gzip, itertools, json, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
s, n = sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None
with (gzip.open if sys.argv[1].endswith(".gz") else open)(sys.argv[1], "rt") as f:
    for line in itertools.islice(f, n):
        a = json.loads(line); a["id"] = a["id"] + "-" + s; sys.stdout.write(json.dumps(a) + "\n")
' "$CORPUS" "$@"; }

RESULTS=$WORK/results.md
printf '| figure | scale | result | load average (1, 5, 15 min) |\n|---|---|---|---|\n' >"$RESULTS"
row() { printf '| %s | %sx | %s | %s |\n' "$1" "$S" "$2" "$(load)" | tee -a "$RESULTS" >&2; }

for S in $SCALES; do
  corpus=$CORPUS
  if [ "$S" != 1 ]; then
    corpus=$WORK/reuters-x$S.jsonl.gz
    [ -f "$corpus" ] || "$WORK/expand" -corpus "$CORPUS" -scale "$S" -out "$corpus"
  fi
  n=$(zcat -f "$corpus" | wc -l)
  log "scale ${S}x: $n articles from $corpus"
  for i in 1 2 3; do newnode "$i"; done
  ALL_ROUTES=127.0.0.1:${ROUTE[1]},127.0.0.1:${ROUTE[2]},127.0.0.1:${ROUTE[3]}
  for i in 1 2 3; do
    others=$(echo "$ALL_ROUTES" | tr , '\n' | grep -v ":${ROUTE[$i]}\$" | paste -sd,)
    startnode "$i" "${DIR[$i]}/folio.bleve" "$others"
  done
  for i in 1 2 3; do
    end=$(( $(date +%s) + 120 ))
    until ready "$i" >/dev/null; do [ "$(date +%s)" -lt "$end" ] || { log "node $i not ready"; tail "${DIR[$i]}/serve.log" >&2; exit 1; }; sleep 0.2; done
  done
  log "three nodes ready; load average $(load)"

  # 1. Ingest.
  t0=$(now)
  summary=$(zcat -f "$corpus" | bulk 1)
  t1=$(now)
  echo "$summary" | json - 'j["status"]=="done" and j["failed"]==0' | grep -q True || { log "bulk: $summary"; exit 1; }
  seq=$(lastseq 1)
  for i in 1 2 3; do current "$i" "$seq"; done
  t2=$(now)
  row "ingest: one \`_bulk\` stream of the corpus through node 1 (acknowledged)" "$(python3 -c "print(f'{$n/($t1-$t0):.0f} articles/s ({$t1-$t0:.1f} s for $n); all three nodes applied {$t2-$t0:.1f} s after the start')")"

  # 2. Search QPS, idle and under ingest, alternately.
  if [[ " $QPS_SCALES " == *" $S "* ]]; then
    base=http://127.0.0.1:${HTTP[1]}
    for rep in $(seq "$REPS"); do
      for mode in idle ingest; do
        if [ "$mode" = ingest ]; then
          ( renamed "q$rep" | bulk 2 >"$WORK/s$S/qps-bulk-$rep.txt" ) &
          BULK=$!
          sleep 2 # the stream is flowing
        fi
        a0=$(readyz 1 applied_seq); c0=$(cputicks "${PID[1]}"); t0=$(now)
        $NICE "$WORK/loadgen" -url "$base/api/search?q={q}&size=10" -url-dated "$base/api/search?q={q}&from={from}&to={to}&size=10" \
          -queries "$QUERIES" -c "$CLIENTS" -d "$DUR" -json "$WORK/s$S/qps-$mode-$rep.json" >"$WORK/s$S/qps-$mode-$rep.txt"
        t1=$(now); c1=$(cputicks "${PID[1]}"); a1=$(readyz 1 applied_seq)
        if [ "$mode" = ingest ]; then
          killtree "$BULK"; wait "$BULK" 2>/dev/null || true
          seq=$(lastseq 1) # the next idle slice starts once every node has applied the backlog
          for i in 1 2 3; do current "$i" "$seq"; done
        fi
        f=$WORK/s$S/qps-$mode-$rep.json
        row "search QPS of node 1, $mode (rep $rep)" "$(python3 -c "
import json; r=json.load(open('$f')); tick=$(getconf CLK_TCK)
cpu=($c1-$c0)/tick*1000/max(r['requests'],1)
print(f\"{r['qps']:.1f} QPS, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, {r['errors']} errors, node 1 CPU {cpu:.2f} ms/query, node 1 applied {($a1-$a0)/($t1-$t0):.0f} msgs/s\")")"
      done
    done
    # Let the cluster apply what the ingest slices wrote before the joins.
    seq=$(lastseq 1)
    for i in 1 2 3; do current "$i" "$seq"; done
  fi

  # 3. Rejoin from the log alone.
  newnode 4
  join 4 "${DIR[4]}/folio.bleve"
  docs=$(readyz 4 documents)
  stopnode 4
  row "rejoin from the log alone (new node, empty directory)" "$JOIN_SECS s to apply seq $JOIN_SEQ ($docs documents)"

  # 4. Rejoin from a backup of node 1 plus a log tail of TAIL articles.
  curl -fsS -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"dest\":\"$WORK/s$S/backup\"}" "http://127.0.0.1:${HTTP[1]}/api/admin/backup" >"$WORK/s$S/backup.json"
  bseq=$(readyz 1 applied_seq)
  renamed tail "$TAIL" | bulk 2 >"$WORK/s$S/tail-bulk.txt"
  newnode 5
  join 5 "$WORK/s$S/backup"
  from=$(grep -o 'applying the log from seq [0-9]*' "${DIR[5]}/serve.log" | head -n 1 || true)
  stopnode 5
  row "rejoin from a backup (taken at seq $bseq) + a log tail of $TAIL articles" "$JOIN_SECS s to apply seq $JOIN_SEQ (log: \"$from\")"

  for i in 1 2 3; do stopnode "$i"; done
  log "scale ${S}x done; load average $(load)"
done

echo
cat "$RESULTS"
echo
echo "command: SCALES=\"$SCALES\" REPS=$REPS DUR=$DUR CLIENTS=$CLIENTS TAIL=$TAIL scripts/cluster-figures.sh; $(nproc) cores; work directory $WORK"
