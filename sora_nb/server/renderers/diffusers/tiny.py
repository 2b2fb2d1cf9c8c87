"""Tiny random-weight video pipelines, built in code: the real machinery with no weights at all.

``build_tiny("wan", folder)`` saves a Wan text-to-video pipeline of a few hundred kilobytes
(``"wan-i2v"``: Wan 2.2's text-and-image layout, ``"wan-i2v-a14b"``: Wan 2.2 I2V A14B's
layout, which takes a first and a last frame; ``"ltx2"``: LTX-2
with sound). They render
noise-like colour fields in a fraction of a second on a CPU, through exactly the code a real
model runs (loading by ``model_index.json``, step callbacks, decoding, sound): for tests, and for
trying the diffusers renderer on a machine with no GPU and no downloaded model. The sizes follow
diffusers' own test components; tokenizers are made with the ``tokenizers`` library, so nothing
is fetched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from sora_nb.server.renderers.diffusers.locate import NOTE

TinyKind = Literal["wan", "wan-i2v", "wan-a14b", "ltx2", "wan-i2v-a14b"]
KINDS: tuple[TinyKind, ...] = ("wan", "wan-i2v", "wan-a14b", "ltx2", "wan-i2v-a14b")
#: The clip each tiny model makes by default, noted in its folder's sora_nb.json: small, since
#: the pipelines' own defaults (832x480, 81 frames) take many minutes on a CPU even this tiny.
USUAL: dict[TinyKind, tuple[str, int]] = {
    "wan": ("112x64", 1),
    "wan-i2v": ("112x64", 1),
    "wan-a14b": ("112x64", 1),
    "ltx2": ("64x32", 1),
    "wan-i2v-a14b": ("112x64", 1),
}

#: Words the tiny tokenizers know (anything else is <unk>): enough for a readable prompt.
_WORDS = " ".join(
    (
        "a the of and in on with at to over under slow fast camera light dark red blue green",
        "gold sky sea city night day cat dog bird boat kite rain snow wind walks runs flies",
        "drifts wide close shot push pull pan tilt sunset morning street forest river mountain",
    )
).split(" ")


def build_tiny(kind: TinyKind, folder: Path | str) -> Path:
    """Save a tiny random-weight pipeline of ``kind`` into ``folder`` and return the folder."""
    import torch

    from sora_nb.server.renderers.diffusers.renderer import quiet_libraries

    quiet_libraries()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with torch.random.fork_rng(devices=[]):
        if kind in ("wan", "wan-i2v", "wan-a14b"):
            pipe = _wan(expand_timesteps=kind == "wan-i2v", two_experts=kind == "wan-a14b")
        elif kind == "ltx2":
            pipe = _ltx2()
        elif kind == "wan-i2v-a14b":
            pipe = _wan_i2v_a14b()
        else:
            raise ValueError(f"No tiny pipeline {kind!r}; choose one of {', '.join(KINDS)}.")
        pipe.save_pretrained(str(out))
    size, seconds = USUAL[kind]
    note = {"usual_size": size, "usual_seconds": seconds, "weights": "random (a tiny test model)"}
    (out / NOTE).write_text(json.dumps(note, indent=2) + "\n")
    return out


def _tokenizer(specials: list[str], vocab_size: int, **named: Any) -> Any:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(specials)}
    for word in _WORDS:
        if len(vocab) >= vocab_size:
            break
        vocab.setdefault(word, len(vocab))
    model = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    model.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=model, unk_token="<unk>", **named)


def build_tiny_lora(
    pipeline: Path | str,
    out: Path | str,
    *,
    seed: int = 1,
    expert: str = "transformer",
    rank: int = 4,
) -> Path:
    """Save a random LoRA adapter of ``rank`` for the Wan pipeline saved in ``pipeline``
    (shaped for its ``expert``) as the ``.safetensors`` file ``out``, and return ``out``."""
    import torch
    from diffusers import WanPipeline, WanTransformer3DModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    transformer = WanTransformer3DModel.from_pretrained(str(Path(pipeline) / expert))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # Random A and B (not peft's zero B), so the adapter changes the frames.
        config = LoraConfig(
            r=rank,
            lora_alpha=rank,
            init_lora_weights=False,
            target_modules=["to_q", "to_k", "to_v"],
        )
        transformer.add_adapter(config)
    layers = get_peft_model_state_dict(transformer)
    WanPipeline.save_lora_weights(
        str(target.parent), transformer_lora_layers=layers, weight_name=target.name
    )
    return target


def _wan(*, expand_timesteps: bool, two_experts: bool = False) -> Any:
    import torch
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanPipeline,
        WanTransformer3DModel,
    )
    from transformers import T5Config, UMT5EncoderModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3,
        z_dim=16,
        dim_mult=[1, 1, 1, 1],
        num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=16,
        out_channels=16,
        text_dim=32,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=1024,
    )
    torch.manual_seed(0)
    text_encoder = UMT5EncoderModel(
        T5Config(
            vocab_size=128,
            d_model=32,
            d_ff=37,
            d_kv=8,
            num_heads=4,
            num_layers=2,
            relative_attention_num_buckets=8,
        )
    )
    tokenizer = _tokenizer(["<pad>", "</s>", "<unk>"], 128, pad_token="<pad>", eos_token="</s>")
    experts: dict[str, Any] = {}
    if two_experts:  # Wan 2.2 A14B's layout: a high-noise and a low-noise expert
        torch.manual_seed(1)
        experts = {
            "transformer_2": type(transformer)(**transformer.config),
            "boundary_ratio": 0.875,
        }
    return WanPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        transformer=transformer,
        expand_timesteps=expand_timesteps,
        **experts,
    )


def _wan_i2v_a14b() -> Any:
    """Wan 2.2 I2V A14B's layout (one expert here): its transformer reads the noise beside the
    encoded first frame, the encoded last frame when one is sent, and their mask (16 + 16 + 4
    channels); no CLIP encoder, so a last frame is optional."""
    import torch
    from diffusers import WanImageToVideoPipeline, WanTransformer3DModel

    text = _wan(expand_timesteps=False)
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(**{**dict(text.transformer.config), "in_channels": 36})
    return WanImageToVideoPipeline(
        tokenizer=text.tokenizer,
        text_encoder=text.text_encoder,
        vae=text.vae,
        scheduler=text.scheduler,
        transformer=transformer,
    )


def _ltx2() -> Any:
    import torch
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2Pipeline,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import (
        Gemma3Config,
        Gemma3ForConditionalGeneration,
        Gemma3TextConfig,
        SiglipVisionConfig,
    )

    hidden = 32  # the text connectors need the text encoder's width to be 32
    torch.manual_seed(0)
    text_encoder = Gemma3ForConditionalGeneration(
        Gemma3Config(
            text_config=Gemma3TextConfig(
                vocab_size=64,
                hidden_size=hidden,
                intermediate_size=64,
                num_hidden_layers=2,
                num_attention_heads=2,
                num_key_value_heads=1,
                head_dim=16,
                max_position_embeddings=128,
                sliding_window=16,
            ),
            vision_config=SiglipVisionConfig(
                hidden_size=16,
                intermediate_size=32,
                num_hidden_layers=1,
                num_attention_heads=2,
                image_size=28,
                patch_size=14,
            ),
            mm_tokens_per_image=4,
            image_token_index=63,
            boi_token_index=61,
            eoi_token_index=62,
        )
    )
    tokenizer = _tokenizer(
        ["<pad>", "<eos>", "<bos>", "<unk>"],
        60,
        pad_token="<pad>",
        eos_token="<eos>",
        bos_token="<bos>",
        padding_side="left",
    )
    torch.manual_seed(0)
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4,
        out_channels=4,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=2,
        attention_head_dim=8,
        cross_attention_dim=16,
        audio_in_channels=4,
        audio_out_channels=4,
        audio_num_attention_heads=2,
        audio_attention_head_dim=4,
        audio_cross_attention_dim=8,
        num_layers=2,
        qk_norm="rms_norm_across_heads",
        caption_channels=hidden,
        rope_double_precision=False,
        rope_type="split",
    )
    torch.manual_seed(0)
    connectors = LTX2TextConnectors(
        caption_channels=hidden,
        text_proj_in_factor=3,  # the text encoder's layers + 1
        video_connector_num_attention_heads=4,
        video_connector_attention_head_dim=8,
        video_connector_num_layers=1,
        video_connector_num_learnable_registers=None,
        audio_connector_num_attention_heads=4,
        audio_connector_attention_head_dim=8,
        audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None,
        connector_rope_base_seq_len=32,
        rope_theta=10000.0,
        rope_double_precision=False,
        causal_temporal_positioning=False,
        rope_type="split",
    )
    # Two space-and-time stages (4x, where diffusers' test VAE has one): 4k+1 frames, and a
    # latent small enough that 30 default steps take seconds on a CPU.
    torch.manual_seed(0)
    vae = AutoencoderKLLTX2Video(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        block_out_channels=(8, 8),
        decoder_block_out_channels=(8, 8),
        layers_per_block=(1, 1),
        decoder_layers_per_block=(1, 1, 1),
        spatio_temporal_scaling=(True, True),
        decoder_spatio_temporal_scaling=(True, True),
        decoder_inject_noise=(False, False, False),
        downsample_type=("spatiotemporal", "spatiotemporal"),
        upsample_residual=(False, False),
        upsample_factor=(1, 1),
        timestep_conditioning=False,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    torch.manual_seed(0)
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4,
        output_channels=2,
        ch_mult=(1,),
        num_res_blocks=1,
        attn_resolutions=None,
        in_channels=2,
        resolution=32,
        latent_channels=2,
        norm_type="pixel",
        causality_axis="height",
        dropout=0.0,
        mid_block_add_attention=False,
        sample_rate=16000,
        mel_hop_length=160,
        is_causal=True,
        mel_bins=8,
    )
    torch.manual_seed(0)
    vocoder = LTX2Vocoder(
        in_channels=16,  # the audio VAE's output channels x mel bins
        hidden_channels=32,
        out_channels=2,
        upsample_kernel_sizes=[4, 4],
        upsample_factors=[2, 2],
        resnet_kernel_sizes=[3],
        resnet_dilations=[[1, 3, 5]],
        leaky_relu_negative_slope=0.1,
        output_sampling_rate=16000,
    )
    return LTX2Pipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        audio_vae=audio_vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        connectors=connectors,
        transformer=transformer,
        vocoder=vocoder,
    )
