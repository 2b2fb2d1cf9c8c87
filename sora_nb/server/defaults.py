"""What a create request gets for what it leaves out, on the bundled server and the engines it
imitates: OpenAI's own defaults, which vLLM-Omni, SGLang, FastVideo and LiteLLM copy
(engine-dialects.md). The client's defaults are its own (``sora_nb.runs.defaults``)."""

from __future__ import annotations

#: The model a request that names none is made with, and the one an engine echoes then.
DEFAULT_MODEL = "sora-2"
#: The length of a request that gives none, as the wire carries it: a string.
DEFAULT_SECONDS = "4"
#: The size of a request that gives none (OpenAI's: portrait).
DEFAULT_SIZE = "720x1280"
