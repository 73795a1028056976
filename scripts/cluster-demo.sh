#!/usr/bin/env bash
# A three-node StemeDB cluster on this machine (loopback only), in about half a minute:
#   1. starts three `stemedb serve` nodes (ports 7071-7073), each with the other two as peers,
#      sharing a random cluster secret;
#   2. writes to node 1 at about 1,000 claims/s for a few seconds, and meanwhile measures the
#      replication lag: the time from a write acknowledged by node 1 until node 3 can read it;
#   3. reads the result from node 2;
#   4. kills node 3 (kill -9), writes on, restarts node 3 and shows that the three converge
#      (equal assertion counts and equal Merkle digests via /v1/stats).
# Everything (processes, data, secret) is removed on exit, however the script ends.
#
# Builds nothing: it runs cli/target/stemedb.jar (or $STEMEDB_JAR).
# Settings (environment): BASE_PORT=7071 RATE=1000 LOAD_SECONDS=5 SYNC_INTERVAL=1s
#                         STEMEDB_JAVA_OPTS="-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
#                         STEMEDB_DEMO_CLIENT=java (use the Java client even if curl is present)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="${STEMEDB_JAR:-$HERE/../cli/target/stemedb.jar}"
BASE_PORT="${BASE_PORT:-7071}"
RATE="${RATE:-1000}"
LOAD_SECONDS="${LOAD_SECONDS:-5}"
SYNC_INTERVAL="${SYNC_INTERVAL:-1s}"
JAVA="${JAVA:-java}"
# Small heaps, one GC thread and the quick JIT only: three JVMs share a small machine for half a minute.
read -r -a JAVA_OPTS <<<"${STEMEDB_JAVA_OPTS:--Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"

if [[ ! -f "$JAR" ]]; then
  echo "cluster-demo: no jar at $JAR" >&2
  echo "cluster-demo: build it first:  cd $(cd "$HERE/.." && pwd) && for m in crdt lens storage merkle backup core; do mvn -q -B install -DskipTests -f \$m/pom.xml; done; mvn -q -B package -DskipTests -f cli/pom.xml" >&2
  exit 1
fi
command -v "$JAVA" >/dev/null || { echo "cluster-demo: java not found (Java 17 or later is needed)" >&2; exit 1; }

if command -v curl >/dev/null && [[ "${STEMEDB_DEMO_CLIENT:-}" != "java" ]]; then
  CLIENT=curl
else
  CLIENT=java
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stemedb-cluster-demo.XXXXXX")"
declare -a PIDS=("" "" "" "")
BG_PIDS=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${BG_PIDS[@]:-}"; do [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; done
  for i in 1 2 3; do
    [[ -n "${PIDS[$i]}" ]] && kill -TERM "${PIDS[$i]}" 2>/dev/null || true
  done
  # Wait up to 10 s for a graceful stop, then kill what is left.
  local deadline=$((SECONDS + 10))
  for i in 1 2 3; do
    local pid="${PIDS[$i]}"
    [[ -z "$pid" ]] && continue
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Milliseconds since the epoch, without starting a process where bash has $EPOCHREALTIME (5.0+).
if [[ -n "${EPOCHREALTIME:-}" ]]; then
  now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
else
  now_ms() { date +%s%3N; }
fi
# pause SECONDS: sleep without starting a process (read with a timeout on a pipe nobody writes to).
exec {PAUSE_FD}<> <(:)
pause() { read -rt "$1" -u "$PAUSE_FD" || true; }
port() { echo $((BASE_PORT + $1 - 1)); }
url() { echo "http://127.0.0.1:$(port "$1")"; }

# http_get URL: prints the body; fails on a non-2xx status.
http_get() {
  if [[ $CLIENT == curl ]]; then
    curl -fsS --max-time 10 "$1"
  else
    "$JAVA" -cp "$JAR" io.stemedb.cli.serve.LoadClient get "$1"
  fi
}
http_post() {
  if [[ $CLIENT == curl ]]; then
    curl -fsS --max-time 10 -H 'Content-Type: application/json' --data-binary "$2" "$1"
  else
    "$JAVA" -cp "$JAR" io.stemedb.cli.serve.LoadClient post "$1" "$2"
  fi
}
# json_field NAME: the first number or string value of "NAME" in the JSON on stdin.
json_field() { grep -o "\"$1\":\"\\?[^,\"}]*" | head -1 | sed -e "s/\"$1\":\"\\?//"; }

start_node() {
  local i=$1 peers=()
  for j in 1 2 3; do [[ $j != "$i" ]] && peers+=(--peer "$(url "$j")"); done
  "$JAVA" "${JAVA_OPTS[@]}" -jar "$JAR" serve --data-dir "$WORK/node$i" --bind 127.0.0.1 --port "$(port "$i")" \
      --cluster-secret-file "$WORK/cluster.secret" --sync-interval "$SYNC_INTERVAL" "${peers[@]}" \
      >>"$WORK/node$i.log" 2>&1 &
  PIDS[$i]=$!
}

wait_ready() {
  local i=$1 deadline=$((SECONDS + 60))
  until http_get "$(url "$i")/ready" >/dev/null 2>&1; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      echo "cluster-demo: node $i exited; its log:" >&2; cat "$WORK/node$i.log" >&2; exit 1
    fi
    (( SECONDS < deadline )) || { echo "cluster-demo: node $i not ready after 60 s; its log:" >&2; cat "$WORK/node$i.log" >&2; exit 1; }
    sleep 0.1
  done
}

assertions() { http_get "$(url "$1")/v1/stats" | json_field assertions; }
digest() { http_get "$(url "$1")/v1/stats" | json_field digest; }

# write_load SECONDS PREFIX: about RATE claims/s to node 1, in batches; prints how many were written
# and in how many milliseconds.
write_load() {
  local seconds=$1 prefix=$2
  if [[ $CLIENT == java ]]; then
    "$JAVA" -cp "$JAR" io.stemedb.cli.serve.LoadClient load "$(url 1)" "$RATE" "$seconds" "$prefix" | awk '{print $2, $3}'
    return
  fi
  local start end written=0 now due n body k
  start=$(now_ms); end=$((start + seconds * 1000))
  while :; do
    now=$(now_ms)
    (( now < end )) || break
    due=$(( (now - start) * RATE / 1000 ))
    n=$(( due - written )); (( n > 1000 )) && n=1000
    if (( n > 0 )); then
      body="["
      for ((k = written; k < written + n; k++)); do
        body+="{\"subject\":\"$prefix-$k\",\"predicate\":\"reading\",\"value\":$k,\"source\":\"load\"},"
      done
      body="${body%,}]"
      http_post "$(url 1)/v1/claims" "$body" >/dev/null
      written=$((written + n))
    fi
    pause 0.05 # pacing of the load (about 20 batches a second), not synchronization
  done
  echo "$written $(( $(now_ms) - start ))"
}

echo "== StemeDB cluster demo (client: $CLIENT, jar: $JAR)"
echo "-- host: $(nproc 2>/dev/null || echo '?') CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
for i in 1 2 3; do
  if http_get "$(url "$i")/health" >/dev/null 2>&1; then
    echo "cluster-demo: port $(port "$i") is already in use; set BASE_PORT to another range" >&2; exit 1
  fi
done
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/cluster.secret"
chmod 600 "$WORK/cluster.secret"
echo "-- cluster secret: 32 random bytes in $WORK/cluster.secret"

t=$(now_ms)
for i in 1 2 3; do start_node "$i"; done
for i in 1 2 3; do wait_ready "$i"; done
echo "-- three nodes ready in $(( $(now_ms) - t )) ms: $(url 1) $(url 2) $(url 3) (sync every $SYNC_INTERVAL)"
for i in 1 2 3; do echo "   node $i: $(grep -m1 'listening on' "$WORK/node$i.log")"; done

# The lag probes: one JVM writes a marker claim on node 1 every 500 ms and polls node 3 every
# 10 ms (kept-alive connection) until it reads it; starting a process per poll would measure the
# process, not the database.
"$JAVA" -Xmx64m -XX:TieredStopAtLevel=1 -cp "$JAR" io.stemedb.cli.serve.LoadClient probes "$(url 1)" "$(url 3)" probe \
    "$LOAD_SECONDS" >"$WORK/probes" 2>&1 &
BG_PIDS+=($!)
deadline=$((SECONDS + 60))
until grep -qs '^ready' "$WORK/probes"; do
  kill -0 "${BG_PIDS[-1]}" 2>/dev/null || { echo "cluster-demo: the lag prober failed:" >&2; cat "$WORK/probes" >&2; exit 1; }
  (( SECONDS < deadline )) || { echo "cluster-demo: the lag prober did not start within 60 s" >&2; exit 1; }
  sleep 0.05
done
echo "-- writing to node 1 at about $RATE claims/s for $LOAD_SECONDS s, probing the lag to node 3 every 500 ms meanwhile"
read -r written elapsed < <(write_load "$LOAD_SECONDS" load) || true
[[ -n "${elapsed:-}" ]] || { echo "cluster-demo: writing to node 1 failed; its log:" >&2; tail -20 "$WORK/node1.log" >&2; exit 1; }
wait "${BG_PIDS[-1]}" || true
echo "   wrote $written claims in $elapsed ms: $(( written * 1000 / (elapsed > 0 ? elapsed : 1) )) claims/s"

grep '^lag_ms' "$WORK/probes" | awk '{print $2}' >"$WORK/lags"
lags=$(grep -v timeout "$WORK/lags" | sort -n | tr '\n' ' ')
timeouts=$(grep -c timeout "$WORK/lags" || true)
count=$(echo "$lags" | wc -w)
if (( count > 0 )); then
  read -r -a sorted <<<"$lags"
  median=${sorted[$((count / 2))]}
  max=${sorted[$((count - 1))]}
  echo "-- replication lag node 1 -> node 3 (write acknowledged -> readable), $count probes under load: ${lags}ms"
  echo "   median ${median} ms, max ${max} ms, timeouts $timeouts; target < 1000 ms: $( (( max < 1000 && timeouts == 0 )) && echo MET || echo MISSED )"
else
  echo "-- replication lag: no probe succeeded ($timeouts timeouts)"
fi

echo "-- reading from node 2"
echo "   resolve load-0.reading: $(http_get "$(url 2)/v1/resolve?subject=load-0&predicate=reading" | json_field explain)"
echo "   node 2 holds $(assertions 2) assertions (node 1: $(assertions 1))"
echo "   node 1 /metrics, per peer:"
http_get "$(url 1)/metrics" | grep -E '^stemedb_sync_(lag_seconds|sessions_total|pushed_total)' | sed 's/^/     /'
echo "   node 1 /v1/stats, last sync session time per peer (ms): $(http_get "$(url 1)/v1/stats" | grep -o '"lastSessionMillis":[0-9.]*' | cut -d: -f2 | tr '\n' ' ')"

echo "-- killing node 3 (kill -9), writing on for 3 s"
kill -9 "${PIDS[3]}"; wait "${PIDS[3]}" 2>/dev/null || true; PIDS[3]=""
read -r more more_ms < <(write_load 3 after-kill) || true
[[ -n "${more_ms:-}" ]] || { echo "cluster-demo: writing to node 1 failed; its log:" >&2; tail -20 "$WORK/node1.log" >&2; exit 1; }
echo "   wrote $more more claims on node 1; node 1: $(assertions 1), node 2: $(assertions 2) assertions"
echo "   node 1 /metrics while node 3 is down:"
http_get "$(url 1)/metrics" | grep -E '^stemedb_sync_(lag_seconds|consecutive_failures)\{.*'"$(port 3)" | sed 's/^/     /'

echo "-- restarting node 3 on its data directory"
t=$(now_ms)
start_node 3
wait_ready 3
echo "   node 3 ready in $(( $(now_ms) - t )) ms; it holds $(assertions 3) assertions (its first sync sessions start at once)"
deadline=$(( $(now_ms) + 60000 ))
while :; do
  a1=$(assertions 1); a2=$(assertions 2); a3=$(assertions 3)
  if [[ "$a1" == "$a2" && "$a2" == "$a3" ]]; then break; fi
  if (( $(now_ms) > deadline )); then
    echo "cluster-demo: NOT converged after 60 s: $a1 / $a2 / $a3 assertions" >&2; exit 1
  fi
  sleep 0.05
done
echo "-- converged $(( $(now_ms) - t )) ms after the restart:"
for i in 1 2 3; do
  echo "   node $i: $(assertions "$i") assertions, digest $(digest "$i")"
done
expected=$(( written + more + $(wc -l <"$WORK/lags") ))
echo "   expected at least $expected (load + probes); every node has $a1"
(( a1 >= expected )) || { echo "cluster-demo: fewer assertions than written" >&2; exit 1; }
echo "== done; stopping the nodes and removing $WORK"
