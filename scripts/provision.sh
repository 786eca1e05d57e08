#!/usr/bin/env bash
# Sourced by scripts/start and scripts/test. With DATABASE_URL set it does nothing but check it.
# Otherwise it installs PostgreSQL and PostGIS with apt when they are missing, and starts a
# project-local cluster in .pgdata/ (git-ignored) on ANTES_PG_PORT (default 5433).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_PORT="${ANTES_PG_PORT:-5433}"
PG_DATA="$ROOT/.pgdata"
PG_LOG="$ROOT/.pglog"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  say "installing $*"
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgis() {
  if [ -z "$(pg_bindir)" ]; then
    apt_install postgresql
  fi
  local bindir version
  bindir="$(pg_bindir)"
  version="$(basename "$(dirname "$bindir")")"
  if ! ls /usr/share/postgresql/"$version"/extension/postgis.control >/dev/null 2>&1; then
    apt_install "postgresql-$version-postgis-3"
  fi
}

ensure_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo not found; install the Rust toolchain (https://rustup.rs) and run again" >&2
    exit 1
  fi
}

# Runs a PostgreSQL binary as an unprivileged user: PostgreSQL refuses to run as root.
pg_run() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_cluster() {
  local bindir
  bindir="$(pg_bindir)"
  mkdir -p "$PG_LOG"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    mkdir -p "$PG_DATA"
    chown postgres "$PG_DATA" "$PG_LOG"
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "creating a PostgreSQL cluster in $PG_DATA"
    pg_run "$bindir/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_run "$bindir/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    pg_run "$bindir/pg_ctl" -D "$PG_DATA" -l "$PG_LOG/postgres.log" -w \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DATA -c max_connections=300 -c fsync=off" start >/dev/null
  fi
  local psql=("$bindir/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
  # PostGIS in template1, so every database made from it (each #[sqlx::test] one too) has it.
  "${psql[@]}" -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
  for db in "$@"; do
    if [ -z "$("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
      "${psql[@]}" -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
    fi
  done
}

# provision DB_NAME: sets DATABASE_URL to a ready database.
provision() {
  ensure_cargo
  if [ -n "${DATABASE_URL:-}" ]; then
    say "using DATABASE_URL"
    return
  fi
  ensure_postgis
  start_cluster "$1"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/$1"
}
