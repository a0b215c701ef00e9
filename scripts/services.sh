#!/usr/bin/env bash
# Real services for tests: ClickHouse 18.16 (Debian), Apache Kafka 4.1 (KRaft,
# jars from Maven Central), Alertmanager and Prometheus (Debian), and chdb
# (current ClickHouse in process, from PyPI). Everything runs on loopback from
# state under $REPO/.services; nothing relies on system service units.
#
#   scripts/services.sh install|start|stop|restart|status [SERVICE]
#   scripts/services.sh env
#
# SERVICE is clickhouse, kafka, alertmanager, prometheus or all (the default);
# chdb is in-process, so it only has install (and is part of "install all").
# "env" prints the export lines the Go test helpers (ingest/testenv) read.
#
# Ports (override with the variable): OPSW_CLICKHOUSE_TCP_PORT=19000
# OPSW_CLICKHOUSE_HTTP_PORT=18123 OPSW_KAFKA_PORT=19092
# OPSW_KAFKA_CONTROLLER_PORT=19093 OPSW_ALERTMANAGER_PORT=19094
# OPSW_PROMETHEUS_PORT=19090. OPSW_START_TIMEOUT (seconds, default 90) bounds
# the wait for readiness, OPSW_STOP_TIMEOUT (default 30) the graceful stop.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${OPSW_SERVICES_DIR:-$REPO/.services}"

CH_TCP_PORT="${OPSW_CLICKHOUSE_TCP_PORT:-19000}"
CH_HTTP_PORT="${OPSW_CLICKHOUSE_HTTP_PORT:-18123}"
KAFKA_PORT="${OPSW_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${OPSW_KAFKA_CONTROLLER_PORT:-19093}"
AM_PORT="${OPSW_ALERTMANAGER_PORT:-19094}"
PROM_PORT="${OPSW_PROMETHEUS_PORT:-19090}"
START_TIMEOUT="${OPSW_START_TIMEOUT:-90}"
STOP_TIMEOUT="${OPSW_STOP_TIMEOUT:-30}"
PYTHON="${OPSW_PYTHON:-python3}"

DAEMONS=(clickhouse kafka alertmanager prometheus)

log() { printf 'services: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
	cat >&2 <<-EOF
		usage: $0 install|start|stop|restart|status [clickhouse|kafka|alertmanager|prometheus|chdb|all]
		       $0 env
	EOF
	exit 2
}

# ---------------------------------------------------------------- packages --

as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}

pkg_installed() {
	[[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

APT_UPDATED=0
# apt_ensure installs the Debian packages that are missing; when none is, it
# costs one dpkg-query per package.
apt_ensure() {
	local missing=() p
	for p in "$@"; do
		pkg_installed "$p" || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	log "apt-get install ${missing[*]}"
	if [[ $APT_UPDATED -eq 0 ]]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		APT_UPDATED=1
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >&2
}

# ------------------------------------------------------------ process control --

pidfile() { echo "$STATE/$1/pid"; }

# running_pid prints the pid of the service's live process. A pid is only
# trusted while its command line still names the service's state directory,
# so a recycled pid is never mistaken for (or signalled as) ours.
running_pid() {
	local f pid
	f="$(pidfile "$1")"
	[[ -f "$f" ]] || return 1
	pid="$(<"$f")"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	[[ -r "/proc/$pid/cmdline" ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$STATE/$1/" || return 1
	echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# spawn NAME CMD... starts CMD in its own session (so the caller's process
# group, a CI step or a test's shell, can end without taking it along) with
# stdout and stderr in $STATE/NAME/console.log. It must not inherit fd 9, the
# lock: a daemon holding it would block every later command.
spawn() {
	local name="$1"
	shift
	local dir="$STATE/$name"
	# shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
	setsid bash -c 'echo $$ >"$0"; exec "$@"' "$(pidfile "$name")" "$@" \
		</dev/null >>"$dir/console.log" 2>&1 9>&- &
	local i
	for ((i = 0; i < 50; i++)); do
		running_pid "$name" >/dev/null && return 0
		sleep 0.1
	done
	die "$name: process did not start; see $dir/console.log"
}

# wait_ready NAME PROBE LOG... polls PROBE until it succeeds, the process dies
# or OPSW_START_TIMEOUT passes; on failure it prints the tail of each LOG.
wait_ready() {
	local name="$1" probe="$2"
	shift 2
	local deadline=$((SECONDS + START_TIMEOUT)) why=""
	while true; do
		if ! running_pid "$name" >/dev/null; then
			why="exited during startup"
			break
		fi
		if "$probe"; then
			return 0
		fi
		if ((SECONDS >= deadline)); then
			why="not ready after ${START_TIMEOUT}s"
			break
		fi
		sleep 0.3
	done
	log "error: $name $why"
	local f
	for f in "$@"; do
		if [[ -s "$f" ]]; then
			log "---- last lines of $f"
			tail -n 30 "$f" >&2
		else
			log "---- $f: empty"
		fi
	done
	stop_daemon "$name" >/dev/null 2>&1 || true
	exit 1
}

# stop_daemon NAME sends SIGTERM, waits up to OPSW_STOP_TIMEOUT, then SIGKILL.
stop_daemon() {
	local name="$1" pid i
	if ! pid="$(running_pid "$name")"; then
		rm -f "$(pidfile "$name")"
		log "$name: not running"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name: still running ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	fi
	rm -f "$(pidfile "$name")"
	log "$name: stopped (pid $pid)"
}

# check_ports_free NAME PORT... refuses to start over a port someone else holds,
# since the probe would then succeed against the wrong server.
check_ports_free() {
	local name="$1" port
	shift
	for port in "$@"; do
		if port_open "$port"; then
			die "$name: port $port is in use by another process (not ours: no live pid in $(pidfile "$name")); stop it or set the port variable. Listener: $(ss -ltnpH "sport = :$port" 2>/dev/null || true)"
		fi
	done
}

# ----------------------------------------------------------------- clickhouse --

CH_DIR="$STATE/clickhouse"

clickhouse_install() {
	apt_ensure clickhouse-server curl
}

clickhouse_config() {
	mkdir -p "$CH_DIR"/{data,tmp,user_files,format_schemas,log}
	cat >"$CH_DIR/config.xml" <<-EOF
		<?xml version="1.0"?>
		<!-- Generated by scripts/services.sh; edits are overwritten on start. -->
		<yandex>
		  <logger>
		    <level>warning</level>
		    <log>$CH_DIR/log/server.log</log>
		    <errorlog>$CH_DIR/log/server.err.log</errorlog>
		    <size>100M</size>
		    <count>2</count>
		  </logger>
		  <http_port>$CH_HTTP_PORT</http_port>
		  <tcp_port>$CH_TCP_PORT</tcp_port>
		  <listen_host>127.0.0.1</listen_host>
		  <max_connections>512</max_connections>
		  <keep_alive_timeout>3</keep_alive_timeout>
		  <max_concurrent_queries>100</max_concurrent_queries>
		  <uncompressed_cache_size>268435456</uncompressed_cache_size>
		  <mark_cache_size>536870912</mark_cache_size>
		  <path>$CH_DIR/data/</path>
		  <tmp_path>$CH_DIR/tmp/</tmp_path>
		  <user_files_path>$CH_DIR/user_files/</user_files_path>
		  <format_schema_path>$CH_DIR/format_schemas/</format_schema_path>
		  <users_config>users.xml</users_config>
		  <default_profile>default</default_profile>
		  <default_database>default</default_database>
		  <timezone>UTC</timezone>
		  <mlock_executable>false</mlock_executable>
		  <max_session_timeout>3600</max_session_timeout>
		  <default_session_timeout>60</default_session_timeout>
		  <!-- The Kafka table engine (the ingest benchmark's peer) reads a
		       topic from its start when its group has no committed offset. -->
		  <kafka><auto_offset_reset>earliest</auto_offset_reset></kafka>
		</yandex>
	EOF
	cat >"$CH_DIR/users.xml" <<-EOF
		<?xml version="1.0"?>
		<!-- Generated by scripts/services.sh; edits are overwritten on start. -->
		<yandex>
		  <profiles>
		    <default>
		      <max_memory_usage>4000000000</max_memory_usage>
		      <load_balancing>random</load_balancing>
		    </default>
		  </profiles>
		  <users>
		    <default>
		      <password></password>
		      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
		      <profile>default</profile>
		      <quota>default</quota>
		    </default>
		  </users>
		  <quotas>
		    <default>
		      <interval>
		        <duration>3600</duration>
		        <queries>0</queries>
		        <errors>0</errors>
		        <result_rows>0</result_rows>
		        <read_rows>0</read_rows>
		        <execution_time>0</execution_time>
		      </interval>
		    </default>
		  </quotas>
		</yandex>
	EOF
}

clickhouse_ready() {
	[[ "$(curl -s --max-time 2 "http://127.0.0.1:$CH_HTTP_PORT/ping" 2>/dev/null)" == "Ok." ]]
}

clickhouse_start() {
	[[ -x /usr/sbin/clickhouse-server ]] || die "clickhouse: not installed; run: $0 install clickhouse"
	check_ports_free clickhouse "$CH_HTTP_PORT" "$CH_TCP_PORT"
	clickhouse_config
	spawn clickhouse /usr/sbin/clickhouse-server --config-file="$CH_DIR/config.xml"
	wait_ready clickhouse clickhouse_ready "$CH_DIR/console.log" "$CH_DIR/log/server.err.log"
}

clickhouse_url() { echo "127.0.0.1:$CH_TCP_PORT (http://127.0.0.1:$CH_HTTP_PORT)"; }

# ---------------------------------------------------------------------- kafka --

KAFKA_DIR="$STATE/kafka"
KAFKA_POM="$REPO/scripts/kafka/pom.xml"
KAFKA_LOG4J="$REPO/scripts/kafka/log4j2.xml"

sha() { cat "$@" | sha256sum | cut -c1-16; }

# kafka_java runs a class from the Kafka classpath with tool-sized memory,
# logging to tools.log instead of the console.
kafka_java() {
	java -Xmx256m -XX:TieredStopAtLevel=1 \
		-Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dopsw.kafka.log="$KAFKA_DIR/tools.log" \
		-cp "$KAFKA_DIR/lib/*" "$@"
}

kafka_install() {
	if ! command -v java >/dev/null; then
		apt_ensure openjdk-17-jre-headless
	fi
	local stamp
	stamp="$(sha "$KAFKA_POM")"
	if [[ -f "$KAFKA_DIR/lib/.stamp" && "$(<"$KAFKA_DIR/lib/.stamp")" == "$stamp" ]]; then
		return 0
	fi
	command -v mvn >/dev/null || apt_ensure maven
	log "kafka: fetching jars from Maven Central"
	mkdir -p "$KAFKA_DIR"
	rm -rf "$KAFKA_DIR/lib.new"
	if ! mvn -B -q -Dstyle.color=never -f "$KAFKA_POM" dependency:copy-dependencies \
		-DoutputDirectory="$KAFKA_DIR/lib.new" -DincludeScope=runtime >"$KAFKA_DIR/mvn.log" 2>&1; then
		tail -n 40 "$KAFKA_DIR/mvn.log" >&2
		die "kafka: fetching jars failed (full log: $KAFKA_DIR/mvn.log)"
	fi
	echo "$stamp" >"$KAFKA_DIR/lib.new/.stamp"
	# Swap whole directories: a broker running from the old jars keeps its
	# open files, and a failed fetch never leaves a half-filled lib/.
	rm -rf "$KAFKA_DIR/lib.old"
	[[ -d "$KAFKA_DIR/lib" ]] && mv "$KAFKA_DIR/lib" "$KAFKA_DIR/lib.old"
	mv "$KAFKA_DIR/lib.new" "$KAFKA_DIR/lib"
	rm -rf "$KAFKA_DIR/lib.old"
}

kafka_config() {
	mkdir -p "$KAFKA_DIR/data"
	cat >"$KAFKA_DIR/server.properties" <<-EOF
		# Generated by scripts/services.sh; edits are overwritten on start.
		process.roles=broker,controller
		node.id=1
		controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
		listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
		advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
		controller.listener.names=CONTROLLER
		inter.broker.listener.name=PLAINTEXT
		listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
		log.dirs=$KAFKA_DIR/data
		num.partitions=4
		auto.create.topics.enable=true
		delete.topic.enable=true
		message.max.bytes=2097152
		replica.fetch.max.bytes=2097152
		offsets.topic.replication.factor=1
		offsets.topic.num.partitions=8
		transaction.state.log.replication.factor=1
		transaction.state.log.min.isr=1
		share.coordinator.state.topic.replication.factor=1
		share.coordinator.state.topic.min.isr=1
		group.initial.rebalance.delay.ms=0
	EOF
	cat >"$KAFKA_DIR/probe.properties" <<-EOF
		request.timeout.ms=2000
		default.api.timeout.ms=4000
		connections.max.idle.ms=5000
	EOF
}

# kafka_format formats the log directory once; later starts (and restarts in
# chaos tests) reuse it, so topics and offsets survive.
kafka_format() {
	[[ -f "$KAFKA_DIR/data/meta.properties" ]] && return 0
	local id
	if [[ -s "$KAFKA_DIR/cluster.id" ]]; then
		id="$(<"$KAFKA_DIR/cluster.id")"
	else
		id="$(kafka_java kafka.tools.StorageTool random-uuid)"
		echo "$id" >"$KAFKA_DIR/cluster.id"
	fi
	log "kafka: formatting $KAFKA_DIR/data (cluster $id)"
	kafka_java kafka.tools.StorageTool format -t "$id" -c "$KAFKA_DIR/server.properties" >&2
}

kafka_ready() {
	port_open "$KAFKA_PORT" || return 1
	kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
		--command-config "$KAFKA_DIR/probe.properties" --list >/dev/null 2>&1
}

kafka_start() {
	[[ -f "$KAFKA_DIR/lib/.stamp" ]] || die "kafka: not installed; run: $0 install kafka"
	check_ports_free kafka "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
	kafka_config
	kafka_format
	spawn kafka java -Xms512m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
		-Djava.awt.headless=true -Dlog4j2.shutdownHookEnabled=false \
		-Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dopsw.kafka.log="$KAFKA_DIR/kafka.log" \
		-cp "$KAFKA_DIR/lib/*" kafka.Kafka "$KAFKA_DIR/server.properties"
	wait_ready kafka kafka_ready "$KAFKA_DIR/console.log" "$KAFKA_DIR/kafka.log"
}

kafka_url() { echo "127.0.0.1:$KAFKA_PORT"; }

# --------------------------------------------------------------- alertmanager --

AM_DIR="$STATE/alertmanager"
AM_BIN=/usr/bin/prometheus-alertmanager

alertmanager_install() { apt_ensure prometheus-alertmanager curl; }

alertmanager_config() {
	mkdir -p "$AM_DIR/data"
	cat >"$AM_DIR/alertmanager.yml" <<-EOF
		# Generated by scripts/services.sh; edits are overwritten on start.
		# Alerts are kept (API-visible) but delivered nowhere. finding_key makes
		# each opswarehouse finding its own group (docs/alerting.md).
		route:
		  receiver: "null"
		  group_by: ["alertname", "finding_key"]
		  group_wait: 1s
		  group_interval: 5s
		  repeat_interval: 1h
		receivers:
		  - name: "null"
	EOF
}

alertmanager_ready() {
	curl -sf --max-time 2 "http://127.0.0.1:$AM_PORT/-/ready" >/dev/null 2>&1
}

alertmanager_start() {
	[[ -x $AM_BIN ]] || die "alertmanager: not installed; run: $0 install alertmanager"
	check_ports_free alertmanager "$AM_PORT"
	alertmanager_config
	# An empty cluster address turns gossip off; it would otherwise bind :9094.
	spawn alertmanager "$AM_BIN" --config.file="$AM_DIR/alertmanager.yml" \
		--storage.path="$AM_DIR/data/" --web.listen-address="127.0.0.1:$AM_PORT" \
		--cluster.listen-address= --log.level=warn
	wait_ready alertmanager alertmanager_ready "$AM_DIR/console.log"
}

alertmanager_url() { echo "http://127.0.0.1:$AM_PORT"; }

# ----------------------------------------------------------------- prometheus --

PROM_DIR="$STATE/prometheus"
PROM_BIN=/usr/bin/prometheus

prometheus_install() { apt_ensure prometheus curl; }

prometheus_config() {
	mkdir -p "$PROM_DIR/data" "$PROM_DIR/rules"
	cat >"$PROM_DIR/prometheus.yml" <<-EOF
		# Generated by scripts/services.sh; edits are overwritten on start.
		global:
		  scrape_interval: 5s
		  evaluation_interval: 5s
		alerting:
		  alertmanagers:
		    - static_configs:
		        - targets: ["127.0.0.1:$AM_PORT"]
		rule_files:
		  - $PROM_DIR/rules/*.yml
		scrape_configs:
		  - job_name: prometheus
		    static_configs:
		      - targets: ["127.0.0.1:$PROM_PORT"]
	EOF
}

prometheus_ready() {
	curl -sf --max-time 2 "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1
}

prometheus_start() {
	[[ -x $PROM_BIN ]] || die "prometheus: not installed; run: $0 install prometheus"
	check_ports_free prometheus "$PROM_PORT"
	prometheus_config
	spawn prometheus "$PROM_BIN" --config.file="$PROM_DIR/prometheus.yml" \
		--storage.tsdb.path="$PROM_DIR/data/" --web.listen-address="127.0.0.1:$PROM_PORT" \
		--web.enable-lifecycle --web.enable-remote-write-receiver --log.level=warn
	wait_ready prometheus prometheus_ready "$PROM_DIR/console.log"
}

prometheus_url() { echo "http://127.0.0.1:$PROM_PORT"; }

# ----------------------------------------------------------------------- chdb --

PY_DIR="$STATE/py"
CHDB_REQUIREMENTS="$REPO/scripts/chdb/requirements.txt"
# pip's own HTTP cache stores nothing when the index (or a proxy in front of
# it) sends no caching headers, so the ~250 MB of wheels are kept here and
# installed offline; the default survives "rm -rf .services".
WHEELS="${OPSW_WHEELHOUSE:-$REPO/.cache/wheels}"

chdb_install() {
	local stamp
	stamp="$(sha "$CHDB_REQUIREMENTS")"
	if [[ -x "$PY_DIR/bin/python" && -f "$PY_DIR/.stamp" && "$(<"$PY_DIR/.stamp")" == "$stamp" ]]; then
		return 0
	fi
	if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
		apt_ensure python3-venv
	fi
	if [[ ! -x "$PY_DIR/bin/python" ]]; then
		log "chdb: creating $PY_DIR"
		"$PYTHON" -m venv "$PY_DIR"
	fi
	# --no-compile: byte-compiling ~900 MB of site-packages takes longer than
	# the install itself, and imports compile what they need.
	local pip=("$PY_DIR/bin/pip" install -q --no-compile --no-index --find-links "$WHEELS" -r "$CHDB_REQUIREMENTS")
	if ! "${pip[@]}" >/dev/null 2>&1; then
		log "chdb: downloading wheels for scripts/chdb/requirements.txt into $WHEELS"
		mkdir -p "$WHEELS"
		"$PY_DIR/bin/pip" download -q -d "$WHEELS" -r "$CHDB_REQUIREMENTS" >&2
		"${pip[@]}" >&2
	fi
	"$PY_DIR/bin/python" -c 'import chdb; print("chdb: ClickHouse", chdb.query("SELECT version()", "CSV").bytes().decode().strip())' >&2
	echo "$stamp" >"$PY_DIR/.stamp"
}

# ------------------------------------------------------------------- commands --

services_for() {
	local what="${1:-all}" cmd="$2"
	case "$what" in
	all) if [[ $cmd == install ]]; then echo "${DAEMONS[*]} chdb"; else echo "${DAEMONS[*]}"; fi ;;
	clickhouse | kafka | alertmanager | prometheus) echo "$what" ;;
	chdb)
		[[ $cmd == install ]] || die "chdb runs in process: it has install only"
		echo chdb
		;;
	*) usage ;;
	esac
}

cmd_start() {
	local name="$1" pid
	if pid="$(running_pid "$name")"; then
		log "$name: already running (pid $pid) at $("${name}_url")"
		return 0
	fi
	mkdir -p "$STATE/$name"
	local t0=$SECONDS
	"${name}_start"
	log "$name: ready at $("${name}_url") (pid $(running_pid "$name"), $((SECONDS - t0))s)"
}

cmd_status() {
	local name="$1" pid probe=ready
	if pid="$(running_pid "$name")"; then
		"${name}_ready" || probe="NOT answering"
		printf '%-13s running (pid %s), %s at %s\n' "$name" "$pid" "$probe" "$("${name}_url")"
		[[ $probe == ready ]]
	else
		printf '%-13s stopped\n' "$name"
		return 1
	fi
}

cmd_env() {
	cat <<-EOF
		export OPSW_CLICKHOUSE_ADDR=127.0.0.1:$CH_TCP_PORT
		export OPSW_CLICKHOUSE_HTTP_URL=http://127.0.0.1:$CH_HTTP_PORT
		export OPSW_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
		export OPSW_ALERTMANAGER_URL=http://127.0.0.1:$AM_PORT
		export OPSW_PROMETHEUS_URL=http://127.0.0.1:$PROM_PORT
		export OPSW_CHDB_PYTHON=$PY_DIR/bin/python
	EOF
}

# with_lock serialises commands that change state, so two shells (or two
# test packages) starting services at once do not race on pid files.
with_lock() {
	mkdir -p "$STATE"
	exec 9>"$STATE/.lock"
	flock 9
	"$@"
}

main() {
	local cmd="${1:-}" name svcs rc=0
	[[ $# -le 2 ]] || usage
	case "$cmd" in
	env)
		cmd_env
		return 0
		;;
	install | start | stop | restart | status) ;;
	*) usage ;;
	esac
	svcs="$(services_for "${2:-all}" "$cmd")"
	for name in $svcs; do
		case "$cmd" in
		install) with_lock "${name}_install" ;;
		start) with_lock cmd_start "$name" ;;
		stop) with_lock stop_daemon "$name" ;;
		restart)
			with_lock stop_daemon "$name"
			with_lock cmd_start "$name"
			;;
		status) cmd_status "$name" || rc=3 ;;
		esac
	done
	[[ $cmd == install ]] && log "installed: $svcs"
	return $rc
}

main "$@"
