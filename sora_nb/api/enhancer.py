"""The prompt enhancer: one question to an OpenAI-compatible chat endpoint (LiteLLM, vLLM,
Ollama, llama.cpp...) that rewrites a brief into a richer prompt for a video model.

The user's words are sacred: a rewrite is a separate, labelled variant, asked for only when the
user asks (``--enhance``, ``enhance=True``, ``--vary prompt=mine,enhanced``). The system prompt
keeps the subject, the action, the camera and the timing and only adds what can be seen and
heard. The endpoint's key lives in memory and in the Authorization header only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from sora_nb.api.config import normalize_base_url
from sora_nb.api.errors import SoraError

#: Our own instruction to the chat model (written for sora_nb; Wan's and SGLang's enhancers ask
#: much the same: keep the meaning, add what can be seen, answer with the prompt alone).
SYSTEM_PROMPT = """\
You rewrite a short brief for a text-to-video model into one richer prompt.

Keep, exactly as the brief gives them:
- the subject (who or what, how many, named characters by their names);
- the action (what happens, in the order it happens);
- the camera (framing, angle, lens, movement), and any shot breaks;
- the timing (durations, beats, "then", "slowly", "at 3 s");
- any quoted dialogue or on-screen text, word for word.

Add only what can be seen or heard: the setting's look, light, colour, texture, weather,
the subject's appearance and expression, the style of the picture, and the sound (ambience,
effects, music). Never add a new character, a new event, a new camera move or a cut, and never
contradict the brief.

Answer with the prompt alone: one to three short paragraphs of plain prose in the brief's
language, under 150 words, no title, no quotes around it, no notes, no markdown."""

#: Environment variables that name an enhancer when the notebook does not.
ENV_URL = "SORA_NB_ENHANCER_URL"
ENV_MODEL = "SORA_NB_ENHANCER_MODEL"
ENV_KEY = "SORA_NB_ENHANCER_KEY"
#: The longest rewrite taken (a Videos API prompt's own limit).
MAX_CHARS = 32_000
#: What a notebook types to name an enhancer; every "none named" message ends with it.
HOW_TO_NAME = (
    "name one with %sora enhancer URL --model M (or sora_nb.enhancer(URL, model=M), or the "
    f"variables {ENV_URL} and {ENV_MODEL}, with {ENV_KEY} for its key)"
)


class EnhancerError(SoraError, RuntimeError):
    """The enhancer is not named, does not answer, refuses, or answers something that is not a
    prompt; the message says what to do. Nothing was planned or written."""


@dataclass(frozen=True)
class Enhancer:
    """Where rewrites come from: an OpenAI-compatible chat endpoint and the model to ask.

    ``price_in`` and ``price_out`` (dollars per million tokens) price a rewrite where the
    endpoint reports its usage but not its cost (LiteLLM's proxy reports the cost itself)."""

    url: str
    model: str
    key: SecretStr | None = field(default=None, repr=False)
    system_prompt: str = field(default=SYSTEM_PROMPT, repr=False)
    price_in: float | None = None
    price_out: float | None = None
    #: Tests and embedders may hand the HTTP transport (httpx's ASGI transport, say).
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False, compare=False)
    timeout: float = 60.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", normalize_base_url(self.url))
        if not self.model.strip():
            raise EnhancerError(f"The enhancer at {self.url} needs a model: {HOW_TO_NAME}.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Enhancer | None:
        """The enhancer the environment names, or None when it names none."""
        url = environ.get(ENV_URL, "").strip()
        if not url:
            return None
        model = environ.get(ENV_MODEL, "").strip()
        if not model:
            raise EnhancerError(f"{ENV_URL} is set but {ENV_MODEL} is not; {HOW_TO_NAME}.")
        key = environ.get(ENV_KEY, "").strip()
        return cls(url=url, model=model, key=SecretStr(key) if key else None)

    def cache_key(self, brief: str) -> str:
        """What a rewrite depends on: the brief, the endpoint, the model, the system prompt."""
        fields = [brief, self.url, self.model, self.system_prompt]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()

    def describe(self) -> str:
        return f"{self.model} at {self.url}"


class Enhancement(BaseModel):
    """One rewrite: the text, who wrote it, and what it cost (None: not known)."""

    model_config = ConfigDict(frozen=True)

    brief: str
    text: str
    model: str
    endpoint: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None


async def enhance(enhancer: Enhancer, brief: str) -> Enhancement:
    """Ask ``enhancer`` to rewrite ``brief``; EnhancerError (one line, the key never in it) when
    it does not answer, refuses, or answers something that is not a prompt."""
    body = {
        "model": enhancer.model,
        "messages": [
            {"role": "system", "content": enhancer.system_prompt},
            {"role": "user", "content": brief},
        ],
    }
    headers = {}
    if enhancer.key is not None:
        headers["Authorization"] = f"Bearer {enhancer.key.get_secret_value()}"
    where = enhancer.describe()
    try:
        async with httpx.AsyncClient(
            transport=enhancer.transport, timeout=enhancer.timeout
        ) as http:
            answer = await http.post(f"{enhancer.url}/chat/completions", json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise EnhancerError(
            f"The prompt enhancer {where} does not answer ({type(exc).__name__}); start it, or "
            f"{HOW_TO_NAME}."
        ) from None
    if answer.status_code >= 400:
        said = _redact(enhancer, _server_words(answer))
        raise EnhancerError(
            f"The prompt enhancer {where} refused with HTTP {answer.status_code}: {said}; check "
            f"its model and key, or {HOW_TO_NAME}."
        )
    text, usage = _read(answer)
    if text is None:
        raise EnhancerError(
            f"The prompt enhancer {where} answered something that is not a chat completion "
            f"with a prompt in it; check that its URL is an OpenAI-compatible /v1, or "
            f"{HOW_TO_NAME}."
        )
    return Enhancement(
        brief=brief,
        text=text,
        model=enhancer.model,
        endpoint=enhancer.url,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
        cost=_cost(enhancer, answer.headers, usage),
    )


def _read(answer: httpx.Response) -> tuple[str | None, dict[str, int]]:
    """The rewrite and the token counts of a chat completion; (None, {}) for anything else."""
    try:
        data = answer.json()
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None, {}
    if not isinstance(content, str):
        return None, {}
    text = content.strip().strip('"').strip()
    if not text or len(text) > MAX_CHARS or "\x00" in text:
        return None, {}
    raw = data.get("usage") if isinstance(data, dict) else None
    usage = {
        name: value
        for name, value in (raw or {}).items()
        if name in ("prompt_tokens", "completion_tokens") and isinstance(value, int)
    }
    return text, usage


def _cost(enhancer: Enhancer, headers: Mapping[str, str], usage: dict[str, int]) -> float | None:
    # LiteLLM's proxy says what a call cost; else the user's prices per million tokens.
    said = headers.get("x-litellm-response-cost")
    if said:
        try:
            return max(0.0, float(said))
        except ValueError:
            pass
    if enhancer.price_in is None or enhancer.price_out is None:
        return None
    if "prompt_tokens" not in usage or "completion_tokens" not in usage:
        return None
    spent = usage["prompt_tokens"] * enhancer.price_in
    return (spent + usage["completion_tokens"] * enhancer.price_out) / 1e6


def _server_words(answer: httpx.Response) -> str:
    try:
        data: Any = answer.json()
    except ValueError:
        data = None
    said = data if isinstance(data, dict) else {}
    error = said.get("error")
    message = error.get("message") if isinstance(error, dict) else error or said.get("detail")
    text = str(message) if message else answer.text
    line = " ".join(text.split())
    return (line[:200] + "...") if len(line) > 200 else line or "no reason given"


def _redact(enhancer: Enhancer, text: str) -> str:
    secret = enhancer.key.get_secret_value() if enhancer.key is not None else ""
    return text.replace(secret, "[redacted]") if secret else text
