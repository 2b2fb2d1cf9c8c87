"""Catalog profiles of the open video models that vLLM-Omni, SGLang and FastVideo serve.

Every figure names its source: the model's own repository (its configs and README, at the
commit read), the diffusers pipeline that runs it, or its model card. A figure marked
UNVERIFIED rests on inference from those sources, not on a statement in them. They run on the
user's GPUs: no price per second, GPU time instead (``open_weights=True``).

Layer 0, part of :mod:`sora_nb.catalog`, which registers these at import (through
:mod:`sora_nb.catalog.cards`); it builds on :mod:`sora_nb.catalog.profile` alone, so the
catalog's registry imports it and never the other way round.
"""

from __future__ import annotations

from sora_nb.catalog.profile import ModelProfile

_WAN21 = "https://github.com/Wan-Video/Wan2.1/blob/9737cba9c1c3c4d04b33fcad41c111989865d315"
_WAN22 = "https://github.com/Wan-Video/Wan2.2/blob/42bf4cfaa384bc21833865abc2f9e6c0e67233dc"
_DIFFUSERS = (
    "https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951"
)
_LTX2 = "https://github.com/Lightricks/LTX-2/blob/5b3fda32d5cfb2f0d8716d3f1e94cc9e3b412e0f"
_HY15 = (
    "https://github.com/Tencent-Hunyuan/HunyuanVideo-1.5/blob/"
    "60783e704160023913bee78f0b47036d393d4dfa"
)
_WAN_RULE = f"{_DIFFUSERS}/docs/source/en/api/pipelines/wan.md (num_frames of the form 4 * k + 1)"


def _seconds(max_frames: int, fps: int) -> tuple[str, ...]:
    """Whole seconds from 1 up to the longest clip (``max_frames`` at ``fps``)."""
    return tuple(str(s) for s in range(1, max(1, max_frames // fps) + 1))


def open_profiles() -> list[ModelProfile]:
    """The open models' profiles, built on first import of the catalog."""
    wan21 = ModelProfile(
        name="Wan2.1-T2V-1.3B",
        aliases=("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "Wan-AI/Wan2.1-T2V-1.3B"),
        sizes=("832x480", "480x832"),
        seconds=_seconds(81, 16),
        audio=False,
        image_input=False,
        open_weights=True,
        fps=16,
        frame_rule=(4, 1),
        default_frames=81,
        max_frames=81,
        default_steps=50,
        default_guidance=5.0,
        notes="Small and fast text-to-video at 480p; fits a consumer GPU.",
        sources={
            "sizes": f"{_WAN21}/wan/configs/__init__.py SUPPORTED_SIZES['t2v-1.3B']",
            "fps": f"{_WAN21}/wan/configs/shared_config.py sample_fps = 16",
            "frame_rule": _WAN_RULE,
            "default_frames": f"{_WAN21}/wan/configs/shared_config.py frame_num = 81",
            "max_frames": "UNVERIFIED: the trained length (frame_num 81) taken as the longest",
            "default_steps": f"{_WAN21}/generate.py sample_steps = 50 for t2v",
            "default_guidance": f"{_WAN21}/generate.py --sample_guide_scale default 5.0",
            "image_input": f"{_WAN21}/README.md: T2V-1.3B is text-to-video only",
            "audio": "no audio stream in WanPipeline's output",
        },
    )
    wan22_a14b = ModelProfile(
        name="Wan2.2-T2V-A14B",
        aliases=("Wan-AI/Wan2.2-T2V-A14B-Diffusers", "Wan-AI/Wan2.2-T2V-A14B"),
        sizes=("1280x720", "720x1280", "832x480", "480x832"),
        seconds=_seconds(81, 16),
        audio=False,
        image_input=False,
        open_weights=True,
        fps=16,
        frame_rule=(4, 1),
        default_frames=81,
        max_frames=81,
        default_steps=40,
        default_guidance=4.0,
        experts=2,
        notes="Mixture-of-experts text-to-video at 480p and 720p (guidance 4.0 high-noise, "
        "3.0 low-noise expert).",
        sources={
            "sizes": f"{_WAN22}/wan/configs/__init__.py SUPPORTED_SIZES['t2v-A14B']",
            "fps": f"{_WAN22}/wan/configs/shared_config.py sample_fps = 16",
            "frame_rule": _WAN_RULE,
            "default_frames": f"{_WAN22}/wan/configs/shared_config.py frame_num = 81",
            "max_frames": "UNVERIFIED: the trained length (frame_num 81) taken as the longest",
            "default_steps": f"{_WAN22}/wan/configs/wan_t2v_A14B.py sample_steps = 40",
            "default_guidance": (
                f"{_WAN22}/wan/configs/wan_t2v_A14B.py sample_guide_scale = (3.0, 4.0) "
                "(low noise, high noise); guidance_scale is the high-noise stage's in "
                "diffusers' WanPipeline"
            ),
            "image_input": f"{_WAN22}/README.md: T2V-A14B is text-to-video (I2V-A14B is apart)",
        },
    )
    wan22_5b = ModelProfile(
        name="Wan2.2-TI2V-5B",
        aliases=("Wan-AI/Wan2.2-TI2V-5B-Diffusers", "Wan-AI/Wan2.2-TI2V-5B"),
        sizes=("1280x704", "704x1280"),
        seconds=_seconds(121, 24),
        audio=False,
        image_input=True,
        open_weights=True,
        fps=24,
        frame_rule=(4, 1),
        default_frames=121,
        max_frames=121,
        default_steps=50,
        default_guidance=5.0,
        notes="Text or first frame to 720p video at 24 fps; note 704, not 720, lines.",
        sources={
            "sizes": f"{_WAN22}/wan/configs/__init__.py SUPPORTED_SIZES['ti2v-5B'] "
            "(README: the 720P of TI2V is 1280*704 or 704*1280)",
            "fps": f"{_WAN22}/wan/configs/wan_ti2v_5B.py sample_fps = 24",
            "frame_rule": f"{_WAN22}/README.md: Wan2.2-VAE compresses time 4x (4k+1 frames)",
            "default_frames": f"{_WAN22}/wan/configs/wan_ti2v_5B.py frame_num = 121",
            "max_frames": "UNVERIFIED: the trained length (frame_num 121) taken as the longest",
            "default_steps": f"{_WAN22}/wan/configs/wan_ti2v_5B.py sample_steps = 50",
            "default_guidance": f"{_WAN22}/wan/configs/wan_ti2v_5B.py sample_guide_scale = 5.0",
            "image_input": f"{_WAN22}/README.md: supports text-to-video and image-to-video",
        },
    )
    ltx2 = ModelProfile(
        name="LTX-2",
        aliases=("Lightricks/LTX-2",),
        sizes=("768x512", "512x768", "1280x704", "704x1280"),
        seconds=tuple(str(s) for s in range(1, 21)),
        audio=True,
        image_input=True,
        open_weights=True,
        fps=24,
        frame_rule=(8, 1),
        default_frames=121,
        size_multiple=32,
        default_steps=30,
        default_guidance=3.0,
        notes="Video with synchronised sound, one model; sizes in multiples of 32.",
        sources={
            "sizes": f"{_DIFFUSERS}/src/diffusers/pipelines/ltx2/pipeline_ltx2.py defaults "
            "768x512; other presets UNVERIFIED (any multiple of 32 is accepted)",
            "size_multiple": f"{_LTX2}/packages/ltx-pipelines/README.md: resolution must be "
            "multiples of 32",
            "frame_rule": f"{_LTX2}/packages/ltx-pipelines/README.md: frame count in the 8k+1 "
            "format",
            "fps": f"{_DIFFUSERS}/src/diffusers/pipelines/ltx2/pipeline_ltx2.py frame_rate=24.0",
            "default_frames": f"{_DIFFUSERS}/src/diffusers/pipelines/ltx2/pipeline_ltx2.py "
            "num_frames falls back to 121",
            "seconds": "UNVERIFIED: 20 s, the max_seconds of diffusers' LTX2Pipeline",
            "default_steps": f"{_DIFFUSERS}/src/diffusers/pipelines/ltx2/pipeline_ltx2.py "
            "num_inference_steps=30",
            "default_guidance": f"{_DIFFUSERS}/src/diffusers/pipelines/ltx2/pipeline_ltx2.py "
            "guidance_scale=3.0",
            "audio": f"{_DIFFUSERS}/docs/source/en/api/pipelines/ltx2.md: synchronized video "
            "and audio",
            "image_input": f"{_DIFFUSERS}/src/diffusers/pipelines/ltx2/"
            "pipeline_ltx2_image2video.py",
        },
    )
    hunyuan_sources = {
        "sizes": f"{_HY15}/README.md resolutions 480p and 720p (16:9 by default); pixel sizes "
        "UNVERIFIED, from the buckets of diffusers' HunyuanVideo15ImageProcessor",
        "size_multiple": f"{_HY15}/README.md: the VAE compresses 16x in space",
        "fps": f"{_HY15}/README.md: export_to_video(..., fps=24); generate.py fps=24",
        "frame_rule": f"{_HY15}/README.md: the VAE compresses 4x in time (4k+1 frames)",
        "default_frames": f"{_HY15}/README.md --video_length default 121",
        "max_frames": f"UNVERIFIED: {_HY15}/README.md speaks of 10-second 720p videos",
        "default_steps": f"{_HY15}/README.md optimal configurations: 50 steps",
        "default_guidance": f"{_HY15}/README.md optimal configurations: CFG scale 6",
    }
    hunyuan = ModelProfile(
        name="HunyuanVideo-1.5",
        aliases=(
            "tencent/HunyuanVideo-1.5",
            "hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-480p_t2v",
            "hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-720p_t2v",
            "hunyuanvideo-community/HunyuanVideo-1.5-480p_t2v",
            "hunyuanvideo-community/HunyuanVideo-1.5-720p_t2v",
        ),
        sizes=("848x480", "480x848", "1280x720", "720x1280"),
        seconds=_seconds(241, 24),
        audio=False,
        image_input=False,
        open_weights=True,
        fps=24,
        frame_rule=(4, 1),
        default_frames=121,
        max_frames=241,
        size_multiple=16,
        default_steps=50,
        default_guidance=6.0,
        notes="8.3B text-to-video at 480p or 720p; the _i2v checkpoints take a first frame.",
        sources=hunyuan_sources,
    )
    hunyuan_i2v = hunyuan.model_copy(
        update={
            "name": "HunyuanVideo-1.5-I2V",
            "aliases": (
                "hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-480p_i2v",
                "hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-720p_i2v",
                "hunyuanvideo-community/HunyuanVideo-1.5-480p_i2v",
                "hunyuanvideo-community/HunyuanVideo-1.5-720p_i2v",
            ),
            "image_input": True,
            "notes": "HunyuanVideo-1.5 from a first frame (the _i2v checkpoints).",
            "sources": {**hunyuan_sources, "image_input": f"{_HY15}/README.md 480P-I2V, 720P-I2V"},
        }
    )
    return [wan21, wan22_5b, wan22_a14b, ltx2, hunyuan, hunyuan_i2v]
