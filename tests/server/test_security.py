"""The key, upload limits and the media folder: what the bundled server refuses and never leaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from sora_nb.api import errors
from tests.server.conftest import MakeApp, client_for, raw_client
from tests.server.helpers import image

KEY = "sk-server-test-key-0123456789"


async def test_a_server_started_with_a_key_requires_it(make_app: MakeApp) -> None:
    app = make_app(render=False, api_key=KEY)
    async with client_for(app) as anonymous:
        with pytest.raises(errors.AuthenticationError, match="didn't provide an API key"):
            await anonymous.list_page()
    async with client_for(app, api_key="sk-wrong-key") as wrong:
        with pytest.raises(errors.AuthenticationError) as caught:
            await wrong.list_page()
    assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"
    assert "sk-wrong-key" not in str(caught.value)
    async with client_for(app, api_key=KEY) as right:
        assert (await right.list_page()).data == []
    async with client_for(app, api_key=KEY, auth="api-key") as azure_style:
        assert (await azure_style.list_page()).data == []


def test_the_key_stays_out_of_reprs_and_files(make_app: MakeApp) -> None:
    app = make_app(render=False, api_key=KEY)
    settings = app.state.server.settings
    assert KEY not in repr(settings) and KEY not in str(settings)
    for path in make_app.root.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes()


async def test_oversize_uploads_are_refused_with_413(make_app: MakeApp) -> None:
    app = make_app(render=False, max_upload_bytes=50_000)
    big = image("1280x720", "PNG") + b"\0" * 60_000
    async with raw_client(app) as http:
        answer = await http.post(
            "/videos",
            data={"prompt": "x", "size": "1280x720"},
            files={"input_reference": ("big.png", big, "image/png")},
        )
        assert answer.status_code == 413
        assert answer.json()["error"]["code"] == "request_too_large"

        async def chunks():  # no Content-Length: the limit holds while reading
            for _ in range(10):
                yield b"x" * 10_000

        streamed = await http.post(
            "/videos", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
    assert app.state.server.stats.jobs_created == 0


@pytest.mark.parametrize(
    "video_id",
    [
        "..",
        "../../../etc/passwd",
        "video_../../secrets",
        "video_" + "a" * 31 + "/",
        "takes.json",
        "video_" + "A" * 32,
    ],
)
async def test_ids_cannot_reach_outside_the_jobs(
    make_app: MakeApp, tmp_path: Path, video_id: str
) -> None:
    secret = tmp_path / "secrets"
    secret.write_text("do not serve")
    app = make_app(render=False)
    async with client_for(app) as client:
        for call in (client.retrieve, client.delete):
            with pytest.raises(errors.NotFoundError):
                await call(video_id)
        with pytest.raises(errors.NotFoundError):
            await client.download(video_id, tmp_path / "out.mp4")
    assert secret.read_text() == "do not serve"
    assert not (tmp_path / "out.mp4").exists()


async def test_upload_filenames_never_become_paths(make_app: MakeApp) -> None:
    app = make_app(render=False, time_scale=100)
    files = {"input_reference": ("../../escape.png", image("1280x720"), "image/png")}
    async with raw_client(app) as http:
        answer = await http.post("/videos", data={"prompt": "x", "size": "1280x720"}, files=files)
    assert answer.status_code == 200
    root = make_app.root
    assert not list(root.parent.rglob("escape.png"))
    assert (root / "jobs" / answer.json()["id"] / "reference.bin").is_file()
