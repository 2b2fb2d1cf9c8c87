"""An enhanced prompt beside yours, through the session: asked only when the user asks, kept
with the user's words in the take and the ledger, cached in the media folder, priced where the
endpoint says, and refused in one line (nothing planned, nothing in the ledger) when the
enhancer is not named, does not answer or answers garbage. The chat server is the tests' own,
reached in-process through httpx's ASGI transport."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pydantic import SecretStr

from sora_nb.api.enhancer import SYSTEM_PROMPT, Enhancer, EnhancerError
from sora_nb.runs.grid import Axis, GridError
from sora_nb.runs.ledger import Ledger
from sora_nb.runs.session import Session
from sora_nb.server import ServerSettings
from tests.enhancer.chat_server import ADDED, ChatServer

BRIEF = (
    "A red kite circles over the dunes at dusk. Camera: wide shot, slow push-in. "
    "Lighting: low sun. Sound: wind over sand."
)
KEY = "sk-enhancer-" + "7f3a9c" * 4


def _session(tmp_path: Path, enhancer: Enhancer | None) -> Session:
    bundled = ServerSettings(media_dir=tmp_path / "server", time_scale=0)
    return Session(tmp_path / "media", bundled=bundled, enhancer=enhancer)


def _enhancer(chat: ChatServer, **extra: object) -> Enhancer:
    given: dict[str, object] = {"url": "http://writer.test/v1", "model": "tiny-writer"}
    return Enhancer(**{**given, **extra}, key=SecretStr(KEY), transport=chat.transport())  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_enhancer_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SORA_NB_ENHANCER_URL", "SORA_NB_ENHANCER_MODEL", "SORA_NB_ENHANCER_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_an_enhanced_take_keeps_both_prompts(tmp_path: Path) -> None:
    chat = ChatServer(key=KEY)
    session = _session(tmp_path, _enhancer(chat))
    take = session.run_plan(session.plan(BRIEF, seconds=4, enhance=True)).takes[0]
    assert take.status == "completed"
    assert take.prompt == BRIEF + ADDED and take.mine == BRIEF and take.enhanced
    # What the chat server was asked: our system prompt, then the user's words as written.
    [body] = chat.bodies
    assert body["model"] == "tiny-writer"
    assert body["messages"] == [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": BRIEF},
    ]
    assert chat.authorizations == [f"Bearer {KEY}"]
    # The ledger keeps both, read back by a fresh ledger; the video server got the rewrite.
    session.ledger.close()
    again = Ledger(tmp_path / "media").get(take.id)
    assert again is not None and again.prompt == BRIEF + ADDED and again.mine == BRIEF
    assert again.request.enhancement is not None
    assert again.request.enhancement.model == "tiny-writer"
    # The key is nowhere but the header: not in reprs, the ledger or the cache.
    assert KEY not in repr(session) + repr(session.rewrites) + repr(session.rewrites.enhancer)
    for path in (tmp_path / "media").rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_the_user_words_go_out_unless_the_user_asks(tmp_path: Path) -> None:
    chat = ChatServer()
    session = _session(tmp_path, _enhancer(chat))
    take = session.run_plan(session.plan(BRIEF, seconds=4)).takes[0]
    assert take.prompt == BRIEF and take.mine == BRIEF and not take.enhanced
    assert chat.bodies == []  # an enhancer named is not an enhancer asked


def test_rewrites_are_cached_by_brief_endpoint_model_and_system_prompt(tmp_path: Path) -> None:
    chat = ChatServer()
    session = _session(tmp_path, _enhancer(chat))
    first = session.plan(BRIEF, seconds=4, enhance=True)
    second = session.plan(BRIEF, seconds=8, enhance=True)
    assert len(chat.bodies) == 1  # the same brief, endpoint, model and system prompt
    assert first.cells[0].prompt == second.cells[0].prompt == BRIEF + ADDED
    assert len(list((tmp_path / "media" / "enhancements").glob("*.json"))) == 1
    # A new session on the same folder reads the folder's rewrites: still one question.
    _session(tmp_path, _enhancer(chat)).plan(BRIEF, seconds=4, enhance=True)
    assert len(chat.bodies) == 1
    # Another model, another system prompt, another brief: each asked once.
    _session(tmp_path, _enhancer(chat, model="other")).plan(BRIEF, enhance=True)
    _session(tmp_path, _enhancer(chat, system_prompt="Add sound.")).plan(BRIEF, enhance=True)
    session.plan(BRIEF + " Then night falls.", enhance=True)
    assert len(chat.bodies) == 4
    models = [b["model"] for b in chat.bodies]
    assert models == ["tiny-writer", "other", "tiny-writer", "tiny-writer"]
    assert chat.bodies[2]["messages"][0]["content"] == "Add sound."


def test_mine_against_enhanced_is_one_axis(tmp_path: Path) -> None:
    chat = ChatServer()
    session = _session(tmp_path, _enhancer(chat))
    plan = session.plan(BRIEF, seconds=4, axes=[Axis.parse("prompt", ["mine", "enhanced"])])
    mine, enhanced = plan.cells
    assert mine.labels == {"prompt": "mine"} and mine.prompt == BRIEF
    assert mine.requests[0].enhancement is None
    assert enhanced.prompt == BRIEF + ADDED and enhanced.requests[0].mine == BRIEF
    run = session.run_plan(plan)
    assert [t.prompt for t in run.takes] == [BRIEF, BRIEF + ADDED]
    assert [t.mine for t in run.takes] == [BRIEF, BRIEF]
    assert len(chat.bodies) == 1


def test_enhanced_is_a_rung_of_the_length_ladder(tmp_path: Path) -> None:
    chat = ChatServer()
    session = _session(tmp_path, _enhancer(chat))
    axis = Axis.parse("length", ["short", "medium", "long", "enhanced"])
    plan = session.plan(BRIEF, seconds=4, axes=[axis])
    short, medium, long, enhanced = plan.cells
    assert short.word_count < medium.word_count < long.word_count < enhanced.word_count
    assert [c.requests[0].enhancement is None for c in plan.cells] == [True, True, True, False]
    # The rewrite is of the whole brief, the top rung; the ladder's rungs are the user's words.
    assert enhanced.prompt == BRIEF + ADDED
    assert [b["messages"][1]["content"] for b in chat.bodies] == [BRIEF]
    # Cells differ only in the prompt: the enhanced cell has its own cache key.
    keys = {c.requests[0].cache_key("local") for c in plan.cells}
    assert len(keys) == 4


def test_prompt_axis_takes_only_mine_and_enhanced() -> None:
    with pytest.raises(GridError, match="prompt=mine,enhanced; 'theirs' is neither"):
        Axis.parse("prompt", ["mine", "theirs"])


def test_enhance_beside_an_enhanced_axis_is_refused(tmp_path: Path) -> None:
    chat = ChatServer()
    session = _session(tmp_path, _enhancer(chat))
    with pytest.raises(GridError, match="drop --enhance"):
        session.plan(BRIEF, axes=[Axis.parse("prompt", ["mine", "enhanced"])], enhance=True)
    assert chat.bodies == []


def _ledger_rows(tmp_path: Path) -> int:
    path = tmp_path / "media" / "ledger.sqlite3"
    assert path.exists(), path  # the session made it: it holds no take
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM takes").fetchone()[0])


def test_enhance_with_no_enhancer_named_says_how_to_name_one(tmp_path: Path) -> None:
    session = _session(tmp_path, None)
    for asked in (
        lambda: session.plan(BRIEF, enhance=True),
        lambda: session.plan(BRIEF, axes=[Axis.parse("prompt", ["mine", "enhanced"])]),
    ):
        with pytest.raises((EnhancerError, GridError)) as caught:
            asked()
        message = str(caught.value)
        assert "\n" not in message
        assert "%sora enhancer URL --model M" in message and "SORA_NB_ENHANCER_URL" in message
    assert _ledger_rows(tmp_path) == 0


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("garbage", "answered something that is not a chat completion"),
        ("empty", "answered something that is not a chat completion"),
        ("no-choices", "answered something that is not a chat completion"),
        ("refuse", "refused with HTTP 503: model is loading"),
        ("bad-gateway", 'refused with HTTP 502: \\["upstream", ?"down"\\]'),
    ],
)
def test_an_enhancer_answering_garbage_stops_before_anything_is_sent(
    tmp_path: Path, mode: str, says: str
) -> None:
    chat = ChatServer(mode=mode)  # type: ignore[arg-type]
    session = _session(tmp_path, _enhancer(chat))
    with pytest.raises(EnhancerError, match=says) as caught:
        session.plan(BRIEF, enhance=True)
    assert "\n" not in str(caught.value) and "tiny-writer at http://writer.test/v1" in str(
        caught.value
    )
    assert _ledger_rows(tmp_path) == 0
    assert not list((tmp_path / "media").glob("enhancements/*.json"))  # nothing half-kept


def test_a_wrong_key_is_refused_and_never_echoed(tmp_path: Path) -> None:
    chat = ChatServer(key="sk-the-right-one")
    session = _session(tmp_path, _enhancer(chat))
    with pytest.raises(EnhancerError, match="refused with HTTP 401") as caught:
        session.plan(BRIEF, enhance=True)
    assert KEY not in str(caught.value) and "[redacted]" in str(caught.value)


def test_an_enhancer_that_does_not_answer(tmp_path: Path) -> None:
    # A closed port on this machine: connection refused at once.
    from tests.enhancer.chat_server import free_port

    enhancer = Enhancer(url=f"http://127.0.0.1:{free_port()}/v1", model="tiny-writer", timeout=5)
    session = _session(tmp_path, enhancer)
    with pytest.raises(EnhancerError, match="does not answer \\(ConnectError\\); start it"):
        session.plan(BRIEF, enhance=True)
    assert _ledger_rows(tmp_path) == 0


def test_a_rewrite_is_priced_where_a_price_is_known(tmp_path: Path) -> None:
    chat = ChatServer()
    priced = _session(tmp_path / "a", _enhancer(chat, price_in=0.5, price_out=1.5))
    request = priced.plan(BRIEF, enhance=True).requests[0]
    assert request.enhancement is not None
    assert request.enhancement.prompt_tokens == 120 and request.enhancement.completion_tokens == 40
    assert request.enhancement.cost == pytest.approx((120 * 0.5 + 40 * 1.5) / 1e6)
    unpriced = _session(tmp_path / "b", _enhancer(chat)).plan(BRIEF, enhance=True).requests[0]
    assert unpriced.enhancement is not None and unpriced.enhancement.cost is None


def test_the_environment_names_an_enhancer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORA_NB_ENHANCER_URL", "http://localhost:11434")
    monkeypatch.setenv("SORA_NB_ENHANCER_MODEL", "qwen2.5:7b")
    monkeypatch.setenv("SORA_NB_ENHANCER_KEY", KEY)
    import os

    named = Enhancer.from_env(os.environ)
    assert named is not None and named.url == "http://localhost:11434/v1"
    assert named.model == "qwen2.5:7b" and named.key is not None
    assert KEY not in repr(named)
    monkeypatch.delenv("SORA_NB_ENHANCER_MODEL")
    with pytest.raises(EnhancerError, match="SORA_NB_ENHANCER_MODEL is not"):
        Enhancer.from_env(os.environ)
