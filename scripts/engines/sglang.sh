#!/usr/bin/env bash
# Build (once) a virtualenv holding SGLang 0.5.23's own HTTP server on CPU torch, for the test
# tier tests/engines. Prints the env's folder on its last line; a second run with the same
# script, pins and Python prints it at once.
#
#   SORA_NB_ENGINE_ENVS  where the envs live (default ~/.cache/sora_nb/engines)
#   PYTHON               the interpreter to build from (default python3; 3.11 verified)
#
# Installing SGLang with its dependencies pulls CUDA stacks (flashinfer, sgl-kernel, ...). Here:
# CPU torch first, the engine's wheel without dependencies, then only what importing its HTTP
# code needs (found by reading its import errors), every version pinned by sglang-0.5.23.txt.
# torch==2.13.0+cpu is the CPU build: on this project's machines it lies in pip's find-links;
# elsewhere set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu.
set -euo pipefail

VERSION=0.5.23
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pins="$here/sglang-$VERSION.txt"
root=${SORA_NB_ENGINE_ENVS:-${XDG_CACHE_HOME:-$HOME/.cache}/sora_nb/engines}
env="$root/sglang-$VERSION"
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

echo "sglang.sh: building $env" >&2
# 1. CPU torch before anything that asks for torch (else pip picks a multi-GB CUDA build).
pip install -c "$pins" torch
# 2. The engine's wheel alone: its declared dependencies are GPU stacks.
pip install --no-deps "sglang==$VERSION"
# 3. Imported at module level by its HTTP code, but PyPI's builds pair with CUDA torch: no
#    dependencies (they would replace the CPU torch).
pip install --no-deps -c "$pins" torchvision triton
# 4. What importing sglang.multimodal_gen's HTTP server needs, and serving with it.
pip install -c "$pins" \
    addict aiohttp apache-tvm-ffi cache-dit compressed-tensors diffusers dill einops fastapi \
    gguf httpx imageio imageio-ffmpeg ipython msgspec numpy openai orjson packaging \
    partial-json-parser pillow prometheus-client psutil pybase64 pydantic python-dateutil \
    python-multipart pyyaml pyzmq regex requests sentencepiece setproctitle tqdm transformers \
    uvicorn

site=$("$env/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
# torchvision registers meta kernels for its C ops at import; the CPU torch has no such ops
# (PyPI's torchvision _C is built for CUDA torch), so that import would fail. Nothing here
# runs torchvision's ops: the registrations are emptied.
echo '"""Emptied by scripts/engines/sglang.sh: no torchvision C ops exist for the CPU torch."""' \
    > "$site/torchvision/_meta_registrations.py"

"$env/bin/python" -c "
import sglang.multimodal_gen.runtime.entrypoints.http_server
import sglang.multimodal_gen.runtime.launch_server
" 2>/dev/null
touch "$env/.built-$key"
echo "sglang.sh: built in $(( $(date +%s) - started )) s, $(du -sh "$env" | cut -f1)" >&2
echo "$env"
