#!/usr/bin/env bash
# The main job on one machine: bring up Kafka, Redis, PostgreSQL and the S3 server; start intake,
# the worker, the gateway and the OA simulator; have the simulator hand over documents every way an OA
# can — a batch published to Kafka, pushes (JSON and XML), middle-table rows, folder and EEP packages
# dropped into S3 — wait for each to be filed and print where it went, then check completeness
# (应归尽归) against a document the OA finalized and never sent. Services keep running afterwards
# (down.sh stops them).
#   DEMO_COUNT=16 DEMO_SEED=<n> ./infra/local/demo.sh
source "$(dirname "$0")/lib.sh"
bash "$REPO_ROOT/infra/local/up.sh"
ensure_node
cd "$REPO_ROOT"
bash infra/local/services.sh start

count="${DEMO_COUNT:-16}"
seed="${DEMO_SEED:-$(date +%s)}"
# The simulator's commands and its file server share what the OA finalized (GET /finalized).
export SIMULATOR_LEDGER="${SIMULATOR_LEDGER:-$OA_HOME/run/oa-simulator-finalized.jsonl}"
simulator() { node services/oa-simulator/src/main.ts "$@"; }
handed="$OA_HOME/run/handed-over.jsonl"
log "the OA simulator publishes $count finalized documents to Kafka (seed $seed)"
simulator publish --count "$count" --seed "$seed" >"$handed"
# The other ways in, a few documents each, numbered after the Kafka batch so every route has its own.
first=$((count + 1))
log "… pushes 3 as JSON and 3 as XML to the gateway, writes 3 middle-table rows, drops 2 folder and 2 EEP packages"
simulator push --shape json --count 3 --seed "$seed" --first "$first" >>"$handed"
simulator push --shape xml --count 3 --seed "$seed" --first $((first + 3)) >>"$handed"
simulator table --count 3 --seed "$seed" --first $((first + 6)) >>"$handed"
simulator drop --shape folder --count 2 --seed "$seed" --first $((first + 9)) >>"$handed"
simulator drop --shape eep --count 2 --seed "$seed" --first $((first + 11)) >>"$handed"
# A document the OA finalizes and never sends: the completeness check below must find it.
simulator gap --source oa-sim-json --count 1 --seed "$seed" --first $((first + 13)) >"$OA_HOME/run/gap.jsonl"
# Every kind of outcome in the batch, whatever the seed: a dry run of the schedule over the documents
# that follow picks the first the archive would quarantine (秘密), leave unfiled and send to review,
# and the simulator publishes those too.
candidates="$OA_HOME/run/demo-candidates.jsonl"
simulator events --count 120 --seed "$seed" --first $((first + 14)) | pnpm -s archive classify >"$candidates" 2>/dev/null || true
for outcome in QUARANTINE EXCLUDE REVIEW; do
  index=$(grep -m1 "\"outcome\":\"$outcome\"" "$candidates" | sed -n 's/.*"documentId":"SIM-[0-9]*-0*\([0-9][0-9]*\)".*/\1/p')
  if [ -n "$index" ]; then
    simulator publish --count 1 --seed "$seed" --first "$index" >>"$handed"
  else
    log "no document among the next 120 of seed $seed would be $outcome; the batch may lack that outcome"
  fi
done
log "two departments hand over late: 综合科 (ZHK) weeks and 人事科 (RSK) months after their workflows ended (console: 归档及时性)"
log "waiting for the pipeline to file them"
status=0
pnpm -s archive await --timeout 240 <"$handed" || status=$?
# The simulator dates documents in the last days (late departments: up to months back): check from 2025 to tomorrow.
log "completeness (应归尽归): what oa-sim-json finalized against what the archive received (one planted gap)"
pnpm -s archive reconcile --source oa-sim-json --since 2025-01-01T00:00:00+08:00 --until "$(date -u -d tomorrow +%Y-%m-%d)" || true
# One admin token for the local console, created once and kept beside the other run files.
token_file="$OA_HOME/run/console-admin.token"
if [ ! -s "$token_file" ]; then
  (umask 077 && pnpm -s archive token create --name local-admin --role admin 2>/dev/null >"$token_file")
fi

cat <<TEXT

The console: http://127.0.0.1:${CONSOLE_PORT:-8080} — log in with the admin token in $token_file

Where to look next:
  pnpm archive ingests            every ingest and where it was filed
  pnpm archive reconcile --source S --since T --until T
                                  what an OA finalized that the archive never received (console: Completeness)
  pnpm archive show <document>    one document: components, stage runs, audit events
  pnpm archive audit verify       recompute the audit chain and cross-check the archive
  logs                            $OA_HOME/logs/{intake,worker,console,oa-simulator,kafka,s3}.log
  stop everything                 bash infra/local/down.sh
TEXT
exit $status
