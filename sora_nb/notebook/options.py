"""The options of ``%%sora``, parsed from the magic's line into a checked model.

argparse does the parsing (it knows abbreviations, ``--x=y`` and quoting via shlex); errors
come back as one short line saying what to type instead, never a traceback.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from sora_nb.catalog import options as options_table
from sora_nb.catalog.options import Options

ORIENTATION_SIZES = {"landscape": "1280x720", "portrait": "720x1280"}


class OptionsError(ValueError):
    """The magic's line could not be understood; the message says what to type instead."""


class VaryAxis(BaseModel):
    """One ``--vary name=v1,v2,...`` axis: a request field, ``length``, a clause, or ``sr``."""

    model_config = ConfigDict(frozen=True)

    name: str
    values: tuple[str, ...]


class SoraOptions(BaseModel):
    """Everything a ``%%sora`` line can say. ``None`` means: use the configured default."""

    model_config = ConfigDict(frozen=True)

    model: str | None = None
    size: str | None = None
    seconds: int | None = None
    image: Path | None = None
    fit: bool = False
    takes: int | None = Field(default=None, ge=1)
    bind: str | None = None
    budget: float | None = Field(default=None, ge=0)
    dry_run: bool = False
    wait: bool | None = None
    cache: bool = True
    remix: str | None = None
    server: str | None = None
    vary: tuple[VaryAxis, ...] = ()
    #: Characters of the media folder to feature (``--character Maya``, repeatable).
    characters: tuple[str, ...] = ()
    #: A finished take to continue (with ``seconds`` more) or to rework with the cell's text.
    extend: str | None = None
    edit: str | None = None
    #: Make a storyboard's shots as a chain: the first shot created, each next one extending it.
    shot_by_shot: bool = False
    #: Send the prompt enhancer's rewrite of the cell instead of its words (both are kept).
    enhance: bool = False
    #: The request's options (the options table's: seed, steps...), for engines that take them.
    options: Options = Options()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise OptionsError(f"%%sora: {message}. Type %%sora? for the options.")


def _parser() -> argparse.ArgumentParser:
    # Every option has its help here: %%sora? is built from this parser (see usage()).
    p = _Parser(prog="%%sora", add_help=False, allow_abbrev=False)
    p.add_argument("--model", "-m", metavar="M", help="the video model, like sora-2-pro")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--size", "-s", metavar="WxH", help="the video size, like 1280x720")
    size.add_argument(
        "--landscape",
        dest="orientation",
        action="store_const",
        const="landscape",
        help=f"the size {ORIENTATION_SIZES['landscape']}",
    )
    size.add_argument(
        "--portrait",
        dest="orientation",
        action="store_const",
        const="portrait",
        help=f"the size {ORIENTATION_SIZES['portrait']}",
    )
    p.add_argument("--seconds", "-t", metavar="N", help="the clip length in seconds, like 8")
    p.add_argument(
        "--image",
        metavar="PATH",
        help="a first-frame reference image (JPEG, PNG or WebP) of exactly the video's size",
    )
    p.add_argument(
        "--fit",
        action="store_true",
        help="centre-crop and resize --image, and a last frame, to the video's size",
    )
    p.add_argument(
        "--takes", "-n", metavar="N", help="takes of the same request, shown side by side"
    )
    p.add_argument(
        "--as", dest="bind", metavar="NAME", help="keep the Take (or the grid run) as NAME"
    )
    p.add_argument(
        "--budget", metavar="DOLLARS", help="refuse to send more than this costs, like 2.50"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show every cell's prompt as sent, its lint, the request and the cost; send nothing",
    )
    p.add_argument(
        "--no-wait", action="store_true", help="return at once; the player updates as jobs run"
    )
    p.add_argument(
        "--no-cache", action="store_true", help="ask for a new take even if the ledger has one"
    )
    p.add_argument(
        "--remix",
        metavar="TAKE_OR_ID",
        help="rework a finished take (a NAME kept with --as, or a job id) with this cell's text",
    )
    p.add_argument(
        "--character",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "feature a character of the media folder (made with %%sora character add NAME "
            "CLIP.mp4), named in the prompt as written; repeat for a second one"
        ),
    )
    p.add_argument(
        "--extend",
        metavar="TAKE",
        help=(
            "continue a finished take (a NAME kept with --as, a take id or a job id) from its "
            "last frame by --seconds (4, 8, 12, 16 or 20) with this cell's text"
        ),
    )
    p.add_argument(
        "--edit",
        metavar="TAKE",
        help="rework a finished take with this cell's text: the same scene, what the text changes",
    )
    p.add_argument(
        "--shot-by-shot",
        action="store_true",
        help=(
            "make a storyboard's shots as a chain: the first shot created, each next one an "
            "extension (its length from its shot); the whole chain's cost shows first"
        ),
    )
    p.add_argument(
        "--enhance",
        action="store_true",
        help=(
            "send the prompt enhancer's rewrite of the cell (named with %%sora enhancer URL "
            "--model M); the take keeps your words too. --vary prompt=mine,enhanced sends both"
        ),
    )
    p.add_argument(
        "--server",
        metavar="URL",
        help="switch this kernel to the Videos API at URL (like %%sora connect URL)",
    )
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="AXIS=v1,v2,...",
        help=(
            "compare values side by side, up to three times (columns, rows, pages): model, "
            "size, seconds, length (short,medium,long; enhanced: a rewrite), prompt=mine,enhanced, "
            "a clause such as camera=push-in,orbit "
            'or lighting=..., sr="text to replace,replacement,...", character=Maya,Theo '
            "(each cell's character where the prompt names the first), or on an engine "
            + ", ".join(option.axes[0] for option in options_table.OPTIONS if option.axes)
        ),
    )
    # The request options, one flag each, from the options table.
    for option in options_table.OPTIONS:
        # A list-valued option (--lora) is repeatable: each flag adds to the list.
        p.add_argument(
            option.flag,
            dest=_dest(option),
            metavar=option.metavar,
            help=option.help,
            action="append" if option.kind == "loras" else "store",
        )
    return p


def _dest(option: options_table.Option) -> str:
    return "option_" + option.name


def _request_options(ns: argparse.Namespace) -> Options:
    given = {}
    for option in options_table.OPTIONS:
        text = getattr(ns, _dest(option))
        if text is None:
            continue
        try:
            if isinstance(text, list):  # a repeatable flag: one value, each checked
                given[option.name] = option.check([v for t in text for v in option.parse(t)])
            else:
                given[option.name] = option.parse(text)
        except options_table.OptionError as exc:
            raise OptionsError(f"%%sora: {option.flag}: {exc}") from None
    return Options(**given)


def option_help() -> list[tuple[str, str]]:
    """Every option as (how it is written, what it does), in the parser's order."""
    rows = []
    for action in _parser()._actions:
        flags = ", ".join(action.option_strings)
        if action.metavar:
            flags = ", ".join(f"{flag} {action.metavar}" for flag in action.option_strings)
        rows.append((flags, (action.help or "") % {}))  # argparse writes a literal % as %%
    return rows


def _int(name: str, text: str, low: int = 1, high: int | None = None) -> int:
    try:
        value = int(text.removesuffix("s"))
    except ValueError:
        raise OptionsError(
            f"%%sora: --{name} takes a whole number, like --{name} 4; got {text!r}."
        ) from None
    if value < low:
        raise OptionsError(f"%%sora: --{name} must be at least {low}; got {value}.")
    if high is not None and value > high:
        raise OptionsError(f"%%sora: --{name} must be at most {high}; got {value}.")
    return value


def _vary(text: str) -> VaryAxis:
    name, sep, values = text.partition("=")
    name = name.strip()
    items = tuple(v.strip() for v in values.split(",") if v.strip())
    if not sep or not name or len(items) < 2:
        raise OptionsError(
            f"%%sora: --vary needs a name and at least two values, like "
            f"--vary length=short,medium,long; got {text!r}."
        )
    if len(set(items)) != len(items):
        raise OptionsError(f"%%sora: --vary {name} lists a value twice: {text!r}.")
    return VaryAxis(name=name, values=items)


def parse_options(line: str) -> SoraOptions:
    """Parse the text after ``%%sora`` into options, or raise OptionsError saying what to fix."""
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        raise OptionsError(f"%%sora: cannot read the options ({exc}); check the quotes.") from None
    ns = _parser().parse_args(argv)
    if ns.fit and not ns.image:
        raise OptionsError("%%sora: --fit resizes the --image reference; add --image PATH.")
    if ns.bind is not None and not ns.bind.isidentifier():
        raise OptionsError(f"%%sora: --as needs a Python name, like --as take1; got {ns.bind!r}.")
    if ns.remix and ns.vary:
        raise OptionsError("%%sora: --remix makes one take from one video; drop --vary.")
    derived = [flag for flag in ("remix", "extend", "edit") if getattr(ns, flag)]
    if len(derived) > 1:
        raise OptionsError(
            f"%%sora: --{derived[0]} and --{derived[1]} each start from a finished take; "
            "give one of them."
        )
    if (ns.extend or ns.edit) and (ns.vary or ns.image or ns.shot_by_shot):
        raise OptionsError(
            "%%sora: --extend and --edit make one video from one video; drop --vary, --image "
            "and --shot-by-shot."
        )
    if ns.extend and ns.seconds is None:
        raise OptionsError("%%sora: --extend needs how much longer: --seconds 4, 8, 12, 16 or 20.")
    if ns.edit and ns.seconds is not None:
        raise OptionsError(
            "%%sora: an edit keeps its video's length; drop --seconds (or --extend it)."
        )
    if ns.shot_by_shot and (ns.vary or ns.remix or ns.image or ns.seconds is not None):
        raise OptionsError(
            "%%sora: --shot-by-shot takes each step's length from its shot (Shot 2 (8s): ...); "
            "drop --vary, --remix, --image and --seconds."
        )
    if ns.enhance and (ns.extend or ns.edit or ns.shot_by_shot):
        raise OptionsError(
            "%%sora: --enhance rewrites a new video's prompt; drop it with --extend, --edit "
            "and --shot-by-shot."
        )
    if len(ns.character) > 2:
        raise OptionsError("%%sora: a video features two characters at most; give two --character.")
    if len(ns.vary) > 3:
        raise OptionsError("%%sora: at most three --vary axes (columns, rows, pages).")
    budget = None
    if ns.budget is not None:
        try:
            budget = float(ns.budget.lstrip("$"))
        except ValueError:
            raise OptionsError(
                f"%%sora: --budget takes dollars, like --budget 2.50; got {ns.budget!r}."
            ) from None
        if budget < 0:
            raise OptionsError("%%sora: --budget cannot be negative.")
    axes = tuple(_vary(v) for v in ns.vary)
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise OptionsError("%%sora: each --vary axis needs its own name.")
    return SoraOptions(
        model=ns.model,
        size=ns.size or (ORIENTATION_SIZES[ns.orientation] if ns.orientation else None),
        seconds=_int("seconds", ns.seconds) if ns.seconds is not None else None,
        image=Path(ns.image).expanduser() if ns.image else None,
        fit=ns.fit,
        takes=_int("takes", ns.takes) if ns.takes is not None else None,
        bind=ns.bind,
        budget=budget,
        dry_run=ns.dry_run,
        wait=False if ns.no_wait else None,
        cache=not ns.no_cache,
        remix=ns.remix,
        server=ns.server,
        vary=axes,
        characters=tuple(_character(name) for name in ns.character),
        extend=ns.extend,
        edit=ns.edit,
        shot_by_shot=ns.shot_by_shot,
        enhance=ns.enhance,
        options=_request_options(ns),
    )


def _character(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise OptionsError("%%sora: --character takes a name, like --character Maya.")
    return cleaned


def options_markdown() -> str:
    """The README's table of request options, written from the options table."""
    rows = [
        "| option | Python | grid axis | takes | meaning |",
        "|---|---|---|---|---|",
    ]
    for option in options_table.OPTIONS:
        axis = f"`--vary {option.axes[0]}=...`" if option.axes else ""
        engines = ", ".join(sorted(option.dialects)) or "the bundled server's open models"
        rows.append(
            f"| `{option.flag} {option.metavar}` | `{option.name}=` | {axis} | {option.what()} "
            f"| {option.help} ({engines}) |"
        )
    return "\n".join(rows)


class EnhancerLine(BaseModel):
    """What ``%sora enhancer URL --model M [--key-env VAR] [--price-in X --price-out Y]`` says."""

    model_config = ConfigDict(frozen=True)

    url: str
    model: str
    #: The environment variable holding the endpoint's key (a key typed in a cell would be
    #: saved with the notebook).
    key_env: str = "SORA_NB_ENHANCER_KEY"
    price_in: float | None = Field(default=None, ge=0)
    price_out: float | None = Field(default=None, ge=0)


class _EnhancerParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise OptionsError(f"%sora enhancer: {message}. {ENHANCER_USAGE}")


#: How ``%sora enhancer`` is written, for its errors and the command table.
ENHANCER_USAGE = (
    "Write %sora enhancer URL --model M, like %sora enhancer http://localhost:11434/v1 "
    "--model qwen2.5:7b (its key, if any, in $SORA_NB_ENHANCER_KEY or --key-env VAR)."
)


def parse_enhancer(line: str) -> EnhancerLine:
    """Parse the words after ``%sora enhancer``, or raise OptionsError saying what to type."""
    p = _EnhancerParser(prog="%sora enhancer", add_help=False, allow_abbrev=False)
    p.add_argument("url")
    p.add_argument("--model", "-m", required=True)
    p.add_argument("--key-env", default="SORA_NB_ENHANCER_KEY")
    p.add_argument("--price-in", type=float)
    p.add_argument("--price-out", type=float)
    try:
        ns = p.parse_args(shlex.split(line))
    except ValueError as exc:
        raise OptionsError(f"%sora enhancer: cannot read it ({exc}). {ENHANCER_USAGE}") from None
    if (ns.price_in is None) != (ns.price_out is None):
        raise OptionsError(
            "%sora enhancer: give both --price-in and --price-out (dollars per million "
            "tokens), or neither."
        )
    return EnhancerLine(
        url=ns.url,
        model=ns.model,
        key_env=ns.key_env,
        price_in=ns.price_in,
        price_out=ns.price_out,
    )
