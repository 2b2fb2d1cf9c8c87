"""What a client knows about its server: the dialect and the models it serves, and how it knows.

A dialect comes from the user (``dialect=``), from the server's ``/v1/models`` answer
(:meth:`ServerKnowledge.detect`), or from its other answers: an id only vLLM-Omni makes, or a
JSON create refused as an empty form. The model a create sends follows from it: a one-model
engine gets its own model's name, never ``sora-2``.
"""

from __future__ import annotations

import dataclasses
import json
import warnings

from sora_nb import catalog
from sora_nb.api import dialect_clues, dialects, errors
from sora_nb.api.answers import Answer, answer_unless_auth, not_served, read_answer
from sora_nb.api.dialects import Dialect, ServerInfo
from sora_nb.api.sending import Sender
from sora_nb.api.types import Video


class ServerKnowledge:
    """The dialect and models of one server, learnt once and kept."""

    def __init__(self, send: Sender, by_hand: Dialect | None) -> None:
        self._send = send
        self.by_hand = by_hand
        self.info: ServerInfo | None = None
        # A dialect read from the server's answers (an id, a refused JSON body), not asked for.
        self.seen: Dialect | None = None

    @property
    def dialect(self) -> Dialect | None:
        """Set by hand, else read from answers, else detected; None when nothing is known."""
        if self.by_hand is not None:
            return self.by_hand
        if self.seen is not None:
            return self.seen
        return self.info.dialect if self.info is not None else None

    async def detect(self, *, refresh: bool = False) -> ServerInfo:
        """Ask ``GET /models`` once (or again with ``refresh``) and decide the dialect."""
        if self.info is not None and not refresh:
            return self.info
        answer = await self._send.call(
            Answer, "GET", "/models", parse=read_answer, accept=answer_unless_auth
        )
        found = dialects.detect(answer.status, answer.body, answer.headers)
        if self.by_hand is not None:
            found = dialects.by_hand(self.by_hand, found)
        elif found.assumed and self.seen is not None:
            found = ServerInfo(self.seen, found.models, "read from its answers")
        version = await self._version(found.dialect)
        if version is not None:
            found = dataclasses.replace(found, version=version)
        if found.untested:
            warnings.warn(found.untested, dialects.EngineVersionWarning, stacklevel=3)
        self.info = found
        return found

    async def _version(self, dialect: Dialect) -> str | None:
        """The engine's version from its own route, or None (no route, or no answer)."""
        if dialect.version_route is None:
            return None
        root = self._send.base_url.removesuffix("/v1")
        try:
            answer = await self._send.call(
                Answer, "GET", root + dialect.version_route, parse=read_answer, accept=read_answer
            )
            said = json.loads(answer.body) if answer.status < 400 else None
        except (errors.SoraError, ValueError):
            return None
        version = said.get("version") if isinstance(said, dict) else None
        return version if isinstance(version, str) and version else None

    async def knowing(self) -> Dialect:
        """The dialect, asking the server when it is not known yet."""
        return self.dialect or (await self.detect()).dialect

    def takes(self, wire_names: dict[str, object], dialect: Dialect) -> bool:
        """True when the server takes these knobs: its dialect does, or its /models said so."""
        if dialect.takes(wire_names):
            return True
        return self.info is not None and self.info.takes(wire_names)

    def learn_from(self, video: Video) -> None:
        """Learn the dialect from a job's id when nothing better said it."""
        if self.by_hand is None and (self.info is None or self.info.assumed):
            seen = dialect_clues.from_job(video.id, video.model_extra or {})
            if seen is not None:
                self.seen = seen

    async def model_to_send(self, model: str | None, dialect: Dialect | None) -> str | None:
        """The model name this server should get: a one-model engine's own name (never
        ``sora-2`` to a server that does not serve it), or a refusal before sending."""
        if dialect is None or not dialect.one_model:
            info = self.info
            if model is not None and info is not None and info.models and not info.serves(model):
                raise not_served(model, info, dialect)
            return model
        info = self.info or await self.detect()
        served = info.default_model
        if served is None or model is None or model == served:
            return model or served
        if catalog.same_model(model, served):
            return served  # the catalog's short name for the checkpoint the engine serves
        raise not_served(model, info, dialect)
