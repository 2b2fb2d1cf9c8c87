"""The studio's LoRA adapters: the ones its server offers by name, and how to name another.

The bundled server lists its ``--lora-dir`` adapters on its model cards; SGLang lists the ones it
holds (``GET /v1/list_loras``); vLLM-Omni lists none (it loads an adapter by its path on the
server, per request). The front end offers a tick and a strength slider for each listed adapter
and a text box for any other, and writes the studio's ``loras`` option as the ``%%sora`` line
would (``ghibli:0.8+grain:0.3``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sora_nb.api.errors import SoraError
from sora_nb.runs.loop import run_sync

if TYPE_CHECKING:
    from sora_nb.runs.session import Session

#: How long the studio waits for SGLang's list of adapters before offering none.
LIST_TIMEOUT_S = 10.0

_BUNDLED = "Tick the server's adapters (its --lora-dir files) and set each one's strength."
_SGLANG = (
    "SGLang's adapters are server-wide: ticked ones are set before each take. Type another as "
    "a path on the server: /weights/style.safetensors:0.8."
)
_BY_PATH = (
    "This server lists no adapters: type one as a path or Hugging Face id on the server with "
    "a strength, like /weights/style.safetensors:0.8."
)


def offered_loras(session: Session, knobs: list[str]) -> tuple[list[str], str]:
    """The adapters the studio's server offers by name, and one line on how to pick or name
    them; nothing where the server's model takes no adapters (``loras`` not in ``knobs``)."""
    if "loras" not in knobs:
        return [], ""
    info = session.server_info(strict=False)
    if info.loras:  # the bundled server's cards (it takes adapters only when it has some)
        return list(info.loras), _BUNDLED
    if info.dialect.name == "sglang":
        try:
            names = run_sync(session.runner.client.list_loras(), timeout=LIST_TIMEOUT_S)
        except (SoraError, TimeoutError):
            names = []  # an older SGLang without the route: adapters are still typed by path
        return list(dict.fromkeys(names)), _SGLANG
    return [], _BY_PATH
