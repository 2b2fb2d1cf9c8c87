"""%%sora cells on open models: in this kernel (`%sora connect local:MODEL`), and on a server
started with `python -m sora_nb.server --renderer diffusers --model FOLDER`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from sora_nb.notebook import functions, kernel
from sora_nb.runs.take import Take
from tests.local.helpers import png, streams


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
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


def sora(ip: InteractiveShell, line: str, body: str | None = None) -> Any:
    if body is None:
        return ip.run_line_magic("sora", line)
    return ip.run_cell_magic("sora", line, body)


def printed(result: Any) -> str:
    return str(result.data if hasattr(result, "data") else result)


def test_a_cell_renders_with_the_model_connected_in_this_kernel(
    shell: InteractiveShell, tiny: Callable[[str], Path]
) -> None:
    said = printed(sora(shell, f"connect local:{tiny('wan')}"))
    assert "wan-tiny (WanPipeline) on cpu" in said and "Cells without --model use wan-tiny" in said
    sora(shell, "--size 112x64 --seconds 1 --as kite", "A red kite over the sea, wide shot.")
    take = shell.user_ns["kite"]
    assert isinstance(take, Take) and take.status == "completed"
    assert take.request.model == "wan-tiny" and take.server == "local"
    found = streams(take.path("video"))
    assert (found["width"], found["height"], found["frames"]) == (112, 64, 17)
    sora(shell, "--size 112x64 --seconds 1 --as again", "A red kite over the sea, wide shot.")
    assert shell.user_ns["again"].cached and shell.user_ns["again"].id == take.id


def local_server(shell: InteractiveShell) -> Any:
    """The kernel's in-process bundled server (the one rendering the local model)."""
    from sora_nb.connection import bundled_app

    session = kernel.session()
    return bundled_app(session.media_dir / "server", local=session.local).state.server


def test_seed_and_steps_in_cells_on_a_local_model(
    shell: InteractiveShell, tiny: Callable[[str], Path]
) -> None:
    said = printed(sora(shell, f"connect local:{tiny('wan')}"))
    assert said.endswith(
        "Cells without --model use wan-tiny, at 112x64 for 1 s unless told, and take --seed, "
        "--negative, --steps, --guidance, --fps, --frames, --flow-shift, --step-cache, --video, "
        "--strength."
    ), said
    # No size or length given: the served model's usual clip, as its card states it.
    sora(shell, "--seed 7 --steps 3 --as first", "A red kite over the sea, wide shot.")
    first: Take = shell.user_ns["first"]
    assert first.status == "completed", first.error
    request = first.request
    assert (request.model, request.size, request.seconds) == ("wan-tiny", "112x64", 1)
    assert (request.options.seed, request.options.steps) == (7, 3)
    server = local_server(shell)
    job = server.store.get(first.job_id)
    assert (job.knobs["seed"], job.knobs["num_inference_steps"]) == (7, 3)
    assert first.gpu_seconds is not None and first.gpu_seconds > 0
    assert first.seconds_per_step is not None and 0 < first.seconds_per_step < first.gpu_seconds
    assert first.seconds_per_step == job.metrics["seconds_per_step"]  # as the server measured
    assert streams(first.path("video"))["frames"] == 17
    created = server.stats.jobs_created

    # The same cell again sends nothing: the ledger has the take.
    sora(shell, "--seed 7 --steps 3 --as again", "A red kite over the sea, wide shot.")
    again: Take = shell.user_ns["again"]
    assert again.cached and again.id == first.id and server.stats.jobs_created == created
    # --no-cache sends it again with the same seed: the same bytes.
    sora(shell, "--seed 7 --steps 3 --no-cache --as fresh", "A red kite over the sea, wide shot.")
    fresh: Take = shell.user_ns["fresh"]
    assert fresh.status == "completed" and fresh.id != first.id
    assert server.stats.jobs_created == created + 1
    assert server.store.get(fresh.job_id).options.seed == 7
    # What the cell says before sending: --no-cache means it is sent, and costs GPU time.
    from sora_nb.notebook.display import plan_summary

    session = kernel.session()
    plan = session.plan("A red kite over the sea, wide shot.", options={"seed": 7, "steps": 3})
    assert plan_summary(plan, session).endswith("all in the ledger already: nothing to send, $0.00")
    assert re.fullmatch(r"1 video, about \d+\.\d GPU s", plan_summary(plan, session, cache=False))
    assert fresh.path("video").read_bytes() == first.path("video").read_bytes()
    # Another seed, another video.
    sora(shell, "--seed 8 --steps 3 --as other", "A red kite over the sea, wide shot.")
    assert shell.user_ns["other"].path("video").read_bytes() != first.path("video").read_bytes()


def test_takes_get_seeds_and_progress_is_seen_between_0_and_100_while_polling(
    shell: InteractiveShell, tiny: Callable[[str], Path]
) -> None:
    sora(shell, f"connect local:{tiny('wan')}")
    sora(shell, "--steps 40 --takes 2 --as run", "A paper boat drifting down a river.")
    takes = shell.user_ns["run"].takes
    assert [t.status for t in takes] == ["completed", "completed"]
    seeds = [t.request.options.seed for t in takes]
    assert None not in seeds and seeds[0] != seeds[1]  # chosen, recorded, each its own
    ledger = kernel.session().ledger
    for take in takes:
        seen = [progress for _, status, progress in ledger.timeline(take.id)]
        assert any(0 < p < 100 for p in seen), seen  # the client saw the steps go by
        assert seen == sorted(seen)
    # The results table has each take's GPU seconds and seconds per step.
    table = shell.user_ns["run"].results()
    assert list(table["gpu_s"]) == [t.gpu_seconds for t in takes]
    assert list(table["s_per_step"]) == [t.seconds_per_step for t in takes]
    assert all(value > 0 for value in table["s_per_step"])
    # A plan here costs GPU time, never dollars.
    from sora_nb.notebook.display import plan_summary

    session = kernel.session()
    another = session.plan(
        "A paper boat drifting down a wide river.", options={"steps": 40}, takes=2
    )
    expected = sum(t.gpu_seconds or 0 for t in takes)  # by the takes like these before
    shown = f"{expected:.1f}" if expected < 10 else f"{expected:.0f}"
    assert plan_summary(another, session) == f"2 videos, about {shown} GPU s"


def test_an_impossible_size_and_a_missing_model_are_one_line_errors(
    shell: InteractiveShell, tiny: Callable[[str], Path], tmp_path: Path
) -> None:
    sora(shell, f"connect local:{tiny('wan')}")
    with pytest.raises(UsageError) as size:
        sora(shell, "--size 100x64 --seconds 1", "A red kite.")
    assert "The nearest it can render: 96x64, 112x64." in str(size.value)
    missing = tmp_path / "no-such-model"
    with pytest.raises(UsageError) as model:
        sora(shell, f"connect local:{missing}")
    for error in (size.value, model.value):
        assert "\n" not in str(error)
    assert str(model.value) == (
        f"%%sora: No folder {missing}: pass a diffusers pipeline folder (holding "
        "model_index.json) or a Hugging Face id like Wan-AI/Wan2.1-T2V-1.3B-Diffusers."
    )


def test_a_first_frame_and_sound_in_cells(
    shell: InteractiveShell, tiny: Callable[[str], Path], tmp_path: Path
) -> None:
    (tmp_path / "first.png").write_bytes(png(112, 64))
    sora(shell, f"connect local:{tiny('wan-i2v')}")
    sora(shell, "--size 112x64 --seconds 1 --image first.png --as opening", "The kite lifts off.")
    opening = shell.user_ns["opening"]
    assert opening.status == "completed" and opening.request.reference is not None
    assert streams(opening.path("video"))["frames"] == 25  # 24 fps, 4k+1

    sora(shell, f"connect local:{tiny('ltx2')}")
    sora(shell, "--size 64x32 --seconds 1 --as surf", "Waves break on the shore, loud surf.")
    surf = shell.user_ns["surf"]
    assert surf.status == "completed" and surf.request.model == "ltx2-tiny"
    audio = streams(surf.path("video"))["audio"]
    assert audio is not None and audio["rate"] == 16000


def test_configure_in_python(tiny: Callable[[str], Path], tmp_path: Path) -> None:
    import sora_nb

    kernel.reset()
    try:
        sora_nb.configure(media_dir=tmp_path / "py", renderer="diffusers", model=str(tiny("wan")))
        take = sora_nb.generate("A boat on the river.", size="112x64", seconds=1)
        assert isinstance(take, Take) and take.ok and take.request.model == "wan-tiny"
        with pytest.raises(TypeError, match="needs model="):
            sora_nb.configure(renderer="diffusers", model=None, device="cpu")
        sora_nb.configure(renderer="animatic")
        assert functions.session().local_model is None
        # Back on the animatic, a plan is what it always was: no seed, no frame count.
        [request] = functions.plan("A boat on the river.").requests
        assert (request.model, request.size, request.seconds) == ("sora-2", "1280x720", 4)
        assert (request.options.seed, request.options.num_frames, request.options.fps) == (
            None,
            None,
            None,
        )
    finally:
        kernel.reset()


@pytest.fixture
def serve_model(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    """``serve_model(folder)``: ``python -m sora_nb.server --renderer diffusers --model FOLDER``
    in a process of its own; returns its base URL once it listens."""
    processes: list[subprocess.Popen[str]] = []

    def serve(folder: Path) -> str:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sora_nb.server",
                "--renderer",
                "diffusers",
                "--model",
                str(folder),
                "--port",
                "0",
                "--media",
                str(tmp_path / f"served-{folder.name}"),
            ],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        processes.append(process)
        assert process.stderr is not None
        said = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            said.append(line)
            if not line and process.poll() is not None:
                break
            found = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
            if found:
                assert any(f"{folder.name} (" in s and "loaded in" in s for s in said), said
                return found.group(1) + "/v1"
        raise AssertionError(f"the server did not say where it listens: {''.join(said)}")

    yield serve
    for process in processes:
        process.terminate()
        process.wait(20)


@pytest.mark.parametrize(
    ("kind", "line", "expected"),
    [
        ("wan", "--seed 3 --steps 4", (112, 64, 17, None)),
        ("wan-i2v", "--size 112x64 --seconds 1 --image first.png", (112, 64, 25, None)),
        ("ltx2", "--size 64x32 --seconds 1", (64, 32, 25, 16000)),
    ],
)
def test_cells_on_a_served_model(
    shell: InteractiveShell,
    tiny: Callable[[str], Path],
    serve_model: Callable[[Path], str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    kind: str,
    line: str,
    expected: tuple[int, int, int, int | None],
) -> None:
    (tmp_path / "first.png").write_bytes(png(112, 64))
    base_url = serve_model(tiny(kind))
    monkeypatch.setenv("SORA_NB_API_KEY", "sk-local-no-key-needed")
    sora(shell, f"connect {base_url}")
    sora(shell, f"--model {kind}-tiny {line} --as take", "A kite over the sea at dusk.")
    take = shell.user_ns["take"]
    assert take.status == "completed" and take.server == base_url
    # Knobs go to the served model as its cards say it takes them; every take there is
    # seeded; with no size or length given, the model's usual clip is what its card states.
    assert take.request.options.seed is not None
    if "--seed 3" in line:
        assert (take.request.options.seed, take.request.options.steps, take.request.size) == (
            3,
            4,
            "112x64",
        )
    assert take.gpu_seconds is not None and take.seconds_per_step is not None
    found = streams(take.path("video"))
    rate = found["audio"]["rate"] if found["audio"] else None
    assert (found["width"], found["height"], found["frames"], rate) == expected
