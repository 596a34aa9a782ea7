#!/usr/bin/env bash
# The archive's own processes in the background: intake, worker, the OA simulator's file server, the
# console and the gateway (push API, middle-table poller, package drops).
#   services.sh start | stop
source "$(dirname "$0")/lib.sh"

SERVICES=(intake worker oa-simulator console gateway)
# What a Node process is called in /proc: Node 24 names its main thread MainThread.
NODE_NAMES='node|MainThread'
# The simulator plays the six OA systems of services/gateway/sources.local.yaml; intake and the fetch
# stage must know each: the four that hand over URLs have their files served on :8088 with the
# simulator's token; the two that drop packages have them staged by the gateway in the staging bucket.
if [ -z "${OA_SOURCES:-}" ]; then
  simulator_origin='{"allowedOrigins":["http://127.0.0.1:8088"],"token":"local-simulator-token"}'
  staged() { echo "{\"allowedS3Prefixes\":[\"s3://${S3_STAGING_BUCKET:-oa-staging}/oa-packages/$1/\"]}"; }
  export OA_SOURCES="{\"oa-simulator\":$simulator_origin,\"oa-sim-json\":$simulator_origin,\"oa-sim-xml\":$simulator_origin,\"oa-sim-table\":$simulator_origin,\"oa-sim-drop\":$(staged oa-sim-drop),\"oa-sim-eep\":$(staged oa-sim-eep)}"
fi
# What the simulated OA finalized, shared by its commands and its file server (GET /finalized).
export SIMULATOR_LEDGER="${SIMULATOR_LEDGER:-$OA_HOME/run/oa-simulator-finalized.jsonl}"
args_of() {
  case "$1" in
    intake) echo "services/intake/src/main.ts" ;;
    worker) echo "services/worker/src/main.ts" ;;
    oa-simulator) echo "services/oa-simulator/src/main.ts serve" ;;
    console) echo "services/console/src/main.ts" ;;
    gateway) echo "services/gateway/src/main.ts" ;;
  esac
}

start() {
  ensure_node
  cd "$REPO_ROOT"
  # The worker scans every component (CLAMAV_MODE=clamd is its default); without clamd documents would
  # only wait for it. Started on the project's own signature database (clamav.sh).
  if [ "${CLAMAV_MODE:-clamd}" = clamd ]; then bash "$REPO_ROOT/infra/local/clamav.sh" start; fi
  local name pidfile
  for name in "${SERVICES[@]}"; do
    pidfile="$OA_HOME/run/$name.pid"
    if pid_running "$pidfile" "$NODE_NAMES"; then
      log "$name already running (pid $(cat "$pidfile"))"
      continue
    fi
    # shellcheck disable=SC2046
    nohup node $(args_of "$name") >>"$OA_HOME/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    log "started $name (pid $(cat "$pidfile"), log $OA_HOME/logs/$name.log)"
  done
  wait_for_port 127.0.0.1 "${SIMULATOR_PORT:-8088}" 20 "OA simulator"
  wait_for_port 127.0.0.1 "${CONSOLE_PORT:-8080}" 30 "console"
  wait_for_port 127.0.0.1 "${GATEWAY_PORT:-8090}" 30 "gateway"
}

stop() {
  local name
  for name in "${SERVICES[@]}"; do
    if stop_pidfile "$OA_HOME/run/$name.pid" 20 "$NODE_NAMES"; then log "stopped $name"; fi
  done
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: services.sh start|stop" ;;
esac
