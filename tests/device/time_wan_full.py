"""Device timing: Wan 2.1 T2V 1.3B at full size (random weights) rendered by the bundled server.

Run on a CUDA GPU (see run.sh): python tests/device/time_wan_full.py [--steps 10]
It builds the real Wan 2.1 1.3B architecture with random weights (transformer and VAE configs as
diffusers' ``scripts/convert_wan_to_diffusers.py`` gives them for Wan-T2V-1.3B; the UMT5 text
encoder is cut to one layer of the real width, 4096, as its cost is a second per take), saves it
as a pipeline folder, serves it with the diffusers renderer and times one take at 832x480, 5 s
(81 frames at 16 fps) with guidance on (two transformer passes a step, as the real model runs).
It prints seconds per step, the pipeline's time, peak GPU memory and the projected 50-step take
(the model card's default). Published, for comparison: 8.19 GB of GPU memory, about 4 minutes
for a 5 s 480P clip on an RTX 4090 without optimisations (Wan2.1 model card).
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


def build(folder: Path, device: str) -> None:
    import torch
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanPipeline,
        WanTransformer3DModel,
    )
    from transformers import UMT5Config, UMT5EncoderModel

    from sora_nb.server.renderers.diffusers.tiny import _tokenizer

    torch.manual_seed(0)
    with torch.device(device):
        transformer = WanTransformer3DModel(
            patch_size=(1, 2, 2),
            num_attention_heads=12,
            attention_head_dim=128,
            in_channels=16,
            out_channels=16,
            text_dim=4096,
            freq_dim=256,
            ffn_dim=8960,
            num_layers=30,
            cross_attn_norm=True,
            qk_norm="rms_norm_across_heads",
            eps=1e-6,
        )  # saved in float32: loading in bfloat16 keeps the modules Wan wants in float32
        vae = AutoencoderKLWan()  # the defaults are Wan 2.1's VAE
        text_encoder = UMT5EncoderModel(
            UMT5Config(vocab_size=256, d_model=4096, d_ff=256, d_kv=64, num_heads=64, num_layers=1)
        )
    tokenizer = _tokenizer(["<pad>", "</s>", "<unk>"], 256, pad_token="<pad>", eos_token="</s>")
    scheduler = FlowMatchEulerDiscreteScheduler(shift=3.0)
    WanPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        scheduler=scheduler,
        transformer=transformer,
    ).save_pretrained(str(folder))


async def take(app: Any, steps: int, size: str, seconds: int) -> dict[str, Any]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://device/v1", timeout=600
    ) as http:
        made = await http.post(
            "/videos",
            json={
                "prompt": "a red kite over the sea at sunset, wide shot",
                "size": size,
                "seconds": str(seconds),
                "num_inference_steps": steps,
                "seed": 1,
            },
        )
        assert made.status_code == 200, made.text
        while True:
            body: dict[str, Any] = (await http.get(f"/videos/{made.json()['id']}")).json()
            if body["status"] in ("completed", "failed"):
                return body
            await asyncio.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--offload", action="store_true")
    # Smaller than the default only to smoke-test this script on a CPU.
    parser.add_argument("--size", default="832x480")
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    from sora_nb.server import ServerSettings, create_app
    from sora_nb.server.renderers.diffusers import DiffusersOptions, open_renderer

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "Wan2.1-T2V-1.3B-random"
        started = time.perf_counter()
        build(folder, args.device)
        print(f"built and saved the random 1.3B pipeline in {time.perf_counter() - started:.0f} s")
        options = DiffusersOptions(
            model=str(folder), device=args.device, dtype="bfloat16", offload=args.offload
        )
        renderer = open_renderer(options)
        print(f"{renderer.describe()}; loaded in {renderer.load_seconds:.1f} s", flush=True)
        app = create_app(ServerSettings(media_dir=Path(tmp) / "server", renderer=renderer))
        try:
            started = time.perf_counter()
            done = asyncio.run(take(app, args.steps, args.size, args.seconds))
            total = time.perf_counter() - started
        finally:
            app.state.server.close()
    assert done["status"] == "completed", done
    per_step = done["seconds_per_step"]
    decode = done["inference_time_s"] - per_step * args.steps
    print(
        f"Wan 2.1 1.3B (random weights), {args.size}, {done['num_frames']} frames, {args.steps} "
        f"steps, guidance on: {per_step:.2f} s/step, pipeline {done['inference_time_s']:.1f} s "
        f"(text, steps, decode ~{decode:.1f} s), request to MP4 {total:.1f} s, peak "
        f"{done['peak_memory_mb'] / 1024:.1f} GiB on {done['device']}"
        f"{' with offload' if args.offload else ''}"
    )
    print(f"projected 50-step take: {per_step * 50 + decode:.0f} s")
    print(f"stages (s): {done.get('stage_durations')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
