"""%%sora and %sora against engines: seeds, steps and the other knobs, found without help.

The engines are EngineFakes (tests/engine_fakes.py) behind the kernel's session, each answering
as its dialect does; every request they receive is checked for what that dialect accepts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from sora_nb.api.errors import SoraError
from sora_nb.notebook import functions, kernel
from sora_nb.runs.grid import GridRun
from sora_nb.runs.take import Take
from tests.engine_fakes import SERVED, EngineFake, tiny_mp4

PROMPT = "A heron lifts off the reeds at dawn, low mist, slow push-in."


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return tiny_mp4(tmp_path_factory.mktemp("clip") / "clip.mp4")


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "SORA_NB_DIALECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SORA_NB_API_KEY", "sk-engine")
    monkeypatch.chdir(tmp_path)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "sora_nb")
    magics = ip.magics_manager.registry["SoraMagics"]
    magics.media_dir = str(tmp_path / "sora_media")
    kernel.reset()
    yield ip
    ip.user_ns.clear()
    for name in magics.trait_names(config=True):
        magics._trait_values.pop(name, None)
    magics._applied = {}
    kernel.reset()


def on(engine: EngineFake, tmp_path: Path, **settings: Any) -> None:
    """Point the kernel's session at ``engine`` (its transport in place of the network)."""
    functions.configure(
        media_dir=tmp_path / "sora_media",
        base_url=engine.base_url,
        api_key="sk-engine",
        client_options={"transport": engine.transport()},
        **settings,
    )


def cell(ip: InteractiveShell, line: str, body: str = PROMPT) -> Any:
    return ip.run_cell_magic("sora", line, body)  # type: ignore[no-untyped-call]


def sent(request: httpx.Request) -> dict[str, Any]:
    if request.headers["content-type"].startswith("multipart/"):
        from tests.openapi_spec import _parse_multipart

        return dict(_parse_multipart(request)[0])
    loaded: dict[str, Any] = json.loads(request.content)
    return loaded


def test_seed_and_steps_twice_send_nothing_and_no_cache_sends_the_same_seed(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    engine = EngineFake("vllm-omni", mp4)
    on(engine, tmp_path)
    cell(shell, "--seed 7 --steps 30 --as first")
    first: Take = shell.user_ns["first"]
    assert first.status == "completed" and first.request.options.seed == 7
    assert first.request.options.steps == 30 and first.request.model == SERVED
    assert first.gpu_seconds == 12.5 and first.peak_memory_mb == 20480.0
    [create] = engine.creates()
    body = sent(create)
    assert create.headers["content-type"].startswith("multipart/form-data")
    assert (body["seed"], body["num_inference_steps"], body["model"]) == ("7", "30", SERVED)
    # Wan at 16 fps: the model's usual 5 s become the 81 frames its 4k+1 rule allows.
    assert (body["num_frames"], body["fps"], body["size"]) == ("81", "16", "1280x720")
    # No thumbnail or spritesheet is asked of an engine: both are derived from the video.
    contents = [r for r in engine.video_requests() if r.url.path.endswith("/content")]
    assert [r.url.params["variant"] for r in contents] == ["video"]
    assert first.path("thumbnail").stat().st_size > 0
    assert first.path("spritesheet").stat().st_size > 0

    before = len(engine.requests)
    cell(shell, "--seed 7 --steps 30 --as again")
    assert shell.user_ns["again"].cached and shell.user_ns["again"].id == first.id
    assert len(engine.requests) == before, "the second run sent something"

    cell(shell, "--seed 7 --steps 30 --no-cache --as fresh")
    fresh: Take = shell.user_ns["fresh"]
    assert fresh.id != first.id and fresh.status == "completed"
    again = sent(engine.creates()[-1])
    assert (again["seed"], again["num_inference_steps"]) == ("7", "30")


def test_takes_on_a_seeded_engine_get_seeds_chosen_recorded_and_kept(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    engine = EngineFake("sglang", mp4)
    on(engine, tmp_path)
    cell(shell, "--takes 3 --as run")
    run: GridRun = shell.user_ns["run"]
    seeds = [take.request.options.seed or 0 for take in run.takes]
    assert all(take.request.options.seed is not None for take in run.takes) and len(set(seeds)) == 3
    assert sorted(sent(r)["seed"] for r in engine.creates()) == sorted(seeds)
    rows = functions.session().ledger.history(None)
    assert sorted(t.request.options.seed for t in rows) == sorted(seeds)  # type: ignore[type-var]
    creates = len(engine.creates())
    cell(shell, "--takes 3 --as same")
    assert [t.request.options.seed for t in shell.user_ns["same"].takes] == seeds
    assert len(engine.creates()) == creates
    # Given a seed, take n uses seed + n - 1: any one of them can be made again alone.
    cell(shell, "--takes 2 --seed 100 --as given")
    assert [t.request.options.seed for t in shell.user_ns["given"].takes] == [100, 101]


def test_a_seed_and_steps_grid_on_fastvideo(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    engine = EngineFake("fastvideo", mp4)
    on(engine, tmp_path)
    cell(shell, "--vary seed=1,2 --vary steps=20,40 --as grid")
    grid: GridRun = shell.user_ns["grid"]
    assert grid.plan.shape == (2, 2)
    cells = [(t.request.options.seed, t.request.options.steps) for t in grid.takes]
    assert cells == [(1, 20), (1, 40), (2, 20), (2, 40)]
    bodies = [sent(r) for r in engine.creates()]
    assert all(r.headers["content-type"] == "application/json" for r in engine.creates())
    assert sorted((b["seed"], b["num_inference_steps"]) for b in bodies) == cells
    assert {b["model"] for b in bodies} == {SERVED}


def test_knobs_are_refused_where_they_are_not_taken_and_nothing_is_sent(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    engine = EngineFake("litellm", mp4)
    on(engine, tmp_path)
    with pytest.raises(UsageError, match="LiteLLM proxy takes no seed, steps"):
        cell(shell, "--seed 7 --steps 30")
    with pytest.raises(UsageError, match="takes no seed"):
        cell(shell, "--vary seed=1,2")
    assert engine.video_requests() == []
    assert functions.session().ledger.count() == 0
    # The bundled server's animatic says on /v1/models what it takes (a seed, as its
    # variation): anything else is refused there too, before sending, naming what it takes.
    functions.configure(base_url=None, api_key=None, client_options={})
    with pytest.raises(UsageError) as refused:
        cell(shell, "--negative 'blurry, text'")
    assert (
        "the bundled server's animatic (it draws a storyboard, not from noise) takes no "
        "negative_prompt; it takes --seed, --fps, --frames." in str(refused.value)
    )
    assert functions.session().ledger.count() == 0


def test_sora_2_is_never_asked_of_an_engine_that_does_not_serve_it(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    engine = EngineFake("vllm-omni", mp4)
    on(engine, tmp_path)
    with pytest.raises(UsageError, match=r"serves Wan-AI/Wan2\.2-T2V-A14B-Diffusers, not 'sora-2'"):
        cell(shell, "--model sora-2")
    with pytest.raises(UsageError, match="makes 4k\\+1 frames"):
        cell(shell, "--frames 80")
    assert engine.creates() == []


def test_connect_and_status_say_what_the_server_is_serves_and_cannot_do(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = EngineFake("sglang", mp4)
    # %sora connect builds its own session: give it the fake's transport.
    real = kernel.configure

    def configure(**settings: Any) -> Any:
        settings.setdefault("client_options", {"transport": engine.transport()})
        return real(**settings)

    monkeypatch.setattr(kernel, "configure", configure)
    said = repr(shell.run_line_magic("sora", f"connect {engine.base_url}"))
    assert "SGLang Diffusion 0.5.23 (/v1/models owned_by 'sglang')" in said  # its version too
    assert f"Serves: {SERVED}." in said
    assert "remix" in said and "thumbnails" in said and "cancel a job" in said
    status = repr(shell.run_line_magic("sora", "status"))
    assert "SGLang Diffusion" in status and "No takes are running." in status
    forced = repr(shell.run_line_magic("sora", f"connect {engine.base_url} --dialect fastvideo"))
    assert "FastVideo (set by hand)" in forced
    with pytest.raises(UsageError, match="no dialect called 'vllm-onmi'"):
        shell.run_line_magic("sora", f"connect {engine.base_url} --dialect vllm-onmi")


def test_the_studio_offers_the_knobs_an_engine_takes_and_sends_them(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    from sora_nb.notebook.widgets import Studio
    from sora_nb.notebook.widgets.state import KnobDefaults

    engine = EngineFake("vllm-omni", mp4)
    on(engine, tmp_path)
    studio = Studio(PROMPT, session=functions.session())
    assert studio.model == SERVED and (studio.size, studio.seconds) == ("1280x720", 5)
    assert studio.knobs_offered == ["seed", "negative_prompt", "steps", "guidance", "loras"]
    # A control per studio row of the options table, in its order.
    assert [spec["name"] for spec in studio.option_specs] == studio.knobs_offered
    assert studio.knob_defaults == KnobDefaults(steps=40, guidance=4.0)
    assert "GPU time" in studio.cost_text
    studio.options = {"seed": 7, "steps": 30, "negative_prompt": "blurry"}
    take = studio.generate()
    assert isinstance(take, Take)
    take.wait(60)
    body = sent(engine.creates()[-1])
    assert (body["seed"], body["num_inference_steps"], body["negative_prompt"]) == (
        "7",
        "30",
        "blurry",
    )
    # A model the engine does not serve is shown as named, with the catalog's usual clip and
    # no knobs; Generate then says what the engine serves.
    other = Studio(PROMPT, session=functions.session(), model="sora-2-pro")
    assert (other.model, other.size, other.seconds) == ("sora-2-pro", "1280x720", 4)
    assert other.knobs_offered == []
    with pytest.raises(SoraError, match=f"serves {SERVED}, not 'sora-2-pro'"):
        other.generate()
    # On the bundled server (OpenAI's dialect) no knob is offered.
    functions.configure(base_url=None, api_key=None, client_options={})
    plain = Studio(PROMPT, session=functions.session())
    assert plain.knobs_offered == [] and plain.model == "sora-2"


def test_plans_show_gpu_seconds_by_earlier_takes_never_a_price(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    from sora_nb.notebook.display import plan_summary
    from sora_nb.notebook.widgets import Player, Studio

    engine = EngineFake("vllm-omni", mp4)
    on(engine, tmp_path)
    session = functions.session()
    first = session.plan(PROMPT, takes=2)
    assert plan_summary(first, session) == (
        "2 videos, GPU time (no earlier takes like these to go by)"
    )
    made = session.run_plan(first).takes[0]
    # Its player says the GPU seconds it took (what the player's meta line shows, not a price).
    assert made.gpu_seconds and Player.from_take(made).gpu_seconds == made.gpu_seconds
    other = session.plan("A crane wades through the shallows.", takes=2)
    assert plan_summary(other, session).endswith("about 25 GPU s")
    assert "$" not in plan_summary(other, session)
    # The studio prices its takes by the same earlier takes.
    assert Studio(PROMPT, session=session, takes=2).cost_text == "2 takes × 5 s: about 25 GPU s"
