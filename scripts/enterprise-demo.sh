#!/usr/bin/env bash
# The enterprise cluster on this machine (loopback only), in a few minutes:
#   1. starts a Kafka cluster of three brokers (KRaft, each in its own JVM, from Kafka's own jars)
#      and five `stemedb serve` nodes (ports 7081-7085) replicating through one topic (6
#      partitions, replication factor 3, min.insync.replicas 2);
#   2. writes at a steady rate, spread over the five nodes, while probing the replication lag
#      from node 1 to node 5 (write acknowledged -> readable);
#   3. kills nodes 2 and 4 and broker 2 (kill -9) while writing, then restarts them;
#   4. prints the publish and consumer lag from /metrics and waits until the five nodes hold the
#      same number of assertions, at least every one written.
# Everything (processes, data) is removed on exit, however the script ends.
#
# Builds nothing. It needs the server jar (cli/target/stemedb.jar, or $STEMEDB_JAR) and the
# broker's class path (Kafka's jars and the test broker launcher), made once with:
#   mvn -B -q -o -pl replication-kafka -am test-compile \
#       org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
#       -Dmdep.includeScope=test -Dmdep.outputFile=target/kafka.classpath
# Settings (environment): BASE_PORT=7081 RATE=500 LOAD_SECONDS=5
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAR="${STEMEDB_JAR:-$ROOT/cli/target/stemedb.jar}"
KAFKA_CP_FILE="$ROOT/replication-kafka/target/kafka.classpath"
BASE_PORT="${BASE_PORT:-7081}"
RATE="${RATE:-500}"
LOAD_SECONDS="${LOAD_SECONDS:-5}"
JAVA="${JAVA:-java}"
NODES=5
read -r -a JAVA_OPTS <<<"${STEMEDB_JAVA_OPTS:--Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"

[[ -f "$JAR" ]] || { echo "enterprise-demo: no server jar at $JAR (mvn -B -q -pl cli -am package -DskipTests)" >&2; exit 1; }
[[ -f "$KAFKA_CP_FILE" ]] || { echo "enterprise-demo: no broker class path at $KAFKA_CP_FILE; see the comment at the top of this script" >&2; exit 1; }
KAFKA_CP="$ROOT/replication-kafka/target/test-classes:$(cat "$KAFKA_CP_FILE")"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stemedb-enterprise-demo.XXXXXX")"
declare -a PIDS=("" "" "" "" "" "")
KAFKA_PID=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for i in $(seq 1 $NODES); do [[ -n "${PIDS[$i]}" ]] && kill -TERM "${PIDS[$i]}" 2>/dev/null || true; done
  local deadline=$((SECONDS + 15))
  for i in $(seq 1 $NODES); do
    local pid="${PIDS[$i]}"; [[ -z "$pid" ]] && continue
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$KAFKA_PID" ]]; then
    exec {KAFKA_IN}>&- 2>/dev/null || true  # its stdin's end stops the brokers
    deadline=$((SECONDS + 30))
    while kill -0 "$KAFKA_PID" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -9 "$KAFKA_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
port() { echo $((BASE_PORT + $1 - 1)); }
url() { echo "http://127.0.0.1:$(port "$1")"; }
http_get() { "$JAVA" -Xmx32m -XX:TieredStopAtLevel=1 -cp "$JAR" io.stemedb.cli.serve.LoadClient get "$1"; }
json_field() { grep -o "\"$1\":\"\\?[^,\"}]*" | head -1 | sed -e "s/\"$1\":\"\\?//"; }
assertions() { http_get "$(url "$1")/v1/stats" | json_field assertions; }

echo "== StemeDB enterprise cluster demo: 3 Kafka brokers, $NODES nodes"
echo "-- host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

t=$(now_ms)
mkfifo "$WORK/kafka.in" "$WORK/kafka.out"
"$JAVA" -Xmx64m -cp "$KAFKA_CP" io.stemedb.kafka.KafkaCluster "$WORK/kafka" 3 <"$WORK/kafka.in" >"$WORK/kafka.out" 2>"$WORK/kafka.log" &
KAFKA_PID=$!
exec {KAFKA_IN}>"$WORK/kafka.in"
exec {KAFKA_OUT}<"$WORK/kafka.out"
kafka() { echo "$1" >&"$KAFKA_IN"; local reply; read -r -t 180 -u "$KAFKA_OUT" reply || { echo "enterprise-demo: Kafka did not answer '$1'" >&2; cat "$WORK/kafka.log" >&2; exit 1; }; echo "$reply"; }
read -r -t 180 -u "$KAFKA_OUT" line || { echo "enterprise-demo: the brokers did not start; their launcher's log:" >&2; cat "$WORK/kafka.log" >&2; exit 1; }
BOOTSTRAP="${line#BOOTSTRAP }"
echo "-- three brokers up in $(( $(now_ms) - t )) ms: $BOOTSTRAP"

start_node() {
  local i=$1
  "$JAVA" "${JAVA_OPTS[@]}" -jar "$JAR" serve --data-dir "$WORK/node$i" --bind 127.0.0.1 --port "$(port "$i")" \
      --kafka-bootstrap "$BOOTSTRAP" --kafka-topic stemedb --kafka-create-topic 6 --kafka-replication-factor 3 \
      --kafka-topic-config min.insync.replicas=2 >>"$WORK/node$i.log" 2>&1 &
  PIDS[$i]=$!
}
wait_ready() {
  local i=$1 deadline=$((SECONDS + 90))
  until http_get "$(url "$i")/ready" >/dev/null 2>&1; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || { echo "enterprise-demo: node $i exited; its log:" >&2; cat "$WORK/node$i.log" >&2; exit 1; }
    (( SECONDS < deadline )) || { echo "enterprise-demo: node $i not ready after 90 s" >&2; cat "$WORK/node$i.log" >&2; exit 1; }
    sleep 0.2
  done
}
# load SECONDS PREFIX: RATE claims/s spread over the live nodes in the list; prints the total written.
load() {
  local seconds=$1 prefix=$2; shift 2
  local per=$(( RATE / $# )) total=0 pids=() i
  for i in "$@"; do
    "$JAVA" -Xmx64m -XX:TieredStopAtLevel=1 -cp "$JAR" io.stemedb.cli.serve.LoadClient load "$(url "$i")" "$per" "$seconds" "$prefix-n$i" >"$WORK/load-$prefix-$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  for i in "$@"; do total=$(( total + $(awk '{print $2}' "$WORK/load-$prefix-$i") )); done
  echo "$total"
}
metrics() { http_get "$(url "$1")/metrics" | grep -E '^stemedb_kafka_(published_total|publish_lag_seconds|publish_backlog|merged_total|consumer_lag)' | sed 's/^/     /'; }

t=$(now_ms)
for i in $(seq 1 $NODES); do start_node "$i"; done
for i in $(seq 1 $NODES); do wait_ready "$i"; done
echo "-- $NODES nodes ready in $(( $(now_ms) - t )) ms: $(url 1) ... $(url $NODES)"

"$JAVA" -Xmx64m -XX:TieredStopAtLevel=1 -cp "$JAR" io.stemedb.cli.serve.LoadClient probes "$(url 1)" "$(url 5)" probe "$LOAD_SECONDS" >"$WORK/probes" 2>&1 &
PROBER=$!
echo "-- writing about $RATE claims/s over the $NODES nodes for $LOAD_SECONDS s; probing the lag node 1 -> node 5 every 500 ms"
written=$(load "$LOAD_SECONDS" steady 1 2 3 4 5)
wait "$PROBER" || true
lags=$(grep '^lag_ms' "$WORK/probes" | awk '{print $2}' | grep -v timeout | sort -n | tr '\n' ' ')
echo "   wrote $written claims; replication lag node 1 -> node 5 (ms): $lags"
echo "   node 1 /metrics:"; metrics 1

echo "-- killing nodes 2 and 4 and broker 2 (kill -9) while writing on nodes 1, 3, 5 for $LOAD_SECONDS s"
kill -9 "${PIDS[2]}" "${PIDS[4]}"; wait "${PIDS[2]}" "${PIDS[4]}" 2>/dev/null || true; PIDS[2]=""; PIDS[4]=""
echo "   $(kafka 'kill 2')"
more=$(load "$LOAD_SECONDS" degraded 1 3 5)
echo "   wrote $more more claims with two nodes and one broker down; node 1 /metrics:"; metrics 1

echo "-- restarting broker 2 and nodes 2 and 4"
t=$(now_ms)
echo "   $(kafka 'restart 2')"
start_node 2; start_node 4; wait_ready 2; wait_ready 4
echo "   back in $(( $(now_ms) - t )) ms"

expected=$(( written + more + $(grep -c '^lag_ms' "$WORK/probes" || true) ))
deadline=$(( $(now_ms) + 120000 ))
while :; do
  counts=(); for i in $(seq 1 $NODES); do counts+=("$(assertions "$i")"); done
  same=1; for c in "${counts[@]}"; do [[ "$c" == "${counts[0]}" ]] || same=0; done
  (( same && counts[0] >= expected )) && break
  (( $(now_ms) < deadline )) || { echo "enterprise-demo: NOT converged after 120 s: ${counts[*]} (expected >= $expected)" >&2; exit 1; }
  sleep 0.5
done
echo "-- converged $(( $(now_ms) - t )) ms after the restarts: every node holds ${counts[0]} assertions (written: at least $expected)"
echo "   node 2 /metrics:"; metrics 2
echo "== done; stopping the nodes and the brokers, removing $WORK"
