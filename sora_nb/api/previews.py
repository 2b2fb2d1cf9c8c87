"""Live previews of a running job: ``GET /videos/{id}/content?variant=preview``.

Not part of OpenAI's Videos API: sora_nb's bundled server makes them (a small JPEG of the
middle frame as an open model denoises it, or the animatic's storyboard frame) and says so on
its model cards (``"previews": true``). A client asks for them only there; asking any other
server is refused before sending, in one line that says what to do instead.
"""

from __future__ import annotations

import httpx

from sora_nb.api import errors
from sora_nb.api.dialects import ServerInfo
from sora_nb.api.params import video_path
from sora_nb.api.sending import Sender

__all__ = ["fetch_preview", "refuse_unless_previews"]


def refuse_unless_previews(info: ServerInfo) -> None:
    """Raise :class:`~errors.UnsupportedError` unless ``info`` says the server makes previews."""
    if info.previews:
        return
    who = "sora_nb's bundled server" if info.renderer else f"The {info.dialect.title}"
    what = f" rendering with {info.renderer}" if info.renderer else ""
    raise errors.UnsupportedError(
        f"Not sent: {who}{what} makes no live previews; wait for the video instead (previews "
        "come from sora_nb's bundled server with the animatic or an open model whose latents "
        "it can project).",
        feature="preview",
    )


async def fetch_preview(send: Sender, video_id: str) -> bytes | None:
    """The job's newest preview (JPEG bytes), or None while it has none yet. Asked once, with
    no retries: the next status check asks again."""
    what = f"GET {video_path(video_id)}/content?variant=preview"
    try:
        response = await send.http.get(
            video_path(video_id) + "/content", params={"variant": "preview"}
        )
    except httpx.RequestError as exc:
        raise send.transport_error(exc, what, 1) from exc
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise send.status_error(response, what, attempts=1)
    return response.content
