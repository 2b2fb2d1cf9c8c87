"""The Studio's Python side: the Prompt round trip, what it computes, and Generate / Compare."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from traitlets import TraitError

from sora_nb.notebook import functions, kernel
from sora_nb.notebook.widgets import Grid, Player, Studio
from sora_nb.notebook.widgets.state import DialogueRow
from sora_nb.notebook.widgets.studio_view import LintLine
from sora_nb.prompt import (
    FILM_STOCKS,
    FRAMING,
    Camera,
    DialogueLine,
    Prompt,
    Scene,
    word_count,
)
from sora_nb.runs.grid import GridRun
from sora_nb.runs.take import Take
from sora_nb.server import ServerSettings

RICH = Prompt(
    subject="A red kite",
    action=["dips and climbs"],
    scene=Scene(setting="over the dunes", time_of_day="dusk", weather="wind"),
    camera=Camera(framing="wide", movement="dolly in", lens_mm=35, aperture=2.8, rig="drone"),
    palette=["amber", "teal", "cream"],
    mood="serene",
    dialogue=[DialogueLine(speaker="Girl", line="Higher!")],
    audio={"ambience": ["wind hiss"], "music": "a low cello"},
)


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    kernel.reset()
    yield functions.configure(
        media_dir=tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0),
    )
    kernel.reset()


def test_a_prompt_round_trips_through_the_traits() -> None:
    studio = Studio(RICH)
    assert studio.prompt == RICH
    assert studio.camera == Camera(
        framing="wide", movement="push-in", lens_mm=35.0, aperture=2.8, rig="drone"
    )
    assert studio.dialogue == [DialogueRow(speaker="Girl", line="Higher!")]
    assert studio.prompt_text == RICH.render()
    # Counted as the ladder counts, so the long rung and the live count agree.
    assert studio.word_count == word_count(RICH.render()) == studio.ladder_preview[-1].words


def test_text_is_parsed_and_setting_the_prompt_updates_every_trait() -> None:
    studio = Studio("A heron in the reeds at dawn, close-up, slow push-in.")
    assert studio.scene.time_of_day == "dawn"
    assert studio.camera.framing == "close-up"
    studio.prompt = RICH
    assert studio.subject == "A red kite" and studio.prose == ""
    assert studio.palette == ["amber", "teal", "cream"]
    assert "Aperture: f/2.8" in studio.prompt_text
    studio.prompt = "Rain on a tin roof."
    assert studio.palette == [] and studio.camera == Camera()
    assert studio.prompt_text == "Rain on a tin roof."


def test_edits_from_the_front_end_change_the_prompt_and_the_live_text() -> None:
    studio = Studio(RICH)
    # As the front end sends it: the camera's JSON with two fields changed.
    sent = studio.trait_metadata("camera", "to_json")(studio.camera, studio)
    studio.camera = {**sent, "lens_mm": 85, "film_stock": "Kodak Vision3 500T"}
    studio.palette = [*studio.palette, "rust"]
    studio.dialogue = [*studio.dialogue, {"speaker": "Father", "line": "Let it out."}]
    prompt = studio.prompt
    assert prompt.camera.lens_mm == 85 and prompt.camera.film_stock == "Kodak Vision3 500T"
    assert prompt.palette[-1] == "rust"
    assert prompt.dialogue[-1] == DialogueLine(speaker="Father", line="Let it out.")
    assert "Lens: 85 mm" in studio.prompt_text
    assert 'Father: "Let it out."' in studio.prompt_text
    assert studio.word_count == word_count(studio.prompt_text)


def test_half_typed_dialogue_is_left_out_with_a_warning() -> None:
    studio = Studio(RICH)
    studio.dialogue = [*studio.dialogue, {"speaker": "Father", "line": ""}]
    assert len(studio.prompt.dialogue) == 1
    assert studio.lint[0] == LintLine(
        severity="warning",
        message="Dialogue line 2 needs both a speaker and a line; it is left out until it "
        "has both.",
    )


def test_a_bad_camera_value_is_refused_on_assignment_with_what_to_pass() -> None:
    studio = Studio(RICH)
    with pytest.raises(TraitError) as refused:
        studio.camera = {"framing": "close-up", "lens_mm": -5}
    message = str(refused.value)
    assert message.startswith(
        "Studio.camera refused the value: lens_mm: Input should be greater than 0 (got -5)."
    )
    assert "It takes a Camera or a dict of its fields" in message and "lens_mm" in message
    # Nothing was half applied: the camera and the text are what they were.
    assert studio.camera == RICH.camera and "Lens: 35 mm" in studio.prompt_text
    with pytest.raises(TraitError, match="zoom: Extra inputs are not permitted"):
        studio.camera = {"zoom": 3}
    with pytest.raises(TraitError, match="a str is not a Camera"):
        studio.camera = "wide"
    with pytest.raises(TraitError, match=r"Studio\.lighting refused the value: sources"):
        studio.lighting = {"sources": "a lamp"}
    with pytest.raises(TraitError, match=r"Studio\.shots refused the value: entry 0: seconds"):
        studio.shots = [{"seconds": 0}]
    # Words the vocabulary knows are stored as its slugs, as Prompt does.
    studio.camera = {"framing": "close up", "movement": "dolly in"}
    assert studio.camera == Camera(framing="close-up", movement="push-in")


def test_shots_and_other_clauses_the_controls_lack_are_kept() -> None:
    text = (
        "A lighthouse keeper at night. Avoid: text, logos.\n\n"
        "Shot 1: wide shot, the lighthouse in rain.\n\nShot 2: close-up, his hands on the lamp."
    )
    original = Prompt.parse(text)
    assert len(original.shots) == 2 and original.avoid
    studio = Studio(text)
    assert studio.prompt == original
    assert studio.prompt_text == original.render()


def test_lint_follows_the_seconds_and_the_palette() -> None:
    studio = Studio(RICH)
    studio.palette = ["amber"]
    assert any("palette" in issue.message.lower() for issue in studio.lint)
    studio.palette = ["amber", "teal", "cream"]
    assert not any("palette" in issue.message.lower() for issue in studio.lint)
    studio.prompt = Prompt(subject="Two friends talk", dialogue=[
        DialogueLine(speaker="A", line="word " * 15), DialogueLine(speaker="B", line="word " * 15)
    ])  # fmt: skip
    assert any("the clip is 4 s" in issue.message for issue in studio.lint)
    studio.seconds = 20
    assert not any("dialogue" in issue.message.lower() for issue in studio.lint)


def test_the_catalog_disables_what_the_model_cannot_do_with_the_reason() -> None:
    studio = Studio(RICH)
    assert studio.disabled_reasons["size:1792x1024"] == (
        "sora-2 renders 1280x720 or 720x1280; 1792x1024 needs sora-2-pro."
    )
    assert "size:1280x720" not in studio.disabled_reasons
    studio.model = "sora-2-pro"
    assert not any(key.startswith("size:") for key in studio.disabled_reasons)
    studio.size = "1792x1024"
    assert "it would cost $2.00 on sora-2-pro" in studio.cost_text
    studio.model = "sora-2"
    assert studio.blocked == studio.disabled_reasons["size:1792x1024"]
    studio.model = "sora-2-2025-10-06"
    studio.size = "1280x720"
    assert "seconds:16" in studio.disabled_reasons
    studio.seconds = 16
    assert "16 seconds" in studio.blocked


@pytest.mark.parametrize(
    ("dialect", "line", "unknown"),
    [
        # The bundled server's offline animatic charges nothing: what the hosted model would
        # charge is said as such, never as a price.
        (
            None,
            "2 takes × 4 s: $0.00 (it would cost $0.80 on sora-2; the offline animatic charges "
            "nothing); comparing 3 lengths: $0.00 (it would cost $2.40 on sora-2; the offline "
            "animatic charges nothing)",
            "2 takes × 4 s: $0.00; comparing 3 lengths: $0.00",
        ),
        # A server imitating OpenAI's paid API charges the catalog's price, unknown where the
        # catalog has none.
        (
            "openai",
            "2 takes × 4 s: about $0.80; comparing 3 lengths: about $2.40",
            "2 takes × 4 s: cost unknown (my-gateway-model has no price at 1280x720); "
            "comparing 3 lengths: cost unknown (my-gateway-model has no price at 1280x720)",
        ),
    ],
)
def test_the_cost_line_says_what_this_server_charges(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dialect: str | None,
    line: str,
    unknown: str,
) -> None:
    for name in ("SORA_NB_BASE_URL", "OPENAI_BASE_URL", "SORA_NB_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    kernel.reset()
    settings = {"dialect": dialect} if dialect else {}
    session = functions.configure(
        media_dir=tmp_path / "media",
        bundled=ServerSettings(media_dir=tmp_path / "server", time_scale=0, **settings),
    )
    try:
        studio = Studio(RICH, session=session, takes=2)
        assert studio.cost_text == line
        studio.model = "my-gateway-model"
        assert studio.cost_text == unknown
    finally:
        kernel.reset()


def test_cost_ladder_and_what_blocks_the_buttons() -> None:
    studio = Studio(RICH, takes=2)
    levels = [(rung.level, rung.words) for rung in studio.ladder_preview]
    assert [level for level, _ in levels] == ["short", "medium", "long"]
    assert levels[0][1] < levels[1][1] < levels[2][1]
    assert studio.ladder_preview[-1].text == studio.prompt_text
    assert studio.blocked == "" and studio.compare_blocked == ""
    studio.prompt = "A kite."
    assert studio.blocked == "" and "Too few clauses" in studio.compare_blocked
    studio.prompt = Prompt()
    assert studio.blocked == "Describe the shot first: the prompt is empty."
    assert studio.ladder_preview == []
    studio.model = "my-gateway-model"
    assert studio.disabled_reasons == {}


def test_generate_runs_through_the_session_and_shows_a_player(session: object) -> None:
    studio = Studio(RICH, session=session)  # type: ignore[arg-type]
    take = studio.generate()
    assert isinstance(take, Take)
    assert isinstance(studio.result, Player)
    assert take.wait(timeout=30).status == "completed"
    assert take.request.prompt == studio.prompt_text
    assert (take.request.model, take.request.size, take.request.seconds) == (
        "sora-2",
        "1280x720",
        4,
    )
    assert studio.result.status == "completed" and studio.result.files["video"].size > 0


def test_several_takes_show_as_a_grid(session: object) -> None:
    studio = Studio(RICH, takes=2, seconds=8)
    run = studio.generate()
    assert isinstance(run, GridRun) and isinstance(studio.result, Grid)
    run.wait(timeout=30)
    assert [t.request.take for t in run.takes] == [1, 2]
    assert {t.request.seconds for t in run.takes} == {8}
    assert studio.status == "Sent 2 takes: sora-2 1280x720 8 s."


def test_compare_lengths_sends_three_rungs_into_a_grid(session: object) -> None:
    studio = Studio(RICH)
    run = studio.compare_lengths()
    assert isinstance(run, GridRun) and isinstance(studio.result, Grid)
    run.wait(timeout=30)
    words = [len(t.request.prompt.split()) for t in run.takes]
    assert len(words) == 3 and words[0] < words[1] < words[2]
    assert [label.text for label in studio.result.col_labels] == ["short", "medium", "long"]
    assert studio.status == "Sent 3 takes: short, medium, long."


def test_a_click_that_cannot_run_says_why_in_the_studio(session: object) -> None:
    studio = Studio("A kite.")
    studio._handle_message(studio, {"type": "compare"}, [])
    assert "Too few clauses" in studio.error and studio.result is None
    assert studio.status == "Nothing was sent." and studio.handled == 1
    studio.prompt = RICH
    studio._handle_message(studio, {"type": "generate"}, [])
    assert studio.error == "" and isinstance(studio.result, Player)
    assert studio.status == "Sent 1 take: sora-2 1280x720 4 s."
    assert studio.last_run is not None
    studio.last_run.wait(timeout=30)
    assert studio.handled == 2
    # The same request again comes from the ledger: nothing is sent, and the studio says so.
    studio._handle_message(studio, {"type": "generate"}, [])
    assert studio.status == ("1 from the ledger (already made, nothing sent): sora-2 1280x720 4 s.")


def test_markup_is_escaped_where_widgets_cannot_run() -> None:
    studio = Studio("<script>alert(1)</script> a kite")
    bundle = studio._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "<script>" not in data["text/html"]
    assert "&lt;script&gt;" in data["text/html"]


def test_a_wrong_type_is_refused_with_what_to_pass() -> None:
    with pytest.raises(TypeError, match="Studio takes a Prompt or prompt text, not int"):
        Studio(42)  # type: ignore[arg-type]


def test_the_computed_and_offered_traits_are_typed_and_refuse_bad_values() -> None:
    studio = Studio(RICH)
    refusals = {
        "dialogue": ([{"speaker": "Girl", "says": "Hi"}], "entry 0: says: Extra inputs"),
        "knob_defaults": ({"steps": 0}, "steps: Input should be greater than or equal to 1"),
        "choices": ({"max_takes": "six"}, "max_takes: Input should be a valid integer"),
        "lint": ([{"severity": "fatal", "message": "x"}], "entry 0: severity: Input should be"),
        "ladder_preview": ([{"level": "short", "text": "x"}], "entry 0: words: Field required"),
    }
    for name, (value, why) in refusals.items():
        before = getattr(studio, name)
        with pytest.raises(TraitError, match=f"Studio.{name} refused the value: {why}"):
            setattr(studio, name, value)
        assert getattr(studio, name) == before, name
    with pytest.raises(TraitError, match=r"'disabled_reasons' trait .* must be a unicode string"):
        studio.disabled_reasons = {"size:1792x1024": 3}


def test_the_front_end_gets_the_same_json_as_before_the_traits_were_typed() -> None:
    studio = Studio(RICH)
    studio.dialogue = [*studio.dialogue, {"speaker": "Father", "line": ""}]

    def sent(name: str) -> object:
        return studio.trait_metadata(name, "to_json")(getattr(studio, name), studio)

    assert sent("dialogue") == [
        {"speaker": "Girl", "line": "Higher!"},
        {"speaker": "Father", "line": ""},
    ]
    assert sent("lint")[0] == {  # type: ignore[index]
        "severity": "warning",
        "message": "Dialogue line 2 needs both a speaker and a line; it is left out until it "
        "has both.",
    }
    assert set(sent("ladder_preview")[0]) == {"level", "words", "text"}  # type: ignore[index]
    choices = sent("choices")
    assert isinstance(choices, dict)
    assert choices["framing"] == [{"value": t.slug, "label": t.label} for t in FRAMING]
    assert choices["film_stock"] == [{"value": s, "label": s} for s in FILM_STOCKS]
    assert choices["lens_range"] == [12, 200] and choices["max_takes"] == 6
    assert "amber" in choices["colours"] and choices["palette_max"] == 5
    # An unknown default is left out, as the front end's placeholder expects.
    assert sent("knob_defaults") == {}


def test_an_empty_studio_shows_no_error_before_anything_is_typed() -> None:
    studio = Studio()
    assert studio.prompt_text == ""
    assert studio.lint == []  # no red "The prompt is empty" on a studio nobody has typed in
    assert studio.blocked == "Describe the shot first: the prompt is empty."
    studio.prompt = RICH
    assert studio.blocked == ""
    # Once there is a prompt, the lint is the prompt language's, as before.
    from sora_nb.prompt import lint as lint_prompt

    expected = [str(i.message) for i in lint_prompt(RICH, seconds=studio.seconds, characters=[])]
    assert [line.message for line in studio.lint] == expected


def test_the_studio_and_the_player_count_words_alike(tmp_path: Path) -> None:
    from tests.ui._media import make_take

    studio = Studio(RICH)
    take = make_take(tmp_path, "w", prompt=studio.prompt_text)
    player = Player.from_take(take)
    # Bullets, colons and "f/2.8" are counted one way, the prompt language's, in both.
    assert studio.word_count == player.words == word_count(studio.prompt_text)
    assert word_count(studio.prompt_text) != len(studio.prompt_text.split())
