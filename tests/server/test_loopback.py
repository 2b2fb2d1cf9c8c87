"""The whole API over a real loopback socket (uvicorn), as curl, SDKs and gateways use it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sora_nb.api import errors
from tests.server.conftest import MakeApp, client_for
from tests.server.helpers import image

KEY = "sk-loopback-test-key"


async def test_every_endpoint_over_a_socket(
    make_app: MakeApp, served: Callable[[Starlette], Any], tmp_path: Path
) -> None:
    app = make_app(api_key=KEY, max_upload_bytes=2_000_000)
    reference = tmp_path / "first.jpg"
    reference.write_bytes(image("720x1280", "JPEG"))
    with served(app) as base_url:
        async with client_for(base_url=base_url) as anonymous:
            with pytest.raises(errors.AuthenticationError):
                await anonymous.list_page()
        async with client_for(base_url=base_url, api_key=KEY) as client:
            video = await client.create(
                prompt="a street at dusk", size="720x1280", input_reference=reference
            )
            done = await client.wait(video)
            assert done.status == "completed"
            thumb = await client.download(done, tmp_path / "thumb.webp", variant="thumbnail")
            assert thumb.read_bytes()[8:12] == b"WEBP"

            remix = await client.wait(await client.remix(done, prompt="same street, at dawn"))
            assert remix.remixed_from_video_id == done.id

            blocked = await client.wait(await client.create(prompt="Darth Vader at a bus stop"))
            assert blocked.failed and blocked.error is not None
            assert blocked.error.code == "moderation_blocked"

            listed = [v.id async for v in client.list(page_size=1)]
            assert listed == [blocked.id, remix.id, done.id]

            with pytest.raises(errors.NotFoundError):
                await client.retrieve("video_" + "f" * 32)
            assert (await client.delete(remix)).deleted

        headers = {"Authorization": f"Bearer {KEY}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
            huge = await http.post(
                "/videos",
                data={"prompt": "x"},
                files={"input_reference": ("big.png", b"\0" * 3_000_000, "image/png")},
            )
            assert huge.status_code == 413
            wrong_size = await http.post(
                "/videos",
                data={"prompt": "x", "size": "1280x720"},
                files={"input_reference": ("r.jpg", reference.read_bytes(), "image/jpeg")},
            )
            assert wrong_size.status_code == 400
            assert "Inpaint image must match" in wrong_size.json()["error"]["message"]
            models = await http.get("/models")
            assert "sora-2" in [m["id"] for m in models.json()["data"]]
    assert app.state.server.stats.jobs_created == 3
