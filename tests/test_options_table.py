"""The options table: every request option once, and everything else made from it.

A row added to the table reaches the magic's parser, ``%%sora?``, a grid axis, the studio's
controls, the README and the request body without being typed anywhere else; a public function
that lists options as keywords lists every one of them.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import sora_nb
from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.sync import SyncVideosClient
from sora_nb.catalog import options as options_table
from sora_nb.catalog.option_args import ANNOTATIONS, OptionArgs
from sora_nb.catalog.options import OPTIONS, Option, Options
from sora_nb.notebook.options import OptionsError, option_help, options_markdown, parse_options
from sora_nb.runs.grid import Axis, GridError, plan_grid
from sora_nb.runs.request import VideoRequest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_row_says_how_it_is_named_typed_bounded_and_helped() -> None:
    assert OPTIONS, "the table is empty"
    for column in ("name", "flag", "wire"):
        values = [getattr(o, column) for o in OPTIONS]
        assert len(set(values)) == len(values), f"two rows share a {column}: {values}"
    axes = [axis for o in OPTIONS for axis in o.axes]
    assert len(set(axes)) == len(axes), f"two rows share an axis name: {axes}"
    for option in OPTIONS:
        assert option.name.isidentifier(), option
        assert option.flag.startswith("--") and option.metavar, option
        assert option.kind in ("int", "float", "text", "loras"), option
        assert option.help and "\n" not in option.help, option
        assert option.axes and option.label, option
        if option.low is not None and option.high is not None:
            assert option.low <= option.high, option
        # The example in its help and messages is a value it takes.
        assert option.example and option.parse(option.example.strip("'")) is not None, option
        with pytest.raises(options_table.OptionError, match=re.escape(option.name)):
            option.parse("" if option.kind == "text" else "not a number")


def test_options_keep_only_what_was_given_checked_and_in_the_tables_order() -> None:
    given = Options(steps=30, seed=7.0, negative_prompt="  blurry  ", fps=None)
    assert given.given() == {"seed": 7, "negative_prompt": "blurry", "steps": 30}
    assert given.steps == 30 and given.guidance is None
    assert given == Options(negative_prompt="blurry", steps=30, seed=7)
    assert hash(given) == hash(Options(negative_prompt="blurry", steps=30, seed=7))
    assert given.wire() == {"seed": 7, "negative_prompt": "blurry", "num_inference_steps": 30}
    assert not Options() and given
    with pytest.raises(ValueError, match="steps should be a whole number from 1 to 200"):
        Options(steps=0)
    with pytest.raises(ValueError, match="there is no option 'stepz'"):
        Options(stepz=3)


def test_a_request_gathers_options_named_at_the_top_and_keeps_its_cache_key() -> None:
    request = VideoRequest(prompt="A kite.", seed=7, steps=30)
    assert request.options == Options(seed=7, steps=30)
    again = VideoRequest.model_validate_json(request.model_dump_json())
    assert again == request and again.cache_key("local") == request.cache_key("local")
    # A request JSON written before options had their own object reads the same.
    old = json.loads(request.model_dump_json())
    old.update(old.pop("options"))
    assert VideoRequest.model_validate(old) == request
    # Options set count in the key; a request with none keeps the key it always had.
    assert request.cache_key("local") != request.with_options(steps=None).cache_key("local")


def test_every_row_reaches_the_parser_the_help_an_axis_the_studio_and_the_readme() -> None:
    helped = dict(option_help())
    for option in OPTIONS:
        parsed = parse_options(f"{option.flag} {option.example}")
        assert getattr(parsed.options, option.name) == option.parse(option.example.strip("'"))
        assert helped[f"{option.flag} {option.metavar}"] == option.help
        # A second value the row takes: its lowest bound (numbers, adapters: 0 is none), or for
        # the step cache the uncached baseline.
        second = f"{option.low:g}" if option.low is not None else "2"
        second = "none" if option.name == "step_cache" else second
        axis = Axis.parse(option.axes[0], [option.example.strip("'"), second])
        assert (axis.kind, axis.path) == ("option", option.name)
        with pytest.raises(OptionsError, match=re.escape(option.flag)):
            parse_options(f"{option.flag} ''")
    assert [c["name"] for c in options_table.controls()] == [o.name for o in OPTIONS if o.studio]
    readme = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- options:start[^>]*-->\n(.*?)\n<!-- options:end -->", readme, re.S)
    assert block is not None, "README.md lost its options block"
    assert block.group(1) == options_markdown(), (
        "README.md's options table is out of date: paste sora_nb.notebook.options."
        "options_markdown() between its options markers"
    )


#: The public functions that list the options as keywords (editors and help() read them).
PUBLIC: dict[str, Callable[..., Any]] = {
    "sora_nb.generate": sora_nb.generate,
    "sora_nb.agenerate": sora_nb.agenerate,
    "sora_nb.grid": sora_nb.grid,
    "sora_nb.agrid": sora_nb.agrid,
    "sora_nb.plan": sora_nb.plan,
    "VideosClient.create": VideosClient.create,
    "SyncVideosClient.create": SyncVideosClient.create,
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_signature_lists_every_option(name: str) -> None:
    parameters = inspect.signature(PUBLIC[name]).parameters
    missing = [o.name for o in OPTIONS if o.name not in parameters]
    assert not missing, f"{name} lacks the options {missing}: add them to its signature"
    for option in OPTIONS:
        assert parameters[option.name].default is None, (name, option.name)


def test_the_type_checkers_keywords_are_the_tables_rows() -> None:
    hints = OptionArgs.__annotations__
    assert list(hints) == [o.name for o in OPTIONS], (
        "OptionArgs (sora_nb/catalog/option_args.py) differs from the options table: give it "
        "one line per row, in the table's order"
    )
    for option in OPTIONS:
        written = getattr(hints[option.name], "__forward_arg__", hints[option.name])
        assert written == ANNOTATIONS[option.kind], option.name


def test_a_misspelt_option_is_refused_as_python_refuses_keywords_with_the_one_meant() -> None:
    with pytest.raises(
        TypeError,
        match=r"plan\(\) got an unexpected keyword argument 'stepz'; "
        r"did you mean 'steps'\?",
    ):
        sora_nb.plan("A kite.", stepz=3)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'$"):
        sora_nb.generate("A kite.", colour="red")  # type: ignore[call-arg]


# -- a made-up option, added to the table only --------------------------------------------


@pytest.fixture
def shift_option(monkeypatch: pytest.MonkeyPatch) -> Iterator[Option]:
    """A row the code has never heard of: a motion score, as an engine's field."""
    row = Option(
        name="motion_score",
        label="Motion score",
        kind="float",
        help="on an engine: how much the picture moves, like 5.0",
        flag="--motion",
        metavar="X",
        wire="motion_score",
        axes=("motion",),
        low=0.0,
        high=20.0,
        example="5.0",
    )
    monkeypatch.setattr(options_table, "OPTIONS", (*OPTIONS, row))
    yield row


def test_a_made_up_row_reaches_the_parser_help_axis_and_request_body(
    shift_option: Option,
) -> None:
    parsed = parse_options("--motion 3.5 --steps 20")
    assert parsed.options.given() == {"steps": 20, "motion_score": 3.5}
    assert ("--motion X", shift_option.help) in option_help()
    with pytest.raises(OptionsError, match="motion_score should be a number from 0 to 20"):
        parse_options("--motion 99")
    assert "--motion X" in options_markdown()
    plan = plan_grid("A kite over the dunes.", [Axis.parse("motion", ["3", "7"])], seed=1)
    assert [r.options.motion_score for r in plan.requests] == [3.0, 7.0]
    with pytest.raises(GridError, match="The motion axis: motion_score should be a number"):
        Axis.parse("motion", ["3", "high"])

    bodies: list[dict[str, Any]] = []

    def engine(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": [{"id": "wan", "owned_by": "sglang"}]})
        bodies.append(json.loads(request.content))
        job = {"id": "v1", "object": "video", "status": "queued", "model": "wan"}
        return httpx.Response(200, json={**job, "created_at": 1, "progress": 0})

    with SyncVideosClient(
        base_url="http://engine.test/v1", api_key="k", transport=httpx.MockTransport(engine)
    ) as client:
        client.create(prompt="A kite.", options=plan.requests[1].options)
        with pytest.raises(errors.InvalidRequestError, match="motion_score should be a number"):
            client.create(prompt="A kite.", options={"motion_score": -1})
    assert bodies == [{"prompt": "A kite.", "model": "wan", "seed": 1, "motion_score": 7.0}]


def test_an_option_given_twice_with_two_values_is_refused_before_sending() -> None:
    def nothing(request: httpx.Request) -> httpx.Response:  # pragma: no cover - never sent
        raise AssertionError(f"sent {request.url}")

    with (
        SyncVideosClient(
            base_url="http://engine.test/v1", api_key="k", transport=httpx.MockTransport(nothing)
        ) as client,
        pytest.raises(errors.InvalidRequestError, match="steps is given twice"),
    ):
        client.create(prompt="A kite.", steps=20, options={"steps": 30})
