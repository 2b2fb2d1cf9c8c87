"""What a job's id and a refusal betray of the server's dialect, when ``GET /v1/models`` did
not say (:func:`sora_nb.api.dialects.detect` reads that)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from sora_nb.api.dialects import DIALECTS, Dialect

__all__ = ["from_job", "refuses_json"]

_HEX32 = re.compile(r"[0-9a-f]{32}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def from_job(video_id: str, fields: Mapping[str, Any]) -> Dialect | None:
    """The dialect a job's id and fields betray, if they betray one (None otherwise).

    vLLM-Omni's ids are ``video_gen_<32 hex>``, SGLang's dashed UUIDs, FastVideo's 32 bare hex
    characters, LiteLLM's ``video_`` and base64 of ``litellm:custom_llm_provider:...``.
    """
    if video_id.startswith("video_gen_") and _HEX32.fullmatch(video_id[10:]):
        return DIALECTS["vllm-omni"]
    if _UUID.fullmatch(video_id):
        return DIALECTS["sglang"]
    if _HEX32.fullmatch(video_id) and "file_path" in fields:
        return DIALECTS["fastvideo"]
    if video_id.startswith("video_") and _litellm_id(video_id[6:]):
        return DIALECTS["litellm"]
    return None


def refuses_json(message: str | None, param: str | None) -> bool:
    """True when a create's 400/422 says the prompt was missing: a form-only server (vLLM-Omni)
    read the JSON body as an empty form."""
    text = (message or "").lower()
    field_named = (param or "").removeprefix("body.") == "prompt" or "prompt" in text
    return field_named and any(w in text for w in ("required", "missing"))


def _litellm_id(encoded: str) -> bool:
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        text = base64.b64decode(padded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return text.startswith("litellm:")
