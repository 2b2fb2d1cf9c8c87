#!/usr/bin/env bash
# Build (once) a virtualenv holding vLLM-Omni 0.30.0's own HTTP server on CPU torch, for the
# test tier tests/engines. Prints the env's folder on its last line; a second run with the same
# script, pins and Python prints it at once.
#
#   SORA_NB_ENGINE_ENVS  where the envs live (default ~/.cache/sora_nb/engines)
#   PYTHON               the interpreter to build from (default python3; 3.11 verified)
#
# Installing vLLM-Omni with its dependencies pulls vLLM's CUDA stacks (flashinfer, cutlass,
# nvidia-*). Here: CPU torch first, the vllm and vllm-omni wheels without dependencies (vLLM-Omni's
# routes import about 40 vLLM modules and use vLLM's app and error handlers; vllm 0.30.0 pins
# torch 2.13.0, so the CPU build fits), torchvision and torchaudio without theirs, then only what
# importing the HTTP code needs (found by reading its import errors), every version pinned by
# vllm-omni-0.30.0.txt. Downloads come from pip's own cache when an earlier build (or SGLang's)
# fetched the same wheel; no site-packages are shared with another env.
# torch==2.13.0+cpu is the CPU build: on this project's machines it lies in pip's find-links;
# elsewhere set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu.
set -euo pipefail

VERSION=0.30.0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pins="$here/vllm-omni-$VERSION.txt"
root=${SORA_NB_ENGINE_ENVS:-${XDG_CACHE_HOME:-$HOME/.cache}/sora_nb/engines}
env="$root/vllm-omni-$VERSION"
python=${PYTHON:-python3}
# Rebuilt when this script, its pins or the interpreter's version change.
key=$( { cat "${BASH_SOURCE[0]}" "$pins"; "$python" -V; } | sha256sum | cut -c1-16)
if [ -f "$env/.built-$key" ]; then
    echo "$env"
    exit 0
fi

started=$(date +%s)
rm -rf "$env"
mkdir -p "$root"
"$python" -m venv "$env"
pip() { "$env/bin/python" -m pip --disable-pip-version-check --quiet "$@"; }

echo "vllm_omni.sh: building $env" >&2
# 1. CPU torch before anything that asks for torch (else pip picks a multi-GB CUDA build).
pip install -c "$pins" torch
# 2. The engines' wheels alone: their declared dependencies are GPU stacks. PyPI's torchvision
#    and torchaudio pair with CUDA torch: no dependencies (they would replace the CPU torch).
#    xgrammar, llguidance and openai-harmony are imported by vLLM's serving code at module level;
#    their dependencies (triton and more) are not.
pip install --no-deps -c "$pins" "vllm==$VERSION" "vllm-omni==$VERSION" torchvision torchaudio \
    xgrammar llguidance openai-harmony
# 3. What importing vLLM-Omni's server (`vllm serve MODEL --omni`) needs, and serving with it
#    (opencv-python-headless: vLLM's video loader, which decodes a video input_reference).
pip install -c "$pins" \
    aenum aiohttp apache-tvm-ffi av blake3 cachetools cbor2 cloudpickle diffusers einops fastapi ijson janus \
    loguru mistral_common model-hosting-container-standards msgpack msgspec numpy omegaconf openai \
    opencv-python-headless orjson partial-json-parser pillow prettytable prometheus-client \
    prometheus-fastapi-instrumentator psutil py-cpuinfo pybase64 pydantic pydantic-settings \
    python-multipart pyyaml pyzmq regex requests sentencepiece setproctitle soundfile tiktoken tqdm \
    transformers uvicorn uvloop watchfiles websockets

site=$("$env/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
# torchvision registers meta kernels for its C ops at import; the CPU torch has no such ops
# (PyPI's torchvision _C is built for CUDA torch), so that import would fail. Nothing here
# runs torchvision's ops: the registrations are emptied.
echo '"""Emptied by scripts/engines/vllm_omni.sh: no torchvision C ops exist for the CPU torch."""' \
    > "$site/torchvision/_meta_registrations.py"
# vLLM-Omni imports torchaudio unconditionally; PyPI's build carries C extensions for CUDA
# torch that fail to load. Without them torchaudio imports as "no C extension", which is all
# the HTTP code needs.
rm -f "$site"/torchaudio/lib/*.so
# vLLM's own kernels (about 600 MB) are CUDA builds that cannot load with the CPU torch; vLLM
# already imports without them on a CPU ("Failed to import from vllm._C"). Gone, they cost no
# disk.
find "$site/vllm" -name '*.so' -delete

"$env/bin/python" -c "
import vllm_omni.entrypoints.cli.main
import vllm_omni.entrypoints.openai.api_server
" 2>/dev/null
touch "$env/.built-$key"
echo "vllm_omni.sh: built in $(( $(date +%s) - started )) s, $(du -sh "$env" | cut -f1)" >&2
echo "$env"
