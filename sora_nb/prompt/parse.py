"""Text -> Prompt: read prose, labelled clauses, the cookbook layout or shot blocks.

One pass over the lines, one compiled regex per kind of line. Labelled clauses set fields
exactly; what is left unset is then read from the prose (see :mod:`sora_nb.prompt.extract`),
so explicit words always win and nothing the user wrote is rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from sora_nb.prompt import extract, labels, model
from sora_nb.prompt.model import Audio, Camera, DialogueLine, Lighting, Prompt, Scene, Shot

_SHOT_HEADER = re.compile(
    r"^\s*(?:[#>*•-]+\s*)?(?:\*\*)?shot\s+(?P<n>\d+)\s*(?:\((?P<time>[^)]*)\))?(?:\*\*)?"
    r"\s*(?:[:.–—-]|$)\s*(?P<rest>.*)$",
    re.I,
)
_TIMED_SHOT = re.compile(
    r"^\s*(?:[-*•]\s*)?(?P<a>\d+(?:\.\d+)?)\s*s?\s*[–—-]\s*(?P<b>\d+(?:\.\d+)?)\s*s\b\s*[:.]?\s*"
    r"(?P<rest>.*)$",
    re.I,
)
_TIME = re.compile(
    r"(?P<a>\d+(?:\.\d+)?)(?:\s*s)?(?:\s*[–—-]\s*(?P<b>\d+(?:\.\d+)?))?\s*(?:s|sec|secs|seconds)?\b"
)
_LABELLED = re.compile(
    r"^\s*(?:[#>]+\s*)?(?:\*\*)?(?P<label>[A-Za-z][A-Za-z &+/'-]{0,40}?)(?:\*\*)?\s*:(?:\*\*)?"
    r"\s*(?P<value>.*?)\s*$"
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(?P<item>.*?)\s*$")
_SPEAKER = re.compile(r"^(?P<speaker>[^:\"“”]{1,60}?)\s*:\s*(?P<line>.+)$")
_QUOTED = re.compile(r"^[\"“”](?P<inner>.*)[\"“”]$", re.S)
_MM = re.compile(r"^(\d+(?:\.\d+)?)\s*-?\s*mm$", re.I)
_FNUM = re.compile(r"^(?:[fT]\s*/?\s*)?(\d+(?:\.\d+)?)$")
_LIST_SPLIT = re.compile(r"\s*;\s*")
_PALETTE_SPLIT = re.compile(r"\s*(?:,|;|\band\b)\s*")
_PALETTE_IN_LIGHTING = re.compile(r"[;,]?\s*\b(?:palette|colou?rs?)\b\s*:?\s*", re.I)
# "Shot 1: ... / Shot 2: ..." or "... . Shot 2: ..." written on one line.
_INLINE_SHOT = re.compile(
    r"(?:\s+/\s*|(?<=[.!?;])\s+)(?=shot\s+\d+\s*(?:\([^)\n]*\))?\s*[:.–—-])", re.I
)


def _inline_label_pattern() -> re.Pattern[str]:
    names = sorted(
        (n for n in labels.INDEX if len(n) > 3 and n not in {"shot", "when", "where", "who"}),
        key=len,
        reverse=True,
    )
    alts = "|".join(r"[\s&+/-]+".join(re.escape(w) for w in n.split()) for n in names)
    return re.compile(r"(?<=[.;!?])\s+(?=(?:" + alts + r")\s*:)", re.I)


_INLINE_LABEL = _inline_label_pattern()


#: Sections whose lines are items of a list (beats, dialogue lines, sounds...).
_LIST_SECTIONS = frozenset({"actions", "dialogue", "sound", "avoid", "cinematography"})


@dataclass
class _Target:
    """What the lines being read belong to: the whole Prompt or one shot."""

    camera: dict[str, object] = field(default_factory=dict)
    lighting: dict[str, object] = field(default_factory=dict)
    action: list[str] = field(default_factory=list)
    paragraphs: list[list[str]] = field(default_factory=list)
    seconds: float | None = None

    def add_prose(self, line: str, new_paragraph: bool) -> None:
        if new_paragraph or not self.paragraphs:
            self.paragraphs.append([])
        self.paragraphs[-1].append(line.rstrip())

    @property
    def prose(self) -> str | None:
        text = "\n\n".join("\n".join(p) for p in self.paragraphs if p).strip()
        return text or None


@dataclass
class _Reader:
    top: _Target = field(default_factory=_Target)
    shots: list[_Target] = field(default_factory=list)
    fields: dict[str, object] = field(default_factory=dict)
    dialogue: list[DialogueLine] = field(default_factory=list)
    section: str | None = None
    blank: bool = False
    #: True once a "Shot 1:" header is read: paragraphs are then not shots of their own.
    numbered: bool = False

    @property
    def current(self) -> _Target:
        return self.shots[-1] if self.shots else self.top

    def feed(self, raw: str) -> None:
        line = raw.strip()
        if not line:
            self.blank = True
            return
        blank, self.blank = self.blank, False
        if self._shot_header(line):
            return
        bullet = _BULLET.match(line)
        if bullet and self.section in _LIST_SECTIONS:
            self._section_line(bullet.group("item"))
            return
        if self._labelled(line):
            return
        if self.section in _LIST_SECTIONS:
            if not blank:
                self._section_line(line)
                return
            # A blank line and then plain text end the list.
            self.section = "shots" if self.shots else None
        if self.section == "shots" and (blank or not self.shots):
            if self.numbered:
                # After "Shot 1: ... Shot 2: ..." a new paragraph speaks for the whole prompt.
                self.top.add_prose(raw, True)
                return
            self.shots.append(_Target())  # under "Shots:", one paragraph is one shot
            blank = False
        self.current.add_prose(raw, blank)

    def _shot_header(self, line: str) -> bool:
        m = _SHOT_HEADER.match(line)
        seconds: float | None = None
        if m:
            seconds = _seconds(m.group("time") or "")
        else:
            m = _TIMED_SHOT.match(line)
            if not m:
                return False
            seconds = float(m.group("b")) - float(m.group("a"))
        shot = _Target(seconds=seconds if seconds and seconds > 0 else None)
        self.shots.append(shot)
        self.section = "shots"
        self.numbered = True
        if m.group("rest").strip():
            # The rest of the line is read like any line: prose, or a clause ("Camera: ...").
            self.feed(m.group("rest"))
        return True

    def _labelled(self, line: str) -> bool:
        m = _LABELLED.match(line)
        if not m:
            return False
        name = labels.field_for(m.group("label"))
        if name is None:
            return False
        value = m.group("value")
        if name in labels.SECTIONS and (not value or name != "avoid"):
            self.section = name
            if name == "shots" or not value:
                return True
            self._section_line(value)
            return True
        if self.section not in (None, "shots", "cinematography") and self.section != name:
            # A clause label ends a list section (Actions:, Dialogue:...).
            self.section = "shots" if self.shots else None
        return self.set(name, value)

    def _section_line(self, text: str) -> None:
        if self.section == "actions":
            self.current.action.append(text)
        elif self.section == "dialogue":
            m = _SPEAKER.match(text)
            if m:
                self.dialogue.append(
                    DialogueLine(speaker=m.group("speaker"), line=_unquote(m.group("line")))
                )
            elif self.dialogue:
                # A line without a speaker continues the previous one.
                last = self.dialogue[-1]
                self.dialogue[-1] = DialogueLine(speaker=last.speaker, line=f"{last.line} {text}")
            else:
                self.dialogue.append(DialogueLine(speaker="Narrator", line=_unquote(text)))
        elif self.section == "sound":
            self._sound(text)
        elif self.section == "avoid":
            self._extend("avoid", [text])
        elif self.section == "cinematography":
            name = "lighting" if extract.LIGHT_WORDS.search(text) else "camera"
            if not self.set(name, text):
                self.current.add_prose(text, False)

    def set(self, name: str, value: str) -> bool:
        """Apply one labelled clause; False when the value cannot be read for that field."""
        value = value.strip()
        if not value:
            return True
        target = self.current
        if name == "notes":
            notes = target.camera.get("notes")
            target.camera["notes"] = f"{notes}; {value}" if notes else value
        elif name in labels.CAMERA_FIELDS:
            parsed = _camera_value(name, value)
            if parsed is None:
                return self.set("camera", value)
            target.camera[name] = parsed
        elif name in labels.LIGHTING_FIELDS:
            target.lighting[name] = _split(value) if name == "sources" else value
        elif name == "action":
            target.action.append(value)
        elif name == "camera":
            for key, found in extract.read_camera(value).items():
                target.camera.setdefault(key, found)
            unread = extract.unread_camera_words(value)
            if unread:
                notes = target.camera.get("notes")
                target.camera["notes"] = f"{notes}; {unread}" if notes else unread
        elif name == "lighting":
            parts = _PALETTE_IN_LIGHTING.split(value, maxsplit=1)
            light = parts[0].strip(" ;,")
            if len(parts) > 1 and not self.fields.get("palette"):
                self.fields["palette"] = extract.colours(parts[1]) or _palette(parts[1])
            if light:
                target.lighting.setdefault("key", light)
                for key, found in extract.read_lighting(light).items():
                    target.lighting.setdefault(key, found)
        elif name == "sound":
            self._sound(value)
        elif name in {"ambience", "effects", "avoid"}:
            self._extend(name, _split(value))
        elif name == "palette":
            self.fields["palette"] = _palette(value)
        else:
            self.fields[name] = value
        return True

    def _sound(self, text: str) -> None:
        reading = extract.Reading()
        extract.read_sound(text, reading)
        self._extend("ambience", reading.ambience)
        self._extend("effects", reading.effects)
        if reading.music and not self.fields.get("music"):
            self.fields["music"] = reading.music

    def _extend(self, name: str, items: list[str]) -> None:
        existing = self.fields.setdefault(name, [])
        assert isinstance(existing, list)
        existing.extend(items)

    def build(self) -> Prompt:
        f = self.fields
        shots = [
            Shot(
                description=s.prose,
                camera=_camera(s.camera),
                action=s.action,
                lighting=_lighting(s.lighting),
                seconds=s.seconds,
            )
            for s in self.shots
        ]
        prompt = Prompt(
            prose=self.top.prose,
            style=_text(f.get("style")),
            scene=Scene(
                setting=_text(f.get("setting")),
                time_of_day=_text(f.get("time_of_day")),
                weather=_text(f.get("weather")),
            ),
            subject=_text(f.get("subject")),
            action=self.top.action,
            camera=_camera(self.top.camera),
            lighting=_lighting(self.top.lighting),
            palette=_strings(f.get("palette")),
            mood=_text(f.get("mood")),
            audio=Audio(
                ambience=_strings(f.get("ambience")),
                effects=_strings(f.get("effects")),
                music=_text(f.get("music")),
            ),
            dialogue=self.dialogue,
            avoid=_strings(f.get("avoid")),
            shots=shots,
        )
        return enrich(prompt)


def parse(text: str) -> Prompt:
    """Read a cell body into a :class:`Prompt`.

    Accepts free prose, labelled clauses ("Camera: ...", "Lighting: ..."), the cookbook layout
    (prose, then "Cinematography:", "Actions:", "Dialogue:", "Background Sound:") and shot
    blocks ("Shot 1: ... / Shot 2: ..." or one paragraph per shot under "Shots:"). The prose is
    kept verbatim in ``prose``; what it says about framing, moves, lenses, light and sound fills
    the fields no label set.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() reads prompt text (a str), not {type(text).__name__}")
    text = _INLINE_LABEL.sub("\n", _INLINE_SHOT.sub("\n", text))
    reader = _Reader()
    for raw in text.splitlines():
        reader.feed(raw)
    return reader.build()


def prose_reading(prompt: Prompt) -> extract.Reading:
    """What the prose (or, without prose, the shot descriptions) says about the whole Prompt."""
    if prompt.prose:
        return extract.read_prose(prompt.prose)
    descriptions = [s.description for s in prompt.shots if s.description]
    reading = extract.read_prose("\n".join(descriptions))
    # Camera, light and action named in a shot's description belong to that shot.
    reading.camera, reading.lighting, reading.action = {}, {}, []
    return reading


def enrich(prompt: Prompt) -> Prompt:
    """Fill the fields no clause set from what the prose says; set fields are never changed."""
    r = prose_reading(prompt)
    data = prompt.model_dump()
    _fill(data, "style", r.style)
    _fill(data, "subject", r.subject)
    _fill(data, "mood", r.mood)
    _fill(data, "palette", r.palette)
    _fill(data, "action", r.action)
    _fill(data["scene"], "setting", r.setting)
    _fill(data["scene"], "time_of_day", r.time_of_day)
    _fill(data["scene"], "weather", r.weather)
    _fill(data["audio"], "ambience", r.ambience)
    _fill(data["audio"], "effects", r.effects)
    _fill(data["audio"], "music", r.music)
    _fill_all(data["camera"], r.camera)
    _fill_all(data["lighting"], r.lighting)
    for shot in data["shots"]:
        if shot["description"]:
            s = extract.read_prose(shot["description"])
            _fill(shot, "action", s.action)
            _fill_all(shot["camera"], s.camera)
            _fill_all(shot["lighting"], s.lighting)
    return Prompt.model_validate(data)


def _fill(data: dict[str, object], key: str, value: object) -> None:
    if data.get(key) in (None, [], "") and value not in (None, [], ""):
        data[key] = value


def _fill_all(data: dict[str, object], values: dict[str, object]) -> None:
    for key, value in values.items():
        _fill(data, key, value)


def _camera_value(name: str, value: str) -> object | None:
    """An exact camera field value, or None when the text needs reading as a composite."""
    if name == "lens_mm":
        m = _MM.match(value)
        return float(m.group(1)) if m and float(m.group(1)) > 0 else None
    if name == "aperture":
        m = _FNUM.match(value)
        return float(m.group(1)) if m and float(m.group(1)) > 0 else None
    return value


def _camera(values: dict[str, object]) -> Camera:
    try:
        return Camera.model_validate(values)
    except ValidationError:
        # A value the model refuses (a zero focal length...) is dropped, not fatal: parse
        # always returns a Prompt, and lint reports what looks wrong.
        return Camera.model_validate({k: v for k, v in values.items() if _valid(Camera, k, v)})


def _lighting(values: dict[str, object]) -> Lighting:
    return Lighting.model_validate(values)


def _valid(model: type[Camera], key: str, value: object) -> bool:
    try:
        model.model_validate({key: value})
    except ValidationError:
        return False
    return True


def _seconds(text: str) -> float | None:
    m = _TIME.search(text)
    if not m:
        return None
    a = float(m.group("a"))
    return float(m.group("b")) - a if m.group("b") else a


def _split(value: str) -> list[str]:
    return [v for v in _LIST_SPLIT.split(value.strip()) if v]


def _palette(value: str) -> list[str]:
    return [v for v in _PALETTE_SPLIT.split(value.strip(" .;,")) if v]


def _unquote(text: str) -> str:
    m = _QUOTED.match(text.strip())
    return m.group("inner").strip() if m else text.strip()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


# Prompt.parse reads text with this module's parse (see sora_nb.prompt.model.reader).
model.reader = parse
