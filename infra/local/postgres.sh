#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:5432 for the catalog and audit trail: the machine's if it answers, else
# Debian's, configured for local development (trust on loopback only). Creates the oa_archive database.
source "$(dirname "$0")/lib.sh"
PORT="${PGPORT:-5432}"
DATABASE="${OA_DATABASE:-oa_archive}"

command -v psql >/dev/null || apt_install postgresql-client
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    pg_createcluster "$version" main >/dev/null
  fi
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q 'oa-archive local development' "$hba"; then
    sed -i '1i # oa-archive local development: trust on loopback only\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for ((i = 0; i < 60; i++)); do pg_isready -q -h 127.0.0.1 -p "$PORT" && break; sleep 0.5; done
  pg_isready -q -h 127.0.0.1 -p "$PORT" || die "PostgreSQL did not start (see /var/log/postgresql/)"
fi
if ! psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE $DATABASE" >/dev/null
  log "created database $DATABASE"
fi
log "PostgreSQL answers on 127.0.0.1:$PORT (database $DATABASE)"
