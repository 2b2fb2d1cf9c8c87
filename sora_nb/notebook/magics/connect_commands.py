"""``%sora connect``: point the kernel at a Videos API server (``URL [--dialect NAME]``), back
at the bundled server (``local``), or at an open model on this machine (``local:MODEL``)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from IPython.core.error import UsageError

from sora_nb.api import errors
from sora_nb.notebook.magics.base import SoraMagicsBase
from sora_nb.notebook.magics.info_commands import _about
from sora_nb.notebook.magics.registry import command


class ConnectCommands(SoraMagicsBase):
    """``%sora connect`` and its ``local`` forms."""

    @command(
        "connect URL [--dialect NAME]",
        "use the Videos API at URL (asks for its key) and say what it is, serves and cannot do; "
        "--dialect: openai, vllm-omni, sglang, fastvideo or litellm. local: the bundled server's "
        "animatic; local:MODEL [--device D] [--dtype T] [--offload] [--vae-tiling]: an open "
        "model on this machine",
    )
    def _cmd_connect(self, rest: str) -> Any:
        import shlex

        from sora_nb.api.dialects import dialect_named
        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel

        words = shlex.split(rest)
        if words and (words[0] == "local" or words[0].startswith("local:")):
            return self._connect_local(words)
        dialect = ""
        if "--dialect" in words:
            at = words.index("--dialect")
            if at + 1 >= len(words):
                raise UsageError(
                    "%sora connect URL --dialect NAME: NAME is one of openai, vllm-omni, "
                    "sglang, fastvideo, litellm."
                )
            dialect = dialect_named(words[at + 1]).name  # a wrong name fails here
            del words[at : at + 2]
        if len(words) != 1:
            raise UsageError(
                "%sora connect needs a server URL, like %sora connect http://localhost:4000/v1 "
                "(add --dialect vllm-omni to say how it speaks); use %sora connect local to go "
                "back to the bundled server, or %sora connect local:MODEL to render with an open "
                "model on this machine."
            )
        url = words[0]
        from sora_nb.api.config import normalize_base_url

        normalize_base_url(url)  # a bad URL fails here, before it is kept
        key = os.environ.get("SORA_NB_API_KEY") or os.environ.get("OPENAI_API_KEY")
        if not key and not _loopback(url):
            key = _ask_key(url)  # a server elsewhere wants one; one on this machine may not
        before = kernel.snapshot(), self.server, self.dialect, self._applied
        self.server = url
        self.dialect = dialect
        # The media folder, budget and concurrency set with %config come along.
        settings = self._session_settings() | {"dialect": dialect or None}
        try:
            try:
                kernel.configure(**settings, api_key=key or None)
                kernel.session().check_server()
            except errors.AuthenticationError:
                if key:
                    raise
                kernel.configure(api_key=_ask_key(url, why=" (it answered 401: it needs one)"))
                kernel.session().check_server()
        except errors.APIConnectionError as exc:
            self._go_back(before)
            raise UsageError(
                f"Nothing answered at {url} ({exc}). Start the server there and connect again, "
                "or go back to the bundled server with %sora connect local."
            ) from None
        except errors.AuthenticationError as exc:
            self._go_back(before)
            raise UsageError(
                f"The server at {url} refused the API key ({exc}). Set SORA_NB_API_KEY to its "
                "key and connect again, or go back to the bundled server with %sora connect local."
            ) from None
        except errors.SoraError:
            pass  # it answered, but not what it is: the lines below say so
        self._applied = self._session_settings()
        return show.text(_about(kernel.session(), "Connected to"))

    def _go_back(self, before: tuple[Any, str, str, Any]) -> None:
        """Back to the server in use before a connect that failed."""
        from sora_nb.notebook import kernel

        saved, self.server, self.dialect, self._applied = before
        kernel.restore(saved)

    def _connect_local(self, words: list[str]) -> Any:
        """``local``: the animatic; ``local:MODEL [--device D] [--dtype T] [--offload]
        [--vae-tiling]``: that open model through diffusers, in this kernel."""
        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel

        target = words[0][len("local:") :] if words[0].startswith("local:") else ""
        if words[0] == "local" and len(words) > 1:
            raise UsageError("%sora connect local takes no options; they go with local:MODEL.")
        if words[0].startswith("local:") and not target:
            raise UsageError(
                "%sora connect local:MODEL needs a model: a diffusers pipeline folder or a "
                "Hugging Face id, like %sora connect local:Wan-AI/Wan2.1-T2V-1.3B-Diffusers."
            )
        chosen: dict[str, Any] = {"renderer": "animatic"}
        if target:
            chosen = {"renderer": "diffusers", "model": target, **_local_flags(words[1:])}
        self.server = ""
        self.dialect = ""  # the bundled server speaks OpenAI's dialect
        kernel.configure(**self._session_settings(), base_url=None, api_key=None, **chosen)
        self._applied = self._session_settings()
        if not target:
            return show.text(_about(kernel.session(), "Connected to"))
        from sora_nb.connection import local_renderer
        from sora_nb.server.renderers.diffusers import DiffusersOptions

        options = {k: v for k, v in chosen.items() if k != "renderer"}
        renderer = local_renderer(DiffusersOptions(**options))
        session = kernel.session()
        info = session.server_info()
        model = session.local_model or ""
        usual = info.usual.get(model)
        clip = f", at {usual[0]} for {usual[1]} s unless told" if usual else ""
        taken = info.flags_taken()
        takes = f", and take {', '.join(taken)}" if taken else ""
        return show.text(
            f"Connected to the bundled server rendering {renderer.describe()}. Cells without "
            f"--model use {model}{clip}{takes}."
        )


def _loopback(url: str) -> bool:
    """True when ``url`` names this machine (a server there needs no key unless it says so)."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ask_key(url: str, why: str = "") -> str:
    return getpass.getpass(f"API key for {url}{why} (not echoed, kept in memory only): ")


def _local_flags(words: list[str]) -> dict[str, Any]:
    """The options after ``%sora connect local:MODEL``."""
    flags: dict[str, Any] = {}
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word in ("--offload", "--vae-tiling"):
            flags[word[2:].replace("-", "_")] = True
        elif word in ("--device", "--dtype") and rest:
            flags[word[2:]] = rest.pop(0)
        else:
            raise UsageError(
                f"%sora connect local:MODEL: unknown option {word!r}; it takes --device cuda|cpu, "
                "--dtype bfloat16|float16|float32, --offload and --vae-tiling."
            )
    return flags
