#!/usr/bin/env bash
# The GPU checks in one command, on a machine with a CUDA GPU and no network:
#   bash tests/device/run.sh [STEPS] [CACHE_STEPS]
# STEPS times one full-size Wan 1.3B take (10); CACHE_STEPS the server-overhead and step-cache
# measurement (speed_floor.py: bare diffusers, the server, each cache's speed-up and PSNR; 12).
# First, on a machine with the package registries: bash tests/device/fetch_wheels.sh, which
# puts the wheels a GPU box may lack (diffusers, av, ftfy, peft, the server's own) in .device-wheels/;
# carry that folder along. torch, transformers and accelerate are expected there already.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
missing=()
for pair in diffusers:diffusers av:av ftfy:ftfy starlette:starlette multipart:python-multipart \
            httpx:httpx uvicorn:uvicorn PIL:pillow pydantic:pydantic transformers:transformers \
            accelerate:accelerate peft:peft; do
  module=${pair%%:*}; package=${pair##*:}
  "$PY" -c "import $module" 2>/dev/null || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "device: installing ${missing[*]} from .device-wheels"
  "$PY" -m pip install -q --no-index --find-links .device-wheels "${missing[@]}"
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
"$PY" tests/device/check_tiny_cuda.py --device cuda
"$PY" tests/device/time_wan_full.py --device cuda --steps "${1:-10}"
"$PY" tests/device/time_wan_lora.py --device cuda --steps "${1:-10}"
"$PY" tests/device/speed_floor.py --device cuda --steps "${2:-12}"
