"""The diffusers renderer: an open video model, resident on one device, behind the Videos API.

It loads the pipeline class that ``model_index.json`` names (Wan, LTX-2, HunyuanVideo 1.5, or
any diffusers video pipeline), builds the image-to-video twin from the same components, maps a
request onto the model's rules (size multiples, ``k * step + 1`` frames, fps), and renders one
job at a time: every denoising step reports progress and is where a DELETE stops the render.
Sound (LTX-2) is muxed as AAC at the vocoder's rate. A request's step cache is put on the
denoiser for its job and taken off after (``caching``). Peak memory, seconds per step and the
time of each stage (``stages``) are measured and reported on the job.
"""

from __future__ import annotations

import inspect
import io
import logging
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sora_nb.catalog.step_cache import parse as parse_step_cache
from sora_nb.server.renderers.base import (
    KNOBS,
    Abilities,
    RenderControl,
    RenderFailed,
    RenderMetrics,
    RenderRefused,
    RenderRequest,
    RenderResult,
    frames_for,
    nearest_frames,
    nearest_multiples,
)
from sora_nb.server.renderers.diffusers.adapters import Adapters
from sora_nb.server.renderers.diffusers.caching import applied, offered
from sora_nb.server.renderers.diffusers.calls import derived_seed, hook_steps, numpy_of, peak_mb
from sora_nb.server.renderers.diffusers.encode import (
    fit_audio,
    to_uint8,
    write_previews,
    write_video,
)
from sora_nb.server.renderers.diffusers.latent_preview import Capture, fit, packed_grid
from sora_nb.server.renderers.diffusers.loading import (
    _first_line,
    _image_twin,
    _usual_clip,
    _video_pipeline_class,
    quiet_libraries,
)
from sora_nb.server.renderers.diffusers.locate import LocatedModel, ModelError, locate
from sora_nb.server.renderers.diffusers.options import DiffusersOptions
from sora_nb.server.renderers.diffusers.rules import ModelRules, read_rules
from sora_nb.server.renderers.diffusers.stages import StageClock

# quiet_libraries lives in loading.py; it is re-exported for those who import it from here.
__all__ = ["STEPS_SHARE", "DiffusersRenderer", "quiet_libraries"]

log = logging.getLogger("sora_nb.server")

#: Share of the progress bar the denoising steps fill; decoding and encoding take the rest.
STEPS_SHARE = 0.9


@dataclass(frozen=True)
class _Plan:
    """A request mapped onto the model: what the pipeline is called with."""

    width: int
    height: int
    frames: int
    fps: int
    steps: int
    seed: int


class DiffusersRenderer:
    """One loaded pipeline (and its image-to-video twin), rendering one job at a time."""

    def __init__(
        self,
        located: LocatedModel,
        options: DiffusersOptions,
        pipe: Any,
        image_pipe: Any | None,
        device: str,
        dtype: str,
        load_seconds: float,
        adapters: Adapters | None = None,
    ) -> None:
        self.located = located
        self.options = options
        self.pipe: Any = pipe
        self.image_pipe: Any = image_pipe
        self.device = device
        self.dtype = dtype
        self.load_seconds = load_seconds
        self.rules: ModelRules = read_rules(pipe, image_pipe)
        self.adapters = adapters or Adapters(pipe, ())
        #: The step caches its denoiser takes (``none`` first; empty when it takes none).
        self.step_caches = offered(pipe)
        #: The latent-to-RGB projection of its live previews (None: its latents get none).
        self.projection = fit(pipe)
        self._lock = threading.Lock()
        rules = self.rules
        usual_size, usual_seconds = _usual_clip(located, pipe, rules)
        self._abilities = Abilities(
            kind="diffusers",
            models=(located.name,),
            default_model=located.name,
            size_multiple=rules.size_multiple,
            fps=rules.fps,
            frame_step=rules.frame_step,
            sound=rules.sample_rate is not None,
            first_frame=rules.first_frame,
            needs_first_frame=rules.needs_first_frame,
            knobs=frozenset(
                k for k in KNOBS if rules.honours(k) or (k == "step_cache" and self.step_caches)
            )
            | ({"lora"} if self.adapters.names else set()),
            loras=self.adapters.names,
            step_caches=self.step_caches,
            previews=self.projection is not None,
            paced=False,
            cancellable=True,
            workers=1,
            usual_size=usual_size,
            usual_seconds=usual_seconds,
        )

    # -- loading -----------------------------------------------------------------------------

    @classmethod
    def load(cls, options: DiffusersOptions) -> DiffusersRenderer:
        """Find, check and load the model (never downloading), or raise :class:`ModelError`."""
        located = locate(options.model, options.served_name)
        started = time.perf_counter()
        try:
            import diffusers  # noqa: F401
            import torch
        except ImportError as exc:
            raise ModelError(
                f"Open models need the local extra ({exc.name or exc} is missing): pip install "
                "torch, then pip install 'sora_nb[local]'."
            ) from None

        pipeline_class = _video_pipeline_class(located)
        device = options.device or ("cuda" if torch.cuda.is_available() else "cpu")
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ModelError(
                f"--device {device} asked for a CUDA GPU, but this torch ({torch.__version__}) "
                "sees none; use --device cpu, or install a CUDA build of torch."
            )
        if options.offload and not device.startswith("cuda"):
            raise ModelError(
                "--offload moves the model between a GPU and the CPU; it needs --device cuda."
            )
        dtype = options.dtype or ("bfloat16" if device.startswith("cuda") else "float32")
        quiet_libraries()
        try:
            pipe = pipeline_class.from_pretrained(
                str(located.folder), dtype=getattr(torch, dtype), local_files_only=True
            )
        except (OSError, ValueError, TypeError, KeyError, ImportError) as exc:
            raise ModelError(
                f"Loading {located.name} ({located.pipeline_class}) failed: {_first_line(exc)}"
            ) from None
        image_pipe = _image_twin(pipe, located)
        adapters = Adapters.load(pipe, options.lora_dir)  # before the move: they go along
        for each in (pipe, image_pipe):
            if each is not None:
                each.set_progress_bar_config(disable=True)
        if options.offload:
            pipe.enable_model_cpu_offload(device=device)
        else:
            pipe.to(device)
        if options.vae_tiling:
            vae = getattr(pipe, "vae", None)
            if vae is not None and hasattr(vae, "enable_tiling"):
                vae.enable_tiling()
        seconds = time.perf_counter() - started
        log.info("loaded %s on %s in %.1f s", located.name, device, seconds)
        return cls(located, options, pipe, image_pipe, device, dtype, seconds, adapters)

    def release(self) -> None:
        """Drop the pipeline and give its memory back (the resident model is being replaced)."""
        self.pipe = self.image_pipe = None
        import gc

        gc.collect()
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            torch.cuda.empty_cache()

    # -- the renderer interface --------------------------------------------------------------

    @property
    def abilities(self) -> Abilities:
        return self._abilities

    def describe(self) -> str:
        """One line: the model, its class, where it runs, and what it renders."""
        rules = self.rules
        sound = f", sound at {rules.sample_rate} Hz" if rules.sample_rate else ""
        first = ", first frame" if rules.first_frame else ""
        return (
            f"{self.located.name} ({rules.pipeline_class}) on {self.device} in {self.dtype}"
            f"{' with offload' if self.options.offload else ''}: sizes in multiples of "
            f"{rules.size_multiple} px, {rules.frame_step}k+1 frames at {rules.fps} fps"
            f"{sound}{first}"
        )

    def check(self, request: RenderRequest) -> None:
        self._plan(request)

    def render(self, request: RenderRequest, out_dir: Path, control: RenderControl) -> RenderResult:
        plan = self._plan(request)
        out_dir.mkdir(parents=True, exist_ok=True)
        control.report(0.0, "waiting for the model")
        with self._lock:  # one pipeline, one render at a time
            if self.pipe is None:
                raise RenderFailed(
                    "The model was unloaded (another model replaced it); create the video again.",
                    code="model_not_loaded",
                )
            output, seconds, per_step, peak, clock = self._run(request, plan, control)
        control.report(STEPS_SHARE + 0.05, "encoding")
        encoding_started = time.perf_counter()
        frames = to_uint8(output.frames)
        audio = None
        rate = self.rules.sample_rate
        if rate is not None and getattr(output, "audio", None) is not None:
            length = round(frames.shape[0] / plan.fps * rate)
            audio = fit_audio(numpy_of(output.audio), length)
        video = out_dir / "video.mp4"
        write_video(video, frames, plan.fps, audio, rate)
        thumbnail, spritesheet = write_previews(out_dir, frames)
        clock.seconds["encoding"] = time.perf_counter() - encoding_started
        metrics = RenderMetrics(
            inference_time_s=round(seconds, 3),
            peak_memory_mb=None if peak is None else round(peak, 1),
            seconds_per_step=None if per_step is None else round(per_step, 4),
            num_inference_steps=plan.steps,
            seed=plan.seed,
            num_frames=int(frames.shape[0]),
            fps=plan.fps,
            device=self.device,
            stage_durations=clock.report(),
            step_cache=request.options.step_cache,
        )
        return RenderResult(video, thumbnail, spritesheet, metrics)

    # -- machinery ---------------------------------------------------------------------------

    def _plan(self, request: RenderRequest) -> _Plan:
        """The call for ``request``, or :class:`RenderRefused` naming what cannot be done."""
        rules, name = self.rules, self.located.name
        self._check_step_cache(request.options.step_cache)
        for knob in request.knobs_sent():
            if knob != "step_cache" and knob not in self._abilities.knobs:
                raise RenderRefused(
                    f"{name} ({rules.pipeline_class}) takes no {knob}: its pipeline has no such "
                    f"setting. Leave '{knob}' out.",
                    param=knob,
                )
        missing = self.adapters.missing(request.options.loras or ())
        if missing:
            raise RenderRefused(
                f"{name} has no adapter {missing[0]!r}; it offers "
                f"{', '.join(self.adapters.names)} (the files of --lora-dir).",
                param="lora",
            )
        step = rules.size_multiple
        if request.width % step or request.height % step:
            sizes = [
                f"{w}x{h}"
                for w in nearest_multiples(request.width, step)
                for h in nearest_multiples(request.height, step)
            ]
            raise RenderRefused(
                f"{name} renders widths and heights in multiples of {step} px, and "
                f"{request.width}x{request.height} is not one. The nearest it can render: "
                f"{', '.join(sizes)}.",
                param="size",
            )
        if request.reference is not None and not rules.first_frame:
            raise RenderRefused(
                f"{name} takes no first frame: {rules.no_first_frame_reason}.",
                param="input_reference",
            )
        if request.reference is None and rules.needs_first_frame:
            raise RenderRefused(
                f"{name} is an image-to-video model: send the first frame as input_reference.",
                param="input_reference",
            )
        fps = request.options.fps or rules.fps
        if request.options.num_frames is not None:
            frames = request.options.num_frames
            if (frames - 1) % rules.frame_step:
                options = " or ".join(str(n) for n in nearest_frames(frames, rules.frame_step))
                raise RenderRefused(
                    f"{name} renders {rules.frame_step}k+1 frames (its VAE packs "
                    f"{rules.frame_step} frames into one); {frames} is not such a count. The "
                    f"nearest: {options}.",
                    param="num_frames",
                )
        else:
            frames = frames_for(request.seconds, fps, rules.frame_step)
        steps = request.options.steps or rules.default_steps
        seed = request.options.seed if request.options.seed is not None else derived_seed(request)
        return _Plan(request.width, request.height, frames, fps, steps, seed)

    def _check_step_cache(self, text: str | None) -> None:
        if text is None:
            return
        method = parse_step_cache(text).method
        if method in self.step_caches:
            return
        name = f"{self.located.name} ({self.rules.pipeline_class})"
        methods = ", ".join(m for m in self.step_caches if m != "none")
        raise RenderRefused(
            f"{name} has no step cache {method!r}: it offers {methods} (or none); send one of "
            "those."
            if methods
            else f"{name} takes no step cache (its denoiser has no cache hooks); leave "
            "step_cache out.",
            param="step_cache",
        )

    def _run(
        self, request: RenderRequest, plan: _Plan, control: RenderControl
    ) -> tuple[Any, float, float | None, float | None, StageClock]:
        """Call the pipeline with the request's step cache on; returns its output, seconds,
        seconds per step, peak MB and the time of its stages."""
        import torch

        image_input = request.reference is not None and self.image_pipe is not None
        pipe = self.image_pipe if image_input else self.pipe
        kwargs = self._call_arguments(request, plan, pipe)
        stamps: list[float] = []
        grid = packed_grid(pipe, plan.frames, plan.height, plan.width)
        slot = control.preview
        capture = self.projection and Capture(self.projection, pipe.scheduler, slot, grid)

        def on_step(index: int, latents: Any) -> None:
            stamps.append(time.perf_counter())
            if capture:
                capture.step(latents)
            control.steps_done = index + 1
            if len(stamps) > 1:
                control.seconds_per_step = (stamps[-1] - stamps[0]) / (len(stamps) - 1)
            done = (index + 1) / plan.steps
            control.report(STEPS_SHARE * done, "decoding" if index + 1 >= plan.steps else None)

        cuda = self.device.startswith("cuda")
        if cuda:
            torch.cuda.reset_peak_memory_stats(self.device)
        clock = StageClock(sync=(lambda: torch.cuda.synchronize(self.device)) if cuda else None)
        started = time.perf_counter()
        unhook = hook_steps(pipe, kwargs, on_step)
        o = request.options
        try:
            with (
                self.adapters.applied(
                    pipe, o.loras, flow_shift=o.flow_shift, boundary_ratio=o.boundary_ratio
                ),
                applied(pipe, o.step_cache),
                clock.timing(pipe),
            ):
                output = pipe(**kwargs)
        except torch.cuda.OutOfMemoryError:
            if cuda:
                torch.cuda.empty_cache()
            raise RenderFailed(self._out_of_memory(plan, "GPU"), code="out_of_memory") from None
        except MemoryError:
            raise RenderFailed(self._out_of_memory(plan, "machine"), code="out_of_memory") from None
        except (RuntimeError, ValueError, TypeError) as exc:
            cache = request.options.step_cache
            tried = "" if cache in (None, "none") else f" with the step cache {cache} (try none)"
            raise RenderFailed(
                f"{self.located.name} could not render this request{tried}: {_first_line(exc)}",
                code="render_error",
            ) from None
        finally:
            unhook()
        seconds = time.perf_counter() - started
        clock.call_took(seconds)
        control.report(STEPS_SHARE, "decoded")
        per_step = control.seconds_per_step
        if per_step is None and stamps:
            per_step = stamps[0] - started
        return output, seconds, per_step, peak_mb(torch, self.device), clock

    def _call_arguments(self, request: RenderRequest, plan: _Plan, pipe: Any) -> dict[str, Any]:
        import torch

        parameters = inspect.signature(pipe.__call__).parameters
        kwargs: dict[str, Any] = {
            "prompt": request.prompt,
            "width": plan.width,
            "height": plan.height,
            "num_frames": plan.frames,
            "num_inference_steps": plan.steps,
            # A CPU generator: the same seed gives the same starting noise on every device.
            "generator": torch.Generator(device="cpu").manual_seed(plan.seed),
            "output_type": "np",
        }
        if request.options.negative_prompt is not None:
            kwargs["negative_prompt"] = request.options.negative_prompt
        if request.options.guidance is not None:
            kwargs["guidance_scale"] = request.options.guidance
        if request.options.guidance_2 is not None:
            kwargs["guidance_scale_2"] = request.options.guidance_2
        if self.rules.fps_parameter is not None:
            kwargs[self.rules.fps_parameter] = float(plan.fps)
        if request.reference is not None and "image" in parameters:
            from PIL import Image

            with Image.open(io.BytesIO(request.reference)) as image:
                kwargs["image"] = image.convert("RGB")
        return {k: v for k, v in kwargs.items() if k in parameters}

    def _out_of_memory(self, plan: _Plan, where: str) -> str:
        flags = []
        if where == "GPU" and not self.options.offload:
            flags.append("--offload")
        if not self.options.vae_tiling:
            flags.append("--vae-tiling")
        if where == "GPU" and self.dtype == "float32":
            flags.append("--dtype bfloat16")
        server = f", or restart the server with {' '.join(flags)}" if flags else ""
        return (
            f"The {where} ran out of memory rendering {plan.width}x{plan.height}, {plan.frames} "
            f"frames with {self.located.name}. Try a smaller size or fewer seconds{server}. The "
            "server is still up."
        )
