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

from sora_nb.notebook import api, kernel
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
        assert api.session().local_model is None
        assert api.plan("A boat on the river.").requests[0].model == "sora-2"
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
        ("wan", "--size 112x64 --seconds 1", (112, 64, 17, None)),
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
    found = streams(take.path("video"))
    rate = found["audio"]["rate"] if found["audio"] else None
    assert (found["width"], found["height"], found["frames"], rate) == expected
