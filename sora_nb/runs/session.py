"""Session: one media folder, one server, one runner: the object every entry point shares.

The magic, the widgets and ``sora_nb.generate`` all build VideoRequests here and hand them to
the same Runner, so there is exactly one path from a prompt to a Take.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import SecretStr

from sora_nb import catalog
from sora_nb import prompt as prompt_lang
from sora_nb.api import errors
from sora_nb.api.adapters import check_adapters
from sora_nb.api.bodies import check_options
from sora_nb.catalog.options import Options
from sora_nb.runs import chains
from sora_nb.runs.characters import Cast, CharacterError, CharacterRecord, check_name
from sora_nb.runs.cost import CostEstimate, charges_of, check_budget, estimate
from sora_nb.runs.defaults import FALLBACK, Chosen, Defaults
from sora_nb.runs.enhancing import Rewrites
from sora_nb.runs.fitting import (
    check_experts,
    check_knobs_taken,
    finisher,
    pick_model,
    usual_clip,
)
from sora_nb.runs.grid import Axis, GridCell, GridError, GridPlan, GridRun, plan_grid, remix_job
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.loop import run_sync, submit
from sora_nb.runs.references import prepare_reference
from sora_nb.runs.request import LOCAL_SERVER, CastMember, Parent, VideoRequest
from sora_nb.runs.runner import DEFAULT_CONCURRENCY, Runner
from sora_nb.runs.take import Take, TakeFailure

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from sora_nb.api.dialects import ServerInfo
    from sora_nb.api.enhancer import Enhancer
    from sora_nb.connection import DiffusersOptions, ServerSettings

DEFAULT_MEDIA_DIR = "sora_media"
Kind = Literal["extension", "edit"]


def default_media_dir() -> Path:
    """``$SORA_NB_HOME`` if set, else ``./sora_media`` beside the notebook."""
    return Path(os.environ.get("SORA_NB_HOME") or DEFAULT_MEDIA_DIR).expanduser()


class Session:
    """A media folder, a server (the bundled server unless told otherwise) and its runner,
    with what they make: plans and runs of takes and grids, characters, extensions, edits and
    storyboards made shot by shot.

    What the server cannot do (an engine has no characters, extensions or edits) is refused
    before anything is sent; so are the service's limits (two characters, six extensions,
    120 s)."""

    def __init__(
        self,
        media_dir: Path | str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | SecretStr | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        budget: float | None = None,
        bundled: ServerSettings | None = None,
        local: DiffusersOptions | None = None,
        client_options: dict[str, Any] | None = None,
        started: float | None = None,
        run_type: type[GridRun] = GridRun,
        defaults: Defaults | None = None,
        dialect: str | None = None,
        enhancer: Enhancer | None = None,
    ) -> None:
        """``run_type`` is the class of the runs ``run_plan`` returns: the notebook layer passes
        a GridRun with research tools on it, which this layer does not import. ``defaults``
        (the built-in ones with ``SORA_NB_*`` variables applied when not given) fill in what a
        plan does not say. ``local``: the bundled server renders with this open model through
        diffusers (it is loaded here, so a missing or wrong model fails now, not at the first
        take). ``enhancer``: the chat endpoint that rewrites prompts when asked (else the one
        ``SORA_NB_ENHANCER_*`` names, if any)."""
        from sora_nb.api.config import resolve_server

        self.media_dir = Path(media_dir).expanduser() if media_dir else default_media_dir()
        self.ledger = Ledger(self.media_dir)
        #: The folder's prompt rewrites and the enhancer that makes them (asked only on request).
        self.rewrites = (
            Rewrites(self.media_dir, enhancer) if enhancer else Rewrites.from_env(self.media_dir)
        )
        self._config = resolve_server(base_url=base_url, api_key=api_key, dialect=dialect)
        self._info: ServerInfo | None = None
        self._fallback: ServerInfo | None = None
        self.server = self._config.base_url or LOCAL_SERVER
        self.concurrency = concurrency
        #: Dollars this session (the kernel) may spend in all; None for no limit.
        self.budget = budget
        #: When spending for the per-kernel budget is counted from (the kernel's start, when
        #: the notebook layer passes it, so rebuilding the session forgets nothing).
        self.started = started if started is not None else time.time()
        self._bundled = bundled
        self._local = local
        self._client_options = client_options or {}
        self._runner: Runner | None = None
        self.run_type = run_type
        #: What a plan uses for anything it does not say; replace it (it is frozen) to change.
        self.defaults = defaults if defaults is not None else Defaults.from_env(os.environ)
        #: The local model's name, which requests get when they name none (None: the server's).
        self.local_model: str | None = None
        if local is not None:
            if not self._config.uses_bundled:
                raise ValueError(
                    f"A local model renders on the bundled server, but this session is set to "
                    f"{self._config.base_url}; connect to local:MODEL without a server URL."
                )
            from sora_nb.connection import bundled_app

            app = bundled_app(self.media_dir / "server", local=local)
            self.local_model = app.state.server.store.abilities.default_model

    def __repr__(self) -> str:
        return f"<sora_nb Session server={self.server} media_dir={str(self.media_dir)!r}>"

    # -- the server ------------------------------------------------------------------------

    def server_info(self, *, refresh: bool = False, strict: bool = True) -> ServerInfo:
        """What the server is: its dialect (set by hand, or found from its /v1/models), the
        models it serves and what it cannot do. Asked once; ``refresh`` asks again.

        A server that cannot be asked (unreachable, refusing the key) raises its error; with
        ``strict=False`` it is taken, for now, to speak OpenAI's dialect, so a take can still
        be planned and fail with that error where the user sees it.
        """
        if self._info is None or refresh:
            if not strict and self._fallback is not None:
                return self._fallback  # asked already and failed: do not wait for it again
            try:
                self._info = run_sync(self.runner.client.detect(refresh=refresh))
            except errors.SoraError as exc:
                if strict:
                    raise
                from sora_nb.api.dialects import DIALECTS, ServerInfo

                dialect = self.runner.client.dialect or DIALECTS["openai"]
                self._fallback = ServerInfo(dialect, found=f"not known: {exc}", assumed=True)
                return self._fallback
        return self._info

    def check_server(self) -> ServerInfo:
        """Ask the server what it is once, without retrying: a server that is not there, or
        that refuses the key, raises its error now (what connecting to it checks)."""
        self._info = run_sync(self.runner.client.probe())
        self._fallback = None
        return self._info

    def describe_server(self) -> str:
        """The server in a few lines: where it is, its dialect, models and limits."""
        where = self.server
        if self.server == LOCAL_SERVER:
            drawn = f"{self.local_model}, an open model" if self.local_model else "offline animatic"
            where = f"the bundled server ({drawn})"
        head = f"Server: {where}."
        return head + "\n" + self.server_info().describe()

    @property
    def local(self) -> DiffusersOptions | None:
        """The open model the bundled server renders with here (None: the animatic or a URL)."""
        return self._local

    # -- building requests -----------------------------------------------------------------

    def fit(
        self,
        *,
        model: str | None = None,
        size: str | None = None,
        seconds: int | None = None,
        takes: int | None = None,
    ) -> Chosen:
        """The model, size, seconds and takes a plan given these would use: those given, else
        :attr:`defaults`, else the server's (its model, that model's usual size and length).
        Nothing about the server is refused here: one that cannot be asked, or does not serve
        the model named, leaves that model and the catalog's usual clip (planning says why)."""
        chosen = self.defaults.with_(model=model, size=size, seconds=seconds, takes=takes)
        named = chosen.model or self.local_model
        picked = named or FALLBACK.model
        info: ServerInfo | None = None
        try:
            info = self.server_info(strict=False)
            picked = pick_model(info, named)
        except errors.SoraError:
            info = None
        size, seconds = usual_clip(picked, chosen.size, chosen.seconds, info)
        return Chosen(model=picked, size=size, seconds=seconds, takes=chosen.takes)

    def plan(
        self,
        prompt: str,
        *,
        axes: Sequence[Axis] = (),
        model: str | None = None,
        size: str | None = None,
        seconds: int | None = None,
        takes: int | None = None,
        image: Path | str | None = None,
        fit: bool = False,
        remix_of: Take | str | None = None,
        options: Options | Mapping[str, Any] | None = None,
        characters: Sequence[str] = (),
        extend: Take | str | None = None,
        edit: Take | str | None = None,
        enhance: bool = False,
    ) -> GridPlan:
        """Plan the takes of a prompt (over up to three axes) and check every one of them.

        What is not given (None) comes from :attr:`defaults`; what they leave unset is fitted
        to the server: its model, the model's usual size and length, a seed for every take on
        a seeded engine, an open model's frame count. ``remix_of`` is a completed Take or a
        server job id. ``options`` are the request's options (seed, steps...: the options
        table's, by name). Each request is checked against its model's catalog profile, a
        reference image against the size, and options against what the server takes, so a
        mistake raises a specific error before anything is sent.

        ``characters`` names characters of the media folder to feature (two at most);
        ``extend`` and ``edit`` plan an extension (by ``seconds``) or an edit of a finished
        take (or a job id), with this prompt. ``enhance`` sends the enhancer's rewrite of the
        prompt instead (``prompt=mine,enhanced`` as an axis sends both).
        """
        if extend is not None or edit is not None:
            if axes or enhance or image is not None or remix_of is not None or (extend and edit):
                raise GridError(
                    "An extension or an edit makes one video from one video: give it alone, "
                    "without --vary, --enhance, --image, --remix or the other one."
                )
            kind: Literal["extension", "edit"] = "extension" if extend is not None else "edit"
            source = extend if extend is not None else edit
            assert source is not None
            return self.plan_derived(source, kind, prompt, seconds=seconds, takes=takes)
        chosen = check_options(options)
        takes = takes if takes is not None else self.defaults.takes
        if takes < 1:
            raise GridError(f"takes must be at least 1, not {takes}.")
        if image is not None and any(a.name == "size" for a in axes):
            raise GridError(
                "A reference image fixes the first frame at one size; vary something other "
                "than size, or run one cell per size."
            )
        info = self._server_for(chosen, axes, remix=remix_of is not None)
        model = pick_model(info, model or self.defaults.model or self.local_model)
        size, seconds = usual_clip(
            model,
            size or self.defaults.size,
            seconds if seconds is not None else self.defaults.seconds,
            info,
        )
        reference = prepare_reference(image, size, self.media_dir, fit=fit) if image else None
        varied = [v for a in axes if a.kind == "character" for v in a.values]
        cast = self.cast_for([*characters, *varied], info) if characters or varied else {}
        extra: dict[str, Any] = {}
        if characters:
            extra["characters"] = tuple(cast[name.strip().lower()] for name in characters)
        plan = plan_grid(
            prompt,
            axes,
            model=model,
            size=size,
            seconds=seconds,
            takes=takes,
            reference=reference,
            remix_of=remix_job(remix_of),
            options=chosen,
            finish=finisher(info),
            charges=charges_of(info),
            cast=cast,
            enhance=enhance,
            rewrite=self.rewrites.rewrite,
            **extra,
        )
        self._check_requests(plan, info, has_reference=reference is not None)
        return plan

    def _server_for(self, options: Options, axes: Sequence[Axis], *, remix: bool) -> ServerInfo:
        """The server's facts a plan needs, checking that it takes the options (given and
        varied) and can remix when asked."""
        varied = [a.path for a in axes if a.kind == "option" and a.path is not None]
        # Options need to know the server; a plain request can be planned (and fail) without.
        info = self.server_info(strict=bool(options or varied))
        check_knobs_taken(info, [*options.given(), *varied])
        if remix and not info.dialect.remix:
            raise errors.UnsupportedError(
                f"Not sent: the {info.dialect.title} cannot remix a video (it has no /remix "
                "route); generate a new take with the changed prompt instead.",
                feature="remix",
            )
        return info

    def _check_requests(self, plan: GridPlan, info: ServerInfo, *, has_reference: bool) -> None:
        """Every distinct request of a plan against its model's profile and the local model."""
        checked: set[tuple[str, str, int, int | None]] = set()
        for adapters in {
            request.options.loras for request in plan.requests if request.options.loras
        }:
            check_adapters(adapters, info.dialect, info)  # a name the server lacks, a 2nd one
        for request in plan.requests:
            combo = (request.model, request.size, request.seconds, request.options.num_frames)
            if combo not in checked:
                pick_model(info, request.model)  # a model axis names only served models
                catalog.check_request(
                    request.model,
                    size=request.size,
                    seconds=request.seconds,
                    has_reference=has_reference,
                    num_frames=request.options.num_frames,
                    served=info.models or None,
                )
                self._check_local(request)
                checked.add(combo)
            check_experts(request.model, request.options)

    def _check_local(self, request: VideoRequest) -> None:
        """The local model's own rules (size multiples, first frame), checked before sending:
        a request it cannot render fails here with the nearest it can."""
        if self._local is None:
            return
        from sora_nb.connection import check_local

        check_local(
            self._local,
            model=request.model,
            prompt=request.prompt,
            width=request.width,
            height=request.height,
            seconds=request.seconds,
            has_reference=request.reference is not None,
        )

    def estimate(self, requests: Sequence[VideoRequest], *, cache: bool = True) -> CostEstimate:
        """What sending ``requests`` would cost now (cached takes cost nothing); on a
        self-hosted engine, the GPU seconds earlier takes like them took."""
        planned = self.runner.plan(requests, cache=cache)
        fresh = [t.request for t in planned if not t.cached and t.job_id is None]
        cost = estimate(fresh, charges=charges_of(self.server_info(strict=False)))
        if not cost.gpu:
            return cost
        expected = [self.ledger.gpu_seconds(self.server, request)[0] for request in fresh]
        total = None if None in expected else sum(e for e in expected if e is not None)
        return dataclasses.replace(cost, gpu_seconds=total)

    def spent(self) -> float:
        """Dollars recorded in this media folder since this session started, counting takes
        still running at their estimate (they are paid for once sent)."""
        return self.ledger.spent(since=self.started) + self.ledger.committed(since=self.started)

    # -- running ---------------------------------------------------------------------------

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            self._runner = Runner(
                self._make_client(), self.ledger, server=self.server, concurrency=self.concurrency
            )
            self._runner.charges = lambda: charges_of(self.server_info(strict=False))
        return self._runner

    def _make_client(self) -> Any:
        # Explicit bundled-server settings (a time scale, faults) get a private app, same client.
        from sora_nb.connection import connect

        return connect(
            self._config.base_url,
            self._config.api_key,
            media_dir=self.media_dir / "server",
            dialect=self._config.dialect,
            local=self._local,
            bundled=self._bundled,
            **self._client_options,
        )

    async def arun(
        self,
        requests: Sequence[VideoRequest],
        *,
        cache: bool = True,
        budget: float | None = None,
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> list[Take]:
        """Run ``requests`` on the current event loop (for ``await`` in a notebook)."""
        # The runner prices takes by the server's answer; asked here, off any event loop,
        # because asking from inside sora_nb's own loop would wait on itself.
        await asyncio.to_thread(self.server_info, strict=False)
        self._check_session_budget(requests, cache=cache)
        takes = await self.runner.run(
            requests, cache=cache, budget=budget, wait=wait, on_update=on_update
        )
        return self.own(takes)

    def run(
        self,
        requests: Sequence[VideoRequest],
        *,
        cache: bool = True,
        budget: float | None = None,
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> list[Take]:
        """Run ``requests`` on sora_nb's background loop; block unless ``wait=False``."""
        self.server_info(strict=False)  # asked here: the runner's loop must not wait on itself
        self._check_session_budget(requests, cache=cache)
        coro = self.runner.run(requests, cache=cache, budget=budget, wait=wait, on_update=on_update)
        takes = run_sync(coro) if wait else submit(coro).result()
        return self.own(takes)

    async def arun_plan(
        self,
        plan: GridPlan,
        *,
        cache: bool = True,
        budget: float | None = None,
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> GridRun:
        """Run a planned grid on the current event loop; its takes fill in as jobs finish."""
        takes = await self.arun(
            plan.requests, cache=cache, budget=budget, wait=wait, on_update=on_update
        )
        return self.run_type(plan, takes)

    def run_plan(
        self,
        plan: GridPlan,
        *,
        cache: bool = True,
        budget: float | None = None,
        wait: bool = True,
        on_update: Callable[[Take], None] | None = None,
    ) -> GridRun:
        """Run a planned grid on sora_nb's background loop; block unless ``wait=False``."""
        takes = self.run(plan.requests, cache=cache, budget=budget, wait=wait, on_update=on_update)
        return self.run_type(plan, takes)

    def resume(self) -> list[Take]:
        """Finish every take left unfinished in this media folder (after a crash or restart)."""
        return run_sync(self.runner.resume())

    def _check_session_budget(self, requests: Sequence[VideoRequest], *, cache: bool) -> None:
        from sora_nb.runs.cost import check_budget

        if self.budget is not None:
            check_budget(
                self.estimate(requests, cache=cache),
                budget=self.budget,
                spent=self.spent(),
                scope="this kernel",
            )

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
