#!/usr/bin/env bash
# Replaces the database of DATABASE_URL with a backup made by scripts/backup.sh.
#
#   DATABASE_URL=postgres://owner:password@host:5432/pos scripts/restore.sh [--yes] [--no-migrate] FILE
#   (or: npm run restore -- [--yes] FILE)
#
#   --yes         do not ask for confirmation (scripts, automation)
#   --no-migrate  do not run the migrations afterwards (when no Node.js is at hand: run the
#                 deployment's migrate step before starting the API)
#
# 1. FILE must be a pg_dump custom-format archive (`pg_restore --list` reads it), else nothing
#    is touched.
# 2. Asks for confirmation: type the database name (or pass --yes).
# 3. Restores into a scratch database <name>_restoring on the same server (in one transaction)
#    and applies pending migrations there: while that runs, the current database is untouched,
#    and a failure leaves it as it was.
# 4. Closes the database to new connections, terminates the open ones, renames it to
#    <name>_previous and the scratch database in its place, then drops the previous one; the
#    database is away for well under a second. If anything stops the swap half-way, the exit
#    trap renames the previous database back.
#
# Run it as the role that owns the database (the migration role) with CREATEDB, or a superuser,
# connecting to the server's maintenance database (RESTORE_MAINTENANCE_DB, default `postgres`).
# Objects come back owned by that role; privileges are not restored: re-apply scripts/db-grants.sql
# when the API uses its own role (set DB_APP_ROLE and this script does it).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
# shellcheck source=scripts/pg-common.sh
source "$here/pg-common.sh"

usage() {
  echo "usage: DATABASE_URL=postgres://… $0 [--yes] [--no-migrate] BACKUP_FILE" >&2
  exit 2
}

assume_yes=false
migrate=true
file=''
for argument in "$@"; do
  case $argument in
    --yes | -y) assume_yes=true ;;
    --no-migrate) migrate=false ;;
    -h | --help) usage ;;
    -*) echo "unknown option: $argument" >&2 && usage ;;
    *)
      [[ -z $file ]] || usage
      file=$argument
      ;;
  esac
done
[[ -n $file ]] || usage
[[ -f $file && -r $file ]] || die "$file: no such readable file"
[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set: the database to replace"
require_command pg_restore
require_command psql
parse_database_url "$DATABASE_URL"

# 1. A valid archive, before anything else.
if ! toc=$(pg_restore --list -- "$file" 2>&1); then
  die "$file is not a valid backup: pg_restore cannot read it as a pg_dump custom-format archive (${toc##*$'\n'}). Nothing was changed."
fi

target=$PG_DATABASE
scratch="${target}_restoring"
previous="${target}_previous"
maintenance_db=${RESTORE_MAINTENANCE_DB:-postgres}
[[ $target != "$maintenance_db" ]] ||
  die "cannot replace '$target': it is the maintenance database this script connects to (set RESTORE_MAINTENANCE_DB to another one)"
maintenance_url=$(pg_url_for "$maintenance_db")
server=${PG_HOSTPORT:-local socket}
sql() {
  PGOPTIONS='-c client_min_messages=warning' psql --dbname="$maintenance_url" --no-password --quiet --no-psqlrc --set=ON_ERROR_STOP=1 \
    --set=target="$target" --set=scratch="$scratch" --set=previous="$previous" "$@"
}

echo "Backup:   $file"
grep -E '^;[[:space:]]+(Archive created at|dbname:|Dumped from database version)' <<<"$toc" |
  sed -E 's/^;[[:space:]]+/          /' || true
echo "Replaces: database '$target' on $server"
sql --tuples-only --no-align <<'SQL' | sed 's/^/          /'
SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_database WHERE datname = :'target')
            THEN format('currently %s, %s open connection(s)',
                        pg_size_pretty(pg_database_size(:'target')),
                        (SELECT count(*) FROM pg_stat_activity WHERE datname = :'target'))
            ELSE 'does not exist yet: it will be created' END;
SQL

# 2. Confirmation.
if ! $assume_yes; then
  [[ -t 0 ]] || die "not confirmed: run it in a terminal, or pass --yes. Nothing was changed."
  read -r -p "Everything in '$target' on $server will be replaced. Type the database name to go on: " answer
  [[ $answer == "$target" ]] || die "not confirmed. Nothing was changed."
fi

swapped=false
# Stopped before the new database was in place: put the current one back if the swap had moved
# it aside, let clients connect to it again, and drop the scratch database.
on_exit() {
  local status=$?
  if ! $swapped; then
    sql >/dev/null 2>&1 <<'SQL' || true
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'target')
   AND EXISTS (SELECT 1 FROM pg_database WHERE datname = :'previous') AS put_back \gset
\if :put_back
ALTER DATABASE :"previous" RENAME TO :"target";
\endif
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'target') AS target_exists \gset
\if :target_exists
ALTER DATABASE :"target" ALLOW_CONNECTIONS true;
\endif
DROP DATABASE IF EXISTS :"scratch" WITH (FORCE);
SQL
    ((status == 0)) || echo "Restore FAILED (exit $status): database '$target' was not changed." >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 3. Restore and migrate on the side.
echo "Restoring into scratch database '$scratch' …"
sql <<'SQL'
DROP DATABASE IF EXISTS :"scratch" WITH (FORCE);
CREATE DATABASE :"scratch" TEMPLATE template0 ENCODING 'UTF8';
SQL
pg_restore --dbname="$(pg_url_for "$scratch")" --no-password --no-owner --no-privileges \
  --single-transaction --exit-on-error -- "$file"

if $migrate; then
  echo "Applying pending migrations …"
  scratch_url=$(pg_url_for "$scratch" with-password)
  (
    cd "$root"
    export DATABASE_URL=$scratch_url
    if [[ -f dist/ormconfig.js ]]; then
      node ./node_modules/typeorm/cli.js -d dist/ormconfig.js migration:run
    else
      npm run --silent migration:run
    fi
  ) | { grep -v '^query:' || true; } # the migrations' names and counts, not every statement
fi

if [[ -n ${DB_APP_ROLE:-} ]]; then
  echo "Granting the API role '$DB_APP_ROLE' its privileges (scripts/db-grants.sql) …"
  psql --dbname="$(pg_url_for "$scratch")" --no-password --quiet --no-psqlrc \
    --set=ON_ERROR_STOP=1 --set=app_role="$DB_APP_ROLE" --file="$here/db-grants.sql"
fi

# 4. Swap it in: the current database is renamed aside, not dropped, until the new one is in
# place (the exit trap puts it back if anything stops the swap half-way).
echo "Replacing '$target' (terminating its connections) …"
sql <<'SQL'
DROP DATABASE IF EXISTS :"previous" WITH (FORCE);
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'target') AS target_exists \gset
\if :target_exists
ALTER DATABASE :"target" ALLOW_CONNECTIONS false;
SELECT count(pg_terminate_backend(pid)) AS terminated FROM pg_stat_activity
 WHERE datname = :'target' AND pid <> pg_backend_pid() \gset
ALTER DATABASE :"target" RENAME TO :"previous";
\endif
ALTER DATABASE :"scratch" RENAME TO :"target";
SQL
swapped=true
sql <<<'DROP DATABASE IF EXISTS :"previous" WITH (FORCE);'

cat <<EOF

Restored: database '$target' on $server now holds the backup $(basename -- "$file").
Next:
  1. Start (or restart) the API and the workers; they reconnect by themselves.
  2. Check readiness: curl -fsS http://<api-host>:3000/ready   (200 = database reachable, migrations applied)
  3. Spot-check the data: the latest sales and receipts of each store, and GET /api/v1/audit-logs.
  4. Sales made after the backup was taken are not in it: re-enter them from the tills' records.
EOF
if ! $migrate; then
  echo "  !  Migrations were skipped (--no-migrate): run the migrate step before starting the API."
fi
if [[ -z ${DB_APP_ROLE:-} ]]; then
  echo "  i  Privileges were not restored. If the API connects as its own role, re-apply them:"
  echo "     psql \"\$DATABASE_URL\" -v app_role=<api role> -f scripts/db-grants.sql   (DEPLOYMENT.md)"
fi
