"""Simulated guardrails: named real people and well-known characters end in moderation_blocked."""

from __future__ import annotations

import pytest

from sora_nb.api import errors
from sora_nb.server.guardrails import check_prompt
from tests.server.conftest import MakeApp, client_for


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("Taylor Swift sings on a rooftop", "Taylor Swift"),
        ("a cartoon of SPIDER man swinging", "Spider-Man"),
        ("pikachu in the rain", "Pikachu"),
    ],
)
def test_named_people_and_characters_are_recognised(prompt: str, name: str) -> None:
    block = check_prompt(prompt)
    assert block is not None and block.name == name and block.code == "moderation_blocked"


@pytest.mark.parametrize("prompt", ["a bat flying at dusk", "superb manta rays", "a swift bird"])
def test_ordinary_words_are_not_blocked(prompt: str) -> None:
    assert check_prompt(prompt) is None


async def test_a_blocked_prompt_ends_failed_with_moderation_blocked(make_app: MakeApp) -> None:
    app = make_app()
    async with client_for(app) as client:
        video = await client.create(prompt="Barack Obama giving a speech", model="sora-2")
        assert video.status == "queued"
        done = await client.wait(video)
        assert done.status == "failed" and done.error is not None
        assert done.error.code == "moderation_blocked"
        assert "simulated" in done.error.message and "Barack Obama" in done.error.message
        with pytest.raises(errors.JobFailedError, match="moderation_blocked"):
            await client.wait(video.id, raise_on_failure=True)
        # Its content is 404; the job itself says why, and that is the error.
        with pytest.raises(errors.JobFailedError, match="moderation_blocked"):
            await client.download(video, make_app.root.parent / "never.mp4")
        assert (await client.delete(video)).deleted
    assert app.state.server.stats.renders == 0


async def test_the_list_is_editable(make_app: MakeApp) -> None:
    app = make_app(render=False, blocked={"Captain Example": "copyrighted character"})
    async with client_for(app) as client:
        blocked = await client.wait(await client.create(prompt="captain example saves the day"))
        allowed = await client.create(prompt="Mickey Mouse waves")
    assert blocked.status == "failed" and allowed.status == "queued"
