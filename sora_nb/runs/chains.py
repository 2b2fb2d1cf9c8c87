"""Chains: takes made from takes (remixes, extensions, edits), their length and limits, a
storyboard made shot by shot, and the grid of a chain's steps.

An extension adds 4, 8, 12, 16 or 20 seconds to a finished video, six times at most and to
120 s in all; its take's video is the whole stitched video. An edit reworks a finished video
and keeps its length. A storyboard of several shots can be made as one video, or *shot by
shot*: its first shot created, each next shot an extension of the video so far, the whole
chain priced before anything is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sora_nb import prompt as prompt_lang

# A chain's lengths are read in chain_length (a take reads them too) and named here as well.
from sora_nb.runs.chain_length import extensions_in as extensions_in
from sora_nb.runs.chain_length import joins as joins
from sora_nb.runs.chain_length import video_seconds as video_seconds
from sora_nb.runs.cost import CostEstimate
from sora_nb.runs.grid import Axis, GridCell, GridError, GridPlan, GridRun
from sora_nb.runs.request import CastMember, Parent, VideoRequest
from sora_nb.runs.take import Take

#: Lengths of one extension, the most extensions of a video, and its longest length (seconds).
EXTENSION_SECONDS = (4, 8, 12, 16, 20)
MAX_EXTENSIONS = 6
MAX_SECONDS = 120

Kind = Literal["extension", "edit"]


class ChainError(GridError):
    """A chain cannot grow as asked (a limit, a take not finished); the message says why."""


def check_extension(chain: Sequence[Take | VideoRequest], seconds: int) -> None:
    """Refuse, before sending, an extension the service would refuse."""
    if seconds not in EXTENSION_SECONDS:
        raise ChainError(
            f"An extension adds 4, 8, 12, 16 or 20 seconds, not {seconds}; use --seconds 8, say."
        )
    done = extensions_in(chain)
    if done >= MAX_EXTENSIONS:
        raise ChainError(
            f"This video has been extended {done} times, the most a video may be; edit it, "
            "or start a new video."
        )
    total = video_seconds(chain) + seconds
    if total > MAX_SECONDS:
        room = MAX_SECONDS - video_seconds(chain)
        hint = f"extend it by at most {room} s" if room >= 4 else "it cannot grow any more"
        raise ChainError(
            f"This video lasts {video_seconds(chain)} s; {seconds} s more makes {total} s, past "
            f"the {MAX_SECONDS} s an extended video may last ({hint})."
        )


def derived(
    parent: Take | VideoRequest,
    kind: Kind,
    text: str,
    *,
    chain: Sequence[Take | VideoRequest],
    seconds: int | None,
    parent_id: str,
) -> VideoRequest:
    """The request that extends or edits ``parent`` (a finished take, or a planned step whose
    take will be ``parent_id``): its model, size and characters, ``text`` as the prompt."""
    source = parent.request if isinstance(parent, Take) else parent
    if kind == "extension":
        if seconds is None:
            raise ChainError("An extension needs its length: --seconds 8 (4 to 20).")
        check_extension(chain, seconds)
        length = seconds
    else:
        if seconds is not None and seconds != video_seconds(chain):
            raise ChainError(
                "An edit keeps its video's length; leave --seconds out (extend it to make it "
                "longer)."
            )
        length = video_seconds(chain)
    return VideoRequest(
        prompt=text,
        model=source.model,
        size=source.size,
        seconds=length,
        characters=source.characters,
        parent=Parent(kind=kind, take=parent_id),
        prompt_json=prompt_lang.parse(text).model_dump(mode="json"),
    )


def describe(request: VideoRequest) -> str:
    """One step in words: "create 8 s", "extend +8 s", "edit", "remix"."""
    if request.kind == "extension":
        return f"extend +{request.seconds} s"
    if request.kind in ("edit", "remix"):
        return request.kind
    return f"create {request.seconds} s"


@dataclass
class ChainPlan:
    """A chain planned before anything is sent: its requests in order, the takes they map to,
    and what the whole chain costs."""

    requests: list[VideoRequest]
    takes: list[Take]
    cost: CostEstimate
    #: Takes already in the ledger from earlier runs (they cost nothing).
    stored: int = 0
    words: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """The line a cell shows first: the steps, the total length and the cost."""
        steps = ", ".join(describe(r) for r in self.requests)
        total = video_seconds(self.requests)
        count = len(self.requests)
        line = f"Shot by shot: {count} step{'s' if count != 1 else ''} ({steps}) = {total} s"
        if self.stored:
            line += f"; {self.stored} in the ledger already"
        return f"{line}; the whole chain {self.cost.price_text()}"


def shot_steps(text: str) -> list[tuple[str, float | None]]:
    """A storyboard cut into the prompts of a shot-by-shot chain: the first shot with every
    clause of the prompt (the look, the characters), each later shot on its own."""
    structured = prompt_lang.parse(text)
    if len(structured.shots) < 2:
        raise ChainError(
            "Shot by shot needs a storyboard of two shots or more (Shot 1: ..., Shot 2: ...); "
            "this prompt has " + ("one." if structured.shots else "none.")
        )
    first = structured.model_copy(update={"shots": [structured.shots[0]]})
    steps = [(prompt_lang.render(first), structured.shots[0].seconds)]
    for shot in structured.shots[1:]:
        # The shot's own words direct its extension (its length is the extension's).
        text = shot.description or prompt_lang.render(prompt_lang.Prompt(shots=[shot]))
        steps.append((text, shot.seconds))
    return steps


def chain_grid(chains: Sequence[Sequence[Take]], *, run_type: type[GridRun] = GridRun) -> GridRun:
    """The grid of one or more chains: a column per chain, a row per step (the video first
    made, then each extension or edit), so a class sees where continuity holds and drifts."""
    if not chains or any(not chain for chain in chains):
        raise ChainError("chain_grid needs at least one chain of takes (take.chain()).")
    length = len(chains[0])
    if any(len(chain) != length for chain in chains):
        sizes = ", ".join(str(len(c)) for c in chains)
        raise ChainError(
            f"The chains have {sizes} steps; compare chains of the same length "
            f"(take.chain()[:{min(len(c) for c in chains)}])."
        )
    names = [_chain_label(i, chain) for i, chain in enumerate(chains)]
    steps = [f"{n + 1} · {describe(chains[0][n].request)}" for n in range(length)]
    axes = (
        Axis(name="chain", kind="step", values=tuple(names)),
        Axis(name="step", kind="step", values=tuple(steps)),
    )
    cells: list[GridCell] = []
    takes: list[Take] = []
    for row in range(length):
        for column, chain in enumerate(chains):
            take = chain[row]
            cells.append(
                GridCell(
                    index=len(cells),
                    coords=(column, row),
                    labels={"chain": names[column], "step": steps[row]},
                    prompt=take.request.prompt,
                    word_count=prompt_lang.word_count(take.request.prompt),
                    requests=(take.request,),
                )
            )
            takes.append(take)
    return run_type(GridPlan(axes=axes, cells=tuple(cells), takes=1), takes)


def _chain_label(index: int, chain: Sequence[Take]) -> str:
    cast = ", ".join(m.name for m in chain[0].request.characters)
    label = cast or f"chain {index + 1}"
    return f"{label} ({chain[-1].id[-6:]})"


def cast_of(names: Sequence[str], known: dict[str, CastMember]) -> tuple[CastMember, ...]:
    """The cast members for ``names`` (any case), in order, each once."""
    chosen: list[CastMember] = []
    for name in names:
        member = known[name.strip().lower()]
        if member not in chosen:
            chosen.append(member)
    return tuple(chosen)
