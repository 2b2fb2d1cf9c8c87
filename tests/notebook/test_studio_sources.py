"""The studio's frames and source: a first and a last frame with thumbnails and ``fit``, a source
video (a path or a finished take) with a strength; the magic's one-line messages before anything
is sent; shown only where the server takes them; and Generate sending what ``%%sora --image A
--last-image B --video T --strength X`` sends.

The engines are EngineFakes (tests/engine_fakes.py) behind the kernel's session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import traitlets
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from PIL import Image

from sora_nb.api.dialects import DIALECTS, ServerInfo
from sora_nb.notebook import functions, kernel
from sora_nb.notebook.widgets import Studio
from sora_nb.notebook.widgets.studio_sources import offered_sources
from sora_nb.runs.grid import GridPlan
from tests.engine_fakes import EngineFake, tiny_mp4

#: A model that takes a first frame (the catalog says).
I2V = "Wan-AI/Wan2.2-TI2V-5B-Diffusers"
PROMPT = "A heron lifts off the reeds at dawn, low mist, slow push-in."


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return tiny_mp4(tmp_path_factory.mktemp("clip") / "clip.mp4")


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "SORA_NB_DIALECT"):
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


def on(engine: EngineFake, tmp_path: Path) -> Studio:
    functions.configure(
        media_dir=tmp_path / "sora_media",
        base_url=engine.base_url,
        api_key="sk-engine",
        client_options={"transport": engine.transport()},
    )
    return Studio(PROMPT, session=kernel.session())


def png(path: Path, size: str, colour: tuple[int, int, int] = (200, 30, 30)) -> Path:
    width, height = (int(n) for n in size.split("x"))
    Image.new("RGB", (width, height), colour).save(path, "PNG")
    return path


def test_frames_show_thumbnails_and_a_wrong_size_gives_the_magics_line(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    studio = on(EngineFake("vllm-omni", mp4, served=I2V), tmp_path)
    assert {"last_image", "video"} <= set(studio.sources_offered)
    png(tmp_path / "first.png", studio.size)
    png(tmp_path / "small.png", "64x32", (20, 30, 230))
    studio.first_image = "first.png"
    # The page reads the thumbnail by its key (chunks from the kernel): no bytes in the state.
    assert set(studio.frame_thumbs) == {"first"} and studio.blocked == ""
    thumb = studio._file_for("frame:first")
    assert thumb is not None and studio.frame_thumbs["first"]["size"] == thumb.stat().st_size
    assert max(Image.open(thumb).size) == 160 and studio._file_for("frame:other") is None
    studio.last_image = "small.png"
    last = studio._file_for("frame:last")
    assert last is not None and Image.open(last).size == (64, 32)
    said = studio.blocked
    assert said.startswith(f"The last frame is 64x32 but the video is {studio.size}"), said
    assert "--fit" in said and "\n" not in said and studio.sources_problem == said
    # The magic says the same line for the same inputs, before sending anything.
    with pytest.raises(UsageError) as magic:
        shell.run_cell_magic("sora", "--image first.png --last-image small.png", PROMPT)
    assert str(magic.value) == f"%%sora: {said}"
    studio.fit = True
    assert studio.blocked == ""
    studio.last_image = "nowhere.png"
    assert studio.blocked.startswith("The last frame nowhere.png does not exist"), studio.blocked
    assert set(studio.frame_thumbs) == {"first"} and studio._file_for("frame:last") is None
    studio.first_image = ""
    studio.last_image = "first.png"
    assert studio.blocked.startswith("A last frame needs a first frame too")


def test_a_source_is_a_path_or_a_finished_take_and_a_bad_one_is_named(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    studio = on(EngineFake("vllm-omni", mp4, served=I2V), tmp_path)
    assert studio.source_takes == []
    made = studio.generate()
    assert made.wait().status == "completed"
    studio.mood = "calm"  # any change reads the session's finished takes again
    assert [t["id"] for t in studio.source_takes] == [made.id]
    assert studio.source_takes[0]["label"].startswith(f"{made.id} · ")
    studio.source_video = "no-such-clip"
    assert "neither a file nor a take of this media folder" in studio.blocked
    (tmp_path / "still.mp4").write_bytes(b"not a video at all")
    studio.source_video = "still.mp4"
    assert "is not a video sora_nb can read" in studio.blocked
    studio.source_video = made.id
    assert studio.blocked == ""
    shell.user_ns["heron"] = made  # %%sora --as heron: --video heron names that take
    studio.source_video = "heron"
    assert studio.blocked == "" and studio._source_args({})["options"] == {"video": made.id}
    with pytest.raises(traitlets.TraitError, match=r"strength is from 0\.01 to 1\.0, not 1\.5"):
        studio.strength = 1.5


def test_each_control_shows_only_where_the_server_takes_it() -> None:
    def offered(dialect: str, **info: object) -> tuple[list[str], dict[str, str]]:
        return offered_sources(ServerInfo(DIALECTS[dialect], **info))  # type: ignore[arg-type]

    taken, hints = offered("openai")
    assert taken == [] and hints["last_image"].startswith("Last frame: not on the ")
    assert "the bundled server does" in hints["video"]
    taken, hints = offered("sglang")
    assert taken == ["video"] and set(hints) == {"last_image", "strength"}
    taken, hints = offered("vllm-omni")
    assert taken == ["last_image", "video"] and "no strength field" in hints["strength"]
    wan = frozenset({"seed", "video", "strength"})
    assert offered("openai", renderer="diffusers", extra_knobs=wan)[0] == ["video", "strength"]


def test_generate_sends_what_the_magic_sends_for_the_same_inputs(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    studio = on(EngineFake("vllm-omni", mp4, served=I2V), tmp_path)
    source = studio.generate()
    assert source.wait().status == "completed"
    png(tmp_path / "wide.png", "200x100")
    studio = Studio(PROMPT, session=kernel.session())
    studio.options = {"seed": 7}
    studio.source_video = source.id
    studio.first_image = "wide.png"
    studio.fit = True
    assert studio.blocked.startswith("A source video and a first frame do not go together")
    studio.first_image = ""
    studio.strength = 0.6  # set from Python: vLLM-Omni has no strength, so the studio refuses
    assert studio.blocked.startswith("Not sent: the vLLM-Omni takes no strength")
    with pytest.raises(ValueError, match="takes no strength"):
        studio.generate()
    line = f"--seed 7 --size {studio.size} --seconds {studio.seconds} --model {studio.model}"
    with pytest.raises(UsageError) as magic:
        shell.run_cell_magic("sora", f"{line} --video {source.id} --strength 0.6", PROMPT)
    assert str(magic.value) == f"%%sora: {studio.blocked}"
    studio.strength = None
    take = studio.generate()
    shell.run_cell_magic(
        "sora", f"{line} --video {source.id} --dry-run --as planned", studio.prompt_text
    )
    planned = shell.user_ns["planned"]
    assert isinstance(planned, GridPlan) and [take.request] == planned.requests
    assert take.request.options.video == f"take:{source.id}"
    # First and last frames, fitted: the same request, the stored frames named by content.
    studio.source_video = ""
    studio.first_image, studio.last_image = "wide.png", "last.png"
    png(tmp_path / "last.png", "400x200", (20, 30, 230))
    studio.first_image = "wide.png "  # a stray space, as typed
    assert studio.blocked == "", studio.blocked
    take = studio.generate()
    frames = "--image wide.png --last-image last.png --fit"
    shell.run_cell_magic("sora", f"{line} {frames} --dry-run --as framed", studio.prompt_text)
    framed = shell.user_ns["framed"]
    assert [take.request] == framed.requests
    assert take.request.reference is not None and take.request.options.last_image


def test_a_first_frame_for_a_text_to_video_model_gives_the_catalogs_line(
    shell: InteractiveShell, tmp_path: Path, mp4: bytes
) -> None:
    studio = on(EngineFake("vllm-omni", mp4), tmp_path)  # Wan 2.2 T2V: text only
    png(tmp_path / "first.png", studio.size)
    studio.first_image = "first.png"
    assert "takes no input_reference image" in studio.blocked and "\n" not in studio.blocked
    with pytest.raises(UsageError) as magic:
        shell.run_cell_magic("sora", f"--image first.png --model {studio.model}", PROMPT)
    assert str(magic.value) == f"%%sora: {studio.blocked}"
