#!/usr/bin/env bash
# Start Debian's PostgreSQL on loopback (installing it if needed) and make an empty test database.
# Prints the SQLAlchemy URL of that database on its last line.
set -euo pipefail
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
if [ "$status" != "online" ]; then $sudo pg_ctlcluster "$version" "$cluster" start; fi
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='stemclaim'" | grep -q 1 ||
  as_postgres psql -p "$port" -qc "CREATE ROLE stemclaim LOGIN PASSWORD 'stemclaim'"
as_postgres psql -p "$port" -qc "DROP DATABASE IF EXISTS stemclaim_test" >/dev/null 2>&1
as_postgres psql -p "$port" -qc "CREATE DATABASE stemclaim_test OWNER stemclaim" >/dev/null
echo "postgresql+psycopg://stemclaim:stemclaim@127.0.0.1:${port}/stemclaim_test"
