"""LoRA adapters on the wire: checked against what each server takes, set where they are global.

vLLM-Omni takes one adapter per request in its ``lora`` form field (a JSON object: name, path,
scale); the bundled server takes several in its ``lora`` field and lists the ones it offers on
its model cards. SGLang Diffusion sets adapters for the whole server: ``POST /v1/set_lora``
(several at once, each with a target transformer and a strength) before a create that wants
them, ``POST /v1/unmerge_lora_weights`` before one that wants none, ``GET /v1/list_loras`` for
what it holds. So against SGLang, takes that need different adapters must never be in flight
together (the runner's :class:`~sora_nb.runs.adapter_gate.AdapterGate` keeps them apart).
"""

from __future__ import annotations

import json

import httpx

from sora_nb.api import errors
from sora_nb.api.answers import Answer, read_answer
from sora_nb.api.dialects import Dialect, ServerInfo
from sora_nb.api.sending import Sender
from sora_nb.catalog import loras as lora_text
from sora_nb.catalog.loras import Lora
from sora_nb.catalog.options import Options

__all__ = ["AdapterState", "check_adapters"]


def check_adapters(loras: tuple[Lora, ...], dialect: Dialect, info: ServerInfo | None) -> None:
    """Refuse, before anything is sent, adapters this server cannot take as asked: more than
    vLLM-Omni's one, an expert where none is taken, a name the bundled server does not offer."""
    if not loras:
        return
    why = lora_text.refusal(loras, dialect.name)
    if why is not None:
        raise errors.InvalidRequestError(f"Not sent: {why}.", param="loras")
    offered = info.loras if info is not None and info.renderer is not None else None
    if offered is None:
        return
    missing = [lora.name for lora in loras if lora.name not in offered]
    if missing:
        have = ", ".join(offered) if offered else "none"
        raise errors.InvalidRequestError(
            f"Not sent: the bundled server offers no adapter {missing[0]!r}; it offers {have} "
            "(the .safetensors files of its --lora-dir, by name). Pick one of those, or add the "
            "file and restart it.",
            param="loras",
        )


class AdapterState:
    """What one client has set on an SGLang server's global adapters, and the calls that set
    them: at most one set_lora (or one unmerge) before each create that changes them."""

    def __init__(self, send: Sender) -> None:
        self._send = send
        #: The adapters this client last set (``()``: it turned them off); None: never set.
        self.active: tuple[Lora, ...] | None = None

    async def prepare(self, options: Options, dialect: Dialect) -> Options:
        """The options to send in the create body: on SGLang, the adapters are set on the
        server first (or turned off) and left out of the body; elsewhere unchanged."""
        if dialect.name != "sglang":
            return options
        wanted: tuple[Lora, ...] = options.loras or ()
        if self.active is None and not wanted:
            # Adapters are the server's, not this client's: another kernel may have left some
            # on, and a take that wants none must not be rendered with them.
            if await self._applied_on_server():
                await self._post("/unmerge_lora_weights", {})
            self.active = ()
        if wanted != (self.active or ()):
            if wanted:
                await self._post("/set_lora", lora_text.sglang_body(wanted))
            elif self.active:
                await self._post("/unmerge_lora_weights", {})
            self.active = wanted
        return options.replace(loras=None)

    async def listed(self) -> list[str]:
        """The adapter nicknames an SGLang server holds (``GET /v1/list_loras``)."""
        answer = await self._send.call(Answer, "GET", "/list_loras", parse=read_answer)
        try:
            data = json.loads(answer.body)
        except ValueError:
            return []
        loaded = data.get("loaded_adapters") if isinstance(data, dict) else None
        if not isinstance(loaded, list):
            return []
        return [str(a["nickname"]) for a in loaded if isinstance(a, dict) and a.get("nickname")]

    async def _applied_on_server(self) -> bool:
        """True when ``GET /v1/list_loras`` shows an adapter applied to some transformer (an
        error answer, "Lora is not enabled" included, shows none)."""
        answer = await self._send.call(
            Answer, "GET", "/list_loras", parse=read_answer, accept=_no_listing
        )
        try:
            active = json.loads(answer.body).get("active") if answer.status == 200 else None
        except (ValueError, AttributeError):
            return False
        return isinstance(active, dict) and any(active.values())

    async def _post(self, path: str, body: dict[str, object]) -> None:
        try:
            answer = await self._send.call(
                Answer, "POST", path, json=body, parse=read_answer, accept=_sglang_refusal
            )
        except (
            errors.BadRequestError,
            errors.NotFoundError,
            errors.MethodNotAllowedError,
            errors.ServerError,
        ) as exc:
            raise errors.InvalidRequestError(
                f"Not sent: SGLang refused the adapters (POST /v1{path}): "
                f"{exc.server_message or exc}. {_ADVICE}",
                param="loras",
            ) from None
        if answer.status >= 400:
            said = json.loads(answer.body)["detail"]
            raise errors.InvalidRequestError(
                f"Not sent: SGLang refused the adapters (POST /v1{path}): {said}. {_ADVICE}",
                param="loras",
            )


_ADVICE = (
    "Check the names with GET /v1/list_loras, or give a path on the server "
    "(--lora /weights/style.safetensors:0.8)."
)


def _no_listing(response: httpx.Response) -> Answer | None:
    # No route (a server before list_loras) lists nothing applied, as a refusal does.
    if response.status_code in (404, 405):
        return read_answer(response)
    return _sglang_refusal(response)


def _sglang_refusal(response: httpx.Response) -> Answer | None:
    """SGLang answers a LoRA request its pipeline refused (an adapter it cannot find, a wrong
    target, no LoRA support) with 500 and ``{"detail": ...}``: a final answer, not one to retry."""
    if response.status_code != 500:
        return None
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return None
    return read_answer(response) if isinstance(detail, str) else None
