#!/usr/bin/env bash
# Everything sora_nb needs on a fresh machine, idempotent: a virtualenv with the package and
# its dev/gallery extras, the front end built from js/, and Debian's chromium for browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing Debian's chromium (browser tests and screenshots)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[dev,gallery]"

if [ -f js/package.json ]; then
  echo "setup: building the front end (js/ -> sora_nb/static/)"
  (cd js && npm ci --no-audit --no-fund --loglevel=error && npm run build)
fi
