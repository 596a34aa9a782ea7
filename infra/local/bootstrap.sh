#!/usr/bin/env bash
# Installs Node 24 LTS and pnpm 10 under $OA_ARCHIVE_HOME (default ~/.cache/oa-archive) when the
# machine lacks them, without running any package's install script, and says which ones it uses.
# Every other script calls the same ensure_node; this one exists so a person (or the bootstrap test)
# can run that step alone. Idempotent: a second run installs nothing.
source "$(dirname "$0")/lib.sh"
ensure_node
printf 'node %s %s\n' "$(node --version)" "$(command -v node)"
printf 'pnpm %s %s\n' "$(pnpm --version)" "$(command -v pnpm)"
