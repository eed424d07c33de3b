#!/usr/bin/env bash
# Backs up the database of DATABASE_URL into BACKUP_DIR, then deletes old backups.
#
#   DATABASE_URL=postgres://user:password@host:5432/pos BACKUP_DIR=/var/backups/pos scripts/backup.sh
#   (or: npm run backup)
#
# - One compressed pg_dump custom-format archive per run: BACKUP_DIR/pos-<database>-<UTC time>.dump
#   (restore it with scripts/restore.sh). It is written as *.partial, read back with
#   `pg_restore --list`, flushed to disk and only then renamed: a failed or interrupted run leaves
#   no half-written backup behind.
# - After a successful backup only, backups older than BACKUP_RETENTION_DAYS (default 30) days
#   are deleted: files named pos-*.dump in BACKUP_DIR, nothing else.
# - Exits non-zero on any failure (for cron and monitoring); prints the file and its size.
#
# Needs pg_dump and pg_restore of the server's major version (PostgreSQL 15).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/pg-common.sh
source "$here/pg-common.sh"

[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set: the database to back up"
[[ -n ${BACKUP_DIR:-} ]] || die "BACKUP_DIR is not set: the folder that keeps the backups"
retention_days=${BACKUP_RETENTION_DAYS:-30}
if ! [[ $retention_days =~ ^[0-9]+$ ]] || ((retention_days < 1)); then
  die "BACKUP_RETENTION_DAYS must be a whole number of days, at least 1 (got '$retention_days')"
fi
require_command pg_dump
require_command pg_restore
parse_database_url "$DATABASE_URL"

# Backups hold password hashes and customers' phone numbers: readable by their owner only.
umask 077
mkdir -p -- "$BACKUP_DIR"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$BACKUP_DIR/pos-$(safe_name "$PG_DATABASE")-$stamp.dump"
partial="$final.partial"
[[ ! -e $final ]] || die "$final already exists (two backups in the same second?)"

on_exit() {
  local status=$?
  rm -f -- "$partial"
  if ((status != 0)); then
    echo "Backup FAILED (exit $status): no backup was written and no old backup was deleted." >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "Backing up database '$PG_DATABASE' (${PG_HOSTPORT:-local socket}) to $final"
pg_dump --dbname="$(pg_url_for "$PG_DATABASE")" --no-password \
  --format=custom --compress=6 --file="$partial"
pg_restore --list "$partial" >/dev/null ||
  die "the new dump cannot be read back by pg_restore"
sync -- "$partial"
mv -- "$partial" "$final"

echo "Backup written: $final ($(du -h -- "$final" | cut -f1), $(stat -c %s -- "$final") bytes)"

# Retention, only now that a new backup exists. Leftover *.partial files of runs that were
# killed outright (SIGKILL, power loss) go after a day.
deleted=$(find "$BACKUP_DIR" -maxdepth 1 -type f \
  \( \( -name 'pos-*.dump' -mmin +$((retention_days * 24 * 60)) \) \
  -o \( -name 'pos-*.dump.partial' -mmin +$((24 * 60)) \) \) -print -delete)
if [[ -n $deleted ]]; then
  echo "Deleted $(wc -l <<<"$deleted") backup(s) older than $retention_days days:"
  while IFS= read -r file; do echo "  $file"; done <<<"$deleted"
else
  echo "No backup older than $retention_days days to delete."
fi
