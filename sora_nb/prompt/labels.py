"""The clause labels: what render writes before each field, and every label parse accepts.

Render and parse share this one table, which is what makes ``parse(render(p)) == p`` hold.
"""

from __future__ import annotations

import re

#: field -> the label render writes ("Camera movement: Push-in (dolly in)").
LABELS: dict[str, str] = {
    "style": "Style",
    "subject": "Subject",
    "setting": "Setting",
    "time_of_day": "Time of day",
    "weather": "Weather",
    "mood": "Mood",
    "framing": "Framing",
    "angle": "Camera angle",
    "movement": "Camera movement",
    "lens_mm": "Lens",
    "aperture": "Aperture",
    "depth_of_field": "Depth of field",
    "shutter": "Shutter",
    "film_stock": "Film stock",
    "rig": "Rig",
    "notes": "Camera notes",
    "key": "Key light",
    "direction": "Light direction",
    "quality": "Light quality",
    "sources": "Light sources",
    "palette": "Palette",
    "ambience": "Ambience",
    "effects": "Sound effects",
    "music": "Music",
    "avoid": "Avoid",
    "action": "Action",
    # Sections: a heading whose following lines belong to it.
    "cinematography": "Cinematography",
    "actions": "Actions",
    "dialogue": "Dialogue",
    "sound": "Background Sound",
    "shots": "Shots",
    # Composite clauses: free text read for every field it names.
    "camera": "Camera",
    "lighting": "Lighting",
}

#: Other labels people write for the same field (the cookbook's, a production brief's...).
ALIASES: dict[str, tuple[str, ...]] = {
    "style": ("look", "visual style", "format and look", "format look", "aesthetic"),
    "subject": ("subjects", "character", "characters", "who"),
    "setting": ("location", "scene", "place", "where", "set"),
    "time_of_day": ("time", "when"),
    "mood": ("mood and tone", "feel", "feeling", "atmosphere"),
    "framing": ("shot type", "shot size", "frame"),
    "angle": ("angle",),
    "movement": ("movement", "camera move", "move", "camera motion", "motion"),
    "lens_mm": ("focal length", "lens mm"),
    "aperture": ("f stop", "fstop", "iris"),
    "depth_of_field": ("dof", "focus"),
    "shutter": ("shutter angle", "shutter speed"),
    "film_stock": ("stock", "film emulation", "emulation", "film"),
    "rig": ("camera rig", "support", "camera support"),
    "notes": ("filtration", "filter", "filters", "camera note"),
    "key": ("key",),
    "direction": ("lighting direction",),
    "quality": ("lighting quality",),
    "sources": ("practicals", "sources", "lights"),
    "palette": ("colours", "colors", "colour palette", "color palette", "grade palette", "grade"),
    "ambience": ("ambient", "ambient sound", "ambiance"),
    "effects": ("effects", "sfx", "sound effect"),
    "music": ("score", "soundtrack"),
    "avoid": ("negative", "negative prompt", "constraints", "do not", "dont", "without"),
    "action": ("beat",),
    "actions": ("beats", "action beats"),
    "sound": ("sound", "sounds", "audio", "background audio", "sound design"),
    "shots": ("shot list",),
    "camera": (
        "camera shot",
        "shot",
        "lens dof",
        "lenses",
        "lenses filtration",
        "lens filtration",
        "camera lens",
        "camera and lens",
        "location framing",
    ),
    "lighting": (
        "light",
        "lighting atmosphere",
        "lighting palette",
        "light palette",
        "lighting and palette",
    ),
}

SECTIONS = frozenset({"cinematography", "actions", "dialogue", "sound", "shots", "avoid"})
CAMERA_FIELDS = (
    "framing",
    "angle",
    "movement",
    "lens_mm",
    "aperture",
    "depth_of_field",
    "shutter",
    "film_stock",
    "rig",
    "notes",
)
LIGHTING_FIELDS = ("key", "direction", "quality", "sources")
#: Fields a shot may hold for itself; every other field belongs to the whole Prompt.
SHOT_FIELDS = frozenset({*CAMERA_FIELDS, *LIGHTING_FIELDS, "action", "camera", "lighting"})


def normal_label(label: str) -> str:
    """ "Lighting + Palette" -> "lighting palette": case, punctuation and "and" do not matter."""
    words = re.sub(r"[^a-z]+", " ", label.lower()).split()
    return " ".join(w for w in words if w != "and") or label.lower().strip()


INDEX: dict[str, str] = {}
for _field, _label in LABELS.items():
    INDEX[normal_label(_label)] = _field
for _field, _aliases in ALIASES.items():
    for _alias in _aliases:
        INDEX.setdefault(normal_label(_alias), _field)


def field_for(label: str) -> str | None:
    """The field a label names, or None when it is not a clause label."""
    return INDEX.get(normal_label(label))
