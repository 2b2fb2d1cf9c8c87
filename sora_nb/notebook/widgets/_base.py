"""What the Player and the Grid share: where the built front end lives, how a take is named,
and the small static HTML shown where widgets cannot run (nbconvert, GitHub)."""

from __future__ import annotations

import html
from pathlib import Path

from sora_nb.notebook.nomath import no_math
from sora_nb.notebook.widgets._files import relative_to_notebook
from sora_nb.prompt import word_count as prompt_word_count
from sora_nb.runs.take import Take

#: The built front end (``npm run build`` in ``js/`` writes it; it is not committed).
STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"


def esm_path(name: str) -> Path:
    """The built ES module ``name`` (``player.js`` or ``grid.js``), checked to exist."""
    path = STATIC_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"The widget front end {path} is missing: build it with "
            "`cd js && npm ci && npm run build` (or `make setup`)."
        )
    return path


def word_count(text: str) -> int:
    """Words in ``text``, counted as the prompt language counts them everywhere (the ladder,
    the grid's headers, the studio, the player): bullets and punctuation are not words."""
    return prompt_word_count(text)


def error_text(take: Take) -> str:
    """The server's message for a failed take, with its code; empty when there is no error."""
    if take.error is None:
        return ""
    return f"{take.error.message} ({take.error.code})"


def relative_link(take: Take, variant: str) -> str | None:
    """A take's file as a path relative to the notebook's folder (as a saved notebook and
    nbconvert resolve it), whatever the kernel's current folder is."""
    try:
        path = take.path(variant)
    except RuntimeError:
        return None
    if not path.is_file():
        return None
    return relative_to_notebook(path) or path.as_posix()


def video_seconds(take: Take) -> int:
    """How long a take's video is: an extension's is the whole stitched video, not the
    seconds it added."""
    try:
        return take.video_seconds
    except RuntimeError:  # not in a media folder: no chain to add up, its request says
        return take.request.seconds


def model_label(take: Take) -> str:
    """The model as the user should read it: "sora-2 (offline animatic)" where the bundled
    server drew it (it renders a hosted model's name only as an animatic)."""
    from sora_nb import catalog
    from sora_nb.runs.request import LOCAL_SERVER

    model = take.request.model
    profile = catalog.get_profile(model)
    if take.server == LOCAL_SERVER and not (profile is not None and profile.open_weights):
        return f"{model} (offline animatic)"
    return model


def describe_take(take: Take) -> str:
    """One line naming a take: id, status, model, size, seconds, its seed where it has one,
    and its cost (dollars, or the GPU seconds a self-hosted server reported)."""
    cost = take.cost if take.cost is not None else take.estimated_cost
    money = "cost unknown" if cost is None else f"${cost:.2f}"
    if not cost and take.gpu_seconds is not None:
        money = f"{take.gpu_seconds:.1f} GPU s"  # one's own GPUs: time, not dollars
    seed = take.request.options.seed
    seed = f" seed {seed}" if seed is not None else ""
    return (
        f"{take.id} {take.status} {model_label(take)} {take.request.size} "
        f"{video_seconds(take)}s{seed} {money}"
    )


def static_figure(take: Take, caption: str) -> str:
    """A small HTML figure: the thumbnail (as a relative link) and an escaped caption."""
    link = relative_link(take, "thumbnail")
    image = (
        f'<img src="{html.escape(link, quote=True)}" alt="{html.escape(caption, quote=True)}" '
        'style="max-width:320px">'
        if link
        else ""
    )
    text = html.escape(caption)
    # Captions carry prices: kept out of MathJax's reach so "$0.40" stays money.
    return no_math(
        f"{image}<figcaption>{text}</figcaption>",
        tag="figure",
        classes="sora-nb-figure",
        style="display:inline-block;margin:4px",
    )
