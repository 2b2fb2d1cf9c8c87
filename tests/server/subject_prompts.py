"""Twenty everyday prompts and what the animatic must draw for each (the lexicon's keys).

Shared by tests/server/test_animatic_subjects.py and scripts/animatic_subjects.py (which makes
the README's contact sheet, docs/images/animatic-subjects.png, from them).
"""

from __future__ import annotations

#: (prompt, the drawings it must get) — animals, vehicles, buildings, weather, food, people in
#: poses, two subjects and a crowd.
SUBJECT_PROMPTS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (prompt, frozenset(keys.split()))
    for prompt, keys in (
        ("A golden retriever chasing bubbles in a park on a sunny afternoon.", "dog bubbles"),
        (
            "A red lighthouse on a rocky point with gulls, wide shot, 35mm, orbit.",
            "lighthouse gull",
        ),
        ("Raindrops on a window at night, close-up.", "drop window"),
        ("A fisherman on a fishing boat at dawn, wide shot.", "person boat"),
        ("A cyclist crosses a city street from left to right.", "cyclist"),
        ("Two kids and a dog run across a meadow.", "person dog"),
        ("A bowl of ramen steaming on a wooden table, close-up.", "ramen"),
        ("A crowd dancing at a festival at night.", "person"),
        ("A red car drives along a desert highway from left to right, wide shot.", "car"),
        ("A horse grazing in a foggy field at dawn.", "horse"),
        ("A snowman in a snowy garden, snow falling.", "snowman"),
        ("A sailboat on a calm sea under a full moon.", "sailboat full-moon"),
        ("A cat sitting on a chair in a cozy living room.", "cat chair"),
        ("An airplane takes off over the city at dusk.", "airplane"),
        ("A castle on a hill during a thunderstorm with lightning.", "castle"),
        ("A woman waves at the camera on a windy beach.", "person"),
        ("A slice of pizza and a cup of coffee on a cafe table.", "pizza coffee"),
        ("An elephant walks slowly across the savanna at sunset.", "elephant"),
        ("A hot air balloon rises over the mountains at sunrise.", "balloon"),
        ("A man sitting under a palm tree on a beach.", "person palm"),
    )
)
#: Those whose subject is said to cross from left to right.
CROSSING = (
    "A cyclist crosses a city street from left to right.",
    "A red car drives along a desert highway from left to right, wide shot.",
    "An elephant walks slowly across the savanna at sunset.",
)
