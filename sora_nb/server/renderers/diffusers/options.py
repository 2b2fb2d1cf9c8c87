"""How to run a local model: which one, on which device, in which precision, with which savings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DType = Literal["float32", "bfloat16", "float16"]


class DiffusersOptions(BaseModel):
    """The diffusers renderer's settings (``--model``, ``--device``, ``--dtype``, ``--offload``).

    ``device`` None means CUDA when torch sees a GPU, else the CPU; ``dtype`` None means
    bfloat16 on a GPU and float32 on the CPU. ``offload`` keeps only the stage running on the GPU
    (model CPU offload: slower, much less GPU memory); ``vae_tiling`` decodes the video in tiles.
    """

    model_config = ConfigDict(frozen=True)

    #: A pipeline folder or a Hugging Face id already in the local cache.
    model: str = Field(min_length=1)
    device: str | None = None
    dtype: DType | None = None
    offload: bool = False
    vae_tiling: bool = False
    #: The model name the server answers to (default: the hub id, or the folder's name).
    served_name: str | None = None
    #: A folder of LoRA adapters (``NAME.safetensors``), loaded once and offered by name.
    lora_dir: str | None = None
