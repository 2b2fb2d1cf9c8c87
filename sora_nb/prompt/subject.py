"""Who is on screen, doing what, where: a describing clause split into subject, action, setting.

Like the rest of the prose reading (:mod:`sora_nb.prompt.extract`), this never rewrites the
user's words: the subject, action and setting it returns are spans of the clause, verbatim.
"""

from __future__ import annotations

import re

from sora_nb.prompt.vocabulary import TIME_OF_DAY, WEATHER

# Agent nouns whose action is implied ("a runner on a trail" is running).
_AGENT_ACTIONS = {
    "runner": "running",
    "jogger": "jogging",
    "dancer": "dancing",
    "swimmer": "swimming",
    "skater": "skating",
    "skateboarder": "skateboarding",
    "surfer": "surfing",
    "cyclist": "cycling",
    "rider": "riding",
    "climber": "climbing",
    "hiker": "hiking",
    "skier": "skiing",
    "singer": "singing",
    "drummer": "drumming",
    "painter": "painting",
    "diver": "diving",
    "walker": "walking",
    "driver": "driving",
    "sprinter": "sprinting",
    "boxer": "boxing",
    "fisherman": "fishing",
    "juggler": "juggling",
    "rower": "rowing",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VERBS = _words(
    """walk run sit stand look turn climb dance jump ride drive fly swim fall open close pick hold
    carry pour read write play sing laugh cry smile wave reach lift throw catch kick push pull step
    stride glide spin chase race sprint jog hike wander drift float rise sink crawl leap kneel lean
    watch stare gaze paint cook type eat drink sleep wake dive surf skate ski paddle row cross enter
    exit leave arrive approach emerge pause stop hug kiss fight work build fix talk speak whisper
    shout listen blink breathe brush pet feed fish skip march bow nod shake roll slide tumble hover
    soar dash hurry strum stir chop sip bite pace trudge limp sway rock bounce wait
    plate serve knead mend press slice wash fold sew knit tie unlock check adjust search sweep
    plant dig sharpen polish arrange assemble sort stack count wipe scrub hang shuffle flip toss
    grab pack unpack wrap bake fry grill chase hunt gather collect sketch draw
    carve tend repair coil knock tap scroll greet argue overflow drip spill flutter swirl"""
)
_NOT_VERBS_ING = _words(
    """morning evening ceiling building clothing lighting ring king thing something nothing
    everything anything spring string wing sibling pudding wedding awning railing landing setting
    offering ending beginning painting clearing crossing opening meaning feeling lightning
    sing bring swing sling sting"""
)
_PLURAL_PRONOUNS = _words("they we i you people children men women")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_LEADIN = re.compile(
    r"^(?P<lead>.{0,80}?)\b(?:of|showing|featuring|following|on)\s+(?=\S)", re.I | re.S
)
_CAMERA_LEAD_WORDS = re.compile(
    r"\b(?:shot|view|angle|close-?up|push-?in|pan|tracking|dolly|pov|framing|frame|wide|medium|"
    r"aerial|overhead)\b",
    re.I,
)
# "In a 1970s kitchen, a grandmother rolls dough": the place comes first, before a comma.
_LEADING_PLACE = re.compile(
    r"^(?:in|inside|on|at|under|beneath|across|along|within|amid|outside|atop|through)\s+"
    r"(?P<place>[^,]{2,80}),\s*(?P<rest>\S.*)$",
    re.I | re.S,
)
_SETTING_PREP = re.compile(
    r"\s(?:in|on|at|inside|along|across|through|under|beneath|beside|near|atop|outside|within|"
    r"amid|among|by|onto|into)\s+(?=\S)",
    re.I,
)


def _strip_camera_leadin(clause: str) -> str:
    """Drop "Medium shot of" / "Slow push-in on" so what remains is who, doing what, where."""
    m = _LEADIN.match(clause)
    if m and _CAMERA_LEAD_WORDS.search(m.group("lead")):
        return clause[m.end() :]
    return clause


def describe(clause: str) -> tuple[str | None, str | None, str | None]:
    """Split a describing clause into (subject, action, setting), each verbatim or None."""
    body = _strip_camera_leadin(clause).strip(" ,.")
    place: str | None = None
    if m := _LEADING_PLACE.match(body):
        place, body = m.group("place").strip(), m.group("rest")
    verb = _find_verb(body)
    head_end = verb.start() if verb else len(body)
    prep = _SETTING_PREP.search(body, verb.end() if verb else 0)
    if prep and verb is None:
        head_end = prep.start()
    head = body[:head_end].split(",")[0]
    head = re.sub(r"\s+(?:who|that|is|are)$", "", head.strip(), flags=re.I).strip()
    # A long head is a whole description, not a subject; better no subject than a wrong one.
    subject = head if head and head.count(" ") < 8 else None
    action: str | None = None
    if verb is not None:
        span = body[verb.start() : prep.start() if prep else len(body)]
        action = span.split(",")[0].strip() or None
    elif subject:
        last = subject.split()[-1].lower().rstrip("s")
        action = _AGENT_ACTIONS.get(last)
    # A comma usually ends the place and starts camera or light notes.
    setting = place or (body[prep.end() :].split(",")[0].strip() if prep else None)
    if setting and (TIME_OF_DAY.lookup(setting) or WEATHER.lookup(setting)):
        setting = None  # "a harbour at dawn": dawn is the time, not the place
    return subject, action, setting or None


def _find_verb(text: str) -> re.Match[str] | None:
    words = list(_WORD.finditer(text))
    for i, match in enumerate(words):
        if i == 0:
            continue  # the first word names the subject ("Dancers", "Running water")
        word = match.group(0).lower()
        if _is_verb(word) or (word in _VERBS and _plural(words[i - 1].group(0).lower())):
            return match
    return None


def _plural(word: str) -> bool:
    """A plural subject before a base-form verb ("two kids race")."""
    return word in _PLURAL_PRONOUNS or (word.endswith("s") and not word.endswith("ss"))


def _is_verb(word: str) -> bool:
    if word.endswith("ing") and len(word) > 4:
        if word in _NOT_VERBS_ING:
            return False
        stem = word[:-3]
        return (
            stem in _VERBS
            or stem + "e" in _VERBS
            or (len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in _VERBS)
            or len(word) >= 7
        )
    if word.endswith("ies"):
        return word[:-3] + "y" in _VERBS
    if word.endswith("es") and word[:-2] in _VERBS:
        return True
    return word.endswith("s") and word[:-1] in _VERBS
