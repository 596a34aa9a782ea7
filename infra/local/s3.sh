#!/usr/bin/env bash
# The local S3 server: S3Proxy over a directory, on 127.0.0.1:9000, data under $OA_HOME/s3.
# S3Proxy enforces what the archive relies on: a conditional PUT (If-None-Match: *) is refused with
# 412 when the key exists, also under races and on CompleteMultipartUpload, and x-amz-checksum-sha256
# is verified (a wrong digest is refused). It answers 501 to Object Lock; that path is tested against
# Ceph's RADOS Gateway (ceph.sh). The jar is resolved from Maven Central with mvn; nothing is vendored.
#   s3.sh start | stop | status
# Environment: S3_PORT, S3_DATA_DIR, S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY (the identity the
# server accepts; the services' defaults match), S3_PIDFILE.
source "$(dirname "$0")/lib.sh"

S3PROXY_VERSION=4.1.0
S3PROXY_JAR="$OA_HOME/s3proxy-$S3PROXY_VERSION/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
PORT="${S3_PORT:-9000}"
DATA_DIR="${S3_DATA_DIR:-$OA_HOME/s3}"
IDENTITY="${S3_ACCESS_KEY_ID:-oa-archive-local}"
CREDENTIAL="${S3_SECRET_ACCESS_KEY:-oa-archive-local-secret}"
PIDFILE="${S3_PIDFILE:-$OA_HOME/run/s3.pid}"

resolve_jar() {
  [ -f "$S3PROXY_JAR" ] && return 0
  ensure_maven
  log "resolving S3Proxy $S3PROXY_VERSION from Maven Central"
  local dir partial
  dir=$(dirname "$S3PROXY_JAR")
  partial="$dir.partial"
  rm -rf "$partial"
  # Maven's output goes to stderr; a project-less goal, so no pom is needed.
  (cd "$OA_HOME" && mvn -q -B -Dstyle.color=never dependency:copy \
    "-Dartifact=org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" "-DoutputDirectory=$partial") >&2
  rm -rf "$dir"
  mv "$partial" "$dir"
}

start() {
  if port_open 127.0.0.1 "$PORT"; then log "S3 server already answers on 127.0.0.1:$PORT"; return 0; fi
  # One start at a time: parallel callers (tests) wait for the first, then find the port open.
  mkdir -p "$DATA_DIR" "$(dirname "$PIDFILE")"
  exec 8>"$DATA_DIR.lock"
  flock 8
  if port_open 127.0.0.1 "$PORT"; then log "S3 server already answers on 127.0.0.1:$PORT"; return 0; fi
  resolve_jar
  local properties="$DATA_DIR.properties"
  (umask 077 && cat >"$properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$IDENTITY
s3proxy.credential=$CREDENTIAL
jclouds.provider=filesystem-nio2
jclouds.identity=$IDENTITY
jclouds.credential=$CREDENTIAL
jclouds.filesystem.basedir=$DATA_DIR
PROPS
  )
  log "starting S3Proxy $S3PROXY_VERSION on 127.0.0.1:$PORT (data in $DATA_DIR)"
  # Object keys become file names in its filesystem store: under the POSIX locale (a shell or CI job
  # without LANG) Java cannot encode 关于….pdf and S3Proxy answers 400 InvalidRequest for such keys.
  LC_ALL=C.UTF-8 nohup java -Dfile.encoding=UTF-8 -Dsun.jnu.encoding=UTF-8 -Xms64m -Xmx512m -XX:+UseSerialGC -jar "$S3PROXY_JAR" --properties "$properties" \
    >"$OA_HOME/logs/s3-$PORT.log" 2>&1 </dev/null 8>&- &
  echo $! >"$PIDFILE"
  wait_for_port 127.0.0.1 "$PORT" 60 "S3 server"
  log "S3 server is up (pid $(cat "$PIDFILE"))"
}

stop() {
  if stop_pidfile "$PIDFILE" 10 java; then log "S3 server stopped"; fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) port_open 127.0.0.1 "$PORT" && echo "S3: up on 127.0.0.1:$PORT" || { echo "S3: down"; exit 1; } ;;
  *) die "usage: s3.sh start|stop|status" ;;
esac
