"""Serve the bundled server on a socket: ``python -m sora_nb.server --port 8000``.

Then point any Videos API client at ``http://127.0.0.1:8000/v1``: sora_nb, the OpenAI SDK,
curl, or a gateway such as LiteLLM's proxy. It listens on loopback only unless you pass
``--allow-remote`` with another ``--host``. ``--renderer diffusers --model PATH_OR_REPO`` renders
real video with an open model on this machine instead of the animatic.

A key (``$SORA_NB_SERVER_API_KEY``, ``--api-key-file PATH`` or ``--api-key KEY``) is then
required on every request, by every ``--dialect``; without one, browser pages from other sites
are refused (:mod:`sora_nb.server.doors`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sora_nb.server.doors import is_loopback

__all__ = ["build_parser", "is_loopback", "main"]

#: The environment variable the key is read from when no flag gives one.
KEY_ENV = "SORA_NB_SERVER_API_KEY"
#: Its older name, still read.
LEGACY_KEY_ENV = "SORA_NB_EMULATOR_KEY"


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m sora_nb.server``."""
    parser = argparse.ArgumentParser(
        prog="python -m sora_nb.server",
        description=(
            "Serve sora_nb's Videos API server: the endpoints of OpenAI's Videos API, rendering "
            "an offline animatic, or real video with an open model through diffusers "
            "(--renderer diffusers --model PATH_OR_REPO). Base URL: http://HOST:PORT/v1"
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow binding an address other than loopback (other machines can then use it)",
    )
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument(
        "--api-key",
        default=None,
        metavar="KEY",
        help="require this key on every request (as 'Authorization: Bearer KEY'); a key typed "
        f"here shows in ps, so prefer ${KEY_ENV} or --api-key-file (default: ${KEY_ENV}, else "
        f"${LEGACY_KEY_ENV}, else no key: then only pages served from this machine may call "
        "the server)",
    )
    keys.add_argument(
        "--api-key-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="read the key from this file (its first line), kept out of ps and the shell history",
    )
    parser.add_argument(
        "--media",
        type=Path,
        default=None,
        help="folder for jobs and their files (default: $SORA_NB_HOME/server or "
        "./sora_media/server)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="wall seconds per second of video (1 = a 4 s clip takes 4 s; 0 = as fast as the "
        "render)",
    )
    parser.add_argument("--max-running", type=int, default=None, help="most jobs running at once")
    parser.add_argument(
        "--dialect",
        choices=["openai", "vllm-omni", "sglang", "fastvideo", "litellm"],
        default=None,
        help="answer exactly as that server does (engine-dialects.md), for tests and teaching; "
        "default: sora_nb's own (OpenAI's API plus the open-model knobs)",
    )
    local = parser.add_argument_group("open models (--renderer diffusers; needs the local extra)")
    local.add_argument(
        "--renderer",
        choices=["animatic", "diffusers"],
        default="animatic",
        help="what renders the videos (default: the offline animatic)",
    )
    local.add_argument(
        "--model",
        default=None,
        help="a diffusers pipeline folder, or a Hugging Face id already downloaded "
        "(hf download ID); never fetched while serving",
    )
    local.add_argument(
        "--device", default=None, help="cuda, cuda:1 or cpu (default: cuda when torch sees one)"
    )
    local.add_argument(
        "--dtype",
        choices=["bfloat16", "float16", "float32"],
        default=None,
        help="weights precision (default: bfloat16 on a GPU, float32 on the CPU)",
    )
    local.add_argument(
        "--offload",
        action="store_true",
        help="model CPU offload: only the running stage on the GPU (less memory, slower)",
    )
    local.add_argument(
        "--vae-tiling", action="store_true", help="decode the video in tiles (less memory)"
    )
    local.add_argument(
        "--lora-dir",
        default=None,
        metavar="DIR",
        help="a folder of LoRA adapters (NAME.safetensors) for the model, offered by name "
        "(%%%%sora --lora NAME:0.8)",
    )
    local.add_argument(
        "--served-model-name",
        default=None,
        help="the model name clients send (default: the hub id, or the folder's name; for an "
        "engine --dialect on the animatic: Wan-AI/Wan2.1-T2V-1.3B-Diffusers)",
    )
    parser.add_argument(
        "--max-upload-mb", type=float, default=20.0, help="largest request body in MiB"
    )
    faults = parser.add_argument_group("faults (rates per request, 0 to 1; all off by default)")
    for name, what in (
        ("429", "answer 429 with Retry-After"),
        ("500", "answer 500"),
        ("502", "answer 502"),
        ("503", "answer 503"),
        ("drop", "drop the connection after handling the request"),
        ("slow", "delay the answer by --slow-seconds"),
        ("truncate", "cut content downloads short"),
    ):
        faults.add_argument(f"--fault-{name}", type=float, default=0.0, metavar="RATE", help=what)
    faults.add_argument("--retry-after", type=float, default=1.0, help="seconds a 429 asks for")
    faults.add_argument("--slow-seconds", type=float, default=2.0, help="delay of a slow answer")
    faults.add_argument("--seed", type=int, default=0, help="seed of the fault generator")
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    return parser


def api_key(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The key the server requires: ``--api-key``, the first line of ``--api-key-file``,
    ``$SORA_NB_SERVER_API_KEY`` or ``$SORA_NB_EMULATOR_KEY``; None for no key."""
    if args.api_key_file is not None:
        try:
            text = args.api_key_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
            parser.error(f"--api-key-file {args.api_key_file}: cannot read it ({why}).")
        key = text.strip().splitlines()[0].strip() if text.strip() else ""
        if not key:
            parser.error(f"--api-key-file {args.api_key_file} is empty; write the key in it.")
        return key
    return args.api_key or os.environ.get(KEY_ENV) or os.environ.get(LEGACY_KEY_ENV) or None


class QuietDrops(logging.Filter):
    """Turns uvicorn's traceback for a simulated dropped connection into one short line."""

    def filter(self, record: logging.LogRecord) -> bool:
        from sora_nb.server.errors import DroppedConnection

        if record.exc_info and isinstance(record.exc_info[1], DroppedConnection):
            record.msg, record.args = "simulated fault: %s", (record.exc_info[1],)
            record.exc_info = None
        return True


def default_media_dir() -> Path:
    """``$SORA_NB_HOME/server`` when set, else ``./sora_media/server``."""
    home = os.environ.get("SORA_NB_HOME")
    return (Path(home) if home else Path("sora_media")) / "server"


def _open_model(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Any:
    """Load the open model the flags name (before serving: a wrong model fails now, in one
    line); None after printing why it cannot be served."""
    if args.renderer != "diffusers":
        parser.error("--model goes with --renderer diffusers.")
    if not args.model:
        parser.error(
            "--renderer diffusers needs --model: a pipeline folder or a Hugging Face id, like "
            "--model Wan-AI/Wan2.1-T2V-1.3B-Diffusers."
        )
    from sora_nb.server.renderers.diffusers import DiffusersOptions, ModelError, open_renderer

    options = DiffusersOptions(
        model=args.model,
        device=args.device,
        dtype=args.dtype,
        offload=args.offload,
        vae_tiling=args.vae_tiling,
        served_name=args.served_model_name,
        lora_dir=args.lora_dir,
    )
    try:
        return open_renderer(options)
    except ModelError as exc:
        print(f"python -m sora_nb.server: {exc}", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and serve until interrupted; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not is_loopback(args.host) and not args.allow_remote:
        parser.error(
            f"--host {args.host} would let other machines use this server; pass "
            "--allow-remote too if that is what you want (and consider --api-key)."
        )
    from sora_nb.server.app import create_app
    from sora_nb.server.faults import FaultSettings
    from sora_nb.server.settings import ServerSettings

    renderer = None
    if args.renderer == "diffusers" or args.model:
        renderer = _open_model(parser, args)
        if renderer is None:
            return 2
    try:
        settings = ServerSettings(
            media_dir=args.media or default_media_dir(),
            api_key=api_key(parser, args),
            time_scale=args.time_scale,
            max_running_jobs=args.max_running,
            max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
            faults=FaultSettings(
                rate_429=args.fault_429,
                rate_500=args.fault_500,
                rate_502=args.fault_502,
                rate_503=args.fault_503,
                rate_drop=args.fault_drop,
                rate_slow=args.fault_slow,
                rate_truncate=args.fault_truncate,
                retry_after=args.retry_after,
                slow_seconds=args.slow_seconds,
                seed=args.seed,
            ),
            renderer=renderer,
            dialect=args.dialect,
            served_model_name=args.served_model_name if renderer is None else None,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        parser.error(f"{where}: {first['msg']}")
    import uvicorn

    app = create_app(settings)
    logging.getLogger("uvicorn.error").addFilter(QuietDrops())
    if renderer is not None:
        print(
            f"sora_nb server: {renderer.describe()} (loaded in {renderer.load_seconds:.1f} s)",
            file=sys.stderr,
        )
    if settings.dialect:
        print(f"sora_nb server: answering as {settings.dialect}", file=sys.stderr)
    print(
        f"sora_nb server: jobs in {settings.media_dir}; "
        f"key {'required' if settings.api_key else 'not required'}",
        file=sys.stderr,
    )
    if args.api_key:
        print(
            f"sora_nb server: a key given as --api-key shows in ps; ${KEY_ENV} or "
            "--api-key-file keep it private",
            file=sys.stderr,
        )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
