"""``%%sora`` and ``%sora``: the notebook's voice for sora_nb.

``%load_ext sora_nb`` registers :class:`SoraMagics`. Its ``model``, ``size``, ``seconds`` and
``takes`` traits write the kernel's one set of defaults (``%config SoraMagics.model =
"sora-2-pro"`` reaches ``generate``, ``grid`` and new Studios too). ``%%sora?`` is built from
the option parser and the command table below, so neither is kept by hand anywhere else. User
mistakes come back as one-line UsageErrors, never a wall of traceback.

:mod:`.magic` is the class (its traits, the ``%%sora`` cell and every ``%sora`` command: one
class, one job, one file); beside it :mod:`.registry` (the command table), :mod:`.help_text`
(what ``%%sora?`` shows) and :mod:`.user_errors` (mistakes as one-line UsageErrors).
"""

# The rest of sora_nb (pydantic, httpx, the runner, the widgets) is imported when a cell first
# needs it, inside the methods: %load_ext must stay fast.

from sora_nb.notebook.magics.help_text import usage
from sora_nb.notebook.magics.magic import SoraMagics
from sora_nb.notebook.magics.registry import COMMANDS, command

__all__ = ["COMMANDS", "SoraMagics", "command", "usage"]
