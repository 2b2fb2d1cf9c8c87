"""LoRA adapters and Wan 2.2's expert settings on the bundled server, with tiny random weights.

The adapters are tiny random LoRAs built in code for the tiny Wan pipelines, in a folder the
server loads (``--lora-dir``). Same seed throughout: an adapter, or another scale, gives other
frames; scale 0 gives exactly the bytes of no adapter, and of a server with no adapters at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from starlette.applications import Starlette

from sora_nb.api import errors
from sora_nb.catalog.loras import Lora
from sora_nb.runs.grid import Axis
from sora_nb.runs.session import Session
from sora_nb.server.renderers.diffusers.tiny import TinyKind, build_tiny_lora
from tests.local.helpers import client, finish
from tests.local.test_cells import printed, shell, sora  # noqa: F401 - shell: a kernel

PROMPT = "a red kite over the sea at sunset"
BODY = {"prompt": PROMPT, "size": "112x64", "seconds": "1", "num_inference_steps": 3, "seed": 7}


@pytest.fixture(scope="module")
def loras(tiny: Callable[[TinyKind], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A --lora-dir with two tiny random adapters for the tiny Wan: ghibli and grain."""
    folder = tmp_path_factory.mktemp("loras")
    build_tiny_lora(tiny("wan"), folder / "ghibli.safetensors", seed=1)
    build_tiny_lora(tiny("wan"), folder / "grain.safetensors", seed=2)
    return folder


async def render(app: Starlette, **fields: Any) -> bytes:
    """The MP4 the app renders for BODY with these fields, after checking it completed."""
    async with client(app) as http:
        made = await http.post("/videos", json={**BODY, **fields})
        assert made.status_code == 200, made.json()
        done = await finish(http, made.json()["id"])
        assert done["status"] == "completed", done
        return (await http.get(f"/videos/{done['id']}/content")).content


async def test_an_adapter_changes_the_frames_and_scale_zero_is_no_adapter(
    local_app: Callable[..., Starlette], loras: Path, tmp_path: Path
) -> None:
    # One model is resident at a time: the server without adapters renders first.
    without = await render(local_app("wan", media=tmp_path / "plain"))
    app = local_app("wan", media=tmp_path / "lora", lora_dir=loras)
    async with client(app) as http:
        [card] = (await http.get("/models")).json()["data"]
    assert card["loras"] == ["ghibli", "grain"] and "lora" in card["knobs"]

    none = await render(app)
    zero = await render(app, lora=[{"name": "ghibli", "scale": 0.0}])
    full = await render(app, lora=[{"name": "ghibli", "scale": 1.0}])
    half = await render(app, lora='[{"name": "ghibli", "scale": 0.5}]')
    other = await render(app, lora=[{"name": "grain", "scale": 1.0}])
    both = await render(app, lora=[{"name": "ghibli"}, {"name": "grain", "scale": 1.0}])
    again = await render(app)  # the adapters are off again after a job that used them
    assert without == none == zero == again
    assert len({none, full, half, other, both}) == 5


@pytest.mark.parametrize(
    ("lora", "words"),
    [
        ([{"name": "ghost"}], "has no adapter 'ghost'; it offers ghibli, grain"),
        ([{"name": "ghibli", "scale": 9}], "the scale of adapter 'ghibli' should be from 0 to 4"),
        ("not json [", "adapter names have no spaces"),
    ],
)
async def test_a_bad_adapter_is_refused_in_one_line(
    local_app: Callable[..., Starlette], loras: Path, lora: Any, words: str
) -> None:
    async with client(local_app("wan", lora_dir=loras)) as http:
        refused = await http.post("/videos", json={**BODY, "lora": lora})
    error = refused.json()["error"]
    assert refused.status_code == 400 and error["param"] == "lora", error
    assert words in error["message"] and "\n" not in error["message"]


async def test_a_server_without_adapters_refuses_them(
    local_app: Callable[..., Starlette],
) -> None:
    async with client(local_app("wan")) as http:
        refused = await http.post("/videos", json={**BODY, "lora": [{"name": "ghibli"}]})
    assert refused.status_code == 400
    assert "takes no lora" in refused.json()["error"]["message"]


async def test_wan_a14b_takes_its_experts_settings_and_an_adapter_per_expert(
    local_app: Callable[..., Starlette], tiny: Callable[[TinyKind], Path], tmp_path: Path
) -> None:
    folder = tmp_path / "a14b-loras"
    build_tiny_lora(tiny("wan-a14b"), folder / "low.safetensors", seed=3, expert="transformer_2")
    app = local_app("wan-a14b", lora_dir=folder)
    async with client(app) as http:
        [card] = (await http.get("/models")).json()["data"]
    assert {"guidance_scale_2", "boundary_ratio", "flow_shift", "lora"} <= set(card["knobs"])
    base = await render(app, guidance_scale=5.0)
    outputs = [
        base,
        await render(app, guidance_scale=5.0, guidance_scale_2=1.0),
        # 3 steps run at t = 1000, 876 and 47: 0.95 hands the second to the other expert.
        await render(app, guidance_scale=5.0, boundary_ratio=0.95),
        await render(app, guidance_scale=5.0, flow_shift=2.0),
        await render(app, guidance_scale=5.0, lora=[{"name": "low", "target": "transformer_2"}]),
        await render(app, guidance_scale=5.0, lora=[{"name": "low", "target": "transformer"}]),
    ]
    same = [(i, j) for i in range(6) for j in range(i + 1, 6) if outputs[i] == outputs[j]]
    assert not same, same
    # Each setting was the job's only: the pipeline renders as loaded again.
    assert await render(app, guidance_scale=5.0) == base


async def test_single_expert_wan_refuses_the_second_experts_settings(
    local_app: Callable[..., Starlette],
) -> None:
    app = local_app("wan")
    async with client(app) as http:
        for field in ("guidance_scale_2", "boundary_ratio"):
            refused = await http.post("/videos", json={**BODY, field: 0.5})
            assert refused.status_code == 400, field
            assert f"takes no {field}" in refused.json()["error"]["message"]
    assert await render(app, flow_shift=2.0) != await render(app)


def test_a_lora_grid_through_a_session_keeps_adapters_in_the_ledger_and_refuses_a_stranger(
    local_app: Callable[..., Starlette], loras: Path, tmp_path: Path
) -> None:
    app = local_app("wan", lora_dir=loras)
    session = Session(
        tmp_path / "media",
        base_url="http://local.test/v1",
        api_key="sk-local",
        client_options={"transport": httpx.ASGITransport(app=app)},
    )
    from sora_nb.notebook.widgets import Studio

    # The studio offers the adapters box and lists the server's adapters in it.
    studio = Studio(PROMPT, session=session)
    assert "loras" in studio.knobs_offered and studio.loras_offered == ["ghibli", "grain"]
    assert studio.loras_hint.startswith("Tick the server's adapters (its --lora-dir files)")
    axis = Axis.parse("lora", ["none", "ghibli:0.6", "ghibli:1.0"])
    plan = session.plan(PROMPT, axes=[axis], size="112x64", seconds=1, options={"steps": 2})
    grid = session.run_plan(plan)
    assert [t.status for t in grid.takes] == ["completed"] * 3
    # The ledger reads the adapters back as they were asked, each cell under its own key.
    kept = sorted(str(t.request.options.loras) for t in session.ledger.history())
    assert kept == sorted(str(t.request.options.loras) for t in grid.takes)
    assert "Lora(name='ghibli', scale=0.6, target=None)" in " ".join(kept)
    assert len({t.key for t in grid.takes}) == 3
    before = session.ledger.count()
    with pytest.raises(errors.InvalidRequestError, match="offers no adapter 'ghost'"):
        session.run_plan(session.plan(PROMPT, size="112x64", seconds=1, options={"loras": "ghost"}))
    assert session.ledger.count() == before


def test_lora_cells_in_a_kernel_connected_with_a_lora_dir(
    shell: InteractiveShell,  # noqa: F811 - the kernel fixture of test_cells
    tiny: Callable[[TinyKind], Path],
    loras: Path,
) -> None:
    said = printed(sora(shell, f"connect local:{tiny('wan')} --lora-dir {loras}"))
    assert "--lora" in said, said
    sora(shell, "--seed 3 --steps 2 --lora ghibli:0.8 --as styled", PROMPT)
    styled = shell.user_ns["styled"]
    assert styled.status == "completed", styled.error
    assert styled.request.options.loras == (Lora("ghibli", 0.8, None),)
    sora(shell, "--seed 3 --steps 2 --vary lora=none,ghibli:0.8 --as compared", PROMPT)
    cells = shell.user_ns["compared"].takes
    assert [t.status for t in cells] == ["completed", "completed"]
    assert cells[1].id == styled.id  # the same request: answered from the ledger
    with pytest.raises(UsageError) as refused:
        sora(shell, "--seed 3 --lora ghost:0.5", PROMPT)
    assert "offers no adapter 'ghost'" in str(refused.value) and "\n" not in str(refused.value)


def test_the_server_command_says_in_one_line_when_its_lora_dir_is_wrong(
    tiny: Callable[[TinyKind], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sora_nb.server.__main__ import main

    model = ["--renderer", "diffusers", "--model", str(tiny("wan")), "--media", str(tmp_path)]
    (tmp_path / "empty").mkdir()
    for folder, words in (
        (tmp_path / "missing", "there is no such folder"),
        (tmp_path / "empty", "holds no adapters: put LoRA files there as NAME.safetensors"),
    ):
        assert main([*model, "--lora-dir", str(folder)]) != 0
        said = capsys.readouterr().err.strip()
        assert said.startswith("python -m sora_nb.server: --lora-dir") and words in said, said
        assert "\n" not in said
