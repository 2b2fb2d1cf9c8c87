"""One set of defaults: whichever way a default is set (an environment variable, configure(),
%config SoraMagics), the magic, generate, grid and a new Studio all read it back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sora_nb.notebook import functions, kernel
from sora_nb.notebook.widgets import Studio
from sora_nb.runs.defaults import BUILT_IN, FALLBACK, Defaults, DefaultsError
from sora_nb.runs.grid import GridPlan
from sora_nb.server import ServerSettings
from tests.notebook.test_magics import shell_config_reset

PROMPT = (
    "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise "
    "light filtering through trees; soft footsteps and birdsong."
)
#: Every default set away from its built-in value (a size only sora-2-pro renders).
CHOSEN = {"model": "sora-2-pro", "size": "1792x1024", "seconds": 8, "takes": 2}


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name in Defaults.names():
        monkeypatch.delenv(f"SORA_NB_{name.upper()}", raising=False)
    monkeypatch.chdir(tmp_path)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "sora_nb")
    magics = ip.magics_manager.registry["SoraMagics"]
    shell_config_reset(magics)
    kernel.reset()
    yield ip
    ip.user_ns.clear()
    shell_config_reset(magics)
    kernel.reset()


def _start(tmp_path: Path) -> None:
    kernel.configure(
        media_dir=tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0),
    )


def by_environment(ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch, tmp: Path) -> None:
    for name, value in CHOSEN.items():
        monkeypatch.setenv(f"SORA_NB_{name.upper()}", str(value))
    _start(tmp)  # the variables are read when the kernel's session starts


def by_configure(ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch, tmp: Path) -> None:
    _start(tmp)
    functions.configure(**CHOSEN)


def by_config_magic(ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch, tmp: Path) -> None:
    _start(tmp)
    for name, value in CHOSEN.items():
        ip.run_line_magic("config", f"SoraMagics.{name} = {value!r}")


WAYS: dict[str, Callable[[InteractiveShell, pytest.MonkeyPatch, Path], None]] = {
    "environment": by_environment,
    "configure": by_configure,
    "%config": by_config_magic,
}


class Sent(Exception):
    """Raised instead of sending: the plan a call would run is all this test needs."""


def _captured_plan(call: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> GridPlan:
    seen: list[GridPlan] = []

    def capture(plan: GridPlan, **_: Any) -> Any:
        seen.append(plan)
        raise Sent

    monkeypatch.setattr(kernel.session(), "run_plan", capture)
    with pytest.raises(Sent):
        call()
    (plan,) = seen
    return plan


def _requested(plan: GridPlan) -> dict[str, Any]:
    models = {r.model for r in plan.requests}
    sizes = {r.size for r in plan.requests}
    seconds = {r.seconds for r in plan.requests}
    assert len(models) == len(sizes) == len(seconds) == 1, plan
    return {
        "model": models.pop(),
        "size": sizes.pop(),
        "seconds": seconds.pop(),
        "takes": plan.takes,
    }


@pytest.mark.parametrize("way", list(WAYS))
def test_each_default_set_one_way_reaches_every_entry_point(
    way: str, shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    WAYS[way](shell, monkeypatch, tmp_path)
    assert kernel.defaults().model_dump() == CHOSEN

    # The magic: a dry run binds its plan with --as.
    shell.run_cell_magic("sora", "--dry-run --as planned", PROMPT)
    assert _requested(shell.user_ns["planned"]) == CHOSEN
    # %sora config shows them.
    shown = {row["setting"]: row["value"] for row in shell.run_line_magic("sora", "config")}
    assert {name: shown[name] for name in CHOSEN} == CHOSEN

    # generate, grid and plan from Python.
    assert _requested(_captured_plan(lambda: functions.generate(PROMPT), monkeypatch)) == CHOSEN
    grid = _captured_plan(
        lambda: functions.grid(PROMPT, {"length": ["short", "long"]}), monkeypatch
    )
    assert _requested(grid) == CHOSEN and len(grid.requests) == 2 * CHOSEN["takes"]
    assert _requested(functions.plan(PROMPT)) == CHOSEN

    # What the session says a plan would use (the Studio's starting settings) agrees.
    assert kernel.session().fit().model_dump() == CHOSEN
    # A new Studio, made in Python or by %sora studio.
    for studio in (Studio("A heron in the reeds."), shell.run_line_magic("sora", "studio")):
        assert isinstance(studio, Studio)
        found = {n: getattr(studio, n) for n in CHOSEN}
        assert found == CHOSEN, found

    # What a call says still wins over the defaults.
    plan = functions.plan(PROMPT, model="sora-2", size="1280x720", seconds=4, takes=1)
    assert _requested(plan) == FALLBACK.model_dump()


def test_with_no_default_set_a_plan_takes_the_servers_model_and_its_usual_clip(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _start(tmp_path)
    assert kernel.defaults() == BUILT_IN and BUILT_IN.model is None  # nothing chosen
    # The bundled server serves sora-2; its usual clip is 1280x720 for 4 s.
    assert _requested(functions.plan(PROMPT)) == FALLBACK.model_dump()
    assert kernel.session().fit() == FALLBACK
    studio = Studio("A heron in the reeds.")
    assert {n: getattr(studio, n) for n in CHOSEN} == FALLBACK.model_dump()
    # A setting given wins; what it leaves out is fitted to the model it names.
    assert kernel.session().fit(model="sora-2-pro", seconds=8).model_dump() == {
        "model": "sora-2-pro",
        "size": "1280x720",
        "seconds": 8,
        "takes": 1,
    }


def test_a_later_write_wins_and_the_session_goes_on(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SORA_NB_SECONDS", "12")
    _start(tmp_path)
    session = kernel.session()
    assert kernel.defaults().seconds == 12  # the environment over the built-in (unset)
    shell.run_line_magic("config", "SoraMagics.seconds = 8")
    assert functions.plan(PROMPT).requests[0].seconds == 8  # %config reaches Python calls
    functions.configure(seconds=4)
    shell.run_cell_magic("sora", "--dry-run --as planned", PROMPT)
    assert shell.user_ns["planned"].requests[0].seconds == 4  # configure reaches cells
    assert kernel.session() is session  # setting a default rebuilt nothing


def test_a_bad_default_is_refused_and_changes_nothing(
    shell: InteractiveShell,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _start(tmp_path)
    functions.configure(model="sora-2-pro")
    with pytest.raises(DefaultsError, match=r"The default seconds .* got 'eight'"):
        functions.configure(model="sora-2", seconds="eight")
    assert kernel.defaults().model == "sora-2-pro"  # the good half was not applied either
    magics = shell.magics_manager.registry["SoraMagics"]
    shell.run_line_magic("config", "SoraMagics.size = 'huge'")  # %config shows the error
    said = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("SoraMagics.size: The default size is the video size") for m in said)
    assert magics.size is None and kernel.defaults().size == BUILT_IN.size is None
    monkeypatch.setenv("SORA_NB_TAKES", "none")
    kernel.reset()
    with pytest.raises(DefaultsError, match="It came from SORA_NB_TAKES: fix or unset it"):
        kernel.session()
