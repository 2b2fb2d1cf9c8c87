"""The Prompt as an object: a shot briefed like a cinematographer would, clause by clause.

Every field is optional so a Prompt can start as one line of prose and grow. Camera, time and
weather words are stored as canonical slugs when the vocabulary knows them ("dolly in" becomes
``push-in``) and kept as free text when it does not, so nothing a user writes is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sora_nb.prompt.vocabulary import (
    ANGLE,
    DEPTH_OF_FIELD,
    FRAMING,
    MOVEMENT,
    RIG,
    TIME_OF_DAY,
    WEATHER,
    Vocabulary,
)

#: How a Prompt is read from text and written as text. :mod:`sora_nb.prompt.parse` and
#: :mod:`sora_nb.prompt.render` build and read Prompts, so they import this module and set these
#: when imported (the package imports both first); this module never imports them back.
reader: Callable[[str], Prompt] | None = None
writer: Callable[[Prompt], str] | None = None

_CONFIG = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)


def _canonical(vocab: Vocabulary, value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return vocab.canonical(value) if value else None
    return value


def _clean_list(value: object) -> object:
    """Drop blank entries so ``["", "rain"]`` and ``["rain"]`` mean the same."""
    if isinstance(value, (list, tuple)):
        return [v.strip() if isinstance(v, str) else v for v in value if v != "" and v is not None]
    return value


def _blank_as_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class Camera(BaseModel):
    """Framing, angle, one movement, lens and rig of a shot; each field may be free text."""

    model_config = _CONFIG

    framing: str | None = None
    angle: str | None = None
    movement: str | None = None
    #: Focal length in millimetres (35 for a 35 mm lens).
    lens_mm: float | None = Field(default=None, gt=0)
    #: The f-number (2.8 for f/2.8).
    aperture: float | None = Field(default=None, gt=0)
    depth_of_field: str | None = None
    shutter: str | None = None
    film_stock: str | None = None
    rig: str | None = None
    #: Camera words the fields above do not hold ("spherical prime", "Black Pro-Mist 1/4").
    notes: str | None = None

    _framing = field_validator("framing", mode="before")(lambda v: _canonical(FRAMING, v))
    _angle = field_validator("angle", mode="before")(lambda v: _canonical(ANGLE, v))
    _movement = field_validator("movement", mode="before")(lambda v: _canonical(MOVEMENT, v))
    _dof = field_validator("depth_of_field", mode="before")(lambda v: _canonical(DEPTH_OF_FIELD, v))
    _rig = field_validator("rig", mode="before")(lambda v: _canonical(RIG, v))
    _blank = field_validator("shutter", "film_stock", "notes", mode="before")(_blank_as_none)

    def is_empty(self) -> bool:
        """True when no camera field is set."""
        return not any(v is not None for v in self.__dict__.values())


class Lighting(BaseModel):
    """The light of a shot: the key, where it comes from, its quality and the named sources."""

    model_config = _CONFIG

    key: str | None = None
    direction: str | None = None
    quality: str | None = None
    sources: list[str] = Field(default_factory=list)

    _blank = field_validator("key", "direction", "quality", mode="before")(_blank_as_none)
    _list = field_validator("sources", mode="before")(_clean_list)

    def is_empty(self) -> bool:
        """True when no lighting field is set."""
        return not (self.key or self.direction or self.quality or self.sources)


class Scene(BaseModel):
    """Where and when: the setting, the time of day and the weather."""

    model_config = _CONFIG

    setting: str | None = None
    time_of_day: str | None = None
    weather: str | None = None

    _setting = field_validator("setting", mode="before")(_blank_as_none)
    _time = field_validator("time_of_day", mode="before")(lambda v: _canonical(TIME_OF_DAY, v))
    _weather = field_validator("weather", mode="before")(lambda v: _canonical(WEATHER, v))


class Audio(BaseModel):
    """What is heard besides dialogue: ambience, sound effects and music."""

    model_config = _CONFIG

    ambience: list[str] = Field(default_factory=list)
    effects: list[str] = Field(default_factory=list)
    music: str | None = None

    _lists = field_validator("ambience", "effects", mode="before")(_clean_list)
    _music = field_validator("music", mode="before")(_blank_as_none)

    def is_empty(self) -> bool:
        """True when no sound is asked for."""
        return not (self.ambience or self.effects or self.music)


class DialogueLine(BaseModel):
    """One spoken line and who says it."""

    model_config = _CONFIG

    speaker: str = Field(min_length=1)
    line: str = Field(min_length=1)


class Shot(BaseModel):
    """One camera setup: its own camera, action and light; everything else comes from the Prompt."""

    model_config = _CONFIG

    description: str | None = None
    camera: Camera = Field(default_factory=Camera)
    action: list[str] = Field(default_factory=list)
    lighting: Lighting = Field(default_factory=Lighting)
    seconds: float | None = Field(default=None, gt=0)

    _description = field_validator("description", mode="before")(_blank_as_none)
    _action = field_validator("action", mode="before")(_clean_list)


class Prompt(BaseModel):
    """A video prompt as editable clauses; ``prose`` keeps the user's own words verbatim."""

    model_config = _CONFIG

    prose: str | None = None
    style: str | None = None
    scene: Scene = Field(default_factory=Scene)
    subject: str | None = None
    action: list[str] = Field(default_factory=list)
    camera: Camera = Field(default_factory=Camera)
    lighting: Lighting = Field(default_factory=Lighting)
    #: Named anchor colours ("amber", "teal", "deep navy"); 3 to 5 help clips cut together.
    palette: list[str] = Field(default_factory=list)
    mood: str | None = None
    audio: Audio = Field(default_factory=Audio)
    dialogue: list[DialogueLine] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    shots: list[Shot] = Field(default_factory=list)

    _text = field_validator("prose", "style", "subject", "mood", mode="before")(_blank_as_none)
    _lists = field_validator("action", "palette", "avoid", mode="before")(_clean_list)

    def resolved_shots(self) -> list[Shot]:
        """The shots to film, at least one, each with the Prompt's camera, light and action
        filled in wherever the shot leaves them unset."""
        if not self.shots:
            return [
                Shot(
                    description=self.prose,
                    camera=self.camera.model_copy(),
                    action=list(self.action),
                    lighting=self.lighting.model_copy(deep=True),
                )
            ]
        return [self._inherit(shot) for shot in self.shots]

    def _inherit(self, shot: Shot) -> Shot:
        camera = _merge(shot.camera, self.camera)
        lighting = _merge(shot.lighting, self.lighting)
        return Shot(
            description=shot.description,
            camera=Camera.model_validate(camera),
            action=list(shot.action or self.action),
            lighting=Lighting.model_validate(lighting),
            seconds=shot.seconds,
        )

    @classmethod
    def parse(cls, text: str) -> Prompt:
        """Read a cell body (prose, labelled clauses, cookbook layout or shot blocks)."""
        assert reader is not None, "sora_nb.prompt imports sora_nb.prompt.parse, which sets it"
        return reader(text)

    def render(self) -> str:
        """The prompt text to send, in the cookbook layout, shot by shot."""
        assert writer is not None, "sora_nb.prompt imports sora_nb.prompt.render, which sets it"
        return writer(self)

    def __str__(self) -> str:
        return self.render()


def _merge(own: BaseModel, inherited: BaseModel) -> dict[str, Any]:
    """Field by field: the shot's own value when set (non-empty), else the Prompt's."""
    mine = own.model_dump()
    theirs = inherited.model_dump()
    return {k: v if v not in (None, [], "") else theirs[k] for k, v in mine.items()}
