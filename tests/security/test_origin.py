"""Issue 24, point 6: a server with no key, served on 127.0.0.1, is not a door for any web page.

A form on any site can POST to http://127.0.0.1:8000 from the user's browser; the browser then
sends the page's ``Origin``. Without a key, the server answers only pages of this machine (and
clients that are not browsers, which send no Origin); a page that renamed itself to reach the
loopback socket (DNS rebinding) is refused by its Host. In-process use has no Origin and works.
"""

from __future__ import annotations

import httpx
import pytest

from sora_nb.api.client import VideosClient
from tests.security.conftest import DIALECTS, KEY, jobs_created, raw
from tests.server.conftest import MakeApp, serve

FOREIGN = ["https://evil.example", "http://127.0.0.1.evil.example", "null", "file://"]
OURS = ["http://localhost:8888", "http://127.0.0.1:3000", "http://[::1]:8888"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_without_a_key_pages_from_other_sites_are_refused(
    make_app: MakeApp, dialect: str | None
) -> None:
    app = make_app(render=False, dialect=dialect)
    with serve(app) as base:
        for origin in FOREIGN:
            # What a hidden form on any page sends: urlencoded, and its page's Origin.
            form = httpx.post(f"{base}/videos", data={"prompt": "x"}, headers={"Origin": origin})
            assert form.status_code == 403, (origin, form.text)
            assert "may not call this server" in form.text
            listed = httpx.get(f"{base}/models", headers={"Origin": origin})
            assert listed.status_code == 403
        port = base.split(":")[2].split("/")[0]
        rebound = httpx.get(f"{base}/models", headers={"Host": f"evil.example:{port}"})
        assert rebound.status_code == 403 and "not this machine" in rebound.text
        for origin in OURS:
            assert httpx.get(f"{base}/models", headers={"Origin": origin}).status_code == 200
        assert httpx.get(f"{base}/models").status_code == 200  # curl, sora_nb, any SDK
        assert httpx.get(f"{base}/models", headers={"Host": f"localhost:{port}"}).is_success
    assert jobs_created(app) == 0


def test_with_a_key_the_key_is_the_door_whatever_the_page(make_app: MakeApp) -> None:
    app = make_app(render=False, api_key=KEY)
    with serve(app) as base:
        page = {"Origin": "https://tool.example"}
        assert httpx.get(f"{base}/models", headers=page).status_code == 401
        keyed = {**page, "Authorization": f"Bearer {KEY}"}
        assert httpx.get(f"{base}/models", headers=keyed).status_code == 200


async def test_in_process_use_sends_no_origin_and_is_let_in(make_app: MakeApp) -> None:
    app = make_app(render=False)
    async with VideosClient(transport=httpx.ASGITransport(app=app)) as client:
        assert (await client.list_page()).data == []
    async with raw(app) as http:
        refused = await http.get("/models", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
