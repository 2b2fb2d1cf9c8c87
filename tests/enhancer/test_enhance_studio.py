"""The studio's "enhanced" toggle: Generate sends the enhancer's rewrite (the take keeps the
words on screen too), Compare lengths adds the rewrite as a fourth rung, and with no enhancer
named the toggle is off and a click says how to name one, sending nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from sora_nb.api.enhancer import Enhancer
from sora_nb.notebook.widgets import Studio
from sora_nb.runs.session import Session
from sora_nb.server import ServerSettings
from tests.enhancer.chat_server import ADDED, ChatServer

BRIEF = "A red kite circles over the dunes at dusk. Camera: wide shot, slow push-in."


@pytest.fixture(autouse=True)
def _no_enhancer_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SORA_NB_ENHANCER_URL", "SORA_NB_ENHANCER_MODEL", "SORA_NB_ENHANCER_KEY"):
        monkeypatch.delenv(name, raising=False)


def _session(tmp_path: Path, enhancer: Enhancer | None) -> Session:
    bundled = ServerSettings(media_dir=tmp_path / "server", time_scale=0)
    return Session(tmp_path / "media", bundled=bundled, enhancer=enhancer)


def test_the_toggle_sends_the_rewrite_and_compare_adds_it_as_a_rung(tmp_path: Path) -> None:
    chat = ChatServer()
    writer = Enhancer(
        url="http://writer.test/v1",
        model="tiny-writer",
        key=SecretStr("sk-studio-secret"),
        transport=chat.transport(),
    )
    studio = Studio(BRIEF, session=_session(tmp_path, writer), seconds=4)
    assert studio.enhancer == "tiny-writer at http://writer.test/v1" and not studio.enhance
    assert "sk-studio-secret" not in str(studio.get_state())
    words = studio.prompt_text
    take = studio.generate()
    assert not take.enhanced and chat.bodies == []  # off: the words on screen, no question
    studio.enhance = True
    take = studio.generate()
    assert take.wait(30).status == "completed"
    assert take.prompt == words + ADDED and take.mine == words
    run = studio.compare_lengths()
    assert [c.labels["length"] for c in run.plan.cells] == ["short", "medium", "long", "enhanced"]
    assert run.plan.cells[-1].prompt == words + ADDED
    assert len(chat.bodies) == 1  # the rewrite of these words, asked once


def test_with_no_enhancer_named_a_click_says_how(tmp_path: Path) -> None:
    session = _session(tmp_path, None)
    studio = Studio(BRIEF, session=session, seconds=4)
    assert studio.enhancer == ""
    studio.enhance = True
    studio._handle_message(None, {"type": "generate"}, [])
    assert "%sora enhancer URL --model M" in studio.error and "\n" not in studio.error
    assert studio.status == "Nothing was sent."
    assert session.ledger.count() == 0
