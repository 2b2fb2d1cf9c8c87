"""Bad input catalogue: every mistake gets a clear message, sends nothing and loses nothing.

Each case starts from a media folder that already holds a completed take (something to lose),
makes one mistake through the magic, the Python API or the files on disk, and checks three
things: the message the user sees, that the server received no request at all, and that every
file and every ledger row is exactly as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from IPython.core.error import UsageError
from pydantic import ValidationError
from traitlets import TraitError

from sora_nb.api.errors import ConfigurationError
from sora_nb.catalog import CatalogError
from sora_nb.notebook import functions, kernel
from sora_nb.runs.cost import BudgetExceededError
from sora_nb.runs.defaults import DefaultsError
from sora_nb.runs.grid import GridError
from sora_nb.runs.ledger import LedgerError
from sora_nb.runs.references import ReferenceImageError
from sora_nb.server import ServerSettings
from tests.reliability.conftest import PROMPT, Studio


@dataclass(frozen=True)
class Case:
    """One mistake: what the user does, the error they get, and words the message must hold."""

    name: str
    act: Callable[[Studio], object]
    error: type[BaseException]
    says: str
    #: Damage done before the "before" snapshot (a corrupted ledger is the starting state).
    setup: Callable[[Studio], object] | None = None


def cell(line: str, says: str, body: str = PROMPT) -> Case:
    return Case(f"%%sora {line}"[:60], lambda s: s.cell(line, body), UsageError, says)


def prompt(name: str, body: str, says: str) -> Case:
    return Case(name, lambda s: s.cell("", body), UsageError, says)


def line(text: str, says: str) -> Case:
    return Case(f"%sora {text}", lambda s: s.line(text), UsageError, says)


def python(
    name: str, act: Callable[[Studio], object], error: type[BaseException], says: str
) -> Case:
    return Case(name, act, error, says)


def paid(s: Studio) -> object:
    """The bundled server imitating OpenAI's API exactly: its takes are priced as the hosted
    API charged them (the animatic charges nothing), so budgets have dollars to count."""
    return functions.configure(
        media_dir=s.media,
        bundled=ServerSettings(media_dir=s.server, time_scale=0, dialect="openai"),
    )


def _with_pending_take(s: Studio) -> object:
    pending = functions.plan(PROMPT, seconds=8)
    take = s.shell.user_ns["pending"] = functions.session().runner.plan(pending.requests)[0]
    return functions.generate(PROMPT, remix=take)


def release_ledger() -> None:
    """Close the session's ledger now: closed later (by the garbage collector) SQLite would
    checkpoint its WAL into the file, mending part of the damage a test just did."""
    functions.session().ledger.close()
    kernel.reset()


def _corrupt_ledger(data: bytes) -> Callable[[Studio], object]:
    def corrupt(s: Studio) -> None:
        release_ledger()
        for suffix in ("-wal", "-shm"):
            (s.media / f"ledger.sqlite3{suffix}").unlink(missing_ok=True)
        (s.media / "ledger.sqlite3").write_bytes(data)

    return corrupt


def _damage_ledger_pages(s: Studio) -> None:
    """Keep the header page, scribble over the rest: the file opens but its tables are gone."""
    release_ledger()
    ledger = s.media / "ledger.sqlite3"
    with sqlite3.connect(ledger) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(ledger.read_bytes())
    assert len(data) > 4096
    data[4096:] = b"\x5a" * (len(data) - 4096)
    ledger.write_bytes(bytes(data))


def _earlier_export(s: Studio) -> None:
    (s.root / "lesson.zip").write_bytes(b"an earlier export")


CASES: list[Case] = [
    # -- magic options --------------------------------------------------------------------
    cell("--seconds abc", "--seconds takes a whole number, like --seconds 4; got 'abc'"),
    cell("--seconds 0", "--seconds must be at least 1; got 0"),
    cell("--seconds 5", "sora-2 renders 4, 8, 12, 16 or 20 seconds; 5 seconds needs"),
    cell("--takes 0", "--takes must be at least 1; got 0"),
    cell("--takes x", "--takes takes a whole number, like --takes 4; got 'x'"),
    cell("--budget abc", "--budget takes dollars, like --budget 2.50; got 'abc'"),
    cell("--budget -1", "--budget cannot be negative"),
    Case(
        "%%sora --budget 0.10 --no-cache (a paid server)",
        lambda s: s.cell("--budget 0.10 --no-cache"),
        UsageError,
        "Not sent: 1 take, about $0.40 would pass the $0.10 budget",
        setup=paid,
    ),
    cell("--fit", "--fit resizes the --image reference; add --image PATH"),
    cell("--as 1bad", "--as needs a Python name, like --as take1; got '1bad'"),
    cell("--vary length", "--vary needs a name and at least two values"),
    cell("--vary length=short", "--vary needs a name and at least two values"),
    cell("--vary length=short,short", "--vary length lists a value twice"),
    cell(
        "--vary model=a,b --vary size=c,d --vary seconds=4,8 --vary length=short,long",
        "at most three --vary axes",
    ),
    cell("--remix video_x --vary length=short,long", "--remix makes one take from one video"),
    cell("--bogus", "unrecognized arguments: --bogus. Type %%sora? for the options"),
    cell('--model "sora-2', "cannot read the options (No closing quotation); check the quotes"),
    cell("--landscape --portrait", "argument --portrait: not allowed with argument --landscape"),
    cell("--size 640x480", "sora-2 renders 1280x720 or 720x1280; 640x480 is not offered"),
    cell("--size 1280by720", "size '1280by720' should look like 1280x720 (width x height)"),
    cell("--size 1792x1024", "1792x1024 needs sora-2-pro"),
    cell("--vary bogus=a,b", "There is no axis called 'bogus'. Vary one of: model, size"),
    cell("--vary seconds=4,x", "seconds values are whole numbers, like 4,8; got 'x'"),
    # -- prompt text ----------------------------------------------------------------------
    prompt("blank cell", "   \n\n", "the cell is empty; write the shot to generate below"),
    prompt(
        "undefined variable",
        "{mood} light over the dunes",
        "The prompt uses {mood} but no variable named mood is defined",
    ),
    prompt("stray brace", "a { stray brace", "opens no {name}; write {{ for a literal '{'"),
    prompt("prompt too long", "dunes " * 6000, "prompt: String should have at most 32000"),
    python(
        "python: empty prompt",
        lambda s: functions.generate(""),
        ValueError,
        "The prompt is empty: describe the shot",
    ),
    python(
        "python: blank prompt",
        lambda s: functions.generate("  \n "),
        ValueError,
        "empty",
    ),
    cell(
        "--interpolate 8",
        "interpolate should be a whole number from 1 to 4, like 2; got 8",
    ),
    cell("--vary upscale=1,5", "upscale should be a whole number from 1 to 4, like 2; got 5"),
    python(
        "python: upscale=0",
        lambda s: functions.generate(PROMPT, upscale=0),
        ValueError,
        "upscale should be a whole number from 1 to 4, like 2; got 0",
    ),
    # -- reference images -----------------------------------------------------------------
    cell("--image small.png", "The reference image is 640x480 but the video is 1280x720"),
    cell("--image notes.png", "notes.png is not a usable image"),
    cell("--image huge.png", "is 22 MB; servers accept up to 20 MB"),
    cell("--image cut.png", "cut.png is not a usable image: the image is damaged or truncated"),
    cell("--image bomb.png", "bomb.png claims to be far larger than any video"),
    cell("--image bomb.png --fit", "too large to open safely. Use an image of 1280x720 pixels"),
    cell("--image missing.png", "The reference image missing.png does not exist; check the path"),
    cell("--image frame.gif", "frame.gif is a GIF image; the Videos API takes JPEG, PNG or WebP"),
    cell("--image frame.gif --vary size=1280x720,720x1280", "A reference image fixes the first"),
    python(
        "python: image wrong size",
        lambda s: functions.generate(PROMPT, image="small.png"),
        ReferenceImageError,
        "must match exactly. Add --fit (fit=True) to crop and resize it",
    ),
    # -- line commands ----------------------------------------------------------------------
    line("nonsense", "%sora nonsense: unknown command. Try: models, history [-n N], status"),
    line("history -n x", "%sora history takes -n N (1 or more), like %sora history -n 5"),
    line("export", "%sora export needs"),
    line("connect", "%sora connect needs a server URL"),
    Case(
        "%sora export over a file",
        lambda s: s.line("export lesson.zip"),
        UsageError,
        "lesson.zip already exists; choose a new name or remove it first",
        setup=_earlier_export,
    ),
    # -- server URLs ------------------------------------------------------------------------
    cell("--server notaurl", "The base URL 'notaurl' is not an http(s) URL with a host"),
    cell("--server ftp://example.com", "'ftp://example.com' is not an http(s) URL with a host"),
    python(
        "python: base_url without a scheme",
        lambda s: functions.configure(base_url="localhost4000"),
        ConfigurationError,
        "give one like http://localhost:4000/v1",
    ),
    python(
        "python: base_url ftp",
        lambda s: functions.configure(base_url="ftp://example.com/v1"),
        ConfigurationError,
        "is not an http(s) URL with a host",
    ),
    # -- Python arguments -------------------------------------------------------------------
    python(
        "python: takes=0", lambda s: functions.generate(PROMPT, takes=0), GridError, "at least 1"
    ),
    python(
        "python: seconds=7",
        lambda s: functions.generate(PROMPT, seconds=7),
        CatalogError,
        "sora-2 renders 4, 8, 12",
    ),
    python(
        "python: size='big'",
        lambda s: functions.generate(PROMPT, size="big"),
        ValidationError,
        "size 'big' should look like 1280x720",
    ),
    python(
        "python: one-value axis",
        lambda s: functions.grid(PROMPT, {"length": ["short"]}),
        GridError,
        "The 'length' axis needs at least two non-empty values",
    ),
    python(
        "python: unknown axis",
        lambda s: functions.grid(PROMPT, {"colour": ["red", "blue"]}),
        GridError,
        "There is no axis called 'colour'",
    ),
    python(
        "python: unknown setting",
        lambda s: functions.configure(colour="red"),
        TypeError,
        "configure() takes api_key, base_url, budget, bundled, client_options, concurrency, "
        "device, dialect, dtype, enhancer, lora_dir, media_dir, offload, renderer, vae_tiling, "
        "model, size, seconds, takes; not colour",
    ),
    python(
        "python: a default of zero seconds",
        lambda s: functions.configure(seconds=0),
        DefaultsError,
        "The default seconds is the clip length in whole seconds, like 4; got 0",
    ),
    python(
        "python: a default size that is not a size",
        lambda s: functions.configure(size="big"),
        DefaultsError,
        "The default size is the video size, WIDTHxHEIGHT like 1280x720; got 'big'",
    ),
    Case(
        "magic: %config a default of no takes",
        lambda s: setattr(s.shell.magics_manager.registry["SoraMagics"], "takes", 0),
        TraitError,
        "SoraMagics.takes: The default takes is takes of each request, 1 or more; got 0",
    ),
    python(
        "python: concurrency=0",
        lambda s: (s.configure(concurrency=0), functions.generate(PROMPT, cache=False)),
        ValueError,
        "concurrency must be at least 1, not 0",
    ),
    python(
        "python: remix a take that is not done",
        _with_pending_take,
        ValueError,
        "only a completed take can be remixed",
    ),
    # -- budgets ----------------------------------------------------------------------------
    Case(
        "python: call budget",
        lambda s: functions.generate(PROMPT, cache=False, budget=0.01),
        BudgetExceededError,
        "Not sent: 1 take, about $0.40 would pass the $0.01 budget for this call by $0.39",
        setup=paid,
    ),
    Case(
        "python: kernel budget",
        lambda s: (
            functions.configure(budget=0.5),
            functions.generate(PROMPT, takes=2, cache=False),
        ),
        BudgetExceededError,
        "would pass the $0.50 budget for this kernel",
        setup=paid,
    ),
    python(
        "python: negative budget",
        lambda s: functions.generate(PROMPT, cache=False, budget=-1),
        ValueError,
        "A budget must be zero or more dollars, not -1",
    ),
    Case(
        "python: grid over budget",
        lambda s: functions.grid(PROMPT, {"seconds": ["4", "8", "12"]}, budget=1.5),
        BudgetExceededError,
        "Not sent: 2 takes",  # the 4 s take is in the ledger already: it costs nothing
        setup=paid,
    ),
    # -- the media folder and the ledger -------------------------------------------------------
    python(
        "python: media folder under a file",
        lambda s: functions.configure(media_dir=s.root / "blocker" / "media"),
        LedgerError,
        "Cannot create the media folder",
    ),
    python(
        "python: media folder is a file",
        lambda s: functions.configure(media_dir=s.root / "blocker"),
        LedgerError,
        "Choose a writable folder with media_dir=... or SORA_NB_HOME",
    ),
    Case(
        "magic: media folder under a file",
        lambda s: (
            s.shell.run_line_magic("config", f"SoraMagics.media_dir = '{s.root}/blocker/m'"),
            s.cell(""),
        ),
        UsageError,
        "Cannot create the media folder",
    ),
    Case(
        "python: ledger is garbage",
        lambda s: s.configure(),
        LedgerError,
        "cannot be read (file is not a database). Move it aside",
        setup=_corrupt_ledger(b"not a database " * 300),
    ),
    Case(
        "python: ledger damaged past its first page",
        lambda s: (s.configure(), functions.history()),
        LedgerError,
        "cannot be read (database disk image is malformed). Move it aside",
        setup=_damage_ledger_pages,
    ),
    Case(
        "magic: ledger damaged past its first page",
        lambda s: s.line("history"),
        UsageError,
        "Move it aside (for example to ledger.sqlite3.broken) and sora_nb will start a new one",
        setup=_damage_ledger_pages,
    ),
    Case(
        "magic: ledger is zeros",
        lambda s: s.cell(""),
        UsageError,
        "Move it aside (for example to ledger.sqlite3.broken)",
        setup=_corrupt_ledger(b"\0" * 4096),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_mistake_is_explained_and_sends_and_loses_nothing(studio: Studio, case: Case) -> None:
    if case.setup is not None:
        case.setup(studio)
    before = studio.state()
    with pytest.raises(case.error) as caught:
        case.act(studio)
    message = str(caught.value)
    assert case.says in message, message
    assert "Traceback" not in message and len(message) < 600
    assert studio.requests_sent() == 0, "a request reached the server"
    after = studio.state()
    assert after[0] == before[0], "files changed"
    assert after[1] == before[1], "ledger rows changed"


def test_the_catalogue_is_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
