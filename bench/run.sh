#!/usr/bin/env bash
# Benchmarks behind bench/RESULTS.md, every comparison in one run on this machine.
#   bench/run.sh            all phases (about 15 minutes; the memory phase adds about 2)
#   bench/run.sh accept     one phase: accept | auth | encryption | fsync | threads | e2e | engine | memory | postgres
#                           | burst | mixed | peer | embed | documents
# Prints key=value lines; keeps them in bench/out/. Needs wrk (apt-get install wrk).
# Knobs: DUR (seconds per wrk run, 10), CONNS (64), MEMORY_JOBS (1000000), BURST_JOBS (400), PG_URL
# (the PostgreSQL for the postgres and burst phases; they use and drop the schema spillway_bench), PEERS_DIR (the peer
# baselines' directory; the peer phase runs the reference design's seed-fastapi/run.sh from it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
DUR=${DUR:-10}
CONNS=${CONNS:-64}
MEMORY_JOBS=${MEMORY_JOBS:-1000000}
BURST_JOBS=${BURST_JOBS:-400}
PG_URL=${PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
PORT=18090
BARE_PORT=18091
phases=("${@:-accept auth encryption fsync threads e2e engine memory postgres burst mixed peer embed documents}")
phases=(${phases[*]})
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 1; }
mkdir -p bench/out
out="bench/out/$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d -t spillway-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

./spillway --version >/dev/null   # builds when needed
export SPILLWAY_SKIP_BUILD=1       # then every phase runs that same build
log() { echo "[bench] $*" >&2; }
emit() { echo "$*" | tee -a "$out"; }
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"

wait_port() { for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
start() {  # start <name> <port> <args...>: runs ./spillway <args> in the background
  local name=$1 port=$2; shift 2
  ./spillway "$@" >"$work/$name.log" 2>&1 &
  pids+=($!); last_pid=$!
  wait_port "$port"
}
stop() { kill "$last_pid" 2>/dev/null || true; wait "$last_pid" 2>/dev/null || true; }
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$(pgrep -f "spillway.jar serve.*--port $PORT" | head -1)/status"; }
wrk_run() {  # wrk_run <prefix> <port>: prints prefix_rps= prefix_p50_ms= prefix_p99_ms=
  wrk -t2 -c"$CONNS" -d"${DUR}s" --latency -s bench/echo.lua "http://127.0.0.1:$2/v1/jobs" >"$work/wrk.txt" 2>&1
  awk -v P="$1" '
    function ms(v) { if (v ~ /us$/) { sub(/us$/,"",v); return v/1000 } if (v ~ /ms$/) { sub(/ms$/,"",v); return v+0 }
                     if (v ~ /s$/) { sub(/s$/,"",v); return v*1000 } return v }
    /^ +50% / { p50=ms($2) } /^ +99% / { p99=ms($2) } /Requests\/sec:/ { rps=$2 }
    /Non-2xx or 3xx responses:/ { bad=$5 }
    END { printf "%s_rps=%.0f %s_p50_ms=%.2f %s_p99_ms=%.2f %s_non2xx=%d", P, rps, P, p50, P, p99, P, bad+0 }' "$work/wrk.txt"
}
alternate() {  # alternate <phase> <run A> <run B>: 4 pairs, the order swapped every pair (A sets $off, B $on)
  for i in 1 2 3 4; do
    if (( i % 2 )); then "$2"; "$3"; else "$3"; "$2"; fi
    emit "phase=$1 run=$i $off $on"
  done
}
warm() { wrk -t2 -c"$CONNS" -d12s -s bench/echo.lua "http://127.0.0.1:$1/v1/jobs" >/dev/null 2>&1; }
serve() { rm -rf "$work/data"; start serve "$PORT" serve --port "$PORT" --data-dir "$work/data" "$@"; warm "$PORT"; }

for phase in "${phases[@]}"; do
  case "$phase" in
  accept)
    log "accept: bare Javalin 202 vs durable accepts (workers off, then on), $CONNS connections, ${DUR}s each"
    start bare "$BARE_PORT" bench bare-server --port "$BARE_PORT"; warm "$BARE_PORT"
    bare=$(wrk_run bare "$BARE_PORT"); stop
    serve --workers false; acc=$(wrk_run accept "$PORT"); stop
    serve; accw=$(wrk_run accept_with_workers "$PORT"); stop
    emit "phase=accept $bare $acc $accw" ;;
  auth)
    log "auth: durable accepts (workers off) with an API key checked on every request vs the same build with auth off, 4 pairs, the order alternating"
    auth_off() { serve --workers false --auth none; off=$(wrk_run auth_off "$PORT"); stop; }
    auth_on() {
      rm -rf "$work/data"
      key=$(./spillway keys create --data-dir "$work/data" --tenant bench --name bench 2>/dev/null)
      start serve "$PORT" serve --port "$PORT" --data-dir "$work/data" --workers false
      export BENCH_API_KEY=$key; warm "$PORT"; on=$(wrk_run auth_on "$PORT"); unset BENCH_API_KEY; stop
    }
    alternate auth auth_off auth_on ;;
  encryption)
    log "encryption: durable accepts (workers off) with encryption at rest on vs off, same build, 4 pairs, the order alternating"
    echo "bench $(head -c 32 /dev/urandom | base64)" > "$work/keys"
    enc_off() { serve --workers false; off=$(wrk_run enc_off "$PORT"); stop; }
    enc_on() { serve --workers false --encryption-keys-file "$work/keys"; on=$(wrk_run enc_on "$PORT"); stop; }
    alternate encryption enc_off enc_on ;;
  fsync)
    log "fsync: durable accepts with every commit fsynced (workers off, then on)"
    serve --workers false --durability fsync; f=$(wrk_run fsync_accept "$PORT"); stop
    serve --durability fsync; fw=$(wrk_run fsync_accept_with_workers "$PORT"); stop
    emit "phase=fsync $f $fw" ;;
  threads)
    log "threads: platform vs virtual request threads on the accept path (workers off)"
    serve --workers false --virtual-threads false; p=$(wrk_run platform "$PORT"); stop
    serve --workers false --virtual-threads true; v=$(wrk_run virtual "$PORT"); stop
    start bare "$BARE_PORT" bench bare-server --port "$BARE_PORT" --virtual-threads; warm "$BARE_PORT"
    bv=$(wrk_run bare_virtual "$BARE_PORT"); stop
    emit "phase=threads $p $v $bv" ;;
  e2e)
    log "e2e: echo jobs submitted over HTTP ($CONNS connections, ${DUR}s) and all completed"
    serve
    line=$(./spillway bench load --url "http://127.0.0.1:$PORT" -c "$CONNS" -d "$DUR" --warmup 0 --wait | tail -1)
    stop
    emit "phase=e2e $line" ;;
  engine)
    log "engine: the engine and SQLite store in process, no HTTP"
    line=$(./spillway bench engine --jobs 300000 --dir "$work/engine" | tail -1)
    rm -rf "$work/engine"
    linef=$(./spillway bench engine --jobs 100000 --durability fsync --probes 200 --dir "$work/engine-fsync" | tail -1)
    emit "phase=engine $line"
    emit "phase=engine_fsync $linef" ;;
  memory)
    log "memory: RSS and accept rate with $MEMORY_JOBS pending jobs (workers off)"
    # warm the JIT without filling the store (422s), then briefly on the insert path
    rm -rf "$work/data"; start serve "$PORT" serve --port "$PORT" --data-dir "$work/data" --workers false
    wrk -t2 -c"$CONNS" -d10s -s bench/prompt.lua "http://127.0.0.1:$PORT/v1/jobs" >/dev/null 2>&1
    wrk -t2 -c"$CONNS" -d3s -s bench/echo.lua "http://127.0.0.1:$PORT/v1/jobs" >/dev/null 2>&1
    empty=$(wrk_run empty_store "$PORT")
    rss=()
    filled=0
    while [ "$filled" -lt "$MEMORY_JOBS" ]; do
      line=$(./spillway bench load --url "http://127.0.0.1:$PORT" -c 32 -d 15 --warmup 1 | tail -1)
      filled=$((filled + $(echo "$line" | sed -n 's/.*status=202:\([0-9]*\).*/\1/p')))
      rss+=("$filled:$(rss_kb)")
      log "  $filled jobs stored, RSS $(rss_kb) KiB"
    done
    backlog=$(wrk_run backlog_store "$PORT")
    emit "phase=memory jobs_filled=$filled rss_kb_series=$(IFS=,; echo "${rss[*]}") rss_kb=$(rss_kb) $empty $backlog"
    stop ;;
  postgres)
    log "postgres: gateway + workers on PostgreSQL ($PG_URL, schema spillway_bench)"
    psql_cmd() { psql "$PG_URL" -qAtc "$1" >/dev/null 2>&1 || true; }
    psql_cmd "DROP SCHEMA IF EXISTS spillway_bench CASCADE"
    pg=(--store "$PG_URL" --store-schema spillway_bench)
    start gateway "$PORT" gateway --port "$PORT" "${pg[@]}"; gw=$last_pid
    start worker1 18095 worker --port 18095 "${pg[@]}"; w1=$last_pid
    warm "$PORT"
    probe=$(./spillway bench probe --url "http://127.0.0.1:$PORT" --probes 300 | tail -1)
    acc=$(wrk_run pg_accept_1w "$PORT")
    one=$(./spillway bench load --url "http://127.0.0.1:$PORT" -c "$CONNS" -d "$DUR" --warmup 0 --wait | tail -1)
    start worker2 18096 worker --port 18096 "${pg[@]}"; w2=$last_pid
    two=$(./spillway bench load --url "http://127.0.0.1:$PORT" -c "$CONNS" -d "$DUR" --warmup 0 --wait | tail -1)
    for p in $w2 $w1 $gw; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    psql_cmd "DROP SCHEMA IF EXISTS spillway_bench CASCADE"
    emit "phase=postgres_probe $probe"
    emit "phase=postgres_accept $acc"
    emit "phase=postgres_e2e_1_worker $one"
    emit "phase=postgres_e2e_2_workers $two" ;;
  burst)
    log "burst: $BURST_JOBS summarize jobs on PostgreSQL ($PG_URL, schema spillway_bench) before any worker; one worker, then two (the second started 1 s after the first was up); drain time from the first worker up"
    psql_q() { psql "$PG_URL" -qAtc "$1" 2>/dev/null || true; }
    text=$(printf 'The committee met on Tuesday to review the budget and the plans for the coming year. %.0s' $(seq 1 40))
    body="{\"task\": \"summarize\", \"priority\": \"batch\", \"input\": {\"text\": \"$text Revenue grew by twelve percent. Costs stayed flat.\", \"max_sentences\": 2}}"
    for n in 1 2; do
      psql_q "DROP SCHEMA IF EXISTS spillway_bench CASCADE"
      pg=(--store "$PG_URL" --store-schema spillway_bench)
      start gateway "$PORT" gateway --port "$PORT" "${pg[@]}"; gw=$last_pid
      seq 1 "$BURST_JOBS" | xargs -P 16 -I{} curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT/v1/jobs" \
        -H 'Content-Type: application/json' -d "$body"
      start worker1 18095 worker --port 18095 "${pg[@]}"; w1=$last_pid; w2=""
      t0=$(date +%s.%N)   # the first worker is up
      left=$BURST_JOBS
      if [ "$n" = 2 ]; then
        sleep 1; start worker2 18096 worker --port 18096 "${pg[@]}"; w2=$last_pid
        left=$(psql_q "SELECT count(*) FROM spillway_bench.jobs WHERE state IN ('pending', 'processing')")
      fi
      while [ "$(psql_q "SELECT count(*) FROM spillway_bench.jobs WHERE state IN ('pending', 'processing')")" != 0 ]; do sleep 0.05; done
      t1=$(date +%s.%N)
      shares=$(psql_q "SELECT string_agg(c::text, ':' ORDER BY first) FROM (SELECT count(*) AS c, min(started_at) AS first FROM spillway_bench.jobs WHERE state = 'completed' GROUP BY worker) w")
      second=$(echo "$shares" | awk -F: -v n="$BURST_JOBS" '{ printf "%.3f", (NF > 1 ? $2 : 0) / n }')
      of_left=$(echo "$shares" | awk -F: -v n="$left" '{ printf "%.3f", (NF > 1 && n > 0 ? $2 / n : 0) }')
      emit "phase=burst workers=$n jobs=$BURST_JOBS drain_s=$(echo "$t1 - $t0" | bc) jobs_by_worker=$shares second_worker_share=$second left_when_second_ready=$left second_share_of_left=$of_left"
      for p in $w2 $w1 $gw; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    done
    psql_q "DROP SCHEMA IF EXISTS spillway_bench CASCADE" >/dev/null ;;
  mixed)
    log "mixed: interactive embed at 20/s beside a batch summarize backlog (spillway bench mixed, ${DUR}s a phase)"
    serve
    line=$(./spillway bench mixed --url "http://127.0.0.1:$PORT" -d "$DUR" --rate 20 --backlog 200 | tail -1)
    stop
    emit "phase=mixed $line" ;;
  embed)
    log "embed: the raw ONNX Runtime limit of the built-in model (configurations swept), then embed jobs over HTTP"
    text="The quarterly report shows that revenue grew by twelve percent while costs stayed flat, which pleased the board and most of the investors."
    raw=""
    best=0
    for cfg in "2 1 1" "1 1 1" "1 1 2" "4 1 1" "2 4 1" "2 8 1"; do  # threads batch intra-op
      set -- $cfg
      line=$(./spillway bench embed-raw --threads "$1" --batch "$2" --intra-op "$3" -d 8 | tail -1)
      rate=$(echo "$line" | sed -n 's/.*texts_per_s=\([0-9.]*\).*/\1/p')
      raw="$raw raw_t$1_b$2_i$3=$rate"
      if awk -v a="$rate" -v b="$best" 'BEGIN{exit !(a>b)}'; then best=$rate; fi
    done
    single=$(./spillway bench embed-raw --threads 1 --batch 1 -d 5 | tail -1 | sed -n 's/.*single_call_p50_ms=\([0-9.]*\).*/\1/p')
    emit "phase=embed_raw$raw raw_best_texts_per_s=$best raw_single_text_call_p50_ms=$single"
    body="{\"task\": \"embed\", \"input\": {\"texts\": [\"$text\"]}}"
    for mb in 1 8; do  # builtin_max_batch: 1 (the default, exact) and 8 (throughput)
      raw_same=$(echo "$raw" | sed -n "s/.*raw_t2_b${mb}_i1=\([0-9.]*\).*/\1/p")
      rm -rf "$work/data"; start serve "$PORT" serve --port "$PORT" --data-dir "$work/data" --builtin-max-batch "$mb"
      ./spillway bench load --url "http://127.0.0.1:$PORT" -c 8 --rate 300 -d 5 --warmup 0 --wait --body "$body" >/dev/null
      high=$(./spillway bench load --url "http://127.0.0.1:$PORT" -c 16 --rate "${EMBED_RATE:-800}" -d 15 --warmup 0 --wait --body "$body" | tail -1)
      low=$(./spillway bench load --url "http://127.0.0.1:$PORT" -c 1 --rate 20 -d 10 --warmup 0 --wait --body "$body" | tail -1)
      stop
      api=$(echo "$high" | sed -n 's/.*e2e_jobs_per_s=\([0-9.]*\).*/\1/p')
      emit "phase=embed_api_high_b$mb $high ratio_to_raw_same_config=$(awk -v a="$api" -v b="$raw_same" 'BEGIN{printf "%.3f", a/b}') ratio_to_raw_best=$(awk -v a="$api" -v b="$best" 'BEGIN{printf "%.3f", a/b}')"
      emit "phase=embed_api_low_b$mb $low"
    done ;;
  documents)
    log "documents: a 5-page PDF through POST /v1/documents and the document pipeline"
    ./spillway bench sample-pdf --pages 5 -o "$work/report5.pdf" 2>/dev/null
    rm -rf "$work/data"; start serve "$PORT" serve --port "$PORT" --data-dir "$work/data"
    ./spillway bench documents --url "http://127.0.0.1:$PORT" --file "$work/report5.pdf" -n 20 -c 2 >/dev/null
    one=$(./spillway bench documents --url "http://127.0.0.1:$PORT" --file "$work/report5.pdf" -n 40 -c 1 | tail -1)
    many=$(./spillway bench documents --url "http://127.0.0.1:$PORT" --file "$work/report5.pdf" -n 200 -c 8 | tail -1)
    ext=$(./spillway bench documents --url "http://127.0.0.1:$PORT" --file "$work/report5.pdf" --task extract -n 200 -c 8 | tail -1)
    stop
    emit "phase=documents_1_client $one"
    emit "phase=documents_8_clients $many"
    emit "phase=extract_8_clients $ext" ;;
  peer)
    log "peer: the reference design (FastAPI + in-memory dict), same machine, same run"
    if [ -z "${PEERS_DIR:-}" ]; then
      log "peer: skipped; set PEERS_DIR to the directory holding seed-fastapi/run.sh"
    else
      line=$(bash "$PEERS_DIR/seed-fastapi/run.sh" 2>/dev/null | tail -1 || true)
      emit "phase=peer ${line:-peer=failed}"
    fi ;;
  *) echo "bench: unknown phase $phase" >&2; exit 2 ;;
  esac
done
log "results kept in $out"
