"""What every part of SoraMagics shares: its configurable traits (``%config SoraMagics.x``), the
kernel session they drive, and the takes the user's namespace names.

Its ``model``, ``size``, ``seconds`` and ``takes`` traits write the kernel's one set of
defaults, so ``generate``, ``grid`` and new Studios see them as cells do.
"""

from __future__ import annotations

import time
from typing import Any

from IPython.core.magic import Magics
from traitlets import Bool, Float, Int, TraitError, Unicode, validate

#: What the default traits say; their value None means "the session's default".
_DEFAULT_HELP = (
    "Default {what} of %%sora cells, sora_nb.generate, sora_nb.grid and new Studios "
    "(None: the session's, from SORA_NB_{name} or built in; %sora config shows it)."
)


class SoraMagicsBase(Magics):
    """The settings and session behind ``%%sora`` and ``%sora``; SoraMagics adds the magic."""

    model = Unicode(
        None, allow_none=True, help=_DEFAULT_HELP.format(what="model", name="MODEL")
    ).tag(config=True)
    size = Unicode(
        None, allow_none=True, help=_DEFAULT_HELP.format(what="size (WxH)", name="SIZE")
    ).tag(config=True)
    seconds = Int(
        None, allow_none=True, help=_DEFAULT_HELP.format(what="seconds", name="SECONDS")
    ).tag(config=True)
    takes = Int(None, allow_none=True, help=_DEFAULT_HELP.format(what="takes", name="TAKES")).tag(
        config=True
    )
    media_dir = Unicode(
        "", help="Folder for the ledger and files; empty means $SORA_NB_HOME or ./sora_media."
    ).tag(config=True)
    server = Unicode(
        "", help="Videos API base URL; empty means $SORA_NB_BASE_URL, then the bundled server."
    ).tag(config=True)
    dialect = Unicode(
        "",
        help="How the server speaks (openai, vllm-omni, sglang, fastvideo, litellm); empty: "
        "$SORA_NB_DIALECT, else found by asking the server.",
    ).tag(config=True)
    budget = Float(
        None, allow_none=True, help="Dollars this kernel may spend in all (None: no limit)."
    ).tag(config=True)
    concurrency = Int(4, help="Jobs running at once.").tag(config=True)
    wait = Bool(True, help="Block until takes finish (False: return at once).").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.started = time.time()
        self._applied: dict[str, Any] = {}

    # -- the kernel's session follows the traits ------------------------------------------

    @validate("model", "size", "seconds", "takes")
    def _write_default(self, proposal: Any) -> Any:
        # The kernel's one Defaults takes the value (checked there: a bad one is refused and
        # the trait keeps its value), so Python calls and Studios see it as cells do.
        value = proposal["value"]
        if value is not None:
            from sora_nb.notebook import kernel
            from sora_nb.runs.defaults import DefaultsError

            try:
                kernel.set_defaults(**{proposal["trait"].name: value})
            except DefaultsError as exc:
                raise TraitError(f"SoraMagics.{proposal['trait'].name}: {exc}") from None
        return value

    def _session_settings(self) -> dict[str, Any]:
        # Only what was set here (by %config or a command): a budget or folder given to
        # sora_nb.configure() in Python is not overwritten by these traits' defaults.
        settings: dict[str, Any] = {}
        for name in ("concurrency", "budget"):
            if self.trait_has_value(name):
                settings[name] = getattr(self, name)
        if self.media_dir:
            settings["media_dir"] = self.media_dir
        if self.server:
            settings["base_url"] = self.server
        if self.dialect:
            settings["dialect"] = self.dialect
        return settings

    def _session(self) -> Any:
        from sora_nb.notebook import kernel

        wanted = self._session_settings()
        if wanted != self._applied:
            kernel.configure(**wanted)
            self._applied = wanted
        return kernel.session()

    def _take_named(self, name: str | None) -> Any:
        """The Take a name on the line stands for (bound with --as), else the name itself (a
        take id or a job id)."""
        from sora_nb.runs.take import Take

        if name and self.shell is not None:
            bound = self.shell.user_ns.get(name)
            if isinstance(bound, Take):
                return bound
        return name
