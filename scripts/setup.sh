#!/usr/bin/env bash
# Everything sora_nb needs on a fresh machine, idempotent: a virtualenv with the package and
# its dev/gallery/gateway/local extras, the front end built from js/, and Debian's chromium for
# browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

# pip on some machines lists missing local mirrors on every install; keep the log readable.
quiet_pip() { { "$VENV/bin/python" -m pip "$@" 2>&1; } | { grep -v "is ignored: it is neither" || true; }; }

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing Debian's chromium (browser tests and screenshots)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

if [ -f js/package.json ]; then
  echo "setup: building the front end (js/ -> sora_nb/static/)"
  (cd js && npm ci --no-audit --no-fund --loglevel=error && npm run build)
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  python3 -m venv "$VENV"
fi
quiet_pip install -q --upgrade pip
# torch before the local extra: here `torch==2.13.0` is the CPU build on local disk (no CUDA
# download); on a GPU machine the same line gets PyPI's CUDA build.
echo "setup: installing torch (the local extra's open models run on it)"
quiet_pip install -q "torch==2.13.0"
echo "setup: installing sora_nb and its dev, gallery, gateway and local extras into $VENV"
quiet_pip install -q -e ".[dev,gallery,gateway,local]"

