"""%%sora in a real IPython shell: options, interpolation, grids, dry runs, errors, %config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from PIL import Image

from sora_nb.notebook import functions, kernel
from sora_nb.runs.grid import GridRun
from sora_nb.runs.take import Take
from sora_nb.server import ServerSettings


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "sora_nb")
    magics = ip.magics_manager.registry["SoraMagics"]
    magics.media_dir = str(tmp_path / "sora_media")
    # Instant jobs: the bundled server renders, then answers "completed" on the next poll.
    kernel.reset()
    functions.configure(bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0))
    yield ip
    ip.user_ns.clear()
    shell_config_reset(magics)
    kernel.reset()


def shell_config_reset(magics: Any) -> None:
    # Back to "never set": the shell is one object for the whole test run.
    for name in magics.trait_names(config=True):
        magics._trait_values.pop(name, None)
    magics._applied = {}


def cell(ip: InteractiveShell, line: str, body: str) -> Any:
    return ip.run_cell_magic("sora", line, body)


def test_a_cell_makes_a_take_and_binds_it(shell: InteractiveShell) -> None:
    result = cell(shell, "--seconds 4 --as first", "A red kite over the dunes, wide shot.")
    assert result is None  # the player is displayed; --as keeps the take
    take = shell.user_ns["first"]
    assert isinstance(take, Take) and take.status == "completed"
    assert take.request.prompt == "A red kite over the dunes, wide shot."
    assert take.path("video").stat().st_size > 0


def test_running_the_cell_again_sends_nothing(shell: InteractiveShell) -> None:
    cell(shell, "--as a", "Rain on a tin roof at night.")
    cell(shell, "--as b", "Rain on a tin roof at night.")
    assert shell.user_ns["b"].cached and shell.user_ns["b"].id == shell.user_ns["a"].id
    cell(shell, "--as c --no-cache", "Rain on a tin roof at night.")
    assert shell.user_ns["c"].id != shell.user_ns["a"].id


def test_interpolation_and_escapes(shell: InteractiveShell) -> None:
    shell.user_ns["animal"] = "heron"
    cell(shell, "--as t --dry-run", "A {animal} in the reeds, {{literal braces}}.")
    plan = shell.user_ns["t"]
    assert plan.cells[0].prompt == "A heron in the reeds, {literal braces}."
    with pytest.raises(UsageError, match="missing"):
        cell(shell, "", "A {missing} thing.")


def test_dry_run_sends_nothing(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    cell(shell, "--as p --dry-run --model sora-2-pro --size 1792x1024 --seconds 8", "A harbour.")
    plan = shell.user_ns["p"]
    [request] = plan.requests
    assert (request.model, request.size, request.seconds) == ("sora-2-pro", "1792x1024", 8)
    assert functions.session().ledger.count() == 0
    out = capsys.readouterr().out
    assert "Dry run, nothing sent" in out and "$4.00" in out


def test_a_grid_from_one_cell(shell: InteractiveShell) -> None:
    cell(
        shell,
        "--vary length=short,long --vary model=sora-2,sora-2-pro --takes 2 --as g",
        "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise "
        "light filtering through trees; soft footsteps and birdsong.",
    )
    run = shell.user_ns["g"]
    assert isinstance(run, GridRun)
    assert run.plan.shape == (2, 2) and len(run.takes) == 8
    assert all(t.status == "completed" for t in run.takes)
    words = {c.labels["length"]: c.word_count for c in run.plan.cells}
    assert words["short"] < words["long"]


def test_search_and_replace_and_clause_axes(shell: InteractiveShell) -> None:
    cell(
        shell,
        '--dry-run --as g --vary "sr=golden hour,blue hour,night" --vary camera=push-in,orbit',
        "A lighthouse at golden hour, waves below.",
    )
    plan = shell.user_ns["g"]
    assert plan.shape == (3, 2)
    texts = [c.prompt for c in plan.cells]
    assert any("blue hour" in t for t in texts) and any("night" in t for t in texts)
    moves = {c.labels["camera"] for c in plan.cells}
    assert moves == {"push-in", "orbit"}


def test_image_must_match_unless_fit(shell: InteractiveShell, tmp_path: Path) -> None:
    Image.new("RGB", (640, 480), (200, 40, 40)).save(tmp_path / "ref.png")
    with pytest.raises(UsageError, match=r"640x480.*1280x720.*--fit"):
        cell(shell, f"--image {tmp_path / 'ref.png'}", "A red door opens.")
    assert functions.session().ledger.count() == 0
    cell(shell, f"--image {tmp_path / 'ref.png'} --fit --as t", "A red door opens.")
    assert shell.user_ns["t"].status == "completed"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--takes zero", "--takes takes a whole number"),
        ("--size 1792x1024", "1792x1024 needs sora-2-pro"),
        ("--seconds 7", "seconds"),
        ("--vary length=short", "at least two values"),
        ("--vary colour=red,blue", "no axis called 'colour'"),
        ("--fit", "--fit resizes"),
        ("--bogus", "unrecognized arguments"),
    ],
)
def test_mistakes_are_one_line_usage_errors(
    shell: InteractiveShell, line: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        cell(shell, line, "A quiet street.")
    assert functions.session().ledger.count() == 0


def test_config_sets_the_defaults(shell: InteractiveShell) -> None:
    shell.run_line_magic("config", "SoraMagics.model = 'sora-2-pro'")
    shell.run_line_magic("config", "SoraMagics.seconds = 8")
    cell(shell, "--dry-run --as p", "A harbour.")
    [request] = shell.user_ns["p"].requests
    assert (request.model, request.seconds) == ("sora-2-pro", 8)


def test_no_wait_returns_at_once_and_the_take_finishes(shell: InteractiveShell) -> None:
    cell(shell, "--no-wait --as t", "Snow falling on a cedar forest.")
    take = shell.user_ns["t"]
    assert take.wait(60).status == "completed"


def test_commands(shell: InteractiveShell) -> None:
    cell(shell, "--as t", "Waves on black sand.")
    models = shell.run_line_magic("sora", "models")
    assert any(row["model"] == "sora-2-pro" for row in models)
    history = shell.run_line_magic("sora", "history -n 5")
    assert history[0]["take"] == shell.user_ns["t"].id
    assert "No takes are running" in repr(shell.run_line_magic("sora", "status"))
    assert "$0.40" in repr(shell.run_line_magic("sora", "cost"))
    with pytest.raises(UsageError, match="unknown command"):
        shell.run_line_magic("sora", "frobnicate")


def test_a_take_displays_as_a_player_with_a_static_fallback(shell: InteractiveShell) -> None:
    cell(shell, "--as t", "Lanterns on a night market street.")
    data, _ = shell.display_formatter.format(shell.user_ns["t"])
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "thumbnail.webp" in data["text/html"]  # a relative link, for nbconvert and GitHub
    assert "base64" not in data["text/html"]
    assert "completed" in data["text/plain"]


def test_a_grid_run_displays_as_a_grid(shell: InteractiveShell) -> None:
    cell(shell, "--as g --vary seconds=4,8", "A kite over dunes.")
    data, _ = shell.display_formatter.format(shell.user_ns["g"])
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"].startswith("<Grid 2 cells, 2 done>")


def test_export_reaches_every_kind(shell: InteractiveShell, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="run one first"):
        shell.run_line_magic("sora", "export csv")
    cell(shell, "--as g --vary seconds=4,8", "A kite over dunes; wind.")
    for kind, name in (("csv", "r.csv"), ("json", "r.json"), ("html", "r.html")):
        said = shell.run_line_magic("sora", f"export {kind} {tmp_path / name}")
        assert (tmp_path / name).is_file(), said
    assert "seconds" in (tmp_path / "r.csv").read_text().splitlines()[0]
    said = shell.run_line_magic("sora", f"export {tmp_path / 'lesson.zip'}")
    assert "2 takes" in repr(said) and (tmp_path / "lesson.zip").is_file()
    with pytest.raises(UsageError, match="needs what to make"):
        shell.run_line_magic("sora", "export")


def test_sora_export_and_run_export_write_the_same_file(
    shell: InteractiveShell, tmp_path: Path
) -> None:
    cell(shell, "--as g --vary length=short,long", LONG_PROMPT)
    shell.run_line_magic("sora", f"export csv {tmp_path / 'magic.csv'}")
    shell.user_ns["g"].export("csv", tmp_path / "python.csv")
    magic = (tmp_path / "magic.csv").read_text(encoding="utf-8")
    assert magic == (tmp_path / "python.csv").read_text(encoding="utf-8")
    assert len(magic.splitlines()) == 3


def test_results_are_a_table_with_axes_words_and_ratings(shell: InteractiveShell) -> None:
    cell(shell, "--as g --vary length=short,long", LONG_PROMPT)
    run = shell.user_ns["g"]
    table = run.results()
    assert type(table).__name__ == "DataFrame"
    rows = table.to_dict("records")
    assert [r["length"] for r in rows] == ["short", "long"]
    assert rows[0]["words"] < rows[1]["words"]
    assert {"cost", "elapsed_s", "rating", "motion"} <= set(rows[0])


LONG_PROMPT = (
    "Medium shot of a runner on a foggy morning trail; natural camera shake; warm sunrise "
    "light filtering through trees; soft footsteps and birdsong."
)


def test_studio_opens_with_the_kernels_defaults(shell: InteractiveShell) -> None:
    shell.run_line_magic("config", "SoraMagics.model = 'sora-2-pro'")
    studio = shell.run_line_magic("sora", "studio A heron in the reeds at dawn")
    assert studio.model == "sora-2-pro"
    assert "heron" in studio.prompt_text


def paid_server(tmp_path: Path) -> None:
    """The bundled server imitating OpenAI's API exactly (plain model cards): its takes are
    priced as the hosted API charges them, so budgets have dollars to count."""
    functions.configure(
        bundled=ServerSettings(media_dir=tmp_path / "paid", time_scale=0, dialect="openai")
    )


def test_a_budget_refuses_a_paid_take_before_sending(
    shell: InteractiveShell, tmp_path: Path
) -> None:
    paid_server(tmp_path)
    with pytest.raises(UsageError, match="budget"):
        cell(shell, "--budget 0.10", "A quiet street.")
    assert functions.session().ledger.count() == 0


def test_a_budget_set_in_python_survives_a_magic_cell(
    shell: InteractiveShell, tmp_path: Path
) -> None:
    paid_server(tmp_path)
    functions.configure(budget=0.5)
    cell(shell, "--as t", "A kite over dunes.")  # $0.40: within the budget
    assert functions.session().budget == 0.5
    with pytest.raises(UsageError, match=r"\$0\.50 budget for this kernel"):
        cell(shell, "--as u", "Another kite over other dunes.")


def test_a_key_inside_the_url_is_refused_and_not_repeated(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="without it") as caught:
        cell(shell, "--server http://me:sk-secret-123@127.0.0.1:9/v1", "A kite.")
    assert "sk-secret-123" not in str(caught.value)


def test_orientation_shortcuts(shell: InteractiveShell) -> None:
    cell(shell, "--dry-run --portrait --as p", "A lighthouse.")
    cell(shell, "--dry-run --landscape --as l", "A lighthouse.")
    assert shell.user_ns["p"].requests[0].size == "720x1280"
    assert shell.user_ns["l"].requests[0].size == "1280x720"


def test_remix_a_bound_take(shell: InteractiveShell) -> None:
    cell(shell, "--as first", "A red door opens onto a garden.")
    cell(shell, "--remix first --as second", "Same shot, switch to an 85 mm lens.")
    first, second = shell.user_ns["first"], shell.user_ns["second"]
    assert second.status == "completed"
    assert second.request.remix_of == first.job_id and second.job_id != first.job_id
    cell(shell, "--remix video_00000000000000000000000000000000 --as x", "Again.")
    missing = shell.user_ns["x"]  # a failed take is a result, with the reason in it
    assert missing.status == "failed" and missing.error is not None
    assert "no video video_00000000000000000000000000000000 to remix" in missing.error.message


def test_extending_a_video_the_server_lacks_says_which_and_what_to_do(
    shell: InteractiveShell,
) -> None:
    cell(shell, "--extend video_nope --seconds 8 --as x", "The kite climbs.")
    missing = shell.user_ns["x"]
    assert missing.status == "failed" and missing.error is not None
    message = missing.error.message
    assert message.startswith("The server has no video video_nope to extend (404: ")
    assert "video_nope" in message.split("(404: ", 1)[1]  # the server's own words follow
    assert message.endswith("Check the video id, or extend a completed take of this server.")
    assert message.count("The server has no") == 1  # said once, not wrapped in itself
