"""What the animatic draws, shot by shot: a plain video, or the segments of a video made in steps.

A plain request is one *piece*: its storyboard, and for each shot the scene and the camera over
it. A video made in steps (a create, then extensions; an edit of either) is a piece per
segment. The first segment is exactly the video first created (with the edits in force
applied). Each later one keeps the video's look (place, light, palette, characters: the first
segment's, edited) and *continues* where the one before ends: its first shot is the previous
last shot's very scene, the camera taking up its last position and moving as the extension's
prompt says, so the extension's first frame is the source's last frame; its other shots cut to
new set-ups of the same place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from sora_nb import media
from sora_nb.prompt import Prompt, parse
from sora_nb.server.renderers.animatic.camera import camera_at
from sora_nb.server.renderers.animatic.edits import apply_edits, setting_after
from sora_nb.server.renderers.animatic.frames import CameraState, Scene
from sora_nb.server.renderers.animatic.request import FPS, AnimaticRequest
from sora_nb.server.renderers.animatic.scene import build_scene, shake
from sora_nb.server.renderers.animatic.storyboard import (
    FRAMING_LABELS,
    Look,
    ShotPlan,
    Storyboard,
    caption_of,
    look_of,
    plan,
)
from sora_nb.server.renderers.base import Cameo

Camera = Callable[[int, int], CameraState]


@dataclass(frozen=True)
class ShotSetup:
    """One shot ready to draw: its plan, its scene, and the camera at frame i of n."""

    plan: ShotPlan
    scene: Scene
    camera: Camera


@dataclass(frozen=True)
class Piece:
    """A run of frames drawn in one go: a plain video, or one segment of a longer one."""

    storyboard: Storyboard
    setups: tuple[ShotSetup, ...]
    #: Seeds the soundtrack.
    sound_seed: int
    #: The reference image as the first frame (image-to-video), when there is one.
    first: media.RGBFrame | None = None

    def end(self) -> tuple[ShotSetup, CameraState]:
        """The last shot and the camera at its last frame: where a continuation starts."""
        last = self.setups[-1]
        count = last.plan.stop - last.plan.start
        return last, last.camera(count - 1, count)


def plain(request: AnimaticRequest) -> Piece:
    """The one piece of a plain request."""
    storyboard = plan(parse(request.prompt), request, characters=request.characters)
    return _piece(request, storyboard, request.seed(with_take=False))


def segments(request: AnimaticRequest) -> list[tuple[int, Piece]]:
    """The pieces of a video made in steps, as (segment number, piece): every segment, or with
    ``request.keep`` only the last (the others are in that video already)."""
    chain = request.segments
    root_prompt = parse(chain[0].prompt)
    root_layout = 0
    root_cast: tuple[Cameo, ...] = ()
    pieces: list[tuple[int, Piece]] = []
    previous: Piece | None = None
    offset = 0
    for number, segment in enumerate(chain):
        edited_root = apply_edits(root_prompt, segment.edits)
        look = look_of(edited_root, setting=setting_after(root_prompt, segment.edits))
        step = AnimaticRequest(
            prompt=segment.prompt,
            width=request.width,
            height=request.height,
            seconds=segment.seconds,
            take=segment.take,
            model=request.model,
            reference=request.reference if number == 0 else None,
            variation=segment.seed,
            characters=request.characters,
        )
        if number == 0 or previous is None:
            storyboard = plan(edited_root, step, look=look, characters=request.characters)
            root_layout = step.seed(with_take=False)
            root_cast = storyboard.cast
            piece = _piece(step, storyboard, root_layout)
        else:
            own = apply_edits(_inherit(parse(segment.prompt), root_prompt), segment.edits)
            piece = _continuation(
                step, own, look, previous, root_cast, [root_layout, number], offset, number
            )
        if request.keep is None or number == len(chain) - 1:
            pieces.append((number, piece))
        previous = piece
        offset += segment.seconds * FPS
    return pieces


def _piece(request: AnimaticRequest, storyboard: Storyboard, layout_seed: int) -> Piece:
    take_seed = request.seed()
    first: media.RGBFrame | None = None
    plate: Image.Image | None = None
    if request.reference is not None:
        first = media.decode_image(request.reference, request.width, request.height)
        plate = Image.fromarray(first, "RGB")
    setups = []
    for shot in storyboard.shots:
        scene = build_scene(
            storyboard,
            shot,
            np.random.default_rng([layout_seed, shot.number]),
            np.random.default_rng([take_seed, shot.number]),
            plate=plate if shot.number == 1 else None,
        )
        setups.append(ShotSetup(shot, scene, _moving(scene)))
    return Piece(storyboard, tuple(setups), take_seed, first)


def _continuation(
    request: AnimaticRequest,
    prompt: Prompt,
    look: Look,
    previous: Piece,
    root_cast: tuple[Cameo, ...],
    layout_seed: Sequence[int],
    offset: int,
    number: int,
) -> Piece:
    storyboard = plan(
        prompt,
        request,
        look=look,
        characters=request.characters,
        frame_count=request.frame_count,
        first_frame=offset,
        label=f"EXT {number}  ·  ",
        layout_seed=list(layout_seed),
    )
    if not storyboard.cast and root_cast:
        # An extension that names nobody keeps the video's characters in its new shots.
        everyone = tuple(range(len(root_cast)))
        storyboard = dataclasses.replace(
            storyboard,
            cast=root_cast,
            shots=tuple(dataclasses.replace(s, cast=everyone) for s in storyboard.shots),
        )
    (last, end) = previous.end()
    first = storyboard.shots[0]
    asked = prompt.resolved_shots()[0].camera.framing
    # A first shot framed otherwise than the source ends (shot by shot: "Shot 2: close-up")
    # opens on the source's last frame for a beat, then cuts to its own framing.
    cuts = asked is not None and asked in FRAMING_LABELS and asked != last.plan.framing
    beat = min(FPS // 2, max(1, (first.stop - first.start) // 2)) if cuts else 0
    going_on = dataclasses.replace(
        last.plan,
        number=0 if cuts else 1,
        count=first.count,
        start=first.start,
        stop=first.start + beat if cuts else first.stop,
        movement="static" if cuts else first.movement,
        caption=caption_of(
            f"EXT {number}  ·  {'GOES ON' if cuts else f'SHOT 1/{first.count}'}",
            FRAMING_LABELS[last.plan.framing],
            last.plan.lens_mm,
            "static" if cuts else first.movement,
        ),
    )
    new_shots = storyboard.shots[1:]
    if cuts:
        new_shots = (dataclasses.replace(first, start=first.start + beat), *new_shots)
    storyboard = dataclasses.replace(storyboard, shots=(going_on, *new_shots))
    take_seed = request.seed()
    steer = np.random.default_rng([take_seed, 1])
    # The things stay where the source left them: the extension opens on its last frame.
    held = dataclasses.replace(last.scene, sprites=[s.held(1.0) for s in last.scene.sprites])
    setups = [ShotSetup(going_on, held, _continuing(held, end, going_on, steer))]
    for shot in new_shots:
        scene = build_scene(
            storyboard,
            shot,
            np.random.default_rng([*layout_seed, shot.number]),
            np.random.default_rng([take_seed, shot.number]),
        )
        setups.append(ShotSetup(shot, scene, _moving(scene)))
    return Piece(storyboard, tuple(setups), take_seed)


def _inherit(prompt: Prompt, root: Prompt) -> Prompt:
    """An extension's prompt, with the video's sound and mood where it sets none: the
    ambience and music go on."""
    changes: dict[str, object] = {}
    if prompt.audio.is_empty():
        changes["audio"] = root.audio.model_copy(deep=True)
    if not prompt.mood and root.mood:
        changes["mood"] = root.mood
    return prompt.model_copy(update=changes) if changes else prompt


def _moving(scene: Scene) -> Camera:
    def camera(index: int, count: int) -> CameraState:
        return camera_at(scene, index, count)

    return camera


def _continuing(scene: Scene, end: CameraState, shot: ShotPlan, rng: np.random.Generator) -> Camera:
    """The camera of a shot that goes on from ``end``: the new move, from where it was."""
    steps = max(2, shot.stop - shot.start)
    jitter = shake(rng, steps, scene.width, scene.height) if shot.movement == "handheld" else None
    moving = dataclasses.replace(scene, movement=shot.movement, shake=jitter)

    def camera(index: int, count: int) -> CameraState:
        start = camera_at(moving, 0, count)
        now = camera_at(moving, index, count)
        return CameraState(
            x=end.x + now.x - start.x,
            y=end.y + now.y - start.y,
            zoom=end.zoom * now.zoom / start.zoom,
        )

    return camera
