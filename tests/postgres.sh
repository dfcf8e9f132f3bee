#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: `start` installs Debian's PostgreSQL if needed (without creating the
# system cluster), creates a cluster in a temporary directory, starts it on a free loopback port and prints its
# directory and then the SQLAlchemy URL of an empty test database, one per line; `stop DIR` stops and deletes it.
set -euo pipefail
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
start)
  if [ -z "$(bindir)" ]; then
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  fi
  bin="$(bindir)"
  dir="$(mktemp -d /tmp/stemclaim-pg.XXXXXX)"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_owner "$bin/initdb" -D "$dir/data" -U stemclaim --auth=trust -E UTF8 >/dev/null
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U stemclaim stemclaim_test
  echo "$dir"
  echo "postgresql+psycopg://stemclaim@127.0.0.1:${port}/stemclaim_test"
  ;;
stop)
  dir="${2:?usage: tests/postgres.sh stop DIR}"
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: tests/postgres.sh start | stop DIR" >&2
  exit 2
  ;;
esac
