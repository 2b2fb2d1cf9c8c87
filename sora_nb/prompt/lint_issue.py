"""What lint's rules read and return: the Check worked out once per call, and each LintIssue.

A rule of your own (see :data:`sora_nb.prompt.lint.RULES`) is a function from a :class:`Check`
to :class:`LintIssue` findings; both are re-exported by :mod:`sora_nb.prompt.lint`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from sora_nb.prompt.model import Prompt, Shot

Severity = Literal["error", "warning", "info"]


class LintIssue(BaseModel):
    """One finding: a rule's code, how serious it is, and what to do about it."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    #: The 1-based shot the issue is in, when it is about one shot of several.
    shot: int | None = None

    def __str__(self) -> str:
        where = f"Shot {self.shot}: " if self.shot is not None else ""
        return f"{self.severity}: {where}{self.message}"


@dataclass(frozen=True)
class Check:
    """What every rule reads, worked out once per lint() call."""

    prompt: Prompt
    #: The clip length in seconds (given, or the shots' total, or 4).
    seconds: float
    #: True when the caller gave the clip length.
    given: bool
    #: The prompt as it will be sent.
    text: str
    #: The prompt without dialogue (what characters say may mention anything).
    text_without_dialogue: str
    #: Each resolved shot: its number (None for a one-shot prompt), the shot, all its words.
    shots: list[tuple[int | None, Shot, str]]
    #: The names of the characters sent with the prompt (``characters=[...]``).
    characters: tuple[str, ...] = ()
