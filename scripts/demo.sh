#!/usr/bin/env bash
# make demo: the main job end to end on this machine. Services must be up
# (make demo starts them). Each run gets its own ClickHouse database and
# Kafka topics (demo_<time>), so runs never mix; everything is left in place
# for exploring afterwards (see the last lines printed).
#
#   DEMO_HOURS   simulated hours to backfill (default 3)
#   DEMO_RATE    events per simulated second across the fleet (default 100)
#   DEMO_TENANTS tenants in the fleet (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
RUN=demo_$(date +%s)
DIR=.demo/$RUN
mkdir -p "$DIR"
TOPIC=$RUN.events DLQ=$RUN.dlq
KEY=${OPSW_PSEUDONYM_KEY:-opswarehouse-demo-pseudonym-key}
HOURS=${DEMO_HOURS:-3} RATE=${DEMO_RATE:-100} TENANTS=${DEMO_TENANTS:-200}
CH=${OPSW_CLICKHOUSE_ADDR:-127.0.0.1:19000} KAFKA=${OPSW_KAFKA_BROKERS:-127.0.0.1:19092}
INGESTER_ADDR=127.0.0.1:19464 INTAKE_ADDR=127.0.0.1:18080 SIM_ADDR=127.0.0.1:19465
export OPSW_DEMO_TOKEN=demo-token-$(date +%s%N)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
wait_http() { # url, name, log
	for _ in $(seq 1 120); do
		curl -fsS "$1" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "demo: $2 did not become ready; its log:" >&2; tail -20 "$3" >&2; exit 1
}
metric() { # metrics text, name → sum of its samples
	awk -v m="$2" '$1 == m || index($1, m"{") == 1 { s += $2 } END { printf "%d", s }' <<<"$1"
}

say "schema: database $RUN"
"$BIN/migrate" -clickhouse.addr "$CH" -clickhouse.database "$RUN" 2>"$DIR/migrate.log"

say "ingester: $TOPIC -> ClickHouse $RUN (metrics http://$INGESTER_ADDR/metrics)"
"$BIN/ingester" -kafka.brokers "$KAFKA" -clickhouse.addr "$CH" -kafka.topic "$TOPIC" -kafka.dead-letter-topic "$DLQ" -kafka.group "$RUN" \
	-clickhouse.database "$RUN" -listen "$INGESTER_ADDR" -guard.pseudonym-key "$KEY" \
	-migrate=false -kafka.create-topics 4 -ingest.max-age 840h 2>"$DIR/ingester.log" &
pids+=($!)
wait_http "http://$INGESTER_ADDR/readyz" ingester "$DIR/ingester.log"

say "HTTP intake on http://$INTAKE_ADDR/v1/events"
cat >"$DIR/intake.yaml" <<YAML
intake:
  tokens:
    - name: demo
      secret_env: OPSW_DEMO_TOKEN
YAML
"$BIN/intake" -emitter.brokers "$KAFKA" -config "$DIR/intake.yaml" -intake.listen "$INTAKE_ADDR" -emitter.topic "$TOPIC" \
	-guard.pseudonym-key "$KEY" 2>"$DIR/intake.log" &
pids+=($!)
wait_http "http://$INTAKE_ADDR/readyz" intake "$DIR/intake.log"

say "a service not written in Go posts NDJSON (two good lines carrying client data, three bad ones)"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat >"$DIR/intake.ndjson" <<NDJSON
{"v":1,"id":"$RUN-http-1","ts":"$now","tenant":"t-http","service":"legacy-php","kind":"error","error_class":"MailerError","error_message":"SMTP 550 rejected mail to jane.doe@example.com from 203.0.113.9 after 3 retries"}
{"v":1,"id":"$RUN-http-2","ts":"$now","tenant":"t-http","service":"legacy-php","kind":"request","route":"/v1/cards/4111111111111111?token=abc","status":502,"duration_ms":1503}
{"v":1,"id":"$RUN-http-3","ts":"$now","tenant":"t-http","service":"legacy-php","kind":"request","customer_name":"Jane Doe"}
{"v":1,"id":"$RUN-http-4","ts":"$now","service":"legacy-php","kind":"request"}
{"v":1,"id":"$RUN-http-5",
NDJSON
curl -sS -X POST "http://$INTAKE_ADDR/v1/events" -H "Authorization: Bearer $OPSW_DEMO_TOKEN" \
	-H 'Content-Type: application/x-ndjson' --data-binary @"$DIR/intake.ndjson"
echo

say "a misbehaving producer writes straight to Kafka, bypassing emitter and intake: the ingester dead-letters what the contract does not allow"
{
	printf '%s\n' '{"v":1,"id":"raw-1","ts":"2019-01-01T00:00:00Z","tenant":"t-raw","service":"cron","kind":"job_state","state":"failed"}'
	printf '%s\n' '{"v":1,"id":"raw-2","ts":"'"$now"'","tenant":"t-raw","service":"cron","kind":"job_state","state":"exploded"}'
	printf '%s\n' '{"v":1,"id":"raw-3","ts":"'"$now"'","tenant":"t-raw","service":"cron","kind":"request","attempt":"three"}'
	printf '%s\n' 'not json at all'
	printf '{"v":1,"id":"raw-5","ts":"%s","tenant":"t-raw","service":"cr\xffon","kind":"request"}\n' "$now"
} | "$BIN/produce" -kafka.brokers "$KAFKA" -kafka.topic "$TOPIC"

say "fleet: $TENANTS tenants, last ${HOURS}h at $RATE events/s simulated, every incident scenario once, backfilled through the Go emitter"
"$BIN/simulator" -mode backfill -duration "${HOURS}h" -rate "$RATE" -tenants "$TENANTS" -mix default -seed 7 \
	-sink emitter -brokers "$KAFKA" -topic "$TOPIC" -guard.pseudonym-key "$KEY" -truth "$DIR/truth.jsonl" \
	-metrics "$SIM_ADDR" -progress 0 -run-id "$RUN" 2>"$DIR/simulator.log" &
sim=$!
pids+=($sim)
last=0 lastT=$(date +%s.%N) emitted=0
if [ -t 1 ]; then eol='\r'; else eol='\n'; fi
progress() {
	local m s now
	m=$(curl -fsS "http://$INGESTER_ADDR/metrics" 2>/dev/null) || return 0
	s=$(curl -fsS "http://$SIM_ADDR/metrics" 2>/dev/null) || s=""
	local landed dl lag
	landed=$(metric "$m" opswarehouse_ingester_inserted_total)
	dl=$(metric "$m" opswarehouse_ingester_dead_lettered_total)
	lag=$(metric "$m" opswarehouse_ingester_lag_messages)
	[ -n "$s" ] && emitted=$(metric "$s" opswarehouse_simulator_events_total)
	now=$(date +%s.%N)
	local eps
	eps=$(awk -v a="$landed" -v b="$last" -v t="$now" -v u="$lastT" 'BEGIN { printf "%d", (a-b)/(t-u) }')
	last=$landed lastT=$now
	printf "  emitted %9d | landed %9d (%6d events/s) | dead-lettered %4d | lag %7d $eol" "$emitted" "$landed" "$eps" "$dl" "$lag"
}
while kill -0 "$sim" 2>/dev/null; do progress; sleep 2; done
wait "$sim" || { echo; echo "demo: simulator failed:" >&2; tail -20 "$DIR/simulator.log" >&2; exit 1; }
emitted=$(sed -n 's/.*msg=done events=\([0-9]*\).*/\1/p' "$DIR/simulator.log" | tail -1)
emitted=${emitted:-0}
# Drain: wait until the ingester has consumed everything (lag 0, no growth).
for _ in $(seq 1 240); do
	progress
	m=$(curl -fsS "http://$INGESTER_ADDR/metrics")
	[ "$(metric "$m" opswarehouse_ingester_lag_messages)" = 0 ] && sleep 2 && progress && break
	sleep 2
done
echo

say "what landed (ClickHouse database $RUN)"
"$BIN/report" -clickhouse.addr "$CH" -clickhouse.database "$RUN" -kafka.broker "${KAFKA%%,*}" -kafka.dead-letter-topic "$DLQ"

say "incidents injected (ground truth: $DIR/truth.jsonl)"
if [ -s "$DIR/truth.jsonl" ]; then
	python3 - "$DIR/truth.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    c = {k: v for k, v in (t.get("culprit") or {}).items() if v}
    print(f"  {t['scenario']:<22} {t['start'][11:16]}-{t['end'][11:16]}  expect {t['finding_kind']:<30} culprit {c}")
PY
fi
say "aggregator: detectors evaluate every simulated minute of the backfilled window (alerts off in the demo)"
"$BIN/aggregator" run -clickhouse.addr "$CH" -clickhouse.database "$RUN" -migrate=false -alerts=false \
	-listen 127.0.0.1:19466 -runner.catch-up "$((HOURS * 60 + 5))m" -runner.backfill-from "$((HOURS * 60 + 5))m" -runner.settle-lag 0s 2>"$DIR/aggregator.log" &
agg=$!
pids+=($agg)
# Caught up when the newest evaluated tick reaches the present minute.
for _ in $(seq 1 300); do
	last=$(curl -fsS "http://${CH_HTTP:-127.0.0.1:${OPSW_CLICKHOUSE_HTTP_PORT:-18123}}/?database=$RUN" \
		--data-binary "SELECT toUnixTimestamp(max(tick)) FROM detector_ticks" 2>/dev/null || echo 0)
	if [ "${last:-0}" -ge $(( $(date +%s) - 120 )) ] 2>/dev/null; then break; fi
	kill -0 "$agg" 2>/dev/null || { echo "demo: aggregator stopped:" >&2; tail -20 "$DIR/aggregator.log" >&2; exit 1; }
	sleep 2
done
say "findings (compare with the incidents above)"
"$BIN/report" -findings -clickhouse.addr "$CH" -clickhouse.database "$RUN" -since "$((HOURS + 1))h"

say "done"
echo "  database:  $RUN (clickhouse-client --port ${CH##*:} -d $RUN)"
echo "  topics:    $TOPIC, $DLQ"
echo "  logs:      $DIR/"
