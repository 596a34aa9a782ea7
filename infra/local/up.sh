#!/usr/bin/env bash
# Makes every dependency answer on loopback, starting only what does not answer already.
source "$(dirname "$0")/lib.sh"
here="$(dirname "$0")"
ensure_node
ensure_packages
bash "$here/tools.sh"
bash "$here/clamav.sh" start
bash "$here/postgres.sh"
bash "$here/redis.sh"
bash "$here/kafka.sh" start
bash "$here/s3.sh" start
bash "$here/validators.sh"
