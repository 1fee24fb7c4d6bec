#!/usr/bin/env bash
# Entrypoint of the local PostgreSQL stand-in (see Dockerfile beside it).
#
#   first start (PGDATA has no PG_VERSION): initdb as POSTGRES_USER with
#   POSTGRES_PASSWORD, allow password logins from anywhere
#   (POSTGRES_HOST_AUTH_METHOD, default scram-sha-256), create POSTGRES_DB,
#   run /docker-entrypoint-initdb.d/*.sh|*.sql against a socket-only server;
#   then (every start) exec `postgres "$@"` as the postgres user, so signals
#   reach the postmaster directly.
set -euo pipefail

log() { printf '[postgres-entrypoint] %s\n' "$*" >&2; }

# VAR or the content of the file named by VAR_FILE (Docker secrets); not both.
from_env_or_file() {
  local var=$1 default=${2:-}
  local file_var="${var}_FILE"
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    log "set either $var or $file_var, not both."
    exit 1
  fi
  local value=$default
  if [ -n "${!var:-}" ]; then value=${!var}; elif [ -n "${!file_var:-}" ]; then value=$(<"${!file_var}"); fi
  export "$var"="$value"
  unset "$file_var"
}

# `docker run IMAGE -c foo=bar` means `postgres -c foo=bar`.
if [ "${1:0:1}" = "-" ]; then set -- postgres "$@"; fi
if [ "$1" != "postgres" ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  # The volume may arrive owned by root: hand it to postgres, then drop root.
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

from_env_or_file POSTGRES_USER postgres
from_env_or_file POSTGRES_PASSWORD
from_env_or_file POSTGRES_DB "$POSTGRES_USER"
from_env_or_file POSTGRES_INITDB_ARGS
auth_method=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth_method" != trust ]; then
    log "the database is not initialised and POSTGRES_PASSWORD is empty."
    log "Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust, which allows anyone who can connect)."
    exit 1
  fi
  log "initialising a new cluster in $PGDATA for user \"$POSTGRES_USER\""
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host="$auth_method" \
    $POSTGRES_INITDB_ARGS -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  # Listen on every interface of the container; the operator's port mapping
  # (or `-c listen_addresses=...` on the command line) decides who reaches it.
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  printf 'host all all all %s\n' "$auth_method" >>"$PGDATA/pg_hba.conf"

  # Socket-only server for the one-time set-up.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c port=${PGPORT:-5432}" -w start >/dev/null
  psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres)
  if [ "$POSTGRES_DB" != postgres ]; then
    # Through stdin: psql substitutes :"db" (quoted identifier) there, not in -c.
    echo 'CREATE DATABASE :"db";' | "${psql[@]}" --set db="$POSTGRES_DB" >/dev/null
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh) log "running $f"; bash "$f" ;;
      *.sql) log "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" >/dev/null ;;
      *) log "ignoring $f (only .sh and .sql are run)" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  log "cluster ready"
fi

exec "$@"
