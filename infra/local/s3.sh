#!/usr/bin/env bash
# The local S3-compatible server (s3rver) on 127.0.0.1:9000; data under $OA_HOME/s3.
#   s3.sh start | stop
source "$(dirname "$0")/lib.sh"
PORT="${S3_PORT:-9000}"
PIDFILE="$OA_HOME/run/s3.pid"

case "${1:-start}" in
  start)
    if port_open 127.0.0.1 "$PORT"; then log "S3 server already answers on 127.0.0.1:$PORT"; exit 0; fi
    ensure_node
    mkdir -p "$OA_HOME/s3"
    log "starting s3rver on 127.0.0.1:$PORT"
    nohup node "$REPO_ROOT/packages/storage/bin/s3-server.ts" --port "$PORT" --directory "$OA_HOME/s3" \
      >"$OA_HOME/logs/s3.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    wait_for_port 127.0.0.1 "$PORT" 30 "S3 server"
    log "S3 server is up (pid $(cat "$PIDFILE"))"
    ;;
  stop)
    if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; log "S3 server stopped"; fi
    ;;
  *) die "usage: s3.sh start|stop" ;;
esac
