#!/bin/sh
# The API's read-only role with a password, created before migration 0016 (which then
# only grants to it): over the compose network the server asks every role for one.
set -eu
psql -v ON_ERROR_STOP=1 -v pw="${API_DB_PASSWORD:?set API_DB_PASSWORD}" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
select format('create role grid_intel_api login password %L', :'pw')
where not exists (select from pg_roles where rolname = 'grid_intel_api')
\gexec
SQL
