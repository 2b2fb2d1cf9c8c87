"""Camera moves: where the camera is at each frame of a shot, for every named move."""

from __future__ import annotations

from sora_nb.server.renderers.animatic.frames import CameraState, Scene


def camera_at(scene: Scene, index: int, count: int) -> CameraState:
    """The camera for frame ``index`` of ``count`` in a shot, eased in and out.

    A move covers less ground in a short shot (full travel takes four seconds or more), so a
    two-second pan drifts rather than whips, and a cut stays the biggest change on screen.
    """
    iw, ih = scene.width, scene.height
    t = index / max(1, count - 1)
    e = t * t * (3 - 2 * t)
    reach = min(1.0, count / (4 * 24))
    move = scene.movement
    if scene.plate is not None:
        # Over a reference image every move starts from the image as given (frame 1 = it).
        if move in ("pan", "truck", "tracking", "orbit"):
            return CameraState(x=0.2 * iw * e * reach, zoom=1 + 0.15 * e * reach)
        if move in ("tilt", "crane", "drone"):
            return CameraState(y=-0.2 * ih * e * reach, zoom=1 + 0.15 * e * reach)
        if move == "handheld" and scene.shake is not None:
            dx, dy = scene.shake[min(index, len(scene.shake) - 1)]
            return CameraState(x=float(dx) * e, y=float(dy) * e, zoom=1 + 0.05 * e)
        if move == "static":
            return CameraState()
        return CameraState(zoom=1 + 0.3 * e * reach)  # push-in; a pull-out cannot leave it
    s = (2 * e - 1) * reach  # -reach .. reach
    if move in ("pan", "truck"):
        return CameraState(x=0.16 * iw * s)
    if move == "tracking":
        # Keeping pace with a moving subject: the world streams past behind it.
        return CameraState(x=0.6 * iw * s)
    if move == "tilt":
        return CameraState(y=0.14 * ih * -s)
    if move == "push-in":
        return CameraState(zoom=1 + 0.35 * e * reach)
    if move == "pull-out":
        return CameraState(zoom=1 + 0.35 * reach * (1 - e))
    if move == "orbit":
        return CameraState(x=0.2 * iw * s, zoom=1.05)
    if move == "crane":
        return CameraState(y=0.16 * ih * -s, zoom=1 + 0.1 * reach * (1 - e))
    if move == "drone":
        return CameraState(y=0.1 * ih * -s, zoom=1 + 0.3 * e * reach)
    if move == "handheld" and scene.shake is not None:
        dx, dy = scene.shake[min(index, len(scene.shake) - 1)]
        return CameraState(x=float(dx), y=float(dy), zoom=1.04)
    return CameraState()
