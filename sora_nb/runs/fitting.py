"""Fitting a plan to its server: which model, which defaults, which seeds, what it refuses.

What the server is (:class:`~sora_nb.api.dialects.ServerInfo`) decides a plan's details before
anything is sent: a one-model engine's model is the default (never ``sora-2`` where it is not
served), an open model's usual size and length are the defaults, a seconds count becomes the
frame count its frame rule allows, and on a seeded server every take gets a seed, chosen and
recorded, so any take can be made again exactly. Knobs a server does not take are refused here.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from sora_nb import catalog
from sora_nb.api import errors
from sora_nb.api.bodies import refuse_knobs
from sora_nb.api.dialects import ServerInfo
from sora_nb.catalog import options as options_table
from sora_nb.catalog.options import Options
from sora_nb.catalog.postprocessing import POST_OPTIONS
from sora_nb.runs.defaults import FALLBACK
from sora_nb.runs.request import VideoRequest

#: The model a server that serves sora-2 (or says nothing) gets by default.
DEFAULT_MODEL = FALLBACK.model
DEFAULT_SIZE = FALLBACK.size
DEFAULT_SECONDS = FALLBACK.seconds


def server_title(info: ServerInfo) -> str:
    """The server as a user knows it: "the bundled server (the offline animatic...)" rather
    than the dialect it speaks, which is OpenAI's."""
    if info.renderer == "animatic":
        return "the bundled server (the offline animatic, following sora-2's rules)"
    if info.renderer is not None:
        return f"the bundled server (rendering {', '.join(info.models)} on this machine)"
    return f"the {info.dialect.title}"


def menu_models(info: ServerInfo) -> list[str]:
    """The models a menu should offer on this server: those it serves (its /v1/models), then
    the catalog's that it accepts (a server that lists nothing accepts any name)."""
    names = list(info.models)
    names += [p.name for p in catalog.models() if p.name not in names and info.serves(p.name)]
    return names


def pick_model(info: ServerInfo, model: str | None) -> str:
    """The model to plan with: the one named (checked against what the server serves), else
    the server's own (a one-model engine's), else sora-2 where it is served."""
    if model is not None:
        if info.serves(model):
            return model
        served = [m for m in info.models if catalog.same_model(model, m)]
        if served:
            return served[0]  # the catalog's short name for the checkpoint the server serves
        close = difflib.get_close_matches(model, info.models, n=1, cutoff=0.5)
        hint = f"Did you mean {close[0]}? " if close else ""
        raise errors.InvalidRequestError(
            f"Not sent: {server_title(info)} serves {', '.join(info.models)}, not {model!r}. "
            f"{hint}Leave the model out to use what it serves, or name one of those.",
            param="model",
        )
    if info.default_model is not None:
        return info.default_model
    if not info.models or DEFAULT_MODEL in info.models:
        return DEFAULT_MODEL
    raise errors.InvalidRequestError(
        f"{server_title(info)[0].upper()}{server_title(info)[1:]} serves "
        f"{', '.join(info.models)}; name one with --model "
        "(model=... in Python).",
        param="model",
    )


def usual_clip(
    model: str, size: str | None, seconds: int | None, info: ServerInfo | None = None
) -> tuple[str, int]:
    """(size, seconds) with the model's usual ones filled in where none were given: as the
    server's card states them (an open model on the bundled server), else as the catalog
    knows them, else the bundled server's usual clip."""
    stated = info.usual.get(model) if info is not None else None
    if stated is not None:
        return size or stated[0], seconds or stated[1]
    profile = catalog.get_profile(model)
    if profile is None:
        return size or DEFAULT_SIZE, seconds or DEFAULT_SECONDS
    return size or profile.default_size, seconds or profile.default_seconds


def check_knobs_taken(info: ServerInfo, names: Iterable[str]) -> None:
    """Refuse, before anything is sent, knobs (by Python name) this server does not take."""
    # Post-processing (interpolate, upscale) is done on the kernel where the server does not.
    names = [name for name in names if name not in POST_OPTIONS]
    wire = {options_table.get(name).wire_name(info.dialect.name): True for name in names}
    if wire and not info.takes(wire):
        raise refuse_knobs(info.dialect, wire, info)


def check_experts(model: str, options: Options) -> None:
    """Refuse, before anything is sent, a second expert's settings (``guidance_2``,
    ``boundary_ratio``) for a model the catalog knows has one expert (engines take the fields
    whatever they serve; the bundled server's cards say it themselves)."""
    asked = [
        name for name in ("guidance_2", "boundary_ratio") if options.given().get(name) is not None
    ]
    profile = catalog.get_profile(model)
    if asked and profile is not None and profile.experts < 2:
        flags = " and ".join(options_table.get(name).flag for name in asked)
        raise errors.InvalidRequestError(
            f"Not sent: {profile.name} has one denoising expert; {flags} set Wan 2.2 A14B's "
            "second (low-noise) one. Leave them out, or serve Wan2.2-T2V-A14B.",
            param=asked[0],
        )


def finisher(info: ServerInfo) -> Callable[[VideoRequest], VideoRequest]:
    """What completes each planned request for this server (see the module's docstring)."""
    seeded = info.takes_knobs
    # The animatic's length is its seconds; a model's frame count follows its frame rule.
    frames = (
        info.takes(options_table.get(n).wire for n in ("num_frames", "fps")) and info.generative
    )

    def finish(request: VideoRequest) -> VideoRequest:
        update: dict[str, Any] = {}
        options = request.options
        profile = catalog.get_profile(request.model)
        if frames and profile is not None and options.num_frames is None:
            count = profile.frames_for(request.seconds, options.fps)
            if count is not None:
                update["num_frames"] = count
                update["fps"] = options.fps or profile.fps
        if seeded:
            if options.seed is None:
                # Fixed by the cell's content and the take number: the same every time it runs.
                update["seed"] = request.with_options(**update).chosen_seed()
            elif request.take > 1:
                update["seed"] = options.seed + request.take - 1
        return request.with_options(**update) if update else request

    return finish
