"""Device timing: Wan 2.1 T2V 1.3B (random weights) with and without a LoRA adapter, 832x480.

Run on a CUDA GPU (see run.sh): python tests/device/time_wan_lora.py [--steps 10]
It builds the random 1.3B pipeline of ``time_wan_full.py``, a random rank-16 LoRA on its
attention projections (``build_tiny_lora``: peft's own layout, as trainers save it), serves it
with ``--lora-dir`` and times one take with no adapter and one with the adapter at 0.8, same
seed, 81 frames at 16 fps with guidance on. It prints seconds per step of each, the adapter's
overhead, and checks that the adapter changed the frames. ``--tiny`` runs the same on the tiny
test pipeline (a smoke test of this script on a CPU).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from time_wan_full import build  # the same random 1.3B


async def take(app: Any, body: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://device/v1", timeout=600
    ) as http:
        made = await http.post("/videos", json=body)
        assert made.status_code == 200, made.text
        video_id = made.json()["id"]
        while True:
            done: dict[str, Any] = (await http.get(f"/videos/{video_id}")).json()
            if done["status"] in ("completed", "failed"):
                break
            await asyncio.sleep(0.2)
        assert done["status"] == "completed", done
        return done, (await http.get(f"/videos/{video_id}/content")).content


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--size", default="832x480")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--tiny", action="store_true", help="the tiny test pipeline instead")
    args = parser.parse_args()
    from sora_nb.server import ServerSettings, create_app
    from sora_nb.server.renderers.diffusers import DiffusersOptions, open_renderer
    from sora_nb.server.renderers.diffusers.tiny import build_tiny, build_tiny_lora

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "Wan2.1-T2V-1.3B-random"
        started = time.perf_counter()
        if args.tiny:
            build_tiny("wan", folder)
        else:
            build(folder, args.device)
        build_tiny_lora(folder, Path(tmp) / "loras" / "style.safetensors", seed=1, rank=16)
        print(f"built the pipeline and a rank-16 LoRA in {time.perf_counter() - started:.0f} s")
        dtype = "float32" if args.device == "cpu" else "bfloat16"
        options = DiffusersOptions(
            model=str(folder), device=args.device, dtype=dtype, lora_dir=str(Path(tmp) / "loras")
        )
        renderer = open_renderer(options)
        print(f"{renderer.describe()}; loaded in {renderer.load_seconds:.1f} s", flush=True)
        app = create_app(ServerSettings(media_dir=Path(tmp) / "server", renderer=renderer))
        body = {
            "prompt": "a red kite over the sea at sunset, wide shot",
            "size": args.size,
            "seconds": str(args.seconds),
            "num_inference_steps": args.steps,
            "seed": 1,
        }
        try:
            plain, plain_video = asyncio.run(take(app, body))
            styled, styled_video = asyncio.run(
                take(app, {**body, "lora": [{"name": "style", "scale": 0.8}]})
            )
        finally:
            app.state.server.close()
    assert plain_video != styled_video, "the adapter did not change the frames"
    without, with_lora = plain["seconds_per_step"], styled["seconds_per_step"]
    model = "the tiny Wan" if args.tiny else "Wan 2.1 1.3B (random weights)"
    print(
        f"{model} {args.size}, {plain['num_frames']} frames, {args.steps} "
        f"steps, guidance on: {without:.3f} s/step without an adapter, {with_lora:.3f} s/step "
        f"with a rank-16 LoRA at 0.8 (+{(with_lora / without - 1) * 100:.0f}%); peak "
        f"{plain['peak_memory_mb'] / 1024:.1f} / {styled['peak_memory_mb'] / 1024:.1f} GiB "
        f"on {plain['device']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
