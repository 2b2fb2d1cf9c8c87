// The Player widget: one take, inline. The video streams from the Jupyter server by URL where
// the page has one, else the kernel sends it in chunks (media.js); widget state never holds it.
// Below it, the take's chain (player_chain.js) and Remix, Edit and Extend (player_actions.js).
import { FRAME, formatTime } from "./clock.js";
import {
  formatCost,
  formatElapsed,
  h,
  isTyping,
  setText,
  statusLabel,
  wordsLabel,
} from "./dom.js";
import { KernelFiles, MIME, RouteChooser, pathKind, routeTitle, watchVisible } from "./media.js";
import { playerActions } from "./player_actions.js";
import { playerChain } from "./player_chain.js";
import { PreviewImage } from "./preview.js";
import { styleElement } from "./style.js";
import { transportControls } from "./transport.js";

/** Build the player view into `el` from a widget model; returns a cleanup function.
 * `probe(url)` (tests) replaces the HEAD request that checks a server route. */
export function buildPlayer(model, el, { probe } = {}) {
  const chooser = new RouteChooser(model, probe ? { probe } : {});
  const kernel = new KernelFiles(model);
  const timers = [];
  const offs = [];
  const listen = (name, fn) => {
    model.on(name, fn);
    offs.push(() => model.off(name, fn));
  };

  const video = h("video", {
    playsInline: true,
    preload: "auto",
    attrs: { "data-role": "video", "aria-label": "generated video" },
  });
  const statusText = h("span", { attrs: { "data-role": "status" } });
  const bar = h("div");
  const errorText = h("div", { className: "sora-error", attrs: { "data-role": "error", role: "alert" } });
  const status = h("div", { className: "sora-status" }, statusText, h("div", { className: "sora-bar" }, bar), errorText);
  const stage = h("div", { className: "sora-stage" }, video, status);
  const preview = new PreviewImage("live preview of the video being made", stage, status);

  const { playBtn, backBtn, fwdBtn, time, seek, speed, loop } = transportControls();
  const loopLabel = h("label", {}, loop, " loop");
  const download = h("a", { text: "Download", attrs: { "data-action": "download" } });
  const controls = h("div", { className: "sora-controls" }, playBtn, backBtn, fwdBtn, time, seek, speed, loopLabel, download);

  const meta = h("div", { className: "sora-meta", attrs: { "data-role": "meta" } });
  const promptText = h("span", { attrs: { "data-role": "prompt" } });
  const promptWords = h("span", { className: "sora-words", attrs: { "data-role": "words" } });
  const prompt = h("div", { className: "sora-prompt" }, promptText, " ", promptWords);
  let route = null;
  let visible = false;
  // Posters of the chain's steps come the way the take's own files do (the route is chosen once).
  const chainSource = async (key, file) => {
    const chosen = await chooser.choose(file); // the same promise renderMedia waits on
    if (route === null) setRoute(chosen);
    if (route !== "kernel") return chooser.url(file, route);
    if (!visible) return null;
    return kernel.load(key, file, MIME.thumbnail);
  };
  const chain = playerChain(model, listen, chainSource);
  const actions = playerActions(model, listen);

  const root = h(
    "div",
    { className: "sora-root sora-player", tabIndex: 0, attrs: { "data-widget": "sora-player" } },
    styleElement(),
    stage,
    controls,
    meta,
    prompt,
    chain.node,
    actions,
  );
  el.append(root);

  // --- state from traits -------------------------------------------------------------------
  // --- media: streamed by URL, or asked of the kernel once on screen or played ----------------
  let wanted = false; // the user pressed play: load even if off screen
  let generation = 0;
  const setRoute = (next) => {
    route = next;
    root.dataset.mediaPath = pathKind(next);
    stage.title = routeTitle(next);
  };
  const source = async (variant, file) => {
    if (route !== "kernel") return chooser.url(file, route);
    if (!visible && !(variant === "video" && wanted)) return null;
    return kernel.load(variant, file, MIME[variant]);
  };
  const renderMedia = async () => {
    const mine = ++generation;
    const files = model.get("files") ?? {};
    const sample = files.video ?? files.thumbnail;
    if (!sample) {
      video.removeAttribute("poster");
      showVideo(null);
      return;
    }
    if (route === null) setRoute(await chooser.choose(sample));
    if (mine !== generation) return;
    try {
      const poster = files.thumbnail ? await source("thumbnail", files.thumbnail) : null;
      if (mine !== generation) return;
      if (poster) video.poster = poster;
      const url = files.video ? await source("video", files.video) : null;
      if (mine !== generation) return;
      showVideo(url);
    } catch (err) {
      if (mine === generation && err?.message !== "released") {
        setText(errorText, `The video could not be loaded: ${err?.message ?? err}`);
        errorText.hidden = false;
      }
    }
  };
  const showVideo = (url) => {
    if (url) {
      if (video.getAttribute("src") !== url) video.src = url;
      download.href = url;
      download.download = `${model.get("take_id") || "take"}.mp4`;
      download.removeAttribute("aria-disabled");
    } else {
      if (video.hasAttribute("src")) {
        video.removeAttribute("src");
        video.load(); // let go of what the element buffered
      }
      download.removeAttribute("href");
      download.setAttribute("aria-disabled", "true");
    }
    renderPreview();
    renderStatus();
  };
  const renderPreview = () => {
    const completed = model.get("status") === "completed";
    preview.update(model.get("preview"), { hasVideo: video.hasAttribute("src"), completed });
  };
  video.addEventListener("error", () => {
    // The server route failed for this file (moved, or the route is blocked): use the kernel.
    if (route && route !== "kernel" && video.getAttribute("src")) {
      setRoute("kernel");
      renderMedia();
    }
  });
  const stopWatching = watchVisible(root, (now) => {
    visible = now;
    if (now && route === "kernel") {
      renderMedia();
      chain.renderThumbs();
    }
  });

  const elapsed = () => {
    const start = model.get("submitted_at");
    if (!start) return 0;
    const end = model.get("completed_at") || Date.now() / 1000;
    return end - start;
  };
  const renderStatus = () => {
    const st = model.get("status");
    const progress = Math.max(0, Math.min(100, Number(model.get("progress")) || 0));
    const err = model.get("error");
    const running = !["completed", "failed", "expired"].includes(st);
    const parts = [statusLabel(st)];
    if (running) parts.push(`${progress}%`);
    if (model.get("submitted_at")) parts.push(formatElapsed(elapsed()));
    setText(statusText, parts.join(" · "));
    bar.style.width = `${st === "completed" ? 100 : progress}%`;
    setText(errorText, err || "");
    errorText.hidden = !err;
    // The overlay hides once there is a video to watch; failures keep it, with the message.
    status.hidden = st === "completed" && video.hasAttribute("src");
    root.dataset.status = st;
    // A take that failed has no video: its error stands in the player's place, with no empty
    // (black) video box and no Play, seek or Download with nothing to act on.
    const novideo = ["failed", "expired"].includes(st) && !video.hasAttribute("src");
    root.classList.toggle("sora-novideo", novideo);
    controls.hidden = novideo;
    if (novideo) video.remove();
    else if (!video.isConnected) stage.prepend(video);
  };
  // What the take cost: dollars charged, or on one's own GPUs (no dollars) the GPU seconds.
  const costLine = () => {
    const cost = model.get("cost");
    const gpu = model.get("gpu_seconds");
    if (!cost && typeof gpu === "number") return `${gpu.toFixed(1)} GPU s`;
    if (cost !== null && cost !== undefined) return `cost ${formatCost(cost)}`;
    return `estimated ${formatCost(model.get("estimated_cost"))}`;
  };
  const renderMeta = () => {
    meta.replaceChildren(
      ...[
        model.get("model_name"),
        model.get("size"),
        model.get("seconds") ? `${model.get("seconds")} s` : null,
        costLine(),
        model.get("take_id") ? `take ${model.get("take_id")}` : null,
      ]
        .filter(Boolean)
        .map((text) => h("span", { text })),
    );
    const text = model.get("prompt") || "";
    setText(promptText, text);
    setText(promptWords, `(${wordsLabel(Number(model.get("words")) || 0)})`);
  };
  const renderPlayback = () => {
    video.loop = Boolean(model.get("loop"));
    loop.checked = video.loop;
    const rate = Number(model.get("speed")) || 1;
    video.playbackRate = rate;
    speed.value = String(rate);
  };

  renderStatus();
  renderMeta();
  renderPlayback();
  renderMedia();
  listen("change:files", renderMedia);
  listen("change:preview", renderPreview);
  listen("change:status", renderPreview);
  for (const name of ["status", "progress", "error", "submitted_at", "completed_at"]) listen(`change:${name}`, renderStatus);
  for (const name of ["model_name", "size", "seconds", "cost", "estimated_cost", "gpu_seconds", "prompt", "take_id"]) {
    listen(`change:${name}`, renderMeta);
  }
  listen("change:loop", renderPlayback);
  listen("change:speed", renderPlayback);
  // Elapsed time ticks in the page while the job runs (no kernel round trip per second).
  timers.push(setInterval(() => {
    if (!["completed", "failed", "expired"].includes(model.get("status"))) renderStatus();
  }, 1000));

  // --- user actions ----------------------------------------------------------------------------
  const toggle = () => {
    if (!video.isConnected) return; // a failed take: nothing to play
    if (!video.hasAttribute("src") && !wanted) {
      wanted = true; // off screen on the kernel route: load it now, then play
      renderMedia().then(() => toggle());
      return;
    }
    if (video.paused) {
      const p = video.play();
      if (p && p.catch) p.catch(() => {});
    } else video.pause();
  };
  const step = (frames) => {
    video.pause();
    const dur = Number.isFinite(video.duration) ? video.duration : Infinity;
    video.currentTime = Math.max(0, Math.min(dur, (Math.round(video.currentTime / FRAME) + frames) * FRAME));
  };
  const syncTime = () => {
    setText(time, formatTime(video.currentTime));
    if (document.activeElement !== seek) seek.value = String(video.currentTime);
  };
  playBtn.addEventListener("click", toggle);
  stage.addEventListener("click", toggle);
  backBtn.addEventListener("click", () => step(-1));
  fwdBtn.addEventListener("click", () => step(1));
  seek.addEventListener("input", () => {
    video.currentTime = Number(seek.value);
    syncTime();
  });
  speed.addEventListener("change", () => {
    model.set("speed", Number(speed.value));
    model.save_changes();
  });
  loop.addEventListener("change", () => {
    model.set("loop", loop.checked);
    model.save_changes();
  });
  video.addEventListener("loadedmetadata", () => {
    seek.max = String(video.duration);
    video.playbackRate = Number(model.get("speed")) || 1;
  });
  video.addEventListener("timeupdate", syncTime);
  video.addEventListener("seeked", syncTime);
  video.addEventListener("play", () => setText(playBtn, "Pause"));
  video.addEventListener("pause", () => setText(playBtn, "Play"));
  root.addEventListener("keydown", (e) => {
    if (isTyping(e)) return;
    if (e.key === " " && e.target.tagName !== "BUTTON") {
      e.preventDefault();
      toggle();
    } else if (e.key === "ArrowLeft") {
      e.preventDefault();
      step(-1);
    } else if (e.key === "ArrowRight") {
      e.preventDefault();
      step(1);
    }
  });

  return () => {
    generation += 1;
    stopWatching();
    for (const off of offs) off();
    for (const t of timers) clearInterval(t);
    video.pause();
    video.removeAttribute("src");
    video.load();
    kernel.dispose(); // revokes the Blob URLs of anything the kernel sent
    preview.clear();
    root.remove();
  };
}

export default {
  render({ model, el }) {
    return buildPlayer(model, el);
  },
};
