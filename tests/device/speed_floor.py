"""Device measurement: the bundled server's overhead over bare diffusers, and what each step
cache buys and costs, at Wan 2.1 T2V 1.3B (random weights), 832x480, 81 frames.

Run on a CUDA GPU (see run.sh): python tests/device/speed_floor.py [--steps 12]
(``--tiny`` runs the same measurement on the tiny Wan pipeline, to smoke-test it on a CPU.)

1. Bare diffusers: the pipeline loaded with ``from_pretrained`` and called with the request's
   arguments, then the frames written to an MP4 with the same encoder the server uses: the
   least any server can do for a take.
2. The bundled server: the same take through ``POST /v1/videos``, polled every 50 ms, to the
   MP4 downloaded. Target: within 5 % of bare diffusers end to end.
3. Each step cache the server offers, same seed: its wall time, its speed-up over the uncached
   take, and the PSNR and SSIM of its frames against the uncached take's.

Each path is warmed up once (two steps) first, so CUDA's one-off start-up costs fall on neither.
Prints a table and, where ``$OUT`` is set, writes ``speed_floor.json`` there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

PROMPT = "a red kite over the sea at sunset, wide shot"


def bare(folder: Path, device: str, steps: int, size: str, frames: int, out: Path) -> float:
    """Seconds for bare diffusers to make the take's MP4 (after a two-step warm-up)."""
    import torch
    from diffusers import DiffusionPipeline

    from sora_nb.server.renderers.diffusers.encode import to_uint8, write_video

    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    pipe = DiffusionPipeline.from_pretrained(str(folder), dtype=dtype).to(device)
    pipe.set_progress_bar_config(disable=True)
    width, height = (int(n) for n in size.split("x"))

    def once(n: int) -> float:
        started = time.perf_counter()
        output = pipe(
            prompt=PROMPT,
            width=width,
            height=height,
            num_frames=frames,
            num_inference_steps=n,
            generator=torch.Generator(device="cpu").manual_seed(1),
            output_type="np",
        )
        write_video(out, to_uint8(output.frames), 16)
        return time.perf_counter() - started

    once(2)
    return once(steps)


async def served(app: Any, body: dict[str, Any], out: Path) -> tuple[float, dict[str, Any]]:
    """Seconds from POST to the MP4 downloaded, and the finished job's body."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://device/v1", timeout=900
    ) as http:
        started = time.perf_counter()
        made = await http.post("/videos", json=body)
        assert made.status_code == 200, made.text
        job: dict[str, Any] = {}
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            job = (await http.get(f"/videos/{made.json()['id']}")).json()
            if job["status"] in ("completed", "failed"):
                break
            await asyncio.sleep(0.05)
        assert job.get("status") == "completed", f"not completed in 900 s: {job}"
        out.write_bytes((await http.get(f"/videos/{job['id']}/content")).content)
        return time.perf_counter() - started, job


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--tiny", action="store_true", help="the tiny Wan, for a CPU smoke test")
    args = parser.parse_args()
    from sora_nb.research.fidelity import compare_videos
    from sora_nb.server import ServerSettings, create_app
    from sora_nb.server.renderers.diffusers import DiffusersOptions, open_renderer

    size, frames = ("112x64", 9) if args.tiny else ("832x480", 81)
    results: dict[str, Any] = {"size": size, "frames": frames, "steps": args.steps, "takes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "Wan2.1-T2V-1.3B-random"
        if args.tiny:
            from sora_nb.server.renderers.diffusers.tiny import build_tiny

            build_tiny("wan", folder)
        else:
            from time_wan_full import build

            build(folder, args.device)
        results["bare_s"] = bare(folder, args.device, args.steps, size, frames, root / "bare.mp4")
        print(f"bare diffusers: {results['bare_s']:.2f} s to the MP4", flush=True)
        dtype = None if args.tiny else "bfloat16"
        renderer = open_renderer(
            DiffusersOptions(model=str(folder), device=args.device, dtype=dtype)
        )
        app = create_app(ServerSettings(media_dir=root / "server", renderer=renderer))
        body = {"prompt": PROMPT, "size": size, "num_frames": frames, "seed": 1}
        try:
            asyncio.run(served(app, {**body, "num_inference_steps": 2}, root / "warm.mp4"))
            methods = ["none", *(m for m in renderer.step_caches if m != "none")]
            for method in methods:
                out = root / f"{method}.mp4"
                seconds, job = asyncio.run(
                    served(
                        app, {**body, "num_inference_steps": args.steps, "step_cache": method}, out
                    )
                )
                row: dict[str, Any] = {
                    "wall_s": round(seconds, 2),
                    "stages": job.get("stage_durations"),
                    "s_per_step": job.get("seconds_per_step"),
                    "peak_gib": round((job.get("peak_memory_mb") or 0) / 1024, 2),
                }
                if method != "none":
                    uncached = results["takes"]["none"]
                    quality = compare_videos(out, root / "none.mp4")
                    row["speedup"] = round(uncached["wall_s"] / seconds, 3)
                    row["psnr_db"] = round(min(quality.psnr, 100.0), 2)
                    row["ssim"] = round(quality.ssim, 4)
                results["takes"][method] = row
                print(f"{method}: {json.dumps(row)}", flush=True)
        finally:
            app.state.server.close()
    server_s = results["takes"]["none"]["wall_s"]
    results["server_over_bare"] = round(server_s / results["bare_s"] - 1, 4)
    print(
        f"\nWan 2.1 1.3B (random weights) {size}, {frames} frames, {args.steps} steps on "
        f"{args.device}: bare diffusers {results['bare_s']:.1f} s, bundled server {server_s:.1f} s "
        f"({results['server_over_bare']:+.1%}; target within 5%)"
    )
    print(f"{'cache':<12}{'wall s':>9}{'speed-up':>10}{'PSNR dB':>9}{'SSIM':>8}")
    for method, row in results["takes"].items():
        print(
            f"{method:<12}{row['wall_s']:>9.1f}{row.get('speedup', 1.0):>10.2f}"
            f"{row.get('psnr_db', float('inf')):>9.1f}{row.get('ssim', 1.0):>8.3f}"
        )
    if os.environ.get("OUT"):
        target = Path(os.environ["OUT"]) / "speed_floor.json"
        target.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
