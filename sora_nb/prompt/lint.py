"""Lint: what in a prompt is likely to go wrong, said kindly and specifically, before it is sent.

Each rule is a small function from the prompt (and the clip length) to issues. Rules read the
structured fields and the user's prose alike. Nothing here blocks a request: even an error
(a prompt the server will refuse) is a message for the user to act on.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from sora_nb.prompt import cast, extract
from sora_nb.prompt.lint_issue import Check, LintIssue, Severity
from sora_nb.prompt.lint_tables import (
    _DAYLIGHT,
    _DURATION,
    _FEEL_NOT_MOVE,
    _GROUP,
    _NUMBERS,
    _ORIENTATION,
    _RESOLUTION,
    _SONG_BY,
    _TIME_CLASHES,
    _WEATHER_CLASHES,
    COPYRIGHTED_CHARACTERS,
    DEFAULT_SECONDS,
    MAX_CAST,
    MAX_PROMPT_CHARS,
    REAL_PEOPLE,
    TURN_PAUSE_SECONDS,
    WORDS_PER_SECOND,
)
from sora_nb.prompt.model import Prompt, Shot
from sora_nb.prompt.parse import parse
from sora_nb.prompt.render import render
from sora_nb.prompt.vocabulary import DEPTH_OF_FIELD, MOVEMENT, TIME_OF_DAY, WEATHER

# Lint's public names, the types and tables kept beside this module included.
__all__ = [
    "COPYRIGHTED_CHARACTERS",
    "DEFAULT_SECONDS",
    "MAX_CAST",
    "MAX_PROMPT_CHARS",
    "REAL_PEOPLE",
    "RULES",
    "TURN_PAUSE_SECONDS",
    "WORDS_PER_SECOND",
    "Check",
    "LintIssue",
    "Severity",
    "lint",
]

_Rule = Callable[[Check], Iterable[LintIssue]]


def lint(
    prompt: Prompt | str,
    *,
    seconds: float | int | str | None = None,
    characters: Iterable[str] = (),
) -> list[LintIssue]:
    """Everything likely to go wrong with ``prompt`` for a clip of ``seconds`` (4 if not given).

    Finds: more than one camera move or action in a shot; dialogue too long for the clip;
    size, length or orientation asked for in words instead of parameters; contradictions
    (night with midday sun); too many characters for a short clip; a prompt over 32000
    characters; real people, copyrighted characters and music the service refuses (as
    warnings); shots longer than the clip; a palette of fewer than 3 or more than 5 colours;
    characters sent with the prompt (``characters``, their names) that it never names, or more
    than two of them. Without ``seconds`` the shots' own durations are added up, else 4 s (the
    API default).
    """
    p = parse(prompt) if isinstance(prompt, str) else prompt
    given = seconds is not None
    clip = _seconds(seconds) if seconds is not None else _shots_length(p) or DEFAULT_SECONDS
    check = Check(
        prompt=p,
        seconds=clip,
        given=given,
        text=render(p),
        text_without_dialogue=render(p.model_copy(update={"dialogue": []})),
        shots=_shot_texts(p),
        characters=tuple(characters),
    )
    issues: list[LintIssue] = []
    for rule in RULES:
        issues.extend(rule(check))
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(issues, key=lambda i: order[i.severity])


def _seconds(value: float | int | str) -> float:
    try:
        number = float(str(value).strip().removesuffix("s"))
    except ValueError:
        raise ValueError(f"seconds is a clip length like 4 or '8'; got {value!r}") from None
    if number <= 0:
        raise ValueError(f"seconds is a clip length above 0; got {value!r}")
    return number


def _shots_length(p: Prompt) -> float | None:
    lengths = [s.seconds for s in p.shots]
    if lengths and all(x is not None for x in lengths):
        return sum(x for x in lengths if x is not None)
    return None


def _n(x: float) -> str:
    return f"{x:g}"


def _shot_texts(p: Prompt) -> list[tuple[int | None, Shot, str]]:
    """Each resolved shot with its number (None for a one-shot prompt) and all its words."""
    shots = p.resolved_shots()
    many = len(p.shots) > 0
    out = []
    for i, shot in enumerate(shots, 1):
        words = [shot.description or "", *shot.action, shot.lighting.key or ""]
        words.append(shot.camera.movement or "")
        out.append((i if many else None, shot, "\n".join(words)))
    return out


def rule_one_move(c: Check) -> Iterable[LintIssue]:
    for number, shot, text in c.shots:
        moves = [m for m in extract.camera_moves(text) if m not in _FEEL_NOT_MOVE]
        own = shot.camera.movement
        if own and own in MOVEMENT and own not in moves and own not in _FEEL_NOT_MOVE:
            moves.insert(0, own)
        if len(moves) > 1:
            names = " and ".join(MOVEMENT.label(m).lower() for m in moves)
            yield LintIssue(
                code="one-move-per-shot",
                severity="warning",
                shot=number,
                message=(
                    f"This shot asks for {len(moves)} camera moves ({names}). The model handles "
                    "one move per shot best: keep one, or split the rest into another shot."
                ),
            )


def rule_one_action(c: Check) -> Iterable[LintIssue]:
    for number, shot, _ in c.shots:
        if len(shot.action) > 1:
            listed = "; ".join(shot.action)
            # In a one-shot prompt a list of actions is usually the beats of one action
            # (the cookbook's "Actions:"), so it is a note there and a warning in a shot list.
            yield LintIssue(
                code="one-action-per-shot",
                severity="warning" if number is not None else "info",
                shot=number,
                message=(
                    f"This shot lists {len(shot.action)} actions ({listed}). One clear action "
                    "per shot works best: if these are separate actions, keep one or give each "
                    'its own shot; beats of one action ("takes four steps, pauses") are fine.'
                ),
            )


def rule_dialogue_fits(c: Check) -> Iterable[LintIssue]:
    p, clip, given = c.prompt, c.seconds, c.given
    if not p.dialogue:
        return
    words = sum(len(d.line.split()) for d in p.dialogue)
    turns = sum(1 for a, b in itertools.pairwise(p.dialogue) if a.speaker != b.speaker)
    needed = words / WORDS_PER_SECOND + turns * TURN_PAUSE_SECONDS
    if needed > clip:
        fits = max(1, int((clip - turns * TURN_PAUSE_SECONDS) * WORDS_PER_SECOND))
        assumed = "" if given else " (assumed; pass seconds= for your clip)"
        yield LintIssue(
            code="dialogue-too-long",
            severity="warning",
            message=(
                f"The dialogue has {words} words in {len(p.dialogue)} lines; at a natural pace "
                f"that takes about {needed:.1f} s, but the clip is {_n(clip)} s{assumed}. Cut it "
                f"to about {fits} words, or ask for a longer clip."
            ),
        )


def rule_parameters_in_prose(c: Check) -> Iterable[LintIssue]:
    text = c.text_without_dialogue
    checks = (
        (_RESOLUTION, "a resolution", "size (for example size='1280x720')"),
        (_DURATION, "a duration", "seconds (for example seconds=8)"),
        (_ORIENTATION, "an orientation or aspect ratio", "size (720x1280 is vertical)"),
    )
    for pattern, what, field in checks:
        m = pattern.search(text)
        if m:
            yield LintIssue(
                code="parameter-in-prose",
                severity="warning",
                message=(
                    f"“{m.group(0).strip()}” asks for {what} in words, which the model does not "
                    f"read as a setting. Set {field} on the request instead, and leave it out "
                    "of the prompt."
                ),
            )


def rule_contradictions(c: Check) -> Iterable[LintIssue]:
    p = c.prompt
    whole = "\n".join(
        x for x in (p.scene.setting, p.scene.time_of_day, p.scene.weather, p.prose, p.style) if x
    )
    # What the whole prompt says is read once; each shot adds only its own words.
    base = _Said.read(whole)
    base.times |= {p.scene.time_of_day} if p.scene.time_of_day else set()
    base.weathers |= {p.scene.weather} if p.scene.weather else set()
    reported = set(base.clashes()) if len(c.shots) > 1 else set()
    for clash in sorted(reported):
        yield _contradiction(clash, None)
    for number, shot, text in c.shots:
        said = base.merge(_Said.read(text))
        if shot.camera.depth_of_field:
            said.focus.add(shot.camera.depth_of_field)
        for clash in said.clashes():
            if clash not in reported:
                yield _contradiction(clash, number)


@dataclass
class _Said:
    """The times, weathers and focus a text names, and whether it names daylight."""

    times: set[str]
    weathers: set[str]
    focus: set[str]
    daylight: bool

    @classmethod
    def read(cls, text: str) -> _Said:
        return cls(
            times={slug for slug, _ in TIME_OF_DAY.scan(text)},
            weathers={slug for slug, _ in WEATHER.scan(text)},
            focus={slug for slug, _ in DEPTH_OF_FIELD.scan(text)},
            daylight=bool(_DAYLIGHT.search(text)),
        )

    def merge(self, other: _Said) -> _Said:
        return _Said(
            self.times | other.times,
            self.weathers | other.weathers,
            self.focus | other.focus,
            self.daylight or other.daylight,
        )

    def clashes(self) -> list[str]:
        found = _clashes(self.times, _TIME_CLASHES, TIME_OF_DAY.label)
        if "night" in self.times and self.daylight and not found:
            found.append("night and daylight")
        found += _clashes(self.weathers, _WEATHER_CLASHES, WEATHER.label)
        if {"shallow", "deep"} <= self.focus:
            found.append("shallow depth of field and deep focus")
        return found


def _contradiction(clash: str, shot: int | None) -> LintIssue:
    return LintIssue(
        code="contradiction",
        severity="warning",
        shot=shot,
        message=(
            f"The prompt asks for {clash} at once; the model will pick one or blend them. "
            "Keep the one you mean."
        ),
    )


def _clashes(
    found: set[str], pairs: list[tuple[set[str], set[str]]], label: Callable[[str], str]
) -> list[str]:
    out = []
    for left, right in pairs:
        a, b = sorted(found & left), sorted(found & right)
        if a and b:
            out.append(f"{label(a[0]).lower()} and {label(b[0]).lower()}")
    return out


def rule_characters(c: Check) -> Iterable[LintIssue]:
    p, clip = c.prompt, c.seconds
    speakers = {d.speaker.strip().lower() for d in p.dialogue}
    count = len(speakers)
    for m in _GROUP.finditer("\n".join(x for x in (p.subject, p.prose) if x)):
        n = m.group("n").lower()
        count = max(count, int(n) if n.isdigit() else _NUMBERS[n])
    limit = 2 if clip <= 4 else 3 if clip <= 8 else 4 if clip <= 12 else 5
    if count > limit:
        yield LintIssue(
            code="too-many-characters",
            severity="warning",
            message=(
                f"{count} characters in a {_n(clip)} s clip is a crowd: each gets well under "
                f"a second and identities drift. Keep it to {limit}, or ask for a longer clip "
                "or several shots."
            ),
        )


def rule_palette_size(c: Check) -> Iterable[LintIssue]:
    colours = c.prompt.palette
    if colours and not 3 <= len(colours) <= 5:
        advice = "add one or two more" if len(colours) < 3 else "keep the three to five that matter"
        yield LintIssue(
            code="palette-size",
            severity="info",
            message=(
                f"The palette names {len(colours)} colour{'s' if len(colours) != 1 else ''}; "
                f"three to five anchor colours help separate clips cut together: {advice}."
            ),
        )


def rule_length(c: Check) -> Iterable[LintIssue]:
    text = c.text
    if not text.strip():
        yield LintIssue(
            code="empty",
            severity="error",
            message="The prompt is empty; describe at least who or what is on screen.",
        )
    elif len(text) > MAX_PROMPT_CHARS:
        yield LintIssue(
            code="too-long",
            severity="error",
            message=(
                f"The prompt is {len(text):,} characters; the API takes at most "
                f"{MAX_PROMPT_CHARS:,}. Cut {len(text) - MAX_PROMPT_CHARS:,} characters, or use "
                "a shorter rung of ladder()."
            ),
        )


def rule_shots_fit(c: Check) -> Iterable[LintIssue]:
    p, clip, given = c.prompt, c.seconds, c.given
    total = _shots_length(p) or sum(s.seconds or 0 for s in p.shots)
    if given and total > clip + 1e-9:
        yield LintIssue(
            code="shots-overrun",
            severity="warning",
            message=(
                f"The shots add up to {_n(total)} s but the clip is {_n(clip)} s; the last "
                "shots will be cut short or dropped. Shorten them or ask for a longer clip."
            ),
        )


@lru_cache(maxsize=8)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(n).replace(r"\-", "[- ]?") for n in sorted(names, key=len)[::-1])
    return re.compile(r"(?<!\w)(?:" + alts + r")(?!\w)", re.I)


def rule_guardrails(c: Check) -> Iterable[LintIssue]:
    text = c.text
    people = sorted({m.group(0) for m in _names_pattern(tuple(REAL_PEOPLE)).finditer(text)})
    if people:
        yield LintIssue(
            code="guardrail-real-person",
            severity="warning",
            message=(
                f"{', '.join(people)}: real people, public figures included, are refused by "
                "the service. Describe an invented person instead (age, look, wardrobe)."
            ),
        )
    chars = sorted(
        {m.group(0) for m in _names_pattern(tuple(COPYRIGHTED_CHARACTERS)).finditer(text)}
    )
    if chars:
        yield LintIssue(
            code="guardrail-copyrighted-character",
            severity="warning",
            message=(
                f"{', '.join(chars)}: copyrighted characters are refused by the service. "
                "Describe an original character with the traits you want."
            ),
        )
    song = _SONG_BY.search(text)
    if song:
        yield LintIssue(
            code="guardrail-copyrighted-music",
            severity="warning",
            message=(
                f"“{song.group(0)}” names existing music, which the service refuses. Describe "
                "the music instead (tempo, instruments, mood)."
            ),
        )


def rule_cast(c: Check) -> Iterable[LintIssue]:
    if len(c.characters) > MAX_CAST:
        yield LintIssue(
            code="too-many-cast",
            severity="error",
            message=(
                f"{len(c.characters)} characters are sent ({', '.join(c.characters)}); a video "
                f"features at most {MAX_CAST}. Keep two, or make a shot per pair."
            ),
        )
    for name in cast.missing(c.text, c.characters):
        yield LintIssue(
            code="character-not-named",
            severity="warning",
            message=(
                f"The character {name} is sent with this prompt but the prompt never names "
                f"{name}; the service keeps a character only when its name is written in the "
                f'prompt. Write {name} in it, verbatim ("{name} walks in...").'
            ),
        )


#: Every rule, in the order they run; append your own: a function from a Check to issues.
RULES: list[_Rule] = [
    rule_length,
    rule_one_move,
    rule_one_action,
    rule_dialogue_fits,
    rule_parameters_in_prose,
    rule_contradictions,
    rule_characters,
    rule_shots_fit,
    rule_palette_size,
    rule_guardrails,
    rule_cast,
]
