"""The body of ``POST /videos`` as each dialect wants it: JSON or multipart, and its field types.

OpenAI's API, SGLang and FastVideo read JSON (multipart when a file goes along); vLLM-Omni reads
only forms, so everything goes to it as multipart text fields. The open-model knobs (seed,
steps...) are checked here against the options table, so a wrong value gets a precise message
before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sora_nb.api import errors
from sora_nb.api.dialects import DIALECTS, Dialect, ServerInfo
from sora_nb.api.sending import Files
from sora_nb.api.source_uploads import Sources, place
from sora_nb.api.types import ImageRef, ReferenceFile
from sora_nb.catalog import options as options_table
from sora_nb.catalog.options import Options


def check_options(given: Options | Mapping[str, Any] | None) -> Options:
    """The options given (by Python name), each checked against its row of the options table;
    InvalidRequestError naming the first one that is wrong, before anything is sent."""
    if isinstance(given, Options):
        return given
    for name, value in (given or {}).items():
        try:
            if value is not None:
                options_table.get(name).check(value)
        except KeyError as exc:
            raise errors.InvalidRequestError(f"Not sent: {exc.args[0]}.", param=name) from None
        except options_table.OptionError as exc:
            raise errors.InvalidRequestError(f"Not sent: {exc}", param=exc.option) from None
    return Options(**(given or {}))


def merge_options(
    keywords: Mapping[str, Any], options: Options | Mapping[str, Any] | None
) -> Options:
    """The options of a create given as keywords and as one ``options`` object, checked; an
    option given both ways must agree."""
    given = check_options(options)
    wanted = check_options(keywords)
    clash = [n for n, v in wanted.given().items() if given.given().get(n, v) != v]
    if clash:
        raise errors.InvalidRequestError(
            f"Not sent: {clash[0]} is given twice, as a keyword and in options, with two "
            "values; give it once.",
            param=clash[0],
        )
    return given.replace(**wanted.given())


def refuse_knobs(
    dialect: Dialect, wire: dict[str, Any], info: ServerInfo | None = None
) -> errors.InvalidRequestError:
    """The refusal for knobs sent to a server that does not take them (nothing is sent).

    ``info``, when known, names what the server does take: the bundled server takes the
    knobs its renderer honours (the animatic: a seed, as its variation)."""
    taken = info.extra_knobs if info is not None else frozenset()
    refused = [w for w in wire if w not in taken and not dialect.takes([w])] or list(wire)
    names = [_python_name(w, dialect) for w in refused]
    given, param = ", ".join(names), names[0]
    if info is not None and info.renderer is not None:
        offered = ", ".join(info.flags_taken()) or "no knobs"
        what = (
            "the bundled server's animatic (it draws a storyboard, not from noise)"
            if info.renderer == "animatic"
            else f"the bundled server's {info.renderer} model"
        )
        return errors.InvalidRequestError(
            f"Not sent: {what} takes no {given}; it takes {offered}. Leave them out, or render "
            "with an open model that takes them (%sora connect local:MODEL, or an engine such "
            "as vLLM-Omni or SGLang).",
            param=param,
        )
    rows = [options_table.by_wire(w, dialect.name) or options_table.by_wire(w) for w in refused]
    reason = (rows[0].refusals.get(dialect.name) if rows[0] is not None else None) or (
        dialect.no_knobs
    )
    why = f" ({reason})" if reason else ""
    takers = set.intersection(*(set(r.dialects) for r in rows if r is not None), set(DIALECTS))
    engines = ", ".join(DIALECTS[n].title for n in sorted(takers - {dialect.name}))
    # No engine at all (a strength: only the bundled server's models): the reason says where.
    elsewhere = f", or connect to an engine that takes them ({engines})" if engines else ""
    if not engines and not reason:
        elsewhere = ", or connect to an engine that takes them (none does)"
    return errors.InvalidRequestError(
        f"Not sent: the {dialect.title} takes no {given}{why}. Leave them out{elsewhere}.",
        param=param,
    )


def refuse_step_cache(
    info: ServerInfo | None, value: str | None
) -> errors.InvalidRequestError | None:
    """The refusal for a step cache the bundled server's model does not offer (its card says
    which it does), or None when it is offered or nobody said."""
    if info is None or not info.step_caches or value is None:
        return None
    method = value.partition(":")[0]
    if method in info.step_caches:
        return None
    offered = ", ".join(m for m in info.step_caches if m != "none")
    return errors.InvalidRequestError(
        f"Not sent: the served model offers the step caches {offered} (or none), not "
        f"{method!r}; send one of those.",
        param="step_cache",
    )


def create_body(
    dialect: Dialect,
    fields: dict[str, Any],
    *,
    upload: ReferenceFile | None = None,
    image: ImageRef | None = None,
    sources: Sources | None = None,
) -> tuple[dict[str, Any] | None, Files | None]:
    """(json, files) for ``POST /videos``: exactly one of them is set.

    ``fields`` holds wire names with typed values (prompt, model, seconds as text, size, the
    knobs); ``upload`` is a file to send, ``image`` a URL (or file id) the server fetches;
    ``sources`` a last frame and a source video, placed as the dialect reads them.
    """
    fields = {k: v for k, v in fields.items() if v is not None}
    extra: Files = []
    if sources is not None:
        added, extra, upload = place(dialect, sources, upload, image)
        if "image_reference" in added:
            image = None  # the first frame travels in it, with the last
        fields.update(added)
    if dialect.name == "vllm-omni":
        # vLLM-Omni 0.30.0 reports a job's stage metrics only when the create asks for them.
        fields["return_stage_metrics"] = True
    if image is not None:
        fields.update(_image_fields(dialect, image))
    if upload is None and not extra and dialect.encoding == "json":
        if dialect.seconds_int and "seconds" in fields:
            fields["seconds"] = int(fields["seconds"])
        return fields, None
    files: Files = [part for name, value in fields.items() for part in form_fields(name, value)]
    if upload is not None:
        files.append(("input_reference", (upload.filename, upload.content, upload.media_type)))
    return None, files + extra


def _image_fields(dialect: Dialect, image: ImageRef) -> dict[str, Any]:
    if dialect.name in ("openai", "litellm"):
        return {"input_reference": image.model_dump(exclude_none=True)}
    if image.image_url is None:
        raise errors.InvalidRequestError(
            f"Not sent: the {dialect.title} cannot fetch an uploaded file by its id; pass the "
            "image itself (a path or bytes) or ImageRef(image_url=...).",
            param="input_reference",
        )
    if dialect.name == "vllm-omni":
        # vLLM-Omni reads image_reference as a JSON object in a form field.
        return {"image_reference": json.dumps({"image_url": image.image_url})}
    return {"reference_url": image.image_url}


def form_fields(name: str, value: Any) -> Files:
    """One body field as multipart text parts, nested values written as the OpenAI SDK (and
    LiteLLM's proxy) write them: ``characters[][id]``, ``input_reference[image_url]``."""
    if isinstance(value, dict):
        return [part for key, item in value.items() for part in form_fields(f"{name}[{key}]", item)]
    if isinstance(value, list):
        return [part for item in value for part in form_fields(f"{name}[]", item)]
    return [(name, (None, _text(value), None))]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _python_name(wire: str, dialect: Dialect) -> str:
    option = options_table.by_wire(wire, dialect.name) or options_table.by_wire(wire)
    return option.name if option is not None else wire
