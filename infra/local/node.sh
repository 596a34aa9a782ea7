#!/usr/bin/env bash
# Runs a TypeScript entry point on Node 24 (installing it first if the machine's Node is older), so
# `pnpm archive …` works in any shell, not only in one that has Node 24 on its PATH.
source "$(dirname "$0")/lib.sh"
ensure_node
exec node "$@"
