# shellcheck shell=bash
# Helpers shared by backup.sh and restore.sh (sourced, never run on its own).
#
# The password of DATABASE_URL is moved into PGPASSWORD (the environment of our own processes)
# so that it never appears on a command line, where `ps` would show it to every user.

die() {
  echo "error: $*" >&2
  exit 1
}

require_command() {
  command -v "$1" >/dev/null 2>&1 ||
    die "$1 not found: install the PostgreSQL client tools of the server's major version (Debian: apt-get install postgresql-client-15)"
}

urldecode() {
  printf '%b' "${1//%/\\x}"
}

# parse_database_url URL
# Sets PG_DATABASE (decoded, for SQL) and exports PGPASSWORD; pg_url_for DB then gives a
# password-less URL of the same server, user and options for another database.
parse_database_url() {
  local pattern='^(postgres|postgresql)://(([^:@/?#]*)(:([^@/?#]*))?@)?([^/?#]*)(/([^?#]*))?(\?([^#]*))?$'
  [[ $1 =~ $pattern ]] ||
    die "DATABASE_URL is not a postgres://user:password@host:port/database URL (special characters in the password must be percent-encoded)"
  _PG_USER_RAW=${BASH_REMATCH[3]}
  _PG_PASSWORD_RAW=${BASH_REMATCH[5]}
  PG_HOSTPORT=${BASH_REMATCH[6]}
  _PG_DATABASE_RAW=${BASH_REMATCH[8]}
  _PG_QUERY=${BASH_REMATCH[10]}
  PG_DATABASE=$(urldecode "$_PG_DATABASE_RAW")
  [[ -n $PG_DATABASE ]] || die "DATABASE_URL names no database (…/database at its end)"
  if [[ -n $_PG_PASSWORD_RAW ]]; then
    PGPASSWORD=$(urldecode "$_PG_PASSWORD_RAW")
    export PGPASSWORD
  fi
}

urlencode() {
  local LC_ALL=C # byte by byte: UTF-8 characters become several %XX
  local string=$1 out='' char index
  for ((index = 0; index < ${#string}; index++)); do
    char=${string:index:1}
    case $char in
      [A-Za-z0-9._~-]) out+=$char ;;
      *) out+=$(printf '%%%02X' "'$char") ;;
    esac
  done
  printf '%s' "$out"
}

# pg_url_for DATABASE [with-password]: the URL of DATABASE on the server of DATABASE_URL.
pg_url_for() {
  local user=''
  [[ -n $_PG_USER_RAW ]] && user="$_PG_USER_RAW@"
  [[ ${2:-} == with-password && -n $_PG_PASSWORD_RAW ]] && user="$_PG_USER_RAW:$_PG_PASSWORD_RAW@"
  printf 'postgresql://%s%s/%s%s' "$user" "$PG_HOSTPORT" "$(urlencode "$1")" "${_PG_QUERY:+?$_PG_QUERY}"
}

# A file-name-safe version of a name.
safe_name() {
  printf '%s' "${1//[^A-Za-z0-9_.-]/_}"
}
