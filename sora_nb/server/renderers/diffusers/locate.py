"""Find a diffusers pipeline on this machine: a folder, or a hub id already in the local cache.

Nothing here downloads: a hub id that is not cached fails with the command that downloads it,
so weights are only ever fetched when the user asks. Nor does anything here import torch: a
wrong path fails in a fraction of a second.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: What a Hugging Face model id looks like ("Wan-AI/Wan2.1-T2V-1.3B-Diffusers").
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")
#: A folder inside the hub cache: ".../models--ORG--NAME/snapshots/<revision>".
_CACHED = re.compile(r"models--(?P<org>[^/\\]+?)--(?P<name>[^/\\]+)[/\\]snapshots[/\\]")


class ModelError(ValueError):
    """The model asked for cannot be served: missing, not cached, or not a video pipeline."""


@dataclass(frozen=True)
class LocatedModel:
    """A pipeline folder on disk and what its ``model_index.json`` says it is."""

    #: The name the server answers to (the hub id, or the folder's name).
    name: str
    folder: Path
    #: The pipeline class ``model_index.json`` names (``WanPipeline``, ``LTX2Pipeline``...).
    pipeline_class: str
    index: dict[str, Any]
    #: The usual clip its maker noted in ``sora_nb.json`` beside ``model_index.json``
    #: (``{"usual_size": "112x64", "usual_seconds": 1}``), or None.
    usual: tuple[str, int] | None = None


def locate(model: str, served_name: str | None = None) -> LocatedModel:
    """The pipeline folder for ``model`` (a folder, or a cached hub id), or :class:`ModelError`."""
    text = model.strip()
    if not text:
        raise ModelError("No model given: pass a diffusers pipeline folder or a Hugging Face id.")
    path = Path(text).expanduser()
    if path.is_dir():
        folder, name = path.resolve(), _name_of_folder(path.resolve())
    elif path.exists():
        raise ModelError(
            f"{text} is a file; the diffusers renderer needs the pipeline's folder (the one "
            "holding model_index.json)."
        )
    elif _HUB_ID.fullmatch(text) and not text.startswith((".", "~")):
        folder, name = _cached(text), text
    else:
        raise ModelError(
            f"No folder {text}: pass a diffusers pipeline folder (holding model_index.json) or a "
            "Hugging Face id like Wan-AI/Wan2.1-T2V-1.3B-Diffusers."
        )
    index_file = folder / "model_index.json"
    if not index_file.is_file():
        raise ModelError(
            f"{text} is not a diffusers pipeline folder: it has no model_index.json. Point at "
            "the folder save_pretrained wrote (or the hub snapshot) instead."
        )
    try:
        index = json.loads(index_file.read_text())
        pipeline_class = str(index["_class_name"])
    except (ValueError, KeyError, TypeError):
        raise ModelError(
            f"{index_file} is not a readable diffusers model index (no _class_name)."
        ) from None
    return LocatedModel(
        name=served_name or name,
        folder=folder,
        pipeline_class=pipeline_class,
        index=index,
        usual=_noted_usual(folder),
    )


#: A note a model's maker may leave beside model_index.json: its usual size and length.
NOTE = "sora_nb.json"


def _noted_usual(folder: Path) -> tuple[str, int] | None:
    """The usual clip ``sora_nb.json`` notes (the tiny models' builder writes one), if any."""
    note = folder / NOTE
    if not note.is_file():
        return None
    try:
        data = json.loads(note.read_text())
        size, seconds = str(data["usual_size"]).lower(), int(data["usual_seconds"])
        width, _, height = size.partition("x")
        if not (width.isdigit() and height.isdigit() and seconds >= 1):
            raise ValueError(size)
    except (ValueError, KeyError, TypeError):
        raise ModelError(
            f"{note} should say the model's usual clip like "
            '{"usual_size": "832x480", "usual_seconds": 5}; fix or delete it.'
        ) from None
    return size, seconds


def _name_of_folder(folder: Path) -> str:
    found = _CACHED.search(str(folder) + os.sep)
    return f"{found['org']}/{found['name']}" if found else folder.name


def _cached(repo_id: str) -> Path:
    """The cached snapshot of ``repo_id``, never a download."""
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
        offline = " (HF_HUB_OFFLINE=1 is set)" if constants.HF_HUB_OFFLINE else ""
        raise ModelError(
            f"{repo_id} is not in this machine's Hugging Face cache ({constants.HF_HUB_CACHE})"
            f"{offline}, and sora_nb never downloads weights on its own. Download it once with: "
            f"hf download {repo_id}"
        ) from None
