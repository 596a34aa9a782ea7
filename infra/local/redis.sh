#!/usr/bin/env bash
# Redis for BullMQ on 127.0.0.1:6379: the machine's if it answers, else Debian's redis-server.
source "$(dirname "$0")/lib.sh"
PORT="${REDIS_PORT:-6379}"

if ! port_open 127.0.0.1 "$PORT"; then
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting redis-server on 127.0.0.1:$PORT"
  mkdir -p "$OA_HOME/redis"
  # BullMQ needs noeviction: an evicted key is a lost job.
  redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no \
    --maxmemory-policy noeviction --dir "$OA_HOME/redis" --logfile "$OA_HOME/logs/redis.log" \
    --pidfile "$OA_HOME/run/redis.pid"
  wait_for_port 127.0.0.1 "$PORT" 20 Redis
fi
if command -v redis-cli >/dev/null; then
  policy=$(redis-cli -h 127.0.0.1 -p "$PORT" config get maxmemory-policy | tail -n 1)
  [ "$policy" = noeviction ] || log "warning: Redis maxmemory-policy is $policy; BullMQ needs noeviction"
fi
log "Redis answers on 127.0.0.1:$PORT"
