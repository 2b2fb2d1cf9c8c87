#!/usr/bin/env bash
# Wheels for tests/device/run.sh on a GPU machine without network, into .device-wheels/:
#   PYVER=3.12 bash tests/device/fetch_wheels.sh     (the GPU machine's Python version)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
"$PY" -m pip download -q -d .device-wheels --only-binary=:all: \
  --python-version "${PYVER:-3.12}" --platform manylinux_2_28_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
  "diffusers>=0.42" "av>=12" "ftfy>=6" "peft>=0.17" starlette python-multipart httpx uvicorn pillow pydantic
ls .device-wheels | wc -l
