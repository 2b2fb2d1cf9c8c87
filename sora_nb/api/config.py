"""Which server to talk to, and with which key: arguments, else the environment, else none.

Resolution order, for each setting: the argument, then ``SORA_NB_*``, then ``OPENAI_*``
(``SORA_NB_BASE_URL`` / ``SORA_NB_API_KEY``, then ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``).
The server's dialect (``vllm-omni``, ``sglang``...) comes from the argument, else
``SORA_NB_DIALECT`` for a configured server, else is found by asking the server.

The *base URL* decides where requests go. When none is given anywhere, ``base_url`` is None,
which means "use the bundled server"; environment keys are then ignored, so an OpenAI key is
never handed to anything but a server you configured.

A base URL is the part before ``/videos``, as in the OpenAI SDK: ``https://api.openai.com/v1``.
A bare origin such as ``http://localhost:4000`` gets ``/v1`` appended (every server speaking this
protocol, LiteLLM's proxy included, serves it there); a URL with a path is kept as given (minus a
trailing slash), so ``https://x.openai.azure.com/openai/v1`` works too.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

from sora_nb.api.dialects import dialect_named
from sora_nb.api.errors import ConfigurationError

#: ``bearer`` sends ``Authorization: Bearer <key>``; ``api-key`` sends Azure's ``api-key`` header.
AuthStyle = Literal["bearer", "api-key"]

_AZURE_HOST_SUFFIXES = (
    ".openai.azure.com",
    ".cognitiveservices.azure.com",
    ".services.ai.azure.com",
)


class RetiredEndpointWarning(UserWarning):
    """The configured server is OpenAI's own, which stopped serving videos on 2026-09-24."""


class ServerConfig(BaseModel):
    """A resolved server: its base URL (None = the bundled server) and how to authenticate.

    The key is a ``SecretStr``: it shows as ``**********`` in every repr and str.
    """

    model_config = ConfigDict(frozen=True)

    base_url: str | None = None
    api_key: SecretStr | None = None
    organization: str | None = None
    project: str | None = None
    auth: AuthStyle = "bearer"
    #: The dialect named by hand (None: find it from the server).
    dialect: str | None = None

    @property
    def uses_bundled(self) -> bool:
        """True when no server was configured and the bundled server should answer."""
        return self.base_url is None

    def api_key_value(self) -> str | None:
        """The key itself, for building the one header that carries it."""
        return self.api_key.get_secret_value() if self.api_key is not None else None


def resolve_server(
    base_url: str | None = None,
    api_key: str | SecretStr | None = None,
    *,
    organization: str | None = None,
    project: str | None = None,
    auth: AuthStyle | None = None,
    dialect: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ServerConfig:
    """Resolve the server from arguments, then ``SORA_NB_*``, then ``OPENAI_*`` variables.

    Warns with :class:`RetiredEndpointWarning` when the URL is api.openai.com. ``auth`` defaults
    to Azure's ``api-key`` header for Azure hosts and to a bearer token elsewhere.
    """
    env = os.environ if environ is None else environ
    if dialect is not None:
        dialect = dialect_named(dialect).name  # a wrong name fails here, saying the right ones
    raw_url = base_url or env.get("SORA_NB_BASE_URL") or env.get("OPENAI_BASE_URL") or None
    if raw_url is None:
        # The bundled server: only an explicitly passed key goes along (it may want to test auth).
        return ServerConfig(api_key=_secret(api_key), auth=auth or "bearer", dialect=dialect)
    if dialect is None and env.get("SORA_NB_DIALECT", "").strip():
        dialect = dialect_named(env["SORA_NB_DIALECT"]).name
    url = normalize_base_url(raw_url)
    key = _secret(api_key) or _secret(env.get("SORA_NB_API_KEY") or env.get("OPENAI_API_KEY"))
    warn_if_retired(url, stacklevel=3)
    return ServerConfig(
        base_url=url,
        api_key=key,
        organization=organization or env.get("OPENAI_ORG_ID") or None,
        project=project or env.get("OPENAI_PROJECT_ID") or None,
        auth=auth or default_auth(url),
        dialect=dialect,
    )


def default_auth(base_url: str) -> AuthStyle:
    """Azure's ``api-key`` header for Azure OpenAI hosts, a bearer token everywhere else."""
    host = urlsplit(base_url).hostname or ""
    return "api-key" if host.endswith(_AZURE_HOST_SUFFIXES) else "bearer"


def warn_if_retired(base_url: str, *, stacklevel: int = 2) -> None:
    """Warn (:class:`RetiredEndpointWarning`) when ``base_url`` is OpenAI's own server."""
    if (urlsplit(base_url).hostname or "") == "api.openai.com":
        warnings.warn(
            "api.openai.com stopped serving the Videos API and the sora-2 models on "
            "2026-09-24, so requests there will fail. Point SORA_NB_BASE_URL at a LiteLLM "
            "proxy or another gateway that speaks the Videos API, or unset it to use the "
            "bundled server.",
            RetiredEndpointWarning,
            stacklevel=stacklevel + 1,
        )


def normalize_base_url(url: str) -> str:
    """``http://host:4000`` -> ``http://host:4000/v1``; other paths kept, trailing ``/`` dropped.

    Raises :class:`ConfigurationError` for anything that is not an http(s) URL with a host.
    """
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"The base URL {text!r} is not an http(s) URL with a host; give one like "
            "http://localhost:4000/v1 (the part before /videos)."
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            "The base URL carries a user name or key before the host; give the URL without "
            "it and the key in SORA_NB_API_KEY (or api_key=...), so it is never stored or shown."
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"The base URL {text!r} has a query or fragment; give only scheme, host and path, "
            "like http://localhost:4000/v1."
        )
    path = parts.path.rstrip("/")
    if path.endswith("/videos"):
        # A pasted endpoint URL: the base is what comes before /videos.
        path = path[: -len("/videos")]
    if not path:
        path = "/v1"
    return f"{parts.scheme}://{parts.netloc}{path}"


def _secret(value: str | SecretStr | None) -> SecretStr | None:
    if value is None:
        return None
    if isinstance(value, SecretStr):
        return value if value.get_secret_value() else None
    # A key pasted with a newline would otherwise fail as "invalid key".
    return SecretStr(value.strip()) if value.strip() else None
