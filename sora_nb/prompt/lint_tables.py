"""Lint's tables: the limits, the names the service refuses, and the patterns rules look for.

These are data, kept apart from the rules in :mod:`sora_nb.prompt.lint`, which re-exports the
public ones: its rules read them under its names, so append to ``lint.REAL_PEOPLE`` (the same
list as here) or replace it there.
"""

from __future__ import annotations

import re

#: The API's limit on a prompt's length, in characters.
MAX_PROMPT_CHARS = 32000
#: A natural speaking pace, words per second (about 150 words a minute).
WORDS_PER_SECOND = 2.5
#: The pause between two speakers, in seconds.
TURN_PAUSE_SECONDS = 0.4
#: The clip length assumed when none is given: the API's default.
DEFAULT_SECONDS = 4.0

#: Public figures the service refused; a short, editable list (append to it).
REAL_PEOPLE: list[str] = [
    "Taylor Swift", "Elon Musk", "Barack Obama", "Donald Trump", "Joe Biden", "Beyoncé",
    "Beyonce", "Tom Cruise", "Keanu Reeves", "Oprah Winfrey", "Kim Kardashian", "Lionel Messi",
    "Cristiano Ronaldo", "Queen Elizabeth", "King Charles", "Mark Zuckerberg", "Bill Gates",
    "Leonardo DiCaprio", "Scarlett Johansson", "Morgan Freeman", "Albert Einstein",
    "Marilyn Monroe", "Michael Jackson", "Elvis Presley", "Kanye West", "Rihanna",
]  # fmt: skip
#: Well-known copyrighted characters; a short, editable list (append to it).
COPYRIGHTED_CHARACTERS: list[str] = [
    "Mickey Mouse", "Minnie Mouse", "Donald Duck", "Spider-Man", "Spiderman", "Batman",
    "Superman", "Wonder Woman", "Iron Man", "Harry Potter", "Hermione Granger", "Darth Vader",
    "Yoda", "Pikachu", "Super Mario", "Sonic the Hedgehog", "Elsa from Frozen", "Shrek",
    "Homer Simpson", "Bart Simpson", "SpongeBob", "Buzz Lightyear", "Hello Kitty",
    "Winnie the Pooh", "Snoopy", "Garfield", "James Bond", "Gandalf", "Optimus Prime",
    "Godzilla", "Lara Croft", "Kermit the Frog", "Captain America", "Hulk", "Bugs Bunny",
]  # fmt: skip

_RESOLUTION = re.compile(
    r"\b(?:4k|8k|2k|uhd|ultra[- ]hd|full[- ]hd|1080p|720p|2160p|4320p|hd resolution)\b", re.I
)
_DURATION = re.compile(
    r"\b(?:make it|lasting|that lasts|duration(?: of)?:?)\s+\d+(?:\.\d+)?\s*(?:s|sec|secs|seconds?"
    r"|minutes?|mins?)\b|\b\d+(?:\.\d+)?[\s-]*(?:s|sec|secs|seconds?|minutes?|mins?)\s+(?:long|"
    r"in length)\b|\ban?\s+\d+(?:\.\d+)?[\s-]*(?:s|sec|second|minute)\s+(?:video|clip|film)\b",
    re.I,
)
_ORIENTATION = re.compile(
    r"\b(?:vertical|portrait|horizontal|landscape|widescreen|square)[\s-]+(?:video|format|"
    r"orientation|mode|aspect|frame|clip)\b|(?<![\d.])(?:9:16|16:9|4:3|1:1|21:9)(?![\d.])|"
    r"\baspect ratio\b|\b(?:in|make it|shoot it|shot in|as a)\s+(?:vertical|portrait|landscape)\b"
    # The word standing alone between commas or full stops ("in 4K, vertical, 20 s long").
    r"|(?:^|(?<=[,;.]))\s*(?:vertical|horizontal|widescreen)\s*(?=[,;.]|$)",
    re.I | re.M,
)
_GROUP = re.compile(
    r"\b(?P<n>two|three|four|five|six|seven|eight|nine|ten|a dozen|\d+)\s+(?:\w+\s+)?"
    r"(?:people|persons|friends|kids|children|men|women|boys|girls|dancers|soldiers|musicians|"
    r"students|characters|workers|players|siblings|strangers|teenagers|adults|figures|monks|"
    r"sailors|knights|robots|astronauts|travelers|travellers|family members)\b",
    re.I,
)
_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "a dozen": 12,
}  # fmt: skip
_SONG_BY = re.compile(r"\b(?:song|track|tune|music|hit)\s+(?:by|from)\s+[A-Z][\w'’]+", re.M)
_DAYLIGHT = re.compile(r"\b(?:sunlight|sunshine|daylight|midday sun|noon sun|sunny)\b", re.I)
_TIME_CLASHES = [
    ({"night"}, {"midday", "morning", "afternoon"}),
    ({"midday"}, {"dawn", "dusk", "golden-hour", "blue-hour"}),
    ({"dawn"}, {"dusk"}),
]
_WEATHER_CLASHES = [({"clear"}, {"overcast", "rain", "storm", "snow", "fog"})]
_FEEL_NOT_MOVE = {"handheld"}  # handheld is a feel that goes with any one move

#: The most characters one video may feature (OpenAI's guide: two).
MAX_CAST = 2
