#!/usr/bin/env bash
# The main job on one machine: bring up Kafka, Redis, PostgreSQL and the S3 server; start intake,
# the worker and the OA simulator; have the simulator publish a batch of finalized documents; wait
# for each to be filed and print where it went. Services keep running afterwards (down.sh stops them).
#   DEMO_COUNT=16 DEMO_SEED=<n> ./infra/local/demo.sh
source "$(dirname "$0")/lib.sh"
bash "$REPO_ROOT/infra/local/up.sh"
ensure_node
cd "$REPO_ROOT"
bash infra/local/services.sh start

count="${DEMO_COUNT:-16}"
seed="${DEMO_SEED:-$(date +%s)}"
log "the OA simulator publishes $count finalized documents (seed $seed)"
node services/oa-simulator/src/main.ts publish --count "$count" --seed "$seed" >"$OA_HOME/run/published.jsonl"
log "waiting for the pipeline to file them"
status=0
pnpm -s archive await --timeout 180 <"$OA_HOME/run/published.jsonl" || status=$?
# One admin token for the local console, created once and kept beside the other run files.
token_file="$OA_HOME/run/console-admin.token"
if [ ! -s "$token_file" ]; then
  (umask 077 && pnpm -s archive token create --name local-admin --role admin 2>/dev/null >"$token_file")
fi

cat <<TEXT

The console: http://127.0.0.1:${CONSOLE_PORT:-8080} — log in with the admin token in $token_file

Where to look next:
  pnpm archive ingests            every ingest and where it was filed
  pnpm archive show <document>    one document: components, stage runs, audit events
  pnpm archive audit verify       recompute the audit chain and cross-check the archive
  logs                            $OA_HOME/logs/{intake,worker,console,oa-simulator,kafka,s3}.log
  stop everything                 bash infra/local/down.sh
TEXT
exit $status
