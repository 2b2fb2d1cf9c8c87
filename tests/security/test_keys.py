"""Issue 24, points 1, 2 and the key part of 6: every app the server builds (its own and each
imitation) checks the key, before it reads a byte of the body, with one strict rule; the body
is bounded; the command line takes the key from a file or the environment, out of ``ps``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from sora_nb.server.__main__ import main
from tests.security.conftest import (
    DIALECTS,
    KEY,
    jobs_created,
    multipart_create,
    raw,
    served_cli,
)
from tests.server.conftest import MakeApp

#: Authorization headers that do not carry the key: none, a wrong one, the key without
#: "Bearer ", another scheme, and any seven characters in place of "Bearer " (LiteLLM's old hole).
NOT_THE_KEY = [
    {},
    {"Authorization": "Bearer sk-wrong"},
    {"Authorization": f"Bearer {KEY}x"},
    {"Authorization": KEY},
    {"Authorization": f"Basic {KEY}"},
    {"Authorization": f"XXXXXXX{KEY}"},
    {"Authorization": f"Bearer{KEY}"},
    {"api-key": "sk-wrong"},
]


class Counted:
    """A request body sent in chunks, counting how many the server asked for."""

    def __init__(self, chunks: int, size: int) -> None:
        self.chunks, self.size, self.read = chunks, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.read += 1
            yield b"x" * self.size


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_without_the_key_no_route_answers_and_no_job_starts(
    make_app: MakeApp, dialect: str | None
) -> None:
    app = make_app(render=False, api_key=KEY, dialect=dialect)
    async with raw(app) as http:
        for headers in NOT_THE_KEY:
            for method, path in (("GET", "/models"), ("GET", "/videos"), ("POST", "/videos")):
                files = multipart_create() if method == "POST" else None
                answer = await http.request(method, path, files=files, headers=headers)
                assert answer.status_code == 401, (dialect, headers, method, path, answer.text)
                assert KEY not in answer.text
        assert jobs_created(app) == 0
        good = {"Authorization": f"Bearer {KEY}"}
        assert (await http.get("/models", headers=good)).status_code == 200
        made = await http.post("/videos", files=multipart_create(), headers=good)
        assert made.status_code == 200, made.text
        assert (await http.get("/models", headers={"Authorization": f"bearer {KEY}"})).is_success
    assert jobs_created(app) == 1


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_the_key_is_checked_before_the_body_is_read(
    make_app: MakeApp, dialect: str | None
) -> None:
    app = make_app(render=False, api_key=KEY, dialect=dialect)
    body = Counted(chunks=64, size=64 * 1024)
    async with raw(app) as http:
        answer = await http.post(
            "/videos",
            content=body,
            headers={"content-type": "application/json", "Authorization": "Bearer sk-wrong"},
        )
    assert answer.status_code == 401
    assert body.read == 0, f"{dialect}: read {body.read} chunks of a body before the key"


async def test_litellm_refuses_a_keyless_create_for_its_key_not_its_model(
    make_app: MakeApp,
) -> None:
    app = make_app(render=False, api_key=KEY, dialect="litellm")
    async with raw(app) as http:
        answer = await http.post("/videos", json={"prompt": "x", "model": "no-such-model"})
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "auth_error"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_every_app_bounds_its_body(make_app: MakeApp, dialect: str | None) -> None:
    limit = 64 * 1024
    app = make_app(render=False, api_key=KEY, dialect=dialect, max_upload_bytes=limit)
    key = {"Authorization": f"Bearer {KEY}"}
    async with raw(app, **key) as http:
        big = ("r.png", b"\0" * 2 * limit, "image/png")
        declared = await http.post("/videos", files={**multipart_create(), "input_reference": big})
        assert declared.status_code == 413, declared.text
        assert "larger than this server accepts" in declared.text
        # No Content-Length: the app stops reading at the limit, whatever follows.
        chunked = Counted(chunks=2048, size=8 * 1024)  # 16 MiB offered
        form = {"content-type": "multipart/form-data; boundary=cut"}  # every dialect reads it
        streamed = await http.post("/videos", content=chunked, headers=form)
        assert streamed.status_code == 413, streamed.text
        assert chunked.read <= limit // (8 * 1024) + 2
    assert jobs_created(app) == 0


def test_help_says_where_the_key_can_come_from(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--api-key-file PATH" in text
    assert "$SORA_NB_SERVER_API_KEY" in text and "shows in ps" in text


@pytest.mark.parametrize(
    ("content", "said"),
    [(None, "cannot read it"), ("", "is empty"), ("\n  \n", "is empty")],
)
def test_a_key_file_that_gives_no_key_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, said: str
) -> None:
    path = tmp_path / "key.txt"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as stop:
        main(["--api-key-file", str(path)])
    assert stop.value.code == 2
    assert said in capsys.readouterr().err


def test_a_key_from_a_file_locks_an_imitation_and_stays_out_of_ps(tmp_path: Path) -> None:
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    args = ("--dialect", "vllm-omni", "--api-key-file", str(key_file))
    with served_cli(*args, "--media", str(tmp_path / "media"), "--time-scale", "0") as server:
        assert any("key required" in line for line in server.said)
        command_line = Path(f"/proc/{server.process.pid}/cmdline")
        if command_line.exists():
            assert KEY.encode() not in command_line.read_bytes()
        base = server.base_url
        assert httpx.post(f"{base}/videos", data={"prompt": "x"}).status_code == 401
        assert httpx.get(f"{base}/models").status_code == 401
        assert httpx.get(f"{base}/videos").status_code == 401
        key = {"Authorization": f"Bearer {KEY}"}
        assert httpx.get(f"{base}/models", headers=key).status_code == 200
        made = httpx.post(f"{base}/videos", data={"prompt": "a kite"}, headers=key)
        assert made.status_code == 200 and made.json()["id"].startswith("video_gen_")


def test_a_key_from_the_environment_locks_the_server(tmp_path: Path) -> None:
    env = {"SORA_NB_SERVER_API_KEY": KEY}
    media = ("--media", str(tmp_path / "media"), "--time-scale", "0")
    with served_cli("--dialect", "sglang", *media, env=env) as server:
        assert any("key required" in line for line in server.said)
        command_line = Path(f"/proc/{server.process.pid}/cmdline")
        if command_line.exists():
            assert KEY.encode() not in command_line.read_bytes()
        base = server.base_url
        assert httpx.get(f"{base}/videos").status_code == 401
        listed = httpx.get(f"{base}/videos", headers={"Authorization": f"Bearer {KEY}"})
        assert listed.status_code == 200
    assert KEY not in server.log()
