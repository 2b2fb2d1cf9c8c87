"""The Studio in a real widget front end: its controls change the Python Prompt, a Prompt set
from Python shows in the controls, and Generate plays a video below it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import playwright.sync_api
import pytest
from IPython.display import display

from sora_nb.catalog.loras import Lora
from sora_nb.notebook import functions, kernel
from sora_nb.notebook.widgets import Player, Studio
from sora_nb.prompt import Camera, DialogueLine, Prompt, Scene
from sora_nb.server import ServerSettings
from tests.browser import eventually, wait_for, wait_js
from tests.imitations import imitation
from tests.notebook.test_studio_loras import hold_adapters, session_on
from tests.ui.conftest import hide_solara_badge

STUDIO = "[data-widget=sora-studio]"
XSS = "<img src=x onerror=alert(1)> a red kite"


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    kernel.reset()
    functions.configure(
        media_dir=tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0),
    )
    yield
    kernel.reset()


def test_controls_change_the_python_prompt(
    solara_test: None, page_session: playwright.sync_api.Page
) -> None:
    dialogs: list[str] = []
    page = page_session
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    studio = Studio("A kite over the dunes.")
    display(studio)
    root = page.locator(STUDIO)
    root.locator("[data-field=subject]").fill(XSS)
    # A choice by keyboard: focus the select, arrow keys move through its options.
    framing = root.locator("[data-field=framing]")
    framing.focus()
    page.keyboard.press("ArrowDown")
    eventually(lambda: studio.camera.framing == "extreme-wide", "framing by keyboard", 10)
    framing.select_option("close-up")
    root.locator("[data-field=time_of_day]").select_option("dusk")
    # The lens slider by keyboard: an arrow key on the unset slider sets it, a millimetre at
    # a time from where it rests (35 mm).
    lens = root.locator("[data-field=lens_mm]")
    lens.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    # The aperture by a click in the middle of its unset slider: the click sets it there.
    root.locator("[data-field=aperture]").click()
    root.locator("[data-field=colour]").fill("amber")
    root.locator("[data-field=colour]").press("Enter")
    root.locator("[data-field=colour]").fill("teal")
    root.locator("[data-action=add-colour]").press("Space")
    root.locator("[data-action=add-line]").click()
    wait_for(root.locator(".sora-dialogue-row").first, "the new dialogue row", 15)
    root.locator(".sora-dialogue-row [data-field=speaker]").fill("Girl")
    root.locator(".sora-dialogue-row [data-field=line]").fill("Higher!")
    root.locator(".sora-dialogue-row [data-field=line]").press("Tab")

    eventually(lambda: studio.prompt.dialogue == [DialogueLine(speaker="Girl", line="Higher!")],
               "the dialogue line", 10)  # fmt: skip
    prompt = studio.prompt
    assert prompt.subject == XSS
    assert prompt.camera.framing == "close-up"
    assert prompt.camera.lens_mm == 38  # 35 mm when turned on, three steps up
    assert prompt.camera.aperture == 5.6  # the middle of f/1.4 ... f/22
    assert prompt.scene.time_of_day == "dusk"
    assert prompt.palette == ["amber", "teal"]
    # The live text is computed in Python and shown as text: the markup is not an element.
    text = root.locator("[data-role=prompt-text]")
    wait_js(
        page,
        f"document.querySelector('{STUDIO} [data-role=prompt-text]').textContent"
        ".includes('Lens: 38 mm')",
        "the live prompt text to show the 38 mm lens",
        10,
    )
    assert XSS in text.inner_text()
    assert page.locator("img[src=x]").count() == 0
    assert "palette" in root.locator("[data-role=lint]").inner_text().lower()
    page.wait_for_timeout(300)
    assert dialogs == []


def test_the_first_minute_has_no_error_before_input_and_sliders_set_when_touched(
    solara_test: None, page_session: playwright.sync_api.Page, screenshots: Path
) -> None:
    page = page_session
    page.set_viewport_size({"width": 1100, "height": 1400})
    studio = Studio()
    display(studio)
    root = page.locator(STUDIO)
    wait_for(root.locator("[data-field=subject]"), "the studio's subject field", 30)
    page.wait_for_timeout(300)
    hide_solara_badge(page)
    root.screenshot(path=str(screenshots / "studio-first-minute.png"))
    # Nothing typed: no red lint, and no list of sizes the model cannot render.
    assert root.locator("[data-role=lint] li").count() == 0
    assert root.locator("[data-role=reasons] li").count() == 0
    assert "prompt is empty" not in root.locator("[data-role=lint]").inner_text().lower()
    # No checkbox beside the sliders: a click on the lens slider sets the lens.
    assert root.locator("[data-field=lens_mm-on]").count() == 0
    lens = root.locator("[data-field=lens_mm]")
    assert lens.is_enabled()
    lens.click()
    eventually(lambda: studio.camera.lens_mm is not None, "a click to set the lens", 10)
    root.locator("[data-action=lens_mm-clear]").click()
    eventually(lambda: studio.camera.lens_mm is None, "Clear to unset the lens", 10)


def test_the_ladder_previews_show_each_rung_whole(
    solara_test: None, page_session: playwright.sync_api.Page, screenshots: Path
) -> None:
    page = page_session
    page.set_viewport_size({"width": 1100, "height": 1400})
    studio = Studio(
        Prompt(
            subject="A heron",
            action=["lifts off", "circles the reeds twice", "lands on a post"],
            scene=Scene(setting="in the reeds at the edge of a grey lake", weather="fog"),
            camera=Camera(framing="wide", movement="pan", lens_mm=85, aperture=5.6),
            palette=["sage", "bone", "slate"],
            dialogue=[DialogueLine(speaker="Narrator", line="Not yet, not yet, not yet.")],
            audio={"ambience": ["marsh birds", "wind in the reeds"], "music": "a low cello"},
        )
    )
    display(studio)
    root = page.locator(STUDIO)
    wait_for(root.locator("[data-role=ladder] [data-level]").nth(2), "the ladder's rungs", 30)
    page.wait_for_timeout(300)
    hide_solara_badge(page)
    root.locator("[data-section=live]").screenshot(path=str(screenshots / "studio-ladder.png"))
    # Each rung shows whole: no small box that scrolls.
    clipped = root.locator("[data-role=ladder] pre").evaluate_all(
        "ps => ps.filter(p => p.scrollHeight > p.clientHeight + 1).map(p => p.textContent)"
    )
    assert clipped == []


def test_setting_the_prompt_from_python_updates_the_controls(
    solara_test: None, page_session: playwright.sync_api.Page
) -> None:
    page = page_session
    studio = Studio()
    display(studio)
    root = page.locator(STUDIO)
    wait_for(root.locator("[data-field=subject]"), "the studio's subject field", 30)
    assert root.locator("[data-action=generate]").is_disabled()
    studio.prompt = Prompt(
        subject="A heron",
        action=["lifts off"],
        scene=Scene(setting="in the reeds", weather="fog"),
        camera=Camera(framing="wide", movement="pan", lens_mm=85, aperture=5.6),
        palette=["sage", "bone", "slate"],
        dialogue=[DialogueLine(speaker="Narrator", line="Not yet.")],
        audio={"ambience": ["marsh birds"]},
    )
    wait_js(
        page,
        f"document.querySelector('{STUDIO} [data-field=subject]').value === 'A heron'",
        "the Prompt set from Python to reach the subject field",
        10,
    )
    assert root.locator("[data-field=framing]").input_value() == "wide"
    assert root.locator("[data-field=movement]").input_value() == "pan"
    assert root.locator("[data-field=weather]").input_value() == "fog"
    assert root.locator("[data-role=lens_mm-value]").inner_text() == "85 mm"
    assert root.locator("[data-role=aperture-value]").inner_text() == "f/5.6"
    assert root.locator("[data-field=ambience]").input_value() == "marsh birds"
    chips = root.locator("[data-role=palette] li")
    assert [chips.nth(i).get_attribute("data-colour") for i in range(chips.count())] == [
        "sage",
        "bone",
        "slate",
    ]
    assert root.locator(".sora-dialogue-row [data-field=line]").input_value() == "Not yet."
    assert root.locator("[data-action=generate]").is_enabled()
    assert root.locator("[data-role=ladder] [data-level]").count() == 3

    # What the model cannot do is disabled, with the reason on the option; the list under the
    # menus names only a reason that applies to what is chosen (none yet).
    size = root.locator("[data-field=size]")
    big = size.locator("option[value='1792x1024']")
    assert big.is_disabled()
    assert "1792x1024 needs sora-2-pro" in (big.get_attribute("title") or "")
    assert root.locator("[data-role=reasons] li").count() == 0
    root.locator("[data-field=model]").select_option("sora-2-pro")
    eventually(lambda: studio.model == "sora-2-pro", "the model to reach Python", 10)
    wait_js(
        page,
        f"!document.querySelector(\"{STUDIO} [data-field=size] option[value='1792x1024']\")"
        ".disabled",
        "1792x1024 to be enabled for sora-2-pro",
        10,
    )
    size.select_option("1792x1024")
    eventually(lambda: studio.size == "1792x1024", "the size to reach Python", 10)
    assert "$2.00" in studio.cost_text
    # Back to sora-2 with 1792x1024 chosen: now the reason applies, and it is listed.
    root.locator("[data-field=model]").select_option("sora-2")
    wait_js(
        page,
        f"[...document.querySelectorAll('{STUDIO} [data-role=reasons] li')]"
        ".map(li => li.textContent).join('|').includes('1792x1024 needs sora-2-pro')",
        "the one reason that applies to be listed",
        10,
    )
    assert root.locator("[data-role=reasons] li").count() == 1


def test_generate_shows_a_playing_video_below_the_studio(
    solara_test: None,
    page_session: playwright.sync_api.Page,
    bundled: None,
    screenshots: Path,
) -> None:
    page = page_session
    studio = Studio(
        Prompt(
            subject="A red kite",
            action=["dips and climbs"],
            scene=Scene(setting="over the dunes", time_of_day="golden-hour"),
            camera=Camera(framing="wide", movement="tracking", lens_mm=35, aperture=2.8),
            palette=["amber", "teal", "cream"],
            mood="serene",
            audio={"ambience": ["wind hiss"]},
        )
    )
    display(studio)
    root = page.locator(STUDIO)
    # Nothing is spent on the bundled server: the cost line says $0.00 and, worded as what it
    # would be, what sora-2 would charge.
    wait_js(
        page,
        f"document.querySelector('{STUDIO} [data-role=cost]')?.textContent.startsWith("
        "'1 take × 4 s: $0.00 (it would cost $0.40 on sora-2; the offline animatic charges "
        "nothing)')",
        "the cost line to say the take costs $0.00 here",
        30,
    )
    root.locator("[data-action=generate]").click()
    eventually(lambda: isinstance(studio.result, Player), "Generate to make a Player", 30)
    video = f"document.querySelector('{STUDIO} [data-role=result] [data-widget=sora-player] video')"
    wait_js(page, f"{video} && {video}.readyState >= 2", "the generated take's video", 45)
    root.locator("[data-role=result] [data-action=play]").click()
    wait_js(page, f"{video}.currentTime > 0.5", "the generated take to play", 20)
    assert page.evaluate(f"{video}.videoWidth") == 1280
    assert (
        root.locator("[data-role=run-status]").inner_text() == "Sent 1 take: sora-2 1280x720 4 s."
    )
    player = studio.result
    assert isinstance(player, Player) and player.prompt == studio.prompt_text
    page.evaluate(f"{video}.pause()")
    hide_solara_badge(page)
    root.screenshot(path=str(screenshots / "studio.png"))

    # Compare lengths: the short, medium and long rungs side by side in a Grid below.
    root.locator("[data-action=compare]").click()
    grid = root.locator("[data-role=result] [data-widget=sora-grid]")
    wait_for(grid, "Compare lengths to show a Grid", 30)
    heads = grid.locator("[data-role=col-head]")
    wait_for(heads.nth(2), "the grid's three column heads", 15)
    assert [heads.nth(i).inner_text().split("(")[0].strip() for i in range(3)] == [
        "short",
        "medium",
        "long",
    ]
    assert root.locator("[data-role=result] [data-widget=sora-player]").count() == 0
    wait_js(
        page,
        f"[...document.querySelectorAll('{STUDIO} [data-role=result] .sora-cell video')]"
        ".filter((v) => v.readyState >= 2).length === 3",
        "the three lengths' videos to load",
        75,
    )


def test_the_adapters_the_server_holds_are_offered_and_a_pick_sets_the_request(
    solara_test: None, page_session: playwright.sync_api.Page, tmp_path: Path, screenshots: Path
) -> None:
    page = page_session
    server = imitation("sglang", tmp_path / "server")
    try:
        hold_adapters(server, "ghibli", "grain")
        studio = Studio("A kite over the dunes.", session=session_on(server, tmp_path / "media"))
        display(studio)
        adapters = page.locator(f"{STUDIO} [data-role=loras]")
        wait_for(adapters.locator(".sora-lora").nth(1), "the server's two adapters", 30)
        rows = adapters.locator(".sora-lora").all_inner_texts()
        assert [row.split()[0] for row in rows] == ["ghibli", "grain"], rows
        assert "server-wide" in adapters.locator("[data-role=loras-hint]").inner_text()
        grain = adapters.locator("[data-lora=grain]")
        grain.locator("[data-field=lora-pick]").check()
        eventually(lambda: studio.options.get("loras") == "grain:1", "grain ticked at 1", 10)
        # The strength by keyboard: each arrow key moves it a step of 0.05.
        grain.locator("[data-field=lora-strength]").focus()
        for _ in range(8):
            page.keyboard.press("ArrowLeft")
        eventually(lambda: studio.options.get("loras") == "grain:0.6", "grain at 0.6", 10)
        assert grain.locator("[data-role=lora-strength-value]").inner_text() == "0.6"
        hide_solara_badge(page)
        adapters.screenshot(path=str(screenshots / "studio-adapters.png"))
        page.locator(f"{STUDIO} [data-action=generate]").click()
        eventually(lambda: studio.last_run is not None, "Generate to send the take", 30)
        assert studio.last_run is not None
        [take] = studio.last_run.takes
        assert take.request.options.loras == (Lora("grain", 0.6),)
    finally:
        server.close()


def test_frames_and_source_show_a_thumbnail_the_size_line_and_take_a_strength(
    solara_test: None, page_session: playwright.sync_api.Page, tmp_path: Path, screenshots: Path
) -> None:
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one torch thread on a shared machine
    from PIL import Image

    from sora_nb.runs.session import Session
    from sora_nb.server import create_app
    from sora_nb.server.renderers.diffusers import DiffusersOptions, open_renderer
    from sora_nb.server.renderers.diffusers.tiny import build_tiny
    from tests.engine_fakes import EngineFake, tiny_mp4
    from tests.notebook.test_studio_sources import I2V

    page = page_session
    (clip := tmp_path / "source.mp4").write_bytes(tiny_mp4(tmp_path / "made.mp4"))
    engine = EngineFake("vllm-omni", clip.read_bytes(), served=I2V)
    media = tmp_path / "media"
    on_engine = Session(
        media, base_url=engine.base_url, api_key="sk-engine",
        client_options={"transport": engine.transport()},
    )  # fmt: skip
    studio = Studio("A kite over the dunes.", session=on_engine)
    width, height = (int(n) for n in studio.size.split("x"))
    Image.new("RGB", (width, height), (200, 30, 30)).save(first := tmp_path / "first.png")
    Image.new("RGB", (64, 32), (20, 30, 230)).save(last := tmp_path / "last.png")
    display(studio)
    section = page.locator(f'{STUDIO} [data-section="frames and source"]')
    wait_for(section.locator("[data-field=last_image]"), "the last-frame field", 30)
    section.locator("[data-field=first_image]").fill(str(first))
    section.locator("[data-field=last_image]").fill(str(last))
    section.locator("[data-field=last_image]").press("Tab")
    thumb = section.locator("[data-role=last-thumb][src^='blob:']")
    wait_for(thumb, "the last frame's thumbnail", 30)
    problem = section.locator("[data-role=sources-problem]")
    wait_for(problem, "the size line", 30)
    said = problem.inner_text()
    assert said.startswith(f"The last frame is 64x32 but the video is {studio.size}"), said
    assert page.locator(f"{STUDIO} [data-action=generate]").is_disabled()
    hide_solara_badge(page)
    section.screenshot(path=str(screenshots / "studio-frames.png"))

    # A bundled server whose open model (a tiny Wan) does video-to-video: a strength slider.
    renderer = open_renderer(DiffusersOptions(model=str(build_tiny("wan", tmp_path / "wan-tiny"))))
    app = create_app(ServerSettings(media_dir=tmp_path / "server", renderer=renderer))
    try:
        local = Session(
            tmp_path / "media2", base_url="http://local.test/v1", api_key="sk-local",
            client_options={"transport": httpx.ASGITransport(app=app)},
        )  # fmt: skip
        v2v = Studio("A kite over the dunes.", session=local)
        assert {"video", "strength"} <= set(v2v.sources_offered)
        display(v2v)
        second = page.locator(f'{STUDIO} [data-section="frames and source"]').nth(1)
        slider = second.locator("[data-field=strength]")
        wait_for(slider, "the strength slider", 30)
        assert slider.is_disabled()
        second.locator("[data-field=source_video]").fill(str(clip))
        second.locator("[data-field=source_video]").press("Tab")
        eventually(lambda: slider.is_enabled(), "the slider to wake with a source", 30)
        slider.focus()
        for _ in range(40):  # from 1, a step of 0.01 per key
            page.keyboard.press("ArrowLeft")
        eventually(lambda: v2v.strength == 0.6, "the strength at 0.6", 10)
        assert second.locator("[data-role=strength-value]").inner_text() == "0.6"
        args = v2v._source_args({})
        assert args["options"] == {"video": str(clip), "strength": 0.6}
        assert v2v.blocked == "", v2v.blocked
    finally:
        app.state.server.close()
