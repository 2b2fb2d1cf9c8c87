"""The session's continuity: its characters, extensions and edits of takes, and storyboards
made shot by shot.

Every entry point (a cell, ``take.extend``, ``sora_nb.character``) comes here through the
kernel's :class:`~sora_nb.runs.session.Session`, which this class is part of. What the server
cannot do (an engine has no characters, extensions or edits) is refused before anything is
sent; so are the service's limits (two characters, six extensions, 120 s).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sora_nb import prompt as prompt_lang
from sora_nb.api import errors
from sora_nb.runs import chains
from sora_nb.runs.characters import Cast, CharacterError, CharacterRecord, check_name
from sora_nb.runs.cost import check_budget
from sora_nb.runs.grid import GridCell, GridError, GridPlan
from sora_nb.runs.loop import run_sync, submit
from sora_nb.runs.request import CastMember, Parent, VideoRequest
from sora_nb.runs.take import Take, TakeFailure

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.api.dialects import ServerInfo
    from sora_nb.runs.cost import CostEstimate
    from sora_nb.runs.defaults import Defaults
    from sora_nb.runs.grid import GridRun
    from sora_nb.runs.ledger import Ledger
    from sora_nb.runs.runner import Runner

Kind = Literal["extension", "edit"]


class Continuity:
    """Characters, extensions, edits and shot-by-shot chains (part of ``Session``)."""

    # Provided by Session.
    ledger: Ledger
    server: str
    defaults: Defaults
    budget: float | None
    media_dir: Path
    server_info: Callable[..., ServerInfo]
    plan: Callable[..., GridPlan]
    estimate: Callable[..., CostEstimate]
    run_plan: Callable[..., GridRun]
    spent: Callable[[], float]

    @property
    def runner(self) -> Runner:  # pragma: no cover - Session's own replaces it
        raise NotImplementedError

    # -- characters ------------------------------------------------------------------------

    @property
    def cast(self) -> Cast:
        """The characters of this media folder."""
        return Cast(self.ledger)

    def characters(self) -> list[CharacterRecord]:
        """Every character of this media folder: name, clip, thumbnail, id per server."""
        return self.cast.all()

    def add_character(
        self, name: str, clip: Path | str | bytes | None = None, *, consent: bool = False
    ) -> CharacterRecord:
        """Make a character from a clip (2 to 4 s, 16:9 or 9:16) and keep it in the media
        folder; its name is the word prompts will use. Made already (the same clip, or no clip
        given), it is made on this server only if this server lacks it: nothing else is sent.
        ``consent=True`` says the person filmed agreed (the bundled server refuses a face
        without it)."""
        name = check_name(name)
        known = self.cast.get(name)
        content = _read_clip(clip) if clip is not None else None
        if known is None and content is None:
            raise CharacterError(
                f"There is no character {name} in {self.media_dir} yet: make one from a clip, "
                f"%sora character add {name} CLIP.mp4 (sora_nb.character({name!r}, 'clip.mp4'))."
            )
        other = content is not None and hashlib.sha256(content).hexdigest()
        if known is not None and other and other != known.clip_sha256:
            raise CharacterError(
                f"{known.name} was made from another clip ({known.clip}); choose another "
                "name for this one, or leave the clip out to use hers."
            )
        info = self.server_info()
        if not info.dialect.characters:
            raise errors.UnsupportedError(
                f"Not sent: the {info.dialect.title} cannot make characters (it has no "
                "/videos/characters route).",
                feature="characters",
            )
        if known is not None and known.id_on(self.server) is not None:
            return known  # made here already: nothing to send
        if content is not None:
            data = content
        else:
            assert known is not None  # one of them was given (checked above)
            data = known.path(self.media_dir).read_bytes()
        shown = known.name if known is not None else name
        agreed = consent or (known is not None and known.consent)
        # The same name and clip always send the same key: a retried upload makes one character.
        key = "sora_nb-character-" + hashlib.sha256(shown.encode() + data).hexdigest()[:32]
        made = run_sync(
            self.runner.client.create_character(
                (f"{shown}.mp4", data), shown, consent=agreed, idempotency_key=key
            )
        )
        if made.id is None:
            raise CharacterError(f"The server made {shown} but gave no id for it.")
        # Kept in the folder only once a server has made it (a refused clip leaves nothing).
        record = known or self.cast.keep(shown, data, consent=agreed)
        self.cast.remember(record.name, self.server, made.id)
        return self.cast.get(record.name) or record

    def cast_for(self, names: Sequence[str], info: ServerInfo) -> dict[str, CastMember]:
        """The cast members (by lower-case name) for character names, each with its id on this
        server; a name the folder or this server lacks says how to make it."""
        if not info.dialect.characters:
            raise errors.UnsupportedError(
                f"Not sent: the {info.dialect.title} cannot feature characters (it has no "
                "/videos/characters route); leave --character out.",
                feature="characters",
            )
        found: dict[str, CastMember] = {}
        for name in names:
            record = self.cast.get(name)
            if record is None:
                known = ", ".join(r.name for r in self.cast.all()) or "none yet"
                raise CharacterError(
                    f"There is no character {name} in this media folder (it has {known}); "
                    f"make it with %sora character add {name} CLIP.mp4."
                )
            ident = record.id_on(self.server)
            if ident is None:
                raise CharacterError(
                    f"{record.name} has not been made on this server ({self.server}) yet: "
                    f"%sora character add {record.name} makes it here from her clip."
                )
            found[name.strip().lower()] = CastMember(name=record.name, id=ident)
        return found

    # -- extensions and edits --------------------------------------------------------------

    def plan_derived(
        self,
        parent: Take | str,
        kind: Kind,
        text: str,
        *,
        seconds: int | None = None,
        takes: int | None = None,
    ) -> GridPlan:
        """Plan an extension (``seconds`` more) or an edit of a finished take (or a job id),
        with ``text`` as its prompt; the service's limits are checked before anything is
        sent."""
        info = self.server_info()
        able = info.dialect.extensions if kind == "extension" else info.dialect.edits
        if not able:
            doing = "extend" if kind == "extension" else "edit"
            raise errors.UnsupportedError(
                f"Not sent: the {info.dialect.title} cannot {doing} a video (it has no "
                f"/videos/{kind}s route); generate a new take instead.",
                feature=f"{kind}s",
            )
        source = self._take_of(parent)
        if isinstance(source, str):  # a job this folder did not make
            request = VideoRequest(
                prompt=text,
                seconds=seconds or self.defaults.seconds or 4,
                parent=Parent(kind=kind, job=source),
            )
            if kind == "extension":
                chains.check_extension([], request.seconds)
        else:
            if not source.ok:
                raise GridError(
                    f"Take {source.id} is {source.status}; only a finished take can be "
                    f"{'extended' if kind == 'extension' else 'edited'}."
                )
            chain = source.chain()
            request = chains.derived(
                source, kind, text, chain=chain, seconds=seconds, parent_id=source.id
            )
        count = takes if takes is not None else 1
        requests = tuple(request.with_take(n) for n in range(1, count + 1))
        cell = GridCell(
            index=0,
            coords=(),
            labels={},
            prompt=text,
            word_count=prompt_lang.word_count(text),
            requests=requests,
        )
        return GridPlan(axes=(), cells=(cell,), takes=count)

    def derive(
        self,
        take: Take,
        kind: Kind,
        prompt: str,
        *,
        seconds: int | None = None,
        wait: bool = True,
        cache: bool = True,
        budget: float | None = None,
    ) -> Take:
        """Extend or edit ``take`` and return the new take (``take.extend``, ``take.edit``)."""
        plan = self.plan_derived(take, kind, prompt, seconds=seconds)
        return self.run_plan(plan, wait=wait, cache=cache, budget=budget).takes[0]

    def _take_of(self, parent: Take | str) -> Take | str:
        if isinstance(parent, Take):
            return parent
        found = self.ledger.get(parent) or self.ledger.find_job(parent)
        return found if found is not None else parent

    # -- shot by shot ----------------------------------------------------------------------

    def plan_shots(
        self,
        text: str,
        *,
        model: str | None = None,
        size: str | None = None,
        characters: Sequence[str] = (),
        cache: bool = True,
    ) -> chains.ChainPlan:
        """Plan a storyboard shot by shot: its first shot created, every later shot an
        extension of the video so far, each as long as its shot says (an extension adds 4,
        8, 12, 16 or 20 s). Nothing is sent; the plan says what the whole chain costs."""
        steps = chains.shot_steps(text)
        first_text, first_seconds = steps[0]
        first = self.plan(
            first_text,
            model=model,
            size=size,
            seconds=_whole(first_seconds, 1),
            takes=1,
            characters=characters,
        ).requests[0]
        info = self.server_info()
        if not info.dialect.extensions:
            raise errors.UnsupportedError(
                f"Not sent: the {info.dialect.title} cannot extend a video, so a storyboard "
                "cannot be made shot by shot there; make it as one video instead.",
                feature="extensions",
            )
        requests = [first]
        for number, (step_text, step_seconds) in enumerate(steps[1:], start=2):
            parent = self.runner.lookup(requests[-1], cache=cache)
            try:
                request = chains.derived(
                    requests[-1],
                    "extension",
                    step_text,
                    chain=requests,
                    seconds=_whole(step_seconds, number) or 4,
                    parent_id=parent.id,
                )
            except chains.ChainError as exc:
                raise chains.ChainError(f"Shot {number}: {exc}") from None
            requests.append(request)
        planned = self.runner.plan(requests, cache=cache)
        cost = self.estimate(requests, cache=cache)
        stored = sum(1 for t in planned if t.cached)
        return chains.ChainPlan(requests, planned, cost, stored)

    def run_chain(
        self, plan: chains.ChainPlan, *, wait: bool = True, budget: float | None = None
    ) -> list[Take]:
        """Run a chain step after step (each extension waits for the video it extends); a
        step that fails stops the ones after it, unsent. Blocks unless ``wait=False``."""
        check_budget(plan.cost, budget=budget, spent=0.0, scope="this chain")
        if self.budget is not None:
            check_budget(plan.cost, budget=self.budget, spent=self.spent(), scope="this kernel")
        coro = _run_steps(self.runner, plan.takes)
        if wait:
            run_sync(coro)
        else:
            submit(coro)
        return self.own(plan.takes)

    def own(self, takes: list[Take]) -> list[Take]:
        """Mark takes as this session's: their ``extend`` and ``edit`` come back here."""
        for take in takes:
            take._session = self
        return takes


async def _run_steps(runner: Runner, takes: list[Take]) -> None:
    for number, take in enumerate(takes):
        await runner.run_takes([take])
        await asyncio.to_thread(take.wait)
        if not take.ok:
            for later in takes[number + 1 :]:
                later.update(
                    status="failed",
                    error=TakeFailure(
                        code="not_sent",
                        message=f"Not sent: the step before it ({take.id}) did not complete "
                        f"({take.status}); run the cell again to retry from there.",
                    ),
                )
            return


def _whole(seconds: float | None, shot: int) -> int | None:
    if seconds is None:
        return None
    if not float(seconds).is_integer():
        raise chains.ChainError(
            f"Shot {shot} lasts {seconds:g} s; give it a whole number of seconds (4, 8...)."
        )
    return int(seconds)


def _read_clip(clip: Path | str | bytes) -> bytes:
    if isinstance(clip, bytes):
        return clip
    path = Path(clip).expanduser()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CharacterError(f"Cannot read the clip {str(path)!r} ({exc.strerror}).") from None
