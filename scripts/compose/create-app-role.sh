#!/usr/bin/env bash
# Run by the postgres image on its first start (an empty data volume), from
# /docker-entrypoint-initdb.d (docker-compose.yml): creates the API's database role. Its
# privileges are granted after every migration run by scripts/db-grants.sql (the `grants`
# service). On a volume created before this file existed, run the same statement by hand
# (DEPLOYMENT.md, "Database roles").
if [ -z "${POSTGRES_APP_PASSWORD:-}" ]; then
  echo "POSTGRES_APP_PASSWORD is not set: cannot create the role pos_app" >&2
  exit 1
fi
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=app_password="$POSTGRES_APP_PASSWORD" <<'SQL' || exit 1
CREATE ROLE pos_app LOGIN PASSWORD :'app_password';
SQL
