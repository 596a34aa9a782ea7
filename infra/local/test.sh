#!/usr/bin/env bash
# The test command. On a fresh machine it installs what is missing (Node 24, pnpm, packages, Kafka
# jars, Debian packages), brings up the local infrastructure, then runs the circular-import check,
# typecheck, lint and every test (unit, integration, end-to-end) against the real services.
source "$(dirname "$0")/lib.sh"
# The bootstrap test installs Node and pnpm again from nothing with the PATH the machine gave us.
export OA_MACHINE_PATH="${OA_MACHINE_PATH:-$PATH}"
bash "$REPO_ROOT/infra/local/up.sh"
bash "$REPO_ROOT/infra/local/ceph.sh" start
ensure_node
cd "$REPO_ROOT"
pnpm check:cycles
pnpm turbo run typecheck lint --output-logs=errors-only
report="$OA_HOME/vitest-report.json"
rm -f "$report"
status=0
pnpm vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
if [ -f "$report" ]; then
  node -e 'const r = require(process.argv[1]); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$report"
fi
exit $status
