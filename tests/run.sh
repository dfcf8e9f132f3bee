#!/usr/bin/env bash
# Install everything the tests need (Debian's Chromium, nginx, PostgreSQL and Node.js if missing, Python and npm packages),
# start a throwaway PostgreSQL on a free loopback port (stopped and deleted at the end), then run the whole suite: Python, the storage tests on SQLite and PostgreSQL, the
# extension's JavaScript unit tests and the real-browser end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
[ -n "${VIRTUAL_ENV:-}" ] || python3 -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python packages go into a virtual environment (Debian's own Python refuses global installs), one that also sees
# the machine's packages, so what is installed there already is not fetched again. An active one is used as it is.
if [ -n "${VIRTUAL_ENV:-}" ]; then
  py=python
else
  [ -x .venv/bin/python ] || python3 -m venv --system-site-packages .venv
  py=.venv/bin/python
fi
"$py" -m pip install --quiet --disable-pip-version-check -e '.[test]'
(cd extension && npm ci --no-audit --no-fund --loglevel=error)
{ read -r pgdir; read -r STEMCLAIM_TEST_DATABASE_URL; } < <(bash tests/postgres.sh start)
trap 'bash tests/postgres.sh stop "$pgdir"' EXIT
export STEMCLAIM_TEST_DATABASE_URL
"$py" -m pytest "$@"
