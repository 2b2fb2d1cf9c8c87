"""Post-processed takes through a session: one render, the raw take kept beside the processed
one and told apart in the ledger, the processed take answered from disk on a re-run, and a
``--vary interpolate=1,2`` grid comparing the two from one request."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sora_nb import media
from sora_nb.api.retry import PollPolicy
from sora_nb.notebook.display import plan_summary
from sora_nb.runs import post
from sora_nb.runs.grid import Axis
from sora_nb.runs.session import Session
from sora_nb.server import ServerSettings
from sora_nb.server.renderers.animatic import AnimaticFiles, AnimaticRequest, render
from tests.imitations import imitation

PROMPT = "A heron lifts off the reeds at dawn, low mist, slow push-in."
FAST = PollPolicy(floor=0.01, ceiling=0.05, random=lambda: 0.0)


def small(request: AnimaticRequest, out_dir: Path) -> AnimaticFiles:
    """The animatic at a sixteenth of the size (80x44 for 1280x720), in a fraction of the time."""
    return render(
        dataclasses.replace(
            request, width=request.width // 32 * 2, height=request.height // 32 * 2
        ),
        out_dir,
    )


@pytest.fixture
def session(tmp_path: Path) -> Session:
    settings = ServerSettings(media_dir=tmp_path / "server", time_scale=0, renderer=small)
    return Session(tmp_path / "media", bundled=settings)


def test_a_smoother_sharper_take_keeps_its_raw_take_and_the_ledger_says_which_is_which(
    session: Session,
) -> None:
    plan = session.plan(PROMPT, seconds=4, options={"interpolate": 2, "upscale": 2})
    seen: list[tuple[str, int]] = []
    [take] = session.run_plan(plan, on_update=lambda t: seen.append((t.status, t.progress))).takes
    assert take.status == "completed", take.error
    # While its raw take renders, the take shows that progress, then its own last step.
    assert ("queued", 0) in seen or any(s == "in_progress" and p < 99 for s, p in seen), seen
    assert seen[-2:] == [("in_progress", 99), ("completed", 100)], seen
    record = post.recorded(session.ledger, take.id)
    assert record is not None and record.done_by == "kernel" and record.motion == "blend"
    raw = session.ledger.get(record.raw_take or "")
    assert raw is not None and raw.ok
    # The raw take is the same request without post-processing: what the server was sent.
    assert raw.request == take.request.with_options(interpolate=None, upscale=None)
    assert session.ledger.count() == 2
    assert record.raw_file == f"{take.folder}/raw.mp4"
    assert record.processed_file == f"{take.folder}/video.mp4"
    assert take.path("raw").read_bytes() == raw.path("video").read_bytes()
    before, after = media.probe(take.path("raw")), media.probe(take.path("video"))
    assert (after.width, after.height) == (2 * before.width, 2 * before.height)
    assert (after.fps, after.frame_count) == (2 * before.fps, 2 * before.frame_count)
    assert abs(after.duration - before.duration) <= 1 / before.fps
    assert after.has_audio and before.has_audio
    # Its previews show the processed video; the render was paid once, by the raw take.
    assert take.path("thumbnail").stat().st_size > 0
    assert take.cost == 0 and take.stage_durations is not None
    assert take.stage_durations["postprocessing"] > 0
    again = session.run_plan(
        session.plan(PROMPT, seconds=4, options={"interpolate": 2, "upscale": 2})
    )
    assert again.takes[0].cached and again.takes[0].id == take.id
    assert session.ledger.count() == 2


def test_an_interpolate_axis_compares_the_raw_and_the_smooth_take_from_one_render(
    session: Session,
) -> None:
    plan = session.plan(PROMPT, seconds=4, axes=[Axis.parse("interpolate", ["1", "2"])])
    # One render is counted: the smooth cell is made from the raw one on the kernel.
    assert plan_summary(plan, session).startswith(
        "interpolate (1, 2) × 1 take each = 2 videos, $0.00 (it would cost $0.40 on sora-2"
    )
    run = session.run_plan(plan)
    raw, smooth = run.takes
    assert [t.status for t in run.takes] == ["completed", "completed"]
    record = post.recorded(session.ledger, smooth.id)
    assert record is not None and record.raw_take == raw.id
    assert post.recorded(session.ledger, raw.id) is None
    assert media.probe(smooth.path("video")).fps == 2 * media.probe(raw.path("video")).fps
    assert session.ledger.count() == 2
    # Upscaling the same raw take: nothing to render, one take to make here.
    sharper = session.plan(PROMPT, seconds=4, axes=[Axis.parse("upscale", ["1", "2"])])
    assert plan_summary(sharper, session).endswith(
        "; 1 in the ledger already, making 1 (0 to render, post-processed on this machine): $0.00"
    )


@pytest.mark.parametrize("dialect", ["sglang", "vllm-omni"])
def test_an_engine_that_does_it_is_sent_its_own_fields_and_the_kernel_does_the_rest(
    dialect: str, tmp_path: Path
) -> None:
    """SGLang interpolates (RIFE) and upscales (Real-ESRGAN) itself: its fields go out and no
    raw file is kept. vLLM-Omni interpolates only: it is sent that, and the kernel upscales
    the video it sends, kept as the raw take."""
    server = imitation(dialect, tmp_path / "server")
    try:
        session = Session(
            tmp_path / "media",
            base_url=server.base_url,
            api_key="sk-engine",
            client_options={"transport": server.transport(), "poll": FAST},
        )
        plan = session.plan(PROMPT, options={"interpolate": 2, "upscale": 2})
        [take] = session.run_plan(plan).takes
        assert take.status == "completed", take.error
        [create] = server.creates()
        sent = {k: str(v).lower() for k, v in (create.form or create.body).items()}
        assert sent["enable_frame_interpolation"] == "true"
        assert sent["frame_interpolation_exp"] == "1"  # RIFE's exponent: 2x
        record = post.recorded(session.ledger, take.id)
        assert record is not None
        if dialect == "sglang":
            assert (sent["enable_upscaling"], sent["upscaling_scale"]) == ("true", "2")
            assert (record.done_by, record.raw_take, record.raw_file) == ("sglang", None, None)
            assert not take.path("raw").exists() and session.ledger.count() == 1
            return
        assert "enable_upscaling" not in sent and "upscaling_scale" not in sent
        assert (record.done_by, record.interpolate, record.upscale) == ("kernel", 1, 2)
        raw = session.ledger.get(record.raw_take or "")
        assert raw is not None and raw.request.options.interpolate == 2
        engine = post.recorded(session.ledger, raw.id)
        assert engine is not None and (engine.done_by, engine.interpolate) == ("vllm-omni", 2)
        before, after = media.probe(take.path("raw")), media.probe(take.path("video"))
        assert (after.width, after.fps) == (2 * before.width, before.fps)
    finally:
        server.close()


def test_while_its_raw_take_renders_the_take_shows_that_progress_and_preview(
    tmp_path: Path,
) -> None:
    """The bundled server takes its time here (a 4 s take over about 2 s) and makes previews
    (the animatic's storyboard frame): the take made from its render follows both."""
    settings = ServerSettings(media_dir=tmp_path / "server", time_scale=0.5, renderer=small)
    session = Session(tmp_path / "media", bundled=settings, client_options={"poll": FAST})
    seen: list[tuple[str, int, bool]] = []
    plan = session.plan(PROMPT, seconds=4, options={"interpolate": 2})
    [take] = session.run_plan(
        plan, on_update=lambda t: seen.append((t.status, t.progress, t.preview is not None))
    ).takes
    assert take.status == "completed", take.error
    rendering = [(p, shown) for status, p, shown in seen if status == "in_progress" and p < 99]
    assert len({p for p, _ in rendering}) >= 2, seen  # it moved with its raw take
    assert any(shown for _, shown in rendering), seen  # and showed that take's preview
