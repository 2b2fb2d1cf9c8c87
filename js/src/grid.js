// The comparison grid: every cell of an experiment on one shared clock, labelled by what varies.
// Videos stream from the Jupyter server by URL where the page has one; elsewhere the kernel sends
// the ones on screen in chunks (media.js). Only the page shown holds any media.
import { MasterClock, formatTime, soloMutes, syncGroup } from "./clock.js";
import { h, isTyping, setText, statusLabel, wordsLabel } from "./dom.js";
import { KernelFiles, MIME, RouteChooser, pathKind, routeTitle, watchVisible } from "./media.js";
import { styleElement } from "./style.js";
import { transportControls } from "./transport.js";

const FINAL = new Set(["completed", "failed", "expired"]);

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

/** Cells per page and the number of pages of a grid model. */
export function pageShape(model) {
  const count = (model.get("cells") ?? []).length;
  const pages = Math.max(1, (model.get("page_labels") ?? []).length);
  return { pages, perPage: Math.ceil(count / pages) };
}

/**
 * Build the grid view into `el` from a widget model; returns a cleanup function.
 * Options (tests): `requestFrame`/`cancelFrame` drive the clock, `probe(url)` replaces the
 * HEAD request that checks a server route.
 */
export function buildGrid(model, el, { requestFrame, cancelFrame, probe } = {}) {
  const clock = new MasterClock({ loop: model.get("loop") !== false, rate: Number(model.get("speed")) || 1 });
  // The clock waits for the cells on screen only: one scrolled out of view does not hold it.
  const group = syncGroup(clock, { requestFrame, cancelFrame, gate: (video) => video.soraCell?.visible !== false });
  const chooser = new RouteChooser(model, probe ? { probe } : {});
  const kernel = new KernelFiles(model);
  const offs = [];
  const timers = [];
  const listen = (target, name, fn) => {
    target.on(name, fn);
    offs.push(() => target.off(name, fn));
  };
  let route = null; // "files" | "extension" | "kernel", chosen once per grid
  let cells = []; // the cells of the page shown
  let muted = [];
  let picked = [];
  let overlayVideos = [];
  let overlayClose = null;
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
  const waiting = h("span", { className: "sora-words", hidden: true, attrs: { "data-role": "waiting" } });
  const prevPage = h("button", { text: "◀", attrs: { "data-action": "page-prev", "aria-label": "previous page" } });
  const nextPage = h("button", { text: "▶", attrs: { "data-action": "page-next", "aria-label": "next page" } });
  const pageSelect = h("select", { attrs: { "data-action": "page", "aria-label": "page" } });
  const pager = h("span", { className: "sora-pager", attrs: { "data-role": "pager" } }, prevPage, pageSelect, nextPage);
  const toolbar = h(
    "div",
    { className: "sora-controls" },
    playBtn,
    backBtn,
    fwdBtn,
    time,
    seek,
    speed,
    h("label", {}, loop, " loop"),
    wipeBtn,
    waiting,
    pager,
  );
  // What went wrong in the kernel for this grid (a user's on_rate callback that failed).
  const gridError = h("div", { className: "sora-error", hidden: true, attrs: { "data-role": "grid-error", role: "alert" } });
  const renderError = () => {
    const text = model.get("error") ?? "";
    setText(gridError, text);
    gridError.hidden = !text;
  };
  const table = h("div", { className: "sora-grid-table", attrs: { "data-role": "cells" } });
  const overlay = h("div", { className: "sora-overlay", hidden: true, attrs: { "data-role": "overlay" } });
  const root = h(
    "div",
    { className: "sora-root sora-grid", tabIndex: 0, attrs: { "data-widget": "sora-grid" } },
    styleElement(),
    toolbar,
    gridError,
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
    const count = group.waitingFor();
    waiting.hidden = count === 0;
    setText(waiting, count ? `waiting for ${count} ${count === 1 ? "cell" : "cells"} to load…` : "");
    root.dataset.waiting = String(count);
  };
  clock.on(updateReadout);
  timers.push(setInterval(updateReadout, 100));

  // --- audio: one audible cell at a time by default --------------------------------------------
  const applyMutes = () => {
    cells.forEach((c, k) => {
      const enlarged = overlayVideos.some((v) => v.dataset.cell === String(c.index));
      c.video.muted = muted[k] || enlarged;
      c.root.classList.toggle("sora-audible", !muted[k]);
      c.muteBtn.setAttribute("aria-pressed", String(Boolean(muted[k])));
      setText(c.muteBtn, muted[k] ? "Muted" : "Sound");
      c.soloBtn.setAttribute("aria-pressed", String(!muted[k] && muted.filter((m) => !m).length === 1));
    });
    for (const v of overlayVideos) {
      const k = cells.findIndex((c) => String(c.index) === v.dataset.cell);
      v.muted = v.dataset.silent === "true" || Boolean(muted[k]);
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
    for (const c of cells) {
      const fb = feedbackFor(c.index);
      c.upBtn.setAttribute("aria-pressed", String(fb.rating === 1));
      c.downBtn.setAttribute("aria-pressed", String(fb.rating === -1));
      if (document.activeElement !== c.note) c.note.value = fb.note ?? "";
    }
  };

  // --- media: by URL from the server, else from the kernel for cells on screen -----------------
  const setRoute = (c, next) => {
    c.route = next;
    c.root.dataset.mediaPath = pathKind(next);
    c.stage.title = `Click to enlarge. ${routeTitle(next)}`;
  };
  const kernelKey = (c, variant) => `${c.index}/${variant}`;
  const source = (c, variant) => {
    const file = c.data.files?.[variant];
    if (!file) return Promise.resolve(null);
    if (c.route !== "kernel") return Promise.resolve(chooser.url(file, c.route));
    return kernel.load(kernelKey(c, variant), file, MIME[variant]);
  };
  const releaseCell = (c) => {
    c.loaded = {};
    for (const variant of Object.keys(MIME)) kernel.release(kernelKey(c, variant));
  };
  /** Load what cell `c` should show now: its poster, and its video when on screen (or played). */
  const loadCell = async (c) => {
    const files = c.data.files ?? {};
    const sample = files.video ?? files.thumbnail;
    if (!sample || c.gone) return;
    if (route === null) route = await chooser.choose(sample);
    if (c.gone) return;
    if (!c.route) setRoute(c, route);
    // On the kernel route a cell off screen asks for nothing until it is scrolled to or played.
    const eager = c.route !== "kernel" || c.visible || c.wanted;
    // Like a plain <video> (Chromium's default): enough to show the first frame and start, no
    // more, until the user plays; then the browser buffers ahead as it sees fit.
    c.video.preload = c.wanted ? "auto" : "metadata";
    try {
      if (files.thumbnail && c.loaded.thumbnail !== files.thumbnail.version && eager) {
        c.loaded.thumbnail = files.thumbnail.version;
        const poster = await source(c, "thumbnail");
        if (!c.gone && poster) c.video.poster = poster;
      }
      if (files.video && c.loaded.video !== files.video.version && eager) {
        c.loaded.video = files.video.version;
        const url = await source(c, "video");
        if (!c.gone && url) {
          c.videoReady = false;
          c.video.src = url;
          group.add(c.video); // a late video joins at the master position
          renderCellState(c);
        }
      }
    } catch (err) {
      if (!c.gone && err?.message !== "released") {
        c.loadError = `The video could not be loaded: ${err?.message ?? err}`;
        renderCellState(c);
      }
    }
  };
  const loadSprite = async (c) => {
    const file = c.data.files?.spritesheet;
    if (!file || c.loaded.spritesheet === file.version || c.videoReady || !c.route) return;
    c.loaded.spritesheet = file.version;
    try {
      const url = await source(c, "spritesheet");
      if (c.gone || !url) return;
      const [cols, rows] = spriteGrid();
      c.sprite.style.backgroundImage = `url("${url}")`;
      c.sprite.style.backgroundSize = `${cols * 100}% ${rows * 100}%`;
      c.sprite.style.backgroundPosition = spritePosition(0, cols, rows);
      c.spriteUrl = url;
      renderCellState(c);
    } catch {
      /* no hover-scrub for this cell; the poster stays */
    }
  };
  const spriteGrid = () => {
    const [cols, rows] = model.get("sprite_grid") ?? [1, 1];
    return [Number(cols) || 1, Number(rows) || 1];
  };

  // --- cells -----------------------------------------------------------------------------------
  const renderCellState = (c) => {
    const d = c.data;
    const st = d.status ?? "pending";
    const progress = Math.max(0, Math.min(100, Number(d.progress) || 0));
    setText(c.statusText, FINAL.has(st) ? statusLabel(st) : `${statusLabel(st)} · ${progress}%`);
    c.bar.style.width = `${st === "completed" ? 100 : progress}%`;
    const error = d.error || c.loadError || "";
    setText(c.errorText, error);
    c.errorText.hidden = !error;
    c.status.hidden = st === "completed" && c.video.hasAttribute("src") && !c.loadError;
    c.root.dataset.status = st;
    // Metrics, when asked for from Python, read after the label: "length=short · motion 0.4 …".
    setText(c.label, d.metrics ? `${d.label ?? ""} · ${d.metrics}` : (d.label ?? ""));
    // Hover-scrub from the spritesheet until the video itself can show frames.
    c.sprite.hidden = c.videoReady || !c.spriteUrl;
  };

  const makeCell = (data, index, pos) => {
    const video = h("video", {
      playsInline: true,
      preload: "metadata",
      muted: true,
      attrs: { "data-role": "video", "data-cell": index, "aria-label": `cell ${index + 1} video` },
    });
    const sprite = h("div", { className: "sora-sprite", hidden: true, attrs: { "data-role": "sprite" } });
    const statusText = h("span", { attrs: { "data-role": "status" } });
    const bar = h("div");
    const errorText = h("div", { className: "sora-error", attrs: { "data-role": "error", role: "alert" } });
    const status = h("div", { className: "sora-status" }, statusText, h("div", { className: "sora-bar" }, bar), errorText);
    const stage = h("div", { className: "sora-stage", title: "Click to enlarge" }, video, sprite, status);
    const btn = (action, text, label) => h("button", { text, attrs: { "data-action": action, "aria-label": label } });
    const muteBtn = btn("mute", "Muted", `mute cell ${index + 1}`);
    const soloBtn = btn("solo", "Solo", `solo cell ${index + 1}`);
    const abBtn = btn("ab", "A/B", `pick cell ${index + 1} for the A/B wipe`);
    const upBtn = btn("up", "▲ good", `thumbs up for cell ${index + 1}`);
    const downBtn = btn("down", "▼ bad", `thumbs down for cell ${index + 1}`);
    const note = h("input", { type: "text", placeholder: "note", attrs: { "data-action": "note", "aria-label": `note for cell ${index + 1}` } });
    const label = h("div", { className: "sora-cell-label", attrs: { "data-role": "label" } });
    const cellRoot = h(
      "div",
      { className: "sora-cell", attrs: { "data-cell": index } },
      stage,
      label,
      h("div", { className: "sora-cellbar" }, muteBtn, soloBtn, abBtn, upBtn, downBtn, note),
    );
    const c = {
      data,
      index,
      pos,
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
      route: null,
      loaded: {},
      spriteUrl: null,
      videoReady: false,
      visible: false,
      wanted: false,
      gone: false,
      loadError: "",
    };
    video.soraCell = c;
    video.addEventListener("loadeddata", () => {
      c.videoReady = true;
      renderCellState(c);
    });
    video.addEventListener("error", () => {
      if (c.gone || !video.getAttribute("src")) return;
      if (c.route !== "kernel") {
        // The server route failed for this cell (the file moved, the route is blocked): the
        // kernel sends it instead.
        group.remove(video);
        video.removeAttribute("src");
        releaseCell(c);
        setRoute(c, "kernel");
        loadCell(c);
      } else {
        c.loadError = "The browser could not play this video.";
        renderCellState(c);
      }
    });
    muteBtn.addEventListener("click", () => {
      muted[pos] = !muted[pos];
      applyMutes();
    });
    soloBtn.addEventListener("click", () => {
      muted = soloMutes(cells.length, pos);
      applyMutes();
    });
    abBtn.addEventListener("click", () => pick(pos));
    upBtn.addEventListener("click", () => setFeedback(index, { rating: feedbackFor(index).rating === 1 ? null : 1 }));
    downBtn.addEventListener("click", () => setFeedback(index, { rating: feedbackFor(index).rating === -1 ? null : -1 }));
    note.addEventListener("change", () => setFeedback(index, { note: note.value }));
    stage.addEventListener("click", () => {
      if (video.hasAttribute("src")) enlarge(pos);
    });
    stage.addEventListener("mouseenter", () => loadSprite(c));
    stage.addEventListener("mousemove", (e) => {
      if (c.sprite.hidden) return;
      const rect = stage.getBoundingClientRect();
      const frac = rect.width > 0 ? Math.min(0.999, Math.max(0, (e.clientX - rect.left) / rect.width)) : 0;
      const [cols, rows] = spriteGrid();
      c.sprite.style.backgroundPosition = spritePosition(Math.floor(frac * cols * rows), cols, rows);
    });
    stage.addEventListener("mouseleave", () => {
      const [cols, rows] = spriteGrid();
      c.sprite.style.backgroundPosition = spritePosition(0, cols, rows);
    });
    video.addEventListener("loadedmetadata", updatePeriod);
    c.stopWatching = watchVisible(cellRoot, (now) => {
      c.visible = now;
      loadCell(c);
      group.kick();
    });
    return c;
  };

  const dropCell = (c) => {
    c.gone = true;
    c.stopWatching();
    group.remove(c.video);
    c.video.pause();
    if (c.video.hasAttribute("src")) {
      c.video.removeAttribute("src");
      c.video.load(); // let go of what the element buffered
    }
    releaseCell(c);
  };

  const currentPage = () => {
    const { pages } = pageShape(model);
    return Math.min(Math.max(0, Number(model.get("page")) || 0), pages - 1);
  };

  const renderPager = () => {
    const labels = model.get("page_labels") ?? [];
    pager.hidden = labels.length < 2;
    const title = model.get("page_title");
    const page = currentPage();
    pageSelect.replaceChildren(
      ...labels.map((text, p) => h("option", { value: String(p), text: title ? `${title} = ${text}` : text, selected: p === page })),
    );
    pageSelect.value = String(page);
    prevPage.disabled = page <= 0;
    nextPage.disabled = page >= labels.length - 1;
  };

  const layout = () => {
    layoutGeneration += 1;
    closeOverlay(false);
    for (const c of cells) dropCell(c);
    const data = model.get("cells") ?? [];
    const { perPage } = pageShape(model);
    const page = currentPage();
    const start = page * perPage;
    const rowLabels = model.get("row_labels") ?? [];
    const colLabels = model.get("col_labels") ?? [];
    const ncols = Math.max(1, Number(model.get("columns")) || colLabels.length || Math.ceil(Math.sqrt(perPage)));
    const hasRowHeads = rowLabels.length > 0;
    // Columns share the width the notebook gives: a grid is never wider than its output area.
    table.style.gridTemplateColumns = `${hasRowHeads ? "fit-content(10em) " : ""}repeat(${ncols}, minmax(0, 1fr))`;
    cells = data.slice(start, start + perPage).map((d, pos) => makeCell(d, start + pos, pos));
    muted = soloMutes(cells.length, 0);
    picked = [];
    wipeBtn.disabled = true;
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
    cells.forEach((c, pos) => {
      if (hasRowHeads && pos % ncols === 0) children.push(header(rowLabels[pos / ncols], "row-head", pos / ncols));
      children.push(c.root);
    });
    table.replaceChildren(...children);
    root.dataset.page = String(page);
    renderPager();
    cells.forEach(renderCellState);
    applyMutes();
    renderFeedback();
    updatePeriod();
    for (const c of cells) loadCell(c);
  };

  const updateCells = () => {
    const data = model.get("cells") ?? [];
    const { perPage } = pageShape(model);
    const start = currentPage() * perPage;
    if (data.length < start + cells.length || cells.some((c) => data[c.index]?.take_id !== c.data.take_id)) {
      layout();
      return;
    }
    for (const c of cells) {
      c.data = data[c.index];
      renderCellState(c);
      loadCell(c); // a take that just completed brings its video
    }
    updatePeriod();
  };

  const showPage = (page) => {
    const { pages } = pageShape(model);
    const next = Math.min(Math.max(0, page), pages - 1);
    if (next === currentPage()) return;
    model.set("page", next);
    model.save_changes();
    layout();
  };

  // --- overlays: enlarge and A/B wipe ----------------------------------------------------------------
  const overlayVideo = (pos, silent) => {
    const c = cells[pos];
    c.wanted = true;
    const v = h("video", {
      playsInline: true,
      preload: "auto",
      src: c.video.getAttribute("src"),
      attrs: { "data-role": "overlay-video", "data-cell": c.index, "data-silent": silent },
    });
    overlayVideos.push(v);
    return v;
  };
  function closeOverlay(focus = true) {
    for (const v of overlayVideos) {
      group.remove(v);
      v.pause();
      v.removeAttribute("src");
      v.load?.();
    }
    overlayVideos = [];
    overlay.replaceChildren();
    overlay.hidden = true;
    overlayClose = null;
    applyMutes();
    if (focus) root.focus();
  }
  const openOverlay = (title, stage) => {
    const close = h("button", { text: "Close", attrs: { "data-action": "close" } });
    close.addEventListener("click", () => closeOverlay());
    overlay.replaceChildren(h("div", { className: "sora-controls" }, h("strong", { text: title }), close), stage);
    overlay.hidden = false;
    overlayClose = () => closeOverlay();
    for (const v of overlayVideos) group.add(v);
    applyMutes();
  };
  const cellName = (pos) => cells[pos].data.label || `cell ${cells[pos].index + 1}`;
  const enlarge = (pos) => {
    closeOverlay();
    const v = overlayVideo(pos, false);
    const stage = h("div", { className: "sora-stage" }, v);
    stage.addEventListener("click", () => closeOverlay());
    openOverlay(cellName(pos), stage);
  };
  const pick = (pos) => {
    picked = picked.includes(pos) ? picked.filter((p) => p !== pos) : [...picked, pos].slice(-2);
    cells.forEach((c, k) => {
      c.root.classList.toggle("sora-picked", picked.includes(k));
      c.abBtn.setAttribute("aria-pressed", String(picked.includes(k)));
    });
    wipeBtn.disabled = picked.length !== 2 || picked.some((p) => !cells[p].video.hasAttribute("src"));
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
  const play = () => {
    if (!clock.playing) {
      // Playing asks for every cell on the page, on screen or not (the kernel route waits for
      // the screen otherwise); the clock then waits until the ones on screen can play.
      for (const c of cells) {
        if (!c.wanted) {
          c.wanted = true;
          loadCell(c);
        }
      }
    }
    clock.toggle();
  };
  playBtn.addEventListener("click", play);
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
  prevPage.addEventListener("click", () => showPage(currentPage() - 1));
  nextPage.addEventListener("click", () => showPage(currentPage() + 1));
  pageSelect.addEventListener("change", () => showPage(Number(pageSelect.value)));
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
      play();
    } else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      e.preventDefault();
      const dir = e.key === "ArrowLeft" ? -1 : 1;
      if (e.shiftKey) clock.seek(clock.position() + dir);
      else clock.step(dir);
    }
  });

  listen(model, "change:cells", updateCells);
  listen(model, "change:row_labels", layout);
  listen(model, "change:col_labels", layout);
  listen(model, "change:columns", layout);
  listen(model, "change:page_labels", layout);
  listen(model, "change:page", () => {
    if (root.dataset.page !== String(currentPage())) layout();
  });
  listen(model, "change:feedback", renderFeedback);
  listen(model, "change:error", renderError);
  renderError();
  layout();
  updateReadout();

  const api = {
    clock,
    group,
    cells: () => cells,
    muted: () => muted,
    /** Bytes of video and images this grid holds from the kernel (0 on a server route). */
    kernelBytes: () => kernel.bytesHeld(),
    showPage,
  };
  root.soraGrid = api; // for debugging from the console and for tests
  return () => {
    layoutGeneration += 1;
    group.stop();
    for (const off of offs) off();
    for (const t of timers) clearInterval(t);
    closeOverlay(false);
    for (const c of cells) dropCell(c);
    kernel.dispose();
    root.remove();
  };
}

export default {
  render({ model, el }) {
    return buildGrid(model, el);
  },
};
