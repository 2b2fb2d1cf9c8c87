"""The dialects of the Videos API: how OpenAI, vLLM-Omni, SGLang, FastVideo and LiteLLM speak it.

Each engine answers ``/v1/videos`` in its own way (``docs/engines.md`` has the differences, as
the engines' own code answers): vLLM-Omni takes only form bodies and refuses any model but the
one it serves; no engine makes thumbnails; SGLang and FastVideo "delete" a job by forgetting it;
LiteLLM's proxy has no DELETE route at all. A
:class:`Dialect` holds those facts for one kind of server, and :func:`detect` tells which kind a
server is from its ``/v1/models`` answer (``owned_by``, extra fields, headers); the ids of its
jobs (:func:`from_job`) confirm a guess later.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sora_nb.api import model_cards
from sora_nb.api.errors import ConfigurationError
from sora_nb.catalog import options as options_table
from sora_nb.catalog.options import Option

#: The names a dialect can be set by (``--dialect``, ``dialect=``, ``SORA_NB_DIALECT``).
DialectName = Literal["openai", "vllm-omni", "sglang", "fastvideo", "litellm"]
#: LiteLLM's proxy lists every model with this "created" stamp (litellm/constants.py
#: DEFAULT_MODEL_CREATED_AT_TIME), whichever provider serves it.
LITELLM_CREATED = 1677610602


@dataclass(frozen=True)
class Dialect:
    """How one kind of server speaks the Videos API: what to send it and how to read it."""

    name: DialectName
    #: The server's name as people write it ("vLLM-Omni").
    title: str
    #: "json": JSON unless a file goes along (then multipart); "form": always multipart.
    encoding: Literal["json", "form"]
    #: Serves exactly one model (its /v1/models entry): send that name, or refuse before sending.
    one_model: bool
    remix: bool
    #: Makes thumbnails and spritesheets; otherwise every content variant is the MP4.
    previews: bool
    #: What DELETE does: "cancels" the job, "forgets" it (it keeps generating), or "none" (405).
    delete: Literal["cancels", "forgets", "none"]
    #: /content statuses that mean "this job failed" (never retried, never a wait).
    content_failed: frozenset[int] = frozenset()
    #: A 404 from /content means "still generating" (or failed): look at the job and wait.
    content_404_waits: bool = False
    #: Its job reads ``completed`` only once the file is written (FastVideo 0.2.1), so a 404
    #: on a completed job's content means the file is gone, whatever its words ("Video still
    #: being generated"): said at once, never waited on.
    written_when_completed: bool = False
    #: The video is asked for as ``?variant=video``; SGLang 0.5.23 reads ``variant`` as an output
    #: index (``video`` is 404 "Video variant video not found"), so it gets none.
    variant_query: bool = True
    #: The smallest ``limit`` its list accepts.
    list_min: int = 0
    #: ``seconds`` goes as an integer in JSON bodies (SGLang, FastVideo), else as a string.
    seconds_int: bool = False
    #: Keeps jobs only in memory: a restart of the server forgets every one.
    forgets_on_restart: bool = False
    #: Misreads a create naming no size or seconds (FastVideo 0.2.1: size "", seconds "0"):
    #: the model's usual clip is sent instead, or the create is refused.
    needs_clip: bool = False
    #: Why knobs are refused, for the message (empty where knobs are taken).
    no_knobs: str = ""
    #: March 2026's continuity endpoints: ``/videos/characters``, ``/videos/extensions`` and
    #: ``/videos/edits`` (OpenAI's API and LiteLLM's proxy have them; the engines do not).
    characters: bool = False
    extensions: bool = False
    edits: bool = False
    #: Where these facts come from.
    source: str = ""
    #: The engine's own route naming its version (from the server's root, ``{"version": ...}``).
    version_route: str | None = None
    #: Versions tested against (tests/engines); others get an EngineVersionWarning on connect.
    tested: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=(), repr=False)

    def options(self) -> tuple[Option, ...]:
        """The request options this dialect takes (the options table says which)."""
        return tuple(option for option in options_table.OPTIONS if self.name in option.dialects)

    @property
    def knobs(self) -> bool:
        """Takes open-model options (seed, steps...): an engine."""
        return bool(self.options())

    def takes(self, wire_names: Iterable[str]) -> bool:
        """True when this dialect takes every one of these options (by wire name)."""
        taken = {option.wire_name(self.name) for option in self.options()}
        taken |= {option.switch for option in self.options() if option.switch}
        return set(wire_names) <= taken

    @property
    def self_hosted(self) -> bool:
        """An engine on the user's own GPUs: its takes cost GPU time, not dollars."""
        return self.name in ("vllm-omni", "sglang", "fastvideo")

    def cannot(self) -> list[str]:
        """What this server cannot do, one phrase each (empty for OpenAI's own API)."""
        missing = []
        if not self.remix:
            missing.append("remix")
        lacking = [
            name
            for name, has in (
                ("characters", self.characters),
                ("extensions", self.extensions),
                ("edits", self.edits),
            )
            if not has
        ]
        if lacking:
            listed = ", ".join(lacking[:-1]) + " or " if len(lacking) > 1 else ""
            missing.append(f"{listed}{lacking[-1]} (no such routes)")
        if not self.previews:
            missing.append("thumbnails or spritesheets (sora_nb derives them from the video)")
        if self.delete == "none":
            missing.append("delete or cancel a job (no DELETE route)")
        elif self.delete == "forgets":
            missing.append("cancel a job (DELETE forgets it; the generation runs on)")
        if not self.knobs:
            missing.append("seeds, steps, guidance, negative prompts, fps or frame counts")
        if self.forgets_on_restart:
            missing.append("keep jobs across a restart (they live in its memory)")
        return missing


_ENGINE_SOURCE = "shared/spec/engine-dialects.md"

DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        Dialect(
            name="openai",
            title="OpenAI Videos API",
            encoding="json",
            one_model=False,
            remix=True,
            previews=True,
            delete="cancels",
            no_knobs="OpenAI's Videos API has no such fields",
            characters=True,
            extensions=True,
            edits=True,
            source="videos-openapi-excerpt.yaml",
            aliases=("sora", "bundled", "local"),
        ),
        Dialect(
            name="vllm-omni",
            title="vLLM-Omni",
            encoding="form",
            one_model=True,
            remix=False,
            previews=False,
            delete="cancels",
            content_failed=frozenset({422}),
            content_404_waits=True,
            forgets_on_restart=True,
            source="vLLM-Omni 0.30.0's own HTTP server (tests/engines/test_vllm_omni.py)",
            # vLLM's own route; vLLM-Omni's releases carry the number of the vLLM they run on.
            version_route="/version",
            tested=("0.30.0",),
            aliases=("vllm", "vllm_omni", "vllmomni"),
        ),
        Dialect(
            name="sglang",
            title="SGLang Diffusion",
            encoding="json",
            one_model=True,
            remix=False,
            previews=False,
            delete="forgets",
            content_404_waits=True,
            variant_query=False,
            list_min=1,
            seconds_int=True,
            forgets_on_restart=True,
            source="SGLang 0.5.23's own HTTP server (tests/engines/test_sglang.py)",
            version_route="/server_info",
            tested=("0.5.23",),
            aliases=("sglang-diffusion", "sgl"),
        ),
        Dialect(
            name="fastvideo",
            title="FastVideo",
            encoding="json",
            one_model=True,
            remix=False,
            previews=False,
            delete="forgets",
            content_failed=frozenset({500}),
            content_404_waits=True,
            list_min=1,
            seconds_int=True,
            forgets_on_restart=True,
            needs_clip=True,
            written_when_completed=True,
            source="FastVideo 0.2.1's own HTTP server (tests/engines/test_fastvideo.py)",
            # FastVideo 0.2.1 names its version on no route (/health is {"status": "ok"}, and
            # /openapi.json's "0.1.0" is its app's, unchanged across releases).
            tested=("0.2.1",),
            aliases=("fast-video",),
        ),
        Dialect(
            name="litellm",
            title="LiteLLM proxy",
            encoding="json",
            one_model=False,
            remix=True,
            previews=False,
            delete="none",
            no_knobs=(
                "LiteLLM's proxy passes only prompt, model, seconds, size and input_reference "
                "on to its provider; connect to the engine itself to set them"
            ),
            characters=True,
            extensions=True,
            edits=True,
            source=f"{_ENGINE_SOURCE} D (litellm proxy video_endpoints)",
            aliases=("lite-llm", "proxy"),
        ),
    )
}


def dialect_named(name: str | Dialect) -> Dialect:
    """The dialect called ``name`` (``vllm-omni``, ``sglang``...), or a ConfigurationError that
    lists the names there are."""
    if isinstance(name, Dialect):
        return name
    key = name.strip().lower().replace("_", "-")
    for dialect in DIALECTS.values():
        if key == dialect.name or key in dialect.aliases:
            return dialect
    raise ConfigurationError(
        f"There is no dialect called {name!r}; use one of {', '.join(DIALECTS)} "
        "(or leave it out and sora_nb finds it from the server)."
    )


class EngineVersionWarning(UserWarning):
    """The engine is a version sora_nb was not tested against: its dialect may have moved."""


@dataclass(frozen=True)
class ServerInfo:
    """What a server is (its dialect), what it serves, and how that was found out."""

    dialect: Dialect
    #: The model names its /v1/models lists (empty when it lists none).
    models: tuple[str, ...] = ()
    #: How the dialect was decided, in words ("set by hand", "/v1/models owned_by 'vllm'").
    found: str = ""
    #: True when nothing on the wire said so: the dialect is a guess a job's answer may correct.
    assumed: bool = False
    #: Knobs (wire names) its model cards offer beyond its dialect: the bundled server lists
    #: those its renderer honours in a ``knobs`` field.
    extra_knobs: frozenset[str] = frozenset()
    #: What the bundled server renders with, as its cards say ("animatic" or "diffusers");
    #: None for any other server.
    renderer: str | None = None
    #: The usual clip (size, seconds) of each model whose card states one (an open model on
    #: the bundled server): what a request naming no size or length gets.
    usual: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    #: The LoRA adapters its cards offer by name (the bundled server's ``--lora-dir``); None
    #: when the server does not say.
    loras: tuple[str, ...] | None = None
    #: The step caches its cards offer (the bundled server's open model: ``none`` first).
    step_caches: tuple[str, ...] = ()
    #: True when its cards say it makes live previews (``GET /content?variant=preview`` while
    #: a job runs): sora_nb's bundled server.
    previews: bool = False
    #: The engine's version, as its own version route said (None when not known).
    version: str | None = None

    @property
    def untested(self) -> str | None:
        """One line when the engine's version is not one its dialect was tested against."""
        tested, title = self.dialect.tested, self.dialect.title
        if self.version is None or not tested or self.version in tested:
            return None
        known = ", ".join(tested)
        return f"{title} {self.version} is not a version sora_nb was tested against ({known})."

    def takes(self, wire_names: Iterable[str]) -> bool:
        """True when the server takes every one of these knobs (by wire name)."""
        names = set(wire_names)
        return self.dialect.takes(names) or names <= self.extra_knobs

    @property
    def takes_knobs(self) -> bool:
        """True when takes here are seeded: the server takes a seed and generates from noise,
        so every take gets a seed, recorded, and can be made again exactly. (The animatic takes
        a seed too, as a variation, but its takes are told apart by their number already.)"""
        return self.takes(["seed"]) and self.renderer != "animatic"

    @property
    def generative(self) -> bool:
        """True unless the server draws animatics: its model makes the frames (and their count
        follows the model's frame rule)."""
        return self.renderer != "animatic"

    @property
    def self_hosted(self) -> bool:
        """An engine, or the bundled server rendering an open model: takes cost GPU time on
        the user's own machines, not dollars."""
        return self.dialect.self_hosted or self.renderer == "diffusers"

    @property
    def default_model(self) -> str | None:
        """The model to send when none is named: the one a one-model server serves."""
        if len(self.models) == 1 or (self.dialect.one_model and self.models):
            return self.models[0]
        return None

    def serves(self, model: str) -> bool:
        """True when the server lists ``model`` (or lists nothing, so nobody can tell)."""
        return not self.models or model in self.models or any("*" in m for m in self.models)

    def flags_taken(self) -> list[str]:
        """The ``%%sora`` flags of the options the bundled server's cards offer."""
        return [
            o.flag
            for o in options_table.OPTIONS
            if o.wire_name(self.dialect.name) in self.extra_knobs
        ]

    def describe(self) -> str:
        """A few lines for ``%sora status``: what the server is, serves and cannot do."""
        how = f" ({self.found})" if self.found else ""
        version = f" {self.version}" if self.version else ""
        lines = [f"Dialect: {self.dialect.title}{version}{how}."]
        if self.untested:
            lines.append(self.untested)
        elif self.version is None and self.dialect.tested:
            tested = ", ".join(self.dialect.tested)
            lines.append(f"Version: not reported by the server (sora_nb was tested on {tested}).")
        if self.models:
            lines.append(f"Serves: {', '.join(self.models)}.")
        cannot = self.dialect.cannot()
        if self.extra_knobs:
            # The bundled server takes the knobs its renderer honours, not "none".
            cannot = [c for c in cannot if not c.startswith("seeds,")]
        if cannot:
            lines.append("Cannot: " + "; ".join(cannot) + ".")
        if self.dialect.knobs:
            lines.append("Takes: " + ", ".join(o.flag for o in self.dialect.options()) + ".")
        elif self.extra_knobs:
            lines.append("Takes: " + ", ".join(self.flags_taken()) + ".")
        if self.loras:
            lines.append("LoRA adapters: " + ", ".join(self.loras) + ".")
        return "\n".join(lines)


def by_hand(dialect: str | Dialect, found: ServerInfo | None = None) -> ServerInfo:
    """ServerInfo for a dialect the user named (with what the server said it serves)."""
    if found is None:
        return ServerInfo(dialect_named(dialect), found="set by hand")
    return dataclasses.replace(
        found, dialect=dialect_named(dialect), found="set by hand", assumed=False
    )


def detect(status: int, body: bytes, headers: Mapping[str, str]) -> ServerInfo:
    """The server's dialect and models, from its answer to ``GET /v1/models``.

    Engines say who they are in ``owned_by`` (vLLM's model cards say ``vllm``, SGLang's
    ``sglang``, FastVideo's ``fastvideo``); LiteLLM's proxy sends ``x-litellm-*`` headers on
    its answers and stamps every listed model with one "created" time. Anything else is taken
    for OpenAI's dialect, marked as assumed.
    """
    litellm_header = any(name.lower().startswith("x-litellm") for name in headers)
    cards = model_cards.cards(body) if status < 400 else []
    models = tuple(str(card["id"]) for card in cards if card.get("id"))
    owners = {str(card.get("owned_by", "")).lower() for card in cards}
    offered = [card.get("knobs") for card in cards]
    extra = (
        frozenset(str(name) for names in offered if isinstance(names, list) for name in names)
        & options_table.wire_names()
    )
    if litellm_header:
        return ServerInfo(DIALECTS["litellm"], models, "its answers carry x-litellm headers")
    for owner, name in (("vllm", "vllm-omni"), ("sglang", "sglang"), ("fastvideo", "fastvideo")):
        if any(o == owner or o.startswith(owner + "-") for o in owners):
            return ServerInfo(DIALECTS[name], models, f"/v1/models owned_by {owner!r}")
    if any("task_type" in card or "pipeline_class" in card for card in cards):
        return ServerInfo(DIALECTS["sglang"], models, "/v1/models lists diffusion pipelines")
    if cards and all(card.get("created") == LITELLM_CREATED for card in cards):
        return ServerInfo(DIALECTS["litellm"], models, "/v1/models has LiteLLM's model stamps")
    if "sora_nb-server" in owners:
        renderers = {str(card["renderer"]) for card in cards if card.get("renderer")}
        return ServerInfo(
            DIALECTS["openai"],
            models,
            "sora_nb's bundled server",
            extra_knobs=extra,
            renderer=renderers.pop() if len(renderers) == 1 else None,
            usual=model_cards.usual_clips(cards),
            loras=model_cards.offered_loras(cards),
            step_caches=model_cards.offered_step_caches(cards),
            previews=model_cards.offers_previews(cards),
        )
    if status >= 400:
        why = f"no /v1/models (HTTP {status}); assumed"
    else:
        owner_text = ", ".join(sorted(o for o in owners if o)) or "nobody"
        why = f"/v1/models owned_by {owner_text}; assumed"
    return ServerInfo(DIALECTS["openai"], models, why, assumed=True, extra_knobs=extra)
