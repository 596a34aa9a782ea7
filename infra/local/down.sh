#!/usr/bin/env bash
# Stops what these scripts started (services, S3 server, Kafka, clamd, the Ceph test cluster). A PostgreSQL or Redis that was
# already running on the machine is left alone.
source "$(dirname "$0")/lib.sh"
here="$(dirname "$0")"
bash "$here/services.sh" stop
bash "$here/s3.sh" stop
bash "$here/kafka.sh" stop
bash "$here/clamav.sh" stop
bash "$here/ceph.sh" stop
stop_pidfile "$OA_HOME/run/redis.pid" 10 redis-server || true
