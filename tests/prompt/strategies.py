"""Hypothesis strategies: Prompts built from the vocabulary and plain words."""

from __future__ import annotations

from hypothesis import strategies as st

from sora_nb.prompt import (
    ANGLE,
    COLOURS,
    DEPTH_OF_FIELD,
    FRAMING,
    MOVEMENT,
    RIG,
    TIME_OF_DAY,
    WEATHER,
    Audio,
    Camera,
    DialogueLine,
    Lighting,
    Prompt,
    Scene,
    Shot,
    Vocabulary,
)

# Plain words and a few that the prose reader recognises (moves, light, sound, time).
WORDS = [
    "old", "keeper", "harbour", "kite", "violin", "stone", "bridge", "lantern", "tea", "orchard",
    "courier", "market", "tram", "fisherman", "rope", "gulls", "dough", "baker", "piano", "dusk",
    "fog", "handheld", "glow", "footsteps", "walks", "slowly", "red", "teal", "brass", "window",
    "quietly", "bright", "narrow",
]  # fmt: skip
PROSE_BITS = [
    "Medium shot of a baker kneading dough in a small bakery",
    "a courier rides through a crowded market at dusk",
    "slow push-in",
    "natural camera shake",
    "warm lamp light from the window",
    "soft footsteps and distant gulls",
    "palette of teal and amber",
    "An old keeper climbs the lighthouse stairs",
    "the tram passes in the rain",
    "85mm lens, shallow depth of field",
]


def words(max_words: int = 5) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=1, max_size=max_words).map(" ".join)


def slugs(vocab: Vocabulary) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(t.slug for t in vocab))


def maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


def prose() -> st.SearchStrategy[str]:
    sentence = st.lists(st.sampled_from(PROSE_BITS), min_size=1, max_size=3).map("; ".join)
    return st.lists(sentence, min_size=1, max_size=3).map(lambda s: ". ".join(s) + ".")


numbers = st.floats(min_value=1, max_value=400, allow_nan=False).map(lambda x: round(x, 2))
cameras = st.builds(
    Camera,
    framing=maybe(slugs(FRAMING)),
    angle=maybe(slugs(ANGLE)),
    movement=maybe(slugs(MOVEMENT)),
    lens_mm=maybe(numbers),
    aperture=maybe(st.sampled_from([1.4, 2.0, 2.8, 4.0, 5.6, 8.0, 16.0])),
    depth_of_field=maybe(slugs(DEPTH_OF_FIELD)),
    shutter=maybe(st.sampled_from(["180°", "90°", "1/50"])),
    film_stock=maybe(st.sampled_from(["Kodak Vision3 500T", "Fuji Eterna 250D"])),
    rig=maybe(slugs(RIG)),
    notes=maybe(st.sampled_from(["spherical prime", "Black Pro-Mist 1/4 filter", "anamorphic"])),
)
lightings = st.builds(
    Lighting,
    key=maybe(words()),
    direction=maybe(st.sampled_from(["back", "side", "top", "from the left"])),
    quality=maybe(st.sampled_from(["soft", "hard", "dappled"])),
    sources=st.lists(words(2), max_size=3),
)
shots = st.builds(
    Shot,
    description=maybe(prose()),
    camera=cameras,
    action=st.lists(words(), max_size=2),
    lighting=lightings,
    seconds=maybe(st.sampled_from([1.5, 2.0, 4.0, 2.4])),
)
prompts = st.builds(
    Prompt,
    prose=maybe(prose()),
    style=maybe(
        st.sampled_from(["anime", "1970s film", "documentary", "grainy vintage commercial"])
    ),
    scene=st.builds(
        Scene,
        setting=maybe(words()),
        time_of_day=maybe(slugs(TIME_OF_DAY)),
        weather=maybe(slugs(WEATHER)),
    ),
    subject=maybe(words()),
    action=st.lists(words(), max_size=3),
    camera=cameras,
    lighting=lightings,
    palette=st.lists(slugs(COLOURS), max_size=5),
    mood=maybe(words(2)),
    audio=st.builds(
        Audio,
        ambience=st.lists(words(3), max_size=2),
        effects=st.lists(words(3), max_size=2),
        music=maybe(words(3)),
    ),
    dialogue=st.lists(st.builds(DialogueLine, speaker=words(2), line=words(8)), max_size=3),
    avoid=st.lists(words(3), max_size=2),
    shots=st.lists(shots, max_size=3),
)
