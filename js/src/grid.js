// The comparison grid: every cell of an experiment on one shared clock, labelled by what varies.
// Videos stream from the Jupyter server by URL where the page has one; elsewhere the kernel sends
// the ones on screen in chunks (media.js). Only the page shown holds any media. A cell is
// grid_cell.js; the enlarged view and the A/B wipe are grid_overlay.js.
import { MasterClock, formatTime, soloMutes, syncGroup } from "./clock.js";
import { h, isTyping, setText, wordsLabel } from "./dom.js";
import { Cell } from "./grid_cell.js";
import { gridOverlay } from "./grid_overlay.js";
import { KernelFiles, RouteChooser } from "./media.js";
import { styleElement } from "./style.js";
import { transportControls } from "./transport.js";

export { spritePosition } from "./grid_cell.js";

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
  let route = null; // the grid's route, chosen once: a Promise of "files" | "extension" | "kernel"
  let cells = []; // the cells of the page shown
  let muted = [];
  let soloed = -1; // the cell the user made the only audible one (-1: none)
  let picked = [];
  const blind = () => Boolean(model.get("blind"));
  const cover = () => {
    const [top, bottom] = model.get("cover") ?? [];
    return [Number(top) || 0, Number(bottom) || 0];
  };

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
  const table = h("div", { className: "sora-grid-table", attrs: { "data-role": "cells" } });
  const overlayEl = h("div", { className: "sora-overlay", hidden: true, attrs: { "data-role": "overlay" } });
  const root = h(
    "div",
    { className: "sora-root sora-grid", tabIndex: 0, attrs: { "data-widget": "sora-grid" } },
    styleElement(),
    toolbar,
    gridError,
    // The overlay covers the cells but not the toolbar: the shared controls drive it too.
    h("div", { className: "sora-grid-body" }, table, overlayEl),
  );
  el.append(root);
  const overlay = gridOverlay({ overlay: overlayEl, root, group, changed: () => applyMutes(), closed: () => unpick() });

  const renderError = () => {
    const text = model.get("error") ?? "";
    setText(gridError, text);
    gridError.hidden = !text;
  };

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
  function applyMutes() {
    const enlarged = overlay.videos();
    cells.forEach((c, k) => {
      c.video.muted = muted[k] || enlarged.some((v) => v.dataset.cell === String(c.index));
      c.root.classList.toggle("sora-audible", !muted[k]);
      c.muteBtn.setAttribute("aria-pressed", String(Boolean(muted[k])));
      setText(c.muteBtn, muted[k] ? "Muted" : "Sound");
      // Pressed only when the user soloed this cell, not because it is the one heard at first.
      c.soloBtn.setAttribute("aria-pressed", String(soloed === k && !muted[k]));
    });
    for (const v of enlarged) {
      const k = cells.findIndex((c) => String(c.index) === v.dataset.cell);
      v.muted = v.dataset.silent === "true" || Boolean(muted[k]);
    }
  }

  // --- feedback (ratings and notes) --------------------------------------------------------------
  const feedbackFor = (i) => (model.get("feedback") ?? {})[String(i)] ?? {};
  const renderFeedback = () => {
    for (const c of cells) c.showFeedback(feedbackFor(c.index));
  };

  // --- what a cell asks of its grid ------------------------------------------------------------
  const spriteGrid = () => {
    const [cols, rows] = model.get("sprite_grid") ?? [1, 1];
    return [Number(cols) || 1, Number(rows) || 1];
  };
  const showPicks = () => {
    cells.forEach((c, k) => {
      c.root.classList.toggle("sora-picked", picked.includes(k));
      c.abBtn.setAttribute("aria-pressed", String(picked.includes(k)));
    });
    wipeBtn.disabled = picked.length !== 2 || picked.some((p) => !cells[p].video.hasAttribute("src"));
  };
  const pick = (pos) => {
    picked = picked.includes(pos) ? picked.filter((p) => p !== pos) : [...picked, pos].slice(-2);
    showPicks();
  };
  // Closing the wipe lets go of its two picks: A/B buttons do not stay pressed behind it.
  const unpick = () => {
    picked = [];
    showPicks();
  };
  const host = {
    group,
    chooser,
    kernel,
    route: (sample) => (route ??= chooser.choose(sample)),
    spriteGrid,
    mute: (pos) => {
      muted[pos] = !muted[pos];
      soloed = -1;
      applyMutes();
    },
    solo: (pos) => {
      muted = soloMutes(cells.length, pos);
      soloed = pos;
      applyMutes();
    },
    pick,
    enlarge: (pos) => overlay.enlarge(cells[pos]),
    rate: (index, change) => {
      const all = { ...(model.get("feedback") ?? {}) };
      all[String(index)] = { rating: null, note: "", ...feedbackFor(index), ...change };
      model.set("feedback", all);
      model.save_changes();
      renderFeedback();
    },
    feedbackFor,
    period: updatePeriod,
    blind,
    cover,
  };

  // --- layout and pages ------------------------------------------------------------------------
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

  // Live previews of the cells still rendering (only where the server makes them): the
  // kernel's bytes by cell index.
  const renderPreviews = () => {
    const previews = model.get("previews") ?? {};
    for (const c of cells) c.showPreview(previews[String(c.index)] ?? null);
  };

  const layout = () => {
    overlay.close(false);
    for (const c of cells) c.drop();
    const data = model.get("cells") ?? [];
    const { perPage } = pageShape(model);
    const page = currentPage();
    const start = page * perPage;
    const rowLabels = model.get("row_labels") ?? [];
    const colLabels = model.get("col_labels") ?? [];
    const ncols = Math.max(1, Number(model.get("columns")) || colLabels.length || Math.ceil(Math.sqrt(perPage)));
    const hasRowHeads = rowLabels.length > 0;
    // Columns share the width the notebook gives (a grid is never wider than its output area),
    // each at most --sora-cell-max wide: one column (a chain) is not stretched to the edge.
    table.style.gridTemplateColumns = `${hasRowHeads ? "fit-content(10em) " : ""}repeat(${ncols}, minmax(0, var(--sora-cell-max)))`;
    root.classList.toggle("sora-blind", blind());
    wipeBtn.hidden = blind();
    cells = data.slice(start, start + perPage).map((d, pos) => new Cell(d, start + pos, pos, host));
    muted = soloMutes(cells.length, 0);
    soloed = -1;
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
    for (const c of cells) c.render();
    renderPreviews();
    applyMutes();
    renderFeedback();
    updatePeriod();
    for (const c of cells) c.load();
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
      c.render();
      c.load(); // a take that just completed brings its video
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

  // --- toolbar actions and keys ----------------------------------------------------------------------
  const play = () => {
    // Playing asks for every cell on the page, on screen or not (the kernel route waits for
    // the screen otherwise); the clock then waits until the ones on screen can play.
    if (!clock.playing) for (const c of cells) c.want();
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
  wipeBtn.addEventListener("click", () => {
    if (picked.length === 2) overlay.wipe(cells[picked[0]], cells[picked[1]]);
  });
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
    if (e.key === "Escape" && overlay.isOpen()) {
      overlay.close();
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
  listen(model, "change:previews", renderPreviews);
  listen(model, "change:row_labels", layout);
  listen(model, "change:col_labels", layout);
  listen(model, "change:columns", layout);
  listen(model, "change:page_labels", layout);
  listen(model, "change:page", () => {
    if (root.dataset.page !== String(currentPage())) layout();
  });
  listen(model, "change:feedback", renderFeedback);
  listen(model, "change:blind", layout);
  listen(model, "change:cover", () => {
    for (const c of cells) c.showCover();
  });
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
    group.stop();
    for (const off of offs) off();
    for (const t of timers) clearInterval(t);
    overlay.close(false);
    for (const c of cells) c.drop();
    kernel.dispose();
    root.remove();
  };
}

export default {
  render({ model, el }) {
    return buildGrid(model, el);
  },
};
