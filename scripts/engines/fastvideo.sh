#!/usr/bin/env bash
# Build (once) a virtualenv holding FastVideo 0.2.1's own HTTP server on CPU torch, for the test
# tier tests/engines. Prints the env's folder on its last line; a second run with the same
# script, pins and Python prints it at once.
#
#   SORA_NB_ENGINE_ENVS  where the envs live (default ~/.cache/sora_nb/engines)
#   PYTHON               the interpreter to build from (default python3; 3.11 verified)
#
# Installing FastVideo with its dependencies pulls CUDA stacks (flashinfer, fastvideo-kernel,
# ray, gradio, wandb...). Here: CPU torch first, the engine's wheel without dependencies, then
# only what importing `fastvideo serve` and its OpenAI routers needs (found by reading its
# import errors), every version pinned by fastvideo-0.2.1.txt. FastVideo 0.2.1 declares
# torch==2.12.0; its HTTP code runs on the CPU build of 2.13.0 (the one SGLang's env uses).
# torch==2.13.0+cpu lies in pip's find-links on this project's machines; elsewhere set
# PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu.
set -euo pipefail

VERSION=0.2.1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pins="$here/fastvideo-$VERSION.txt"
root=${SORA_NB_ENGINE_ENVS:-${XDG_CACHE_HOME:-$HOME/.cache}/sora_nb/engines}
env="$root/fastvideo-$VERSION"
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

echo "fastvideo.sh: building $env" >&2
# 1. CPU torch before anything that asks for torch (else pip picks a multi-GB CUDA build).
pip install -c "$pins" torch
# 2. The engine's wheel alone: its declared dependencies are GPU stacks.
pip install --no-deps "fastvideo==$VERSION"
# 3. Imported at module level by its generator (torchvision.utils.make_grid writes the frames),
#    but PyPI's build pairs with CUDA torch: no dependencies (they would replace the CPU torch).
#    torchaudio is not imported on the serve path, so it is left out.
pip install --no-deps -c "$pins" torchvision
# 4. What importing `fastvideo serve`, its routers and its VideoGenerator needs, and serving
#    with it (imageio-ffmpeg: the generator writes MP4 through imageio).
pip install -c "$pins" \
    aiofiles cloudpickle diffusers einops fastapi ftfy httpx imageio imageio-ffmpeg numpy \
    orjson psutil pydantic python-multipart pyyaml remote-pdb scipy transformers uvicorn

site=$("$env/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
# torchvision registers meta kernels for its C ops at import; the CPU torch has no such ops
# (PyPI's torchvision _C is built for CUDA torch), so that import would fail. Nothing here
# runs torchvision's C ops: the registrations are emptied.
echo '"""Emptied by scripts/engines/fastvideo.sh: no torchvision C ops exist for the CPU torch."""' \
    > "$site/torchvision/_meta_registrations.py"

"$env/bin/python" -c "
import fastvideo.entrypoints.cli.main
import fastvideo.entrypoints.openai.api_server
import fastvideo.entrypoints.openai.image_api
import fastvideo.entrypoints.video_generator
" 2>/dev/null
touch "$env/.built-$key"
echo "fastvideo.sh: built in $(( $(date +%s) - started )) s, $(du -sh "$env" | cut -f1)" >&2
echo "$env"
