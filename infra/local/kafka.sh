#!/usr/bin/env bash
# A real Apache Kafka broker in KRaft single-node (combined) mode, without Docker.
# The jars are resolved from Maven Central with mvn into $OA_HOME; nothing is vendored.
#   kafka.sh start | stop | status
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), and for a second broker beside the
# shared one (the fault-injection suite runs its own): KAFKA_DATA_DIR, KAFKA_PIDFILE, KAFKA_LOG_FILE.
source "$(dirname "$0")/lib.sh"

KAFKA_VERSION=4.3.1
KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_LIBS="$OA_HOME/kafka-$KAFKA_VERSION/libs"
KAFKA_DATA="${KAFKA_DATA_DIR:-$OA_HOME/kafka-data}"
PIDFILE="${KAFKA_PIDFILE:-$OA_HOME/run/kafka.pid}"
LOG_FILE="${KAFKA_LOG_FILE:-$OA_HOME/logs/kafka.log}"

resolve_jars() {
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] && return 0
  ensure_maven
  log "resolving Kafka $KAFKA_VERSION jars from Maven Central"
  mvn -q -B -f "$REPO_ROOT/infra/local/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS.partial" -DincludeScope=runtime
  mv "$KAFKA_LIBS.partial" "$KAFKA_LIBS"
}

write_config() {
  mkdir -p "$KAFKA_DATA"
  cat >"$KAFKA_DATA/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$KAFKA_HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA/logs
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
  cat >"$KAFKA_DATA/log4j2.yaml" <<'YAML'
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        Pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
YAML
}

JAVA_ARGS=(-Xms256m -Xmx768m -XX:+UseG1GC "-Dlog4j2.configurationFile=$KAFKA_DATA/log4j2.yaml" -cp "$KAFKA_LIBS/*")
java_run() { java "${JAVA_ARGS[@]}" "$@"; }

start() {
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    log "Kafka already answers on $KAFKA_HOST:$KAFKA_PORT"
    return 0
  fi
  resolve_jars
  write_config
  if [ ! -f "$KAFKA_DATA/logs/meta.properties" ]; then
    local cluster_id
    cluster_id=$(java_run kafka.tools.StorageTool random-uuid | tail -n 1)
    java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DATA/server.properties" --standalone >/dev/null
  fi
  log "starting Kafka $KAFKA_VERSION (KRaft) on $KAFKA_HOST:$KAFKA_PORT"
  mkdir -p "$(dirname "$PIDFILE")" "$(dirname "$LOG_FILE")"
  nohup java "${JAVA_ARGS[@]}" kafka.Kafka "$KAFKA_DATA/server.properties" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  wait_for_port "$KAFKA_HOST" "$KAFKA_PORT" 90 Kafka
  log "Kafka is up (pid $(cat "$PIDFILE"))"
}

stop() {
  [ -f "$PIDFILE" ] || { log "Kafka was not started by these scripts"; return 0; }
  log "stopping Kafka (pid $(cat "$PIDFILE"))"
  # A controlled shutdown flushes the log; give it time before forcing.
  stop_pidfile "$PIDFILE" 30 java || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) port_open "$KAFKA_HOST" "$KAFKA_PORT" && echo "Kafka: up on $KAFKA_HOST:$KAFKA_PORT" || { echo "Kafka: down"; exit 1; } ;;
  *) die "usage: kafka.sh start|stop|status" ;;
esac
