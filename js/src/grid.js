// The comparison grid: every cell of an experiment on one shared clock, labelled by what varies.
import { MasterClock, formatTime, soloMutes, syncGroup } from "./clock.js";
import { BlobSlot, h, isTyping, setText, statusLabel, wordsLabel } from "./dom.js";
import { styleElement } from "./style.js";
import { transportControls } from "./transport.js";

const FINAL = new Set(["completed", "failed", "expired"]);

/** Resolve the per-cell media child models ("IPY_MODEL_<id>" references) of a grid model. */
export async function resolveMedia(model) {
  const refs = model.get("media") ?? [];
  return Promise.all(
    refs.map((ref) => {
      if (ref && typeof ref === "object") return ref; // already a model (tests, some managers)
      const id = String(ref).replace(/^IPY_MODEL_/, "");
      return model.widget_manager.get_model(id);
    }),
  );
}

/** The header for one axis value: text plus an optional word count. */
function header(entry, role, index) {
  const label = typeof entry === "string" ? { text: entry } : entry ?? { text: "" };
  return h(
    "div",
    { className: "sora-head", attrs: { "data-role": role, "data-index": index } },
    h("span", { text: label.text ?? "" }),
    typeof label.words === "number" ? h("span", { className: "sora-words", text: `(${wordsLabel(label.words)})` }) : null,
  );
}

/** Sprite background position for frame `k` of a cols × rows sheet. */
export function spritePosition(k, cols, rows) {
  const x = cols > 1 ? ((k % cols) / (cols - 1)) * 100 : 0;
  const y = rows > 1 ? (Math.floor(k / cols) / (rows - 1)) * 100 : 0;
  return `${x}% ${y}%`;
}

/** Build the grid view into `el` from a widget model; returns a cleanup function. */
export function buildGrid(model, el, { requestFrame, cancelFrame } = {}) {
  const clock = new MasterClock({ loop: model.get("loop") !== false, rate: Number(model.get("speed")) || 1 });
  const group = syncGroup(clock, { requestFrame, cancelFrame });
  const offs = [];
  const timers = [];
  const listen = (target, name, fn) => {
    target.on(name, fn);
    offs.push(() => target.off(name, fn));
  };
  let cells = [];
  let muted = [];
  let picked = [];
  let overlayVideos = [];
  let overlayClose = null;
  let cellOffs = []; // listeners on per-cell media models, dropped when the layout is rebuilt
  let layoutGeneration = 0;

  // --- toolbar ---------------------------------------------------------------------------------
  const { playBtn, backBtn, fwdBtn, time, seek, speed, loop } = transportControls({
    playText: "Play all",
    scope: "all",
    rate: clock.rate,
    loop: clock.loop,
  });
  const wipeBtn = h("button", {
    text: "A/B wipe",
    disabled: true,
    title: "Pick two cells with their A/B buttons, then compare them with a wipe",
    attrs: { "data-action": "wipe" },
  });
  const toolbar = h("div", { className: "sora-controls" }, playBtn, backBtn, fwdBtn, time, seek, speed, h("label", {}, loop, " loop"), wipeBtn);
  const table = h("div", { className: "sora-grid-table", attrs: { "data-role": "cells" } });
  const overlay = h("div", { className: "sora-overlay", hidden: true, attrs: { "data-role": "overlay" } });
  const root = h(
    "div",
    { className: "sora-root sora-grid", tabIndex: 0, attrs: { "data-widget": "sora-grid" } },
    styleElement(),
    toolbar,
    // The overlay covers the cells but not the toolbar: the shared controls drive it too.
    h("div", { className: "sora-grid-body" }, table, overlay),
  );
  el.append(root);

  // --- clock period and readout ----------------------------------------------------------------
  const updatePeriod = () => {
    let period = 0;
    for (const c of cells) {
      const d = Number.isFinite(c.video.duration) && c.video.duration > 0 ? c.video.duration : Number(c.data.seconds) || 0;
      period = Math.max(period, d);
    }
    clock.setPeriod(period);
    seek.max = String(period || 1);
  };
  const updateReadout = () => {
    const pos = clock.position();
    setText(time, formatTime(pos));
    if (document.activeElement !== seek) seek.value = String(pos);
    setText(playBtn, clock.playing ? "Pause all" : "Play all");
    root.dataset.playing = String(clock.playing);
  };
  clock.on(updateReadout);
  timers.push(setInterval(updateReadout, 100));

  // --- audio: one audible cell at a time by default --------------------------------------------
  const applyMutes = () => {
    cells.forEach((c, i) => {
      const enlarged = overlayVideos.some((v) => v.dataset.cell === String(i));
      c.video.muted = muted[i] || enlarged;
      c.root.classList.toggle("sora-audible", !muted[i]);
      c.muteBtn.setAttribute("aria-pressed", String(Boolean(muted[i])));
      setText(c.muteBtn, muted[i] ? "Muted" : "Sound");
      c.soloBtn.setAttribute("aria-pressed", String(!muted[i] && muted.filter((m) => !m).length === 1));
    });
    for (const v of overlayVideos) {
      const i = Number(v.dataset.cell);
      v.muted = v.dataset.silent === "true" || Boolean(muted[i]);
    }
  };

  // --- feedback (ratings and notes) --------------------------------------------------------------
  const feedbackFor = (i) => (model.get("feedback") ?? {})[String(i)] ?? {};
  const setFeedback = (i, change) => {
    const all = { ...(model.get("feedback") ?? {}) };
    all[String(i)] = { rating: null, note: "", ...feedbackFor(i), ...change };
    model.set("feedback", all);
    model.save_changes();
    renderFeedback();
  };
  const renderFeedback = () => {
    cells.forEach((c, i) => {
      const fb = feedbackFor(i);
      c.upBtn.setAttribute("aria-pressed", String(fb.rating === 1));
      c.downBtn.setAttribute("aria-pressed", String(fb.rating === -1));
      if (document.activeElement !== c.note) c.note.value = fb.note ?? "";
    });
  };

  // --- cells -----------------------------------------------------------------------------------
  const renderCellState = (c) => {
    const d = c.data;
    const st = d.status ?? "pending";
    const progress = Math.max(0, Math.min(100, Number(d.progress) || 0));
    setText(c.statusText, FINAL.has(st) ? statusLabel(st) : `${statusLabel(st)} · ${progress}%`);
    c.bar.style.width = `${st === "completed" ? 100 : progress}%`;
    setText(c.errorText, d.error ?? "");
    c.errorText.hidden = !d.error;
    c.status.hidden = st === "completed" && Boolean(c.videoSlot.url);
    c.root.dataset.status = st;
    // Metrics, when asked for from Python, read after the label: "length=short · motion 0.4 …".
    setText(c.label, d.metrics ? `${d.label ?? ""} · ${d.metrics}` : (d.label ?? ""));
    // Hover-scrub from the spritesheet until the video itself can show frames.
    c.sprite.hidden = c.videoReady || !c.spriteSlot.url;
  };

  const attachMedia = (c, media) => {
    c.media = media;
    const loadVideo = () => {
      c.videoReady = false;
      const url = c.videoSlot.set(media.get("video"));
      if (url) {
        c.video.src = url;
        group.add(c.video); // a late video joins at the master position
      } else {
        group.remove(c.video);
        c.video.removeAttribute("src");
      }
      renderCellState(c);
    };
    const loadSprite = () => {
      const url = c.spriteSlot.set(media.get("spritesheet"));
      const cols = Number(media.get("sprite_columns")) || 1;
      const rows = Number(media.get("sprite_rows")) || 1;
      c.spriteGrid = [cols, rows];
      if (url) {
        c.sprite.style.backgroundImage = `url("${url}")`;
        c.sprite.style.backgroundSize = `${cols * 100}% ${rows * 100}%`;
        c.sprite.style.backgroundPosition = spritePosition(0, cols, rows);
      }
      renderCellState(c);
    };
    loadVideo();
    loadSprite();
    media.on("change:video", loadVideo);
    media.on("change:spritesheet", loadSprite);
    cellOffs.push(() => media.off("change:video", loadVideo), () => media.off("change:spritesheet", loadSprite));
  };

  const makeCell = (data, i) => {
    const video = h("video", {
      playsInline: true,
      preload: "auto",
      muted: true,
      attrs: { "data-role": "video", "data-cell": i, "aria-label": `cell ${i + 1} video` },
    });
    const sprite = h("div", { className: "sora-sprite", hidden: true, attrs: { "data-role": "sprite" } });
    const statusText = h("span", { attrs: { "data-role": "status" } });
    const bar = h("div");
    const errorText = h("div", { className: "sora-error", attrs: { "data-role": "error", role: "alert" } });
    const status = h("div", { className: "sora-status" }, statusText, h("div", { className: "sora-bar" }, bar), errorText);
    const stage = h("div", { className: "sora-stage", title: "Click to enlarge" }, video, sprite, status);
    const btn = (action, text, label) => h("button", { text, attrs: { "data-action": action, "aria-label": label } });
    const muteBtn = btn("mute", "Muted", `mute cell ${i + 1}`);
    const soloBtn = btn("solo", "Solo", `solo cell ${i + 1}`);
    const abBtn = btn("ab", "A/B", `pick cell ${i + 1} for the A/B wipe`);
    const upBtn = btn("up", "▲ good", `thumbs up for cell ${i + 1}`);
    const downBtn = btn("down", "▼ bad", `thumbs down for cell ${i + 1}`);
    const note = h("input", { type: "text", placeholder: "note", attrs: { "data-action": "note", "aria-label": `note for cell ${i + 1}` } });
    const label = h("div", { className: "sora-cell-label", attrs: { "data-role": "label" } });
    const cellRoot = h(
      "div",
      { className: "sora-cell", attrs: { "data-cell": i } },
      stage,
      label,
      h("div", { className: "sora-cellbar" }, muteBtn, soloBtn, abBtn, upBtn, downBtn, note),
    );
    const c = {
      data,
      root: cellRoot,
      stage,
      video,
      sprite,
      status,
      statusText,
      bar,
      errorText,
      label,
      muteBtn,
      soloBtn,
      abBtn,
      upBtn,
      downBtn,
      note,
      videoSlot: new BlobSlot("video/mp4"),
      spriteSlot: new BlobSlot("image/jpeg"),
      spriteGrid: [1, 1],
      videoReady: false,
      media: null,
    };
    video.addEventListener("loadeddata", () => {
      c.videoReady = true;
      renderCellState(c);
    });
    muteBtn.addEventListener("click", () => {
      muted[i] = !muted[i];
      applyMutes();
    });
    soloBtn.addEventListener("click", () => {
      muted = soloMutes(cells.length, i);
      applyMutes();
    });
    abBtn.addEventListener("click", () => pick(i));
    upBtn.addEventListener("click", () => setFeedback(i, { rating: feedbackFor(i).rating === 1 ? null : 1 }));
    downBtn.addEventListener("click", () => setFeedback(i, { rating: feedbackFor(i).rating === -1 ? null : -1 }));
    note.addEventListener("change", () => setFeedback(i, { note: note.value }));
    stage.addEventListener("click", () => {
      if (c.videoSlot.url) enlarge(i);
    });
    stage.addEventListener("mousemove", (e) => {
      if (c.sprite.hidden) return;
      const rect = stage.getBoundingClientRect();
      const frac = rect.width > 0 ? Math.min(0.999, Math.max(0, (e.clientX - rect.left) / rect.width)) : 0;
      const [cols, rows] = c.spriteGrid;
      c.sprite.style.backgroundPosition = spritePosition(Math.floor(frac * cols * rows), cols, rows);
    });
    stage.addEventListener("mouseleave", () => {
      const [cols, rows] = c.spriteGrid;
      c.sprite.style.backgroundPosition = spritePosition(0, cols, rows);
    });
    video.addEventListener("loadedmetadata", updatePeriod);
    return c;
  };

  const dropCellListeners = () => {
    for (const off of cellOffs) off();
    cellOffs = [];
  };

  const layout = () => {
    const generation = ++layoutGeneration;
    dropCellListeners();
    for (const c of cells) {
      group.remove(c.video);
      c.videoSlot.clear();
      c.spriteSlot.clear();
    }
    const data = model.get("cells") ?? [];
    const rowLabels = model.get("row_labels") ?? [];
    const colLabels = model.get("col_labels") ?? [];
    const ncols = Math.max(1, colLabels.length || Math.ceil(Math.sqrt(data.length)));
    const hasRowHeads = rowLabels.length > 0;
    table.style.gridTemplateColumns = `${hasRowHeads ? "minmax(60px, max-content) " : ""}repeat(${ncols}, minmax(160px, 1fr))`;
    cells = data.map((d, i) => makeCell(d, i));
    muted = soloMutes(cells.length, 0);
    picked = [];
    const children = [];
    if (colLabels.length) {
      if (hasRowHeads) {
        children.push(
          h(
            "div",
            { className: "sora-head sora-axis", attrs: { "data-role": "corner" } },
            [model.get("row_title"), model.get("col_title")].filter(Boolean).join(" ╲ "),
          ),
        );
      }
      colLabels.forEach((entry, j) => children.push(header(entry, "col-head", j)));
    }
    cells.forEach((c, i) => {
      if (hasRowHeads && i % ncols === 0) children.push(header(rowLabels[i / ncols], "row-head", i / ncols));
      children.push(c.root);
    });
    table.replaceChildren(...children);
    cells.forEach(renderCellState);
    applyMutes();
    renderFeedback();
    updatePeriod();
    resolveMedia(model).then((medias) => {
      if (generation !== layoutGeneration) return; // a newer layout owns the cells now
      medias.forEach((m, i) => {
        if (m && cells[i]) attachMedia(cells[i], m);
      });
    });
  };

  const updateCells = () => {
    const data = model.get("cells") ?? [];
    if (data.length !== cells.length) {
      layout();
      return;
    }
    data.forEach((d, i) => {
      cells[i].data = d;
      renderCellState(cells[i]);
    });
    updatePeriod();
  };

  // --- overlays: enlarge and A/B wipe ----------------------------------------------------------------
  const overlayVideo = (i, silent) => {
    const v = h("video", {
      playsInline: true,
      preload: "auto",
      src: cells[i].videoSlot.url,
      attrs: { "data-role": "overlay-video", "data-cell": i, "data-silent": silent },
    });
    overlayVideos.push(v);
    return v;
  };
  const closeOverlay = () => {
    for (const v of overlayVideos) {
      group.remove(v);
      v.pause();
      v.removeAttribute("src");
    }
    overlayVideos = [];
    overlay.replaceChildren();
    overlay.hidden = true;
    overlayClose = null;
    applyMutes();
    root.focus();
  };
  const openOverlay = (title, stage) => {
    const close = h("button", { text: "Close", attrs: { "data-action": "close" } });
    close.addEventListener("click", closeOverlay);
    overlay.replaceChildren(h("div", { className: "sora-controls" }, h("strong", { text: title }), close), stage);
    overlay.hidden = false;
    overlayClose = closeOverlay;
    for (const v of overlayVideos) group.add(v);
    applyMutes();
  };
  const cellName = (i) => cells[i].data.label || `cell ${i + 1}`;
  const enlarge = (i) => {
    closeOverlay();
    const v = overlayVideo(i, false);
    const stage = h("div", { className: "sora-stage" }, v);
    stage.addEventListener("click", closeOverlay);
    openOverlay(cellName(i), stage);
  };
  const pick = (i) => {
    picked = picked.includes(i) ? picked.filter((p) => p !== i) : [...picked, i].slice(-2);
    cells.forEach((c, j) => {
      c.root.classList.toggle("sora-picked", picked.includes(j));
      c.abBtn.setAttribute("aria-pressed", String(picked.includes(j)));
    });
    wipeBtn.disabled = picked.length !== 2 || picked.some((p) => !cells[p].videoSlot.url);
  };
  const wipe = () => {
    if (picked.length !== 2) return;
    closeOverlay();
    const [a, b] = picked;
    const vb = overlayVideo(b, true);
    const va = overlayVideo(a, false);
    const line = h("div", { className: "sora-wipe-line" });
    const stage = h(
      "div",
      { className: "sora-stage" },
      vb,
      va,
      line,
      h("span", { className: "sora-wipe-label", style: { left: "4px" }, text: `A: ${cellName(a)}` }),
      h("span", { className: "sora-wipe-label", style: { right: "4px" }, text: `B: ${cellName(b)}` }),
    );
    const split = h("input", { type: "range", min: "0", max: "100", value: "50", attrs: { "data-action": "wipe-split", "aria-label": "wipe position" } });
    const setSplit = () => {
      va.style.clipPath = `inset(0 ${100 - Number(split.value)}% 0 0)`;
      line.style.left = `${split.value}%`;
    };
    split.addEventListener("input", setSplit);
    setSplit();
    openOverlay(`A/B wipe`, stage);
    overlay.append(split);
  };

  // --- toolbar actions and keys ----------------------------------------------------------------------
  playBtn.addEventListener("click", () => clock.toggle());
  backBtn.addEventListener("click", () => clock.step(-1));
  fwdBtn.addEventListener("click", () => clock.step(1));
  seek.addEventListener("input", () => clock.seek(Number(seek.value)));
  speed.addEventListener("change", () => {
    clock.setRate(Number(speed.value));
    model.set("speed", Number(speed.value));
    model.save_changes();
  });
  loop.addEventListener("change", () => {
    clock.setLoop(loop.checked);
    model.set("loop", loop.checked);
    model.save_changes();
  });
  wipeBtn.addEventListener("click", wipe);
  listen(model, "change:speed", () => {
    const r = Number(model.get("speed")) || 1;
    if (r !== clock.rate) clock.setRate(r);
    speed.value = String(r);
  });
  listen(model, "change:loop", () => {
    const l = model.get("loop") !== false;
    if (l !== clock.loop) clock.setLoop(l);
    loop.checked = l;
  });
  root.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && overlayClose) {
      overlayClose();
      return;
    }
    if (isTyping(e)) return;
    if (e.key === " " && e.target.tagName !== "BUTTON") {
      e.preventDefault();
      clock.toggle();
    } else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      e.preventDefault();
      const dir = e.key === "ArrowLeft" ? -1 : 1;
      if (e.shiftKey) clock.seek(clock.position() + dir);
      else clock.step(dir);
    }
  });

  listen(model, "change:cells", updateCells);
  listen(model, "change:media", layout);
  listen(model, "change:row_labels", layout);
  listen(model, "change:col_labels", layout);
  listen(model, "change:feedback", renderFeedback);
  layout();
  updateReadout();

  const api = { clock, group, cells: () => cells, muted: () => muted };
  root.soraGrid = api; // for debugging from the console and for tests
  return () => {
    group.stop();
    dropCellListeners();
    for (const off of offs) off();
    for (const t of timers) clearInterval(t);
    for (const c of cells) {
      c.video.pause();
      c.videoSlot.clear();
      c.spriteSlot.clear();
    }
    root.remove();
  };
}

export default {
  render({ model, el }) {
    return buildGrid(model, el);
  },
};
