-- The archive's PostgreSQL account, least privilege: a login role that owns one schema in one database
-- and nothing else (no superuser, no CREATEDB, no CREATEROLE, no replication, no row-security bypass).
-- The services apply the catalog's migrations themselves when they start (one at a time, under an
-- advisory lock), so the role owns the schema its tables live in.
--
-- Run as a superuser (or the database's owner with CREATEROLE), once per database, e.g.
--   psql -v ON_ERROR_STOP=1 -v database=oa_archive -v schema=archive -v app_role=archive_app \
--        -v app_password="$ARCHIVE_APP_PASSWORD" -v app_connection_limit=290 -f postgres-roles.sql
-- Running it again sets the password and limit again and changes nothing else.

SELECT format('CREATE ROLE %I LOGIN', :'app_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"app_role" WITH LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  CONNECTION LIMIT :app_connection_limit;

-- Only the archive's role (and superusers) may connect to the archive's database.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"app_role";

\connect :"database"
-- Nobody else creates objects in public; the archive's tables go to its own schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"app_role";
ALTER ROLE :"app_role" IN DATABASE :"database" SET search_path = :"schema";
-- pg_trgm for the search index (docs/search.md, migration 018): creating an extension needs CREATE on
-- the database, which the role does not have, so it is made here, into the role's schema; the
-- migration's CREATE EXTENSION IF NOT EXISTS then finds it. The database's ctype must call Chinese
-- characters alphanumeric (C.UTF-8, zh_CN.UTF-8), or pg_trgm ignores them.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA :"schema";
