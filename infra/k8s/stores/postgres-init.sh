#!/bin/sh
# First start of the evaluation PostgreSQL (docker-entrypoint-initdb.d): the archive's own account,
# least privilege, from postgres-roles.sql. The superuser's password never leaves this container.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v database="$POSTGRES_DB" -v schema=archive -v app_role=archive_app \
  -v app_password="$ARCHIVE_APP_PASSWORD" -v app_connection_limit="${ARCHIVE_APP_CONNECTION_LIMIT:-290}" \
  -f /archive/postgres-roles.sql
