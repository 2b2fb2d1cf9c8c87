// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { h } from "../src/dom.js";
import { buildGrid as buildGridView } from "../src/grid.js";
import { buildPlayer as buildPlayerView } from "../src/player.js";
import { FakeIntersectionObserver, FakeModel } from "./fakes.js";

const XSS = "<img src=x onerror=alert(1)> a kite";

// Views keep timers; every view a test builds is cleaned up after it.
let cleanups = [];
const track = (cleanup) => {
  let done = false;
  const once = () => {
    if (!done) cleanup();
    done = true;
  };
  cleanups.push(once);
  return once;
};
const buildGrid = (...args) => track(buildGridView(...args));
const buildPlayer = (...args) => track(buildPlayerView(...args));
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

beforeAll(() => {
  // jsdom has no media playback or Blob URLs; these stubs keep the views' calls harmless.
  window.HTMLMediaElement.prototype.play = function () {
    return Promise.resolve();
  };
  window.HTMLMediaElement.prototype.pause = function () {};
  window.HTMLMediaElement.prototype.load = function () {};
  URL.createObjectURL = (blob) => {
    const url = `blob:fake/${Math.random()}`;
    liveBlobs.set(url, blob);
    return url;
  };
  URL.revokeObjectURL = (url) => liveBlobs.delete(url);
});

// Blob URLs the views hold now (jsdom keeps none of its own).
const liveBlobs = new Map();
afterEach(() => {
  liveBlobs.clear();
  document.getElementById("jupyter-config-data")?.remove();
});

/** A page served by Jupyter: its config names the server's base URL, as Lab's pages do. */
function jupyterPage(baseUrl = "/user/ana/") {
  const node = document.createElement("script");
  node.id = "jupyter-config-data";
  node.type = "application/json";
  node.textContent = JSON.stringify({ baseUrl });
  document.head.append(node);
}

/** A MediaFile as the kernel describes it (rel to the notebook, folder id, path, size). */
function mediaFile(path, size, { rel = `sora_media/${path}`, folder = "0123456789abcdef" } = {}) {
  return { rel, folder, path, size, version: "v1" };
}
const bytes = (n, seed = 1) => {
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = (i * 7 + seed) % 251;
  return data;
};
const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const tick = () => new Promise((r) => setTimeout(r, 0));

function playerModel(overrides = {}) {
  return new FakeModel({
    files: {},
    take_id: "t1",
    status: "in_progress",
    progress: 40,
    error: "",
    submitted_at: Date.now() / 1000 - 12,
    completed_at: 0,
    model_name: "sora-2",
    size: "1280x720",
    seconds: 4,
    cost: null,
    estimated_cost: 0.4,
    prompt: XSS,
    words: 9, // the kernel counts them (sora_nb.prompt.word_count), never the page
    loop: true,
    speed: 1,
    ...overrides,
  });
}

/** A grid model whose cells have real files, read through `model.answerReads`. */
function mediaGridModel(n, extra = {}) {
  const contents = {};
  const cells = Array.from({ length: n }, (_, i) => {
    contents[`${i}/video`] = bytes(3000 + i, i);
    contents[`${i}/thumbnail`] = bytes(100, i);
    return {
      label: `cell ${i}`,
      take_id: `t${i}`,
      status: "completed",
      progress: 100,
      error: "",
      seconds: 4,
      files: {
        video: mediaFile(`takes/t${i}/video.mp4`, 3000 + i),
        thumbnail: mediaFile(`takes/t${i}/thumbnail.webp`, 100),
      },
    };
  });
  const model = new FakeModel({ cells, row_labels: [], col_labels: [], columns: 3, page_labels: [], page: 0, loop: true, speed: 1, feedback: {}, sprite_grid: [5, 5], ...extra });
  model.answerReads(contents);
  return model;
}

function gridModel(n = 9, extra = {}) {
  const cells = Array.from({ length: n }, (_, i) => ({
    label: i === 4 ? XSS : `cell ${i}`,
    take_id: `t${i}`,
    status: i === 2 ? "failed" : "in_progress",
    progress: 10 * i,
    error: i === 2 ? "Your request was blocked (moderation_blocked)" : "",
    seconds: 4,
  }));
  const model = new FakeModel({
    cells,
    media: [],
    row_labels: [{ text: "short", words: 3 }, { text: "medium", words: 12 }, { text: XSS }],
    col_labels: [{ text: "sora-2" }, { text: "sora-2-pro" }, { text: "other" }],
    row_title: "length",
    col_title: "model",
    loop: true,
    speed: 1,
    feedback: {},
    ...extra,
  });
  return model;
}

describe("h", () => {
  it("puts strings in as text, never as HTML", () => {
    const node = h("div", { text: XSS });
    expect(node.querySelector("img")).toBeNull();
    expect(node.textContent).toBe(XSS);
    expect(() => h("div", { innerHTML: "<b>x</b>" })).toThrow(/never set HTML/);
  });
});

describe("player view", () => {
  it("shows status, progress, elapsed time and metadata, and the prompt as text", () => {
    const el = document.createElement("div");
    buildPlayer(playerModel(), el);
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector('[data-role="prompt"]').textContent).toBe(XSS);
    expect(el.querySelector('[data-role="words"]').textContent).toBe("(9 words)");
    expect(el.querySelector('[data-role="status"]').textContent).toMatch(/rendering · 40% · 1[23] s/);
    const meta = el.querySelector('[data-role="meta"]').textContent;
    expect(meta).toContain("sora-2");
    expect(meta).toContain("4 s");
    expect(meta).toContain("estimated $0.40");
  });

  it("shows the server's error message when the take fails", () => {
    const el = document.createElement("div");
    const model = playerModel();
    buildPlayer(model, el);
    model.set("status", "failed");
    model.set("error", "<b>blocked</b> (moderation_blocked)");
    const err = el.querySelector('[data-role="error"]');
    expect(err.textContent).toBe("<b>blocked</b> (moderation_blocked)");
    expect(err.hidden).toBe(false);
    expect(err.querySelector("b")).toBeNull();
  });

  it("streams from Jupyter's /files/ beside the notebook, and no bytes pass through the kernel", async () => {
    jupyterPage("/user/ana/");
    const el = document.createElement("div");
    const model = playerModel({ status: "completed" });
    model.widget_manager.context = { path: "study/notes/lab.ipynb" };
    const probed = [];
    buildPlayer(model, el, { probe: async (url) => (probed.push(url), true) });
    model.set("files", {
      video: mediaFile("takes/t1/video.mp4", 41_000_000, { rel: "../sora_media/takes/t1/video.mp4" }),
      thumbnail: mediaFile("takes/t1/thumbnail.webp", 9000, { rel: "../sora_media/takes/t1/thumbnail.webp" }),
    });
    await tick();
    const video = el.querySelector("video");
    expect(video.getAttribute("src")).toBe("/user/ana/files/study/sora_media/takes/t1/video.mp4?v=v1");
    expect(video.getAttribute("poster")).toBe("/user/ana/files/study/sora_media/takes/t1/thumbnail.webp?v=v1");
    expect(el.querySelector("[data-widget=sora-player]").dataset.mediaPath).toBe("url");
    expect(probed).toHaveLength(1);
    expect(model.sent).toEqual([]);
    const link = el.querySelector('[data-action="download"]');
    expect(link.download).toBe("t1.mp4");
    expect(link.getAttribute("href")).toBe(video.getAttribute("src"));
  });

  it("uses sora_nb's server route for media outside the server's root", async () => {
    jupyterPage("/");
    const el = document.createElement("div");
    const model = playerModel({ status: "completed" });
    model.widget_manager.context = { path: "lab.ipynb" };
    buildPlayer(model, el, { probe: async () => true });
    model.set("files", { video: mediaFile("takes/t1/video.mp4", 10, { rel: "../../data/sora_media/takes/t1/video.mp4" }) });
    await tick();
    expect(el.querySelector("video").getAttribute("src")).toBe("/sora-nb/media/0123456789abcdef/takes/t1/video.mp4?v=v1");
  });

  it("without a server route asks the kernel for the video in chunks and plays the Blob", async () => {
    const el = document.createElement("div"); // no Jupyter config: VS Code, Colab...
    const model = playerModel({ status: "completed" });
    const video = bytes(5_000_000);
    model.answerReads({ video, thumbnail: bytes(1000, 3) });
    const cleanup = buildPlayer(model, el);
    model.set("files", { video: mediaFile("takes/t1/video.mp4", video.length), thumbnail: mediaFile("takes/t1/thumbnail.webp", 1000) });
    await tick();
    const reads = model.sent.filter((m) => m.type === "media-read");
    expect(reads.length).toBeLessThanOrEqual(3); // a window of chunks, not the whole file at once
    expect(reads.every((m) => m.length <= 2 * 1024 * 1024)).toBe(true);
    model.flush();
    await tick();
    model.flush();
    await tick();
    const src = el.querySelector("video").getAttribute("src");
    expect(src).toMatch(/^blob:/);
    const blob = liveBlobs.get(src);
    expect(blob.size).toBe(video.length);
    expect(sameBytes(new Uint8Array(await blob.arrayBuffer()), video)).toBe(true);
    const root = el.querySelector("[data-widget=sora-player]");
    expect(root.dataset.mediaPath).toBe("kernel");
    expect(root.querySelector(".sora-stage").title).toMatch(/kernel/);
    cleanup();
    expect(liveBlobs.size).toBe(0); // closing the widget lets go of what the kernel sent
  });

  it("falls back to the kernel when the server route does not answer", async () => {
    jupyterPage("/");
    const el = document.createElement("div");
    const model = playerModel({ status: "completed" });
    model.widget_manager.context = { path: "lab.ipynb" };
    model.answerReads({ video: bytes(10) });
    buildPlayer(model, el, { probe: async () => false });
    model.set("files", { video: mediaFile("takes/t1/video.mp4", 10) });
    await tick();
    model.flush();
    await tick();
    expect(el.querySelector("video").getAttribute("src")).toMatch(/^blob:/);
    expect(el.querySelector("[data-widget=sora-player]").dataset.mediaPath).toBe("kernel");
  });

  it("saves speed and loop to the model", () => {
    const el = document.createElement("div");
    const model = playerModel();
    buildPlayer(model, el);
    const speed = el.querySelector('[data-action="speed"]');
    speed.value = "2";
    speed.dispatchEvent(new Event("change"));
    expect(model.get("speed")).toBe(2);
    expect(el.querySelector("video").playbackRate).toBe(2);
    expect(model.saved).toBe(1);
  });

  it("cleans up: the view is removed and the model no longer drives it", () => {
    const el = document.createElement("div");
    const model = playerModel();
    const cleanup = buildPlayer(model, el);
    cleanup();
    expect(el.children.length).toBe(0);
    expect(Object.values(model.handlers).every((list) => list.length === 0)).toBe(true);
  });
});

describe("grid view", () => {
  it("builds headers with word counts and a cell per take, all user text as text", () => {
    const el = document.createElement("div");
    buildGrid(gridModel(), el, { requestFrame: () => 0, cancelFrame: () => {} });
    expect(el.querySelectorAll(".sora-cell").length).toBe(9);
    const cols = [...el.querySelectorAll('[data-role="col-head"]')].map((n) => n.textContent);
    expect(cols).toEqual(["sora-2", "sora-2-pro", "other"]);
    const rows = [...el.querySelectorAll('[data-role="row-head"]')].map((n) => n.textContent);
    expect(rows).toEqual(["short(3 words)", "medium(12 words)", XSS]);
    expect(el.querySelector('[data-role="corner"]').textContent).toBe("length ╲ model");
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector('[data-cell="4"] [data-role="label"]').textContent).toBe(XSS);
  });

  it("shows per-cell progress and errors in their own cell", () => {
    const el = document.createElement("div");
    const model = gridModel();
    buildGrid(model, el, { requestFrame: () => 0, cancelFrame: () => {} });
    const cell = (i) => el.querySelector(`.sora-cell[data-cell="${i}"]`);
    expect(cell(3).querySelector('[data-role="status"]').textContent).toBe("rendering · 30%");
    expect(cell(2).querySelector('[data-role="error"]').textContent).toMatch(/moderation_blocked/);
    expect(cell(3).querySelector('[data-role="error"]').hidden).toBe(true);
    const cells = model.get("cells").map((c, i) => (i === 3 ? { ...c, progress: 80 } : c));
    model.set("cells", cells);
    expect(cell(3).querySelector('[data-role="status"]').textContent).toBe("rendering · 80%");
  });

  it("keeps one cell audible: the first by default, the soloed one after a solo click", () => {
    const el = document.createElement("div");
    buildGrid(gridModel(), el, { requestFrame: () => 0, cancelFrame: () => {} });
    const videos = () => [...el.querySelectorAll('.sora-cell video')];
    expect(videos().map((v) => v.muted)).toEqual([false, true, true, true, true, true, true, true, true]);
    el.querySelector('.sora-cell[data-cell="5"] [data-action="solo"]').click();
    expect(videos().map((v) => v.muted)).toEqual([true, true, true, true, true, false, true, true, true]);
    el.querySelector('.sora-cell[data-cell="1"] [data-action="mute"]').click();
    expect(videos()[1].muted).toBe(false);
  });

  it("starts with the first cell heard but Solo unpressed, and says what Solo does", () => {
    const el = document.createElement("div");
    buildGrid(gridModel(), el, { requestFrame: () => 0, cancelFrame: () => {} });
    const solo = (i) => el.querySelector(`.sora-cell[data-cell="${i}"] [data-action="solo"]`);
    expect([...el.querySelectorAll('[data-action="solo"]')].map((b) => b.getAttribute("aria-pressed"))).toEqual(Array(9).fill("false"));
    expect(solo(0).textContent).toBe("Solo sound");
    expect(solo(0).title).toMatch(/Hear only this cell's sound/);
    expect(el.querySelector('.sora-cell[data-cell="0"] [data-action="mute"]').textContent).toBe("Sound");
    solo(3).click();
    expect(solo(3).getAttribute("aria-pressed")).toBe("true");
    el.querySelector('.sora-cell[data-cell="3"] [data-action="mute"]').click();
    expect(solo(3).getAttribute("aria-pressed")).toBe("false");
  });

  it("caps each column's width, so a one-column grid is not stretched to the edge", () => {
    const el = document.createElement("div");
    buildGrid(gridModel(3, { columns: 1, row_labels: [], col_labels: [] }), el, { requestFrame: () => 0, cancelFrame: () => {} });
    const table = el.querySelector('[data-role="cells"]');
    expect(table.style.gridTemplateColumns).toBe("repeat(1, minmax(0, var(--sora-cell-max)))");
    expect(el.querySelector("style").textContent).toContain("--sora-cell-max: 480px");
  });

  it("blind: no ratings, notes, A/B or enlarging, and the caption bands covered", () => {
    const el = document.createElement("div");
    const model = gridModel(2, { blind: true, cover: [0.15, 0.22], columns: 2, row_labels: [], col_labels: [] });
    buildGrid(model, el, { requestFrame: () => 0, cancelFrame: () => {} });
    expect(el.querySelector('[data-widget="sora-grid"]').classList.contains("sora-blind")).toBe(true);
    expect(el.querySelector('[data-action="wipe"]').hidden).toBe(true);
    const top = el.querySelector('.sora-cell[data-cell="0"] [data-role="cover-top"]');
    const bottom = el.querySelector('.sora-cell[data-cell="0"] [data-role="cover-bottom"]');
    expect([top.hidden, top.style.height, bottom.hidden, bottom.style.height]).toEqual([false, "15%", false, "22%"]);
    expect(el.querySelector('.sora-cell[data-cell="0"] .sora-stage').title).toBe("");
    model.set("cover", [0, 0]);
    expect(top.hidden && bottom.hidden).toBe(true);
  });

  it("shows the kernel's error line as text, and hides it when cleared", () => {
    const el = document.createElement("div");
    const model = gridModel(4, { error: "" });
    buildGrid(model, el, { requestFrame: () => 0, cancelFrame: () => {} });
    const line = el.querySelector('[data-role="grid-error"]');
    expect(line.hidden).toBe(true);
    model.set("error", `Your on_rate callback save failed: ValueError: ${XSS}`);
    expect(line.hidden).toBe(false);
    expect(line.textContent).toBe(`Your on_rate callback save failed: ValueError: ${XSS}`);
    expect(line.querySelector("img")).toBeNull();
    model.set("error", "");
    expect(line.hidden).toBe(true);
  });

  it("writes ratings and notes to the feedback trait", () => {
    const el = document.createElement("div");
    const model = gridModel();
    buildGrid(model, el, { requestFrame: () => 0, cancelFrame: () => {} });
    const up = el.querySelector('.sora-cell[data-cell="7"] [data-action="up"]');
    up.click();
    expect(model.get("feedback")).toEqual({ 7: { rating: 1, note: "" } });
    expect(up.getAttribute("aria-pressed")).toBe("true");
    const note = el.querySelector('.sora-cell[data-cell="7"] [data-action="note"]');
    note.value = "best light";
    note.dispatchEvent(new Event("change"));
    expect(model.get("feedback")["7"]).toEqual({ rating: 1, note: "best light" });
    up.click(); // a second click clears the rating
    expect(model.get("feedback")["7"].rating).toBeNull();
    expect(model.saved).toBe(3);
  });

  it("asks the kernel only for the cells on screen, and plays all on space", async () => {
    globalThis.IntersectionObserver = FakeIntersectionObserver;
    try {
      const el = document.createElement("div");
      const model = mediaGridModel(6);
      const cleanup = buildGrid(model, el, { requestFrame: () => 0, cancelFrame: () => {} });
      const cell = (i) => el.querySelector(`.sora-cell[data-cell="${i}"]`);
      await tick();
      expect(model.sent).toEqual([]); // nothing on screen yet: nothing asked of the kernel
      FakeIntersectionObserver.show(cell(0), true);
      FakeIntersectionObserver.show(cell(1), true);
      await tick();
      model.flush();
      await tick();
      model.flush();
      await tick();
      const asked = new Set(model.sent.map((m) => m.key));
      expect(asked).toEqual(new Set(["0/thumbnail", "0/video", "1/thumbnail", "1/video"]));
      expect(cell(0).querySelector("video").getAttribute("src")).toMatch(/^blob:/);
      expect(cell(0).querySelector("video").getAttribute("poster")).toMatch(/^blob:/);
      expect(cell(2).querySelector("video").getAttribute("src")).toBeNull();
      expect(cell(0).dataset.mediaPath).toBe("kernel");
      const root = el.querySelector(".sora-grid");
      // Play asks for the rest of the page's videos too; the clock waits for the ones on screen.
      root.dispatchEvent(new KeyboardEvent("keydown", { key: " ", bubbles: true }));
      expect(root.soraGrid.clock.playing).toBe(true);
      // Cells on screen whose videos are still on their way hold the clock.
      expect(root.soraGrid.clock.waiting).toBe(true);
      expect(root.soraGrid.group.waitingFor()).toBe(2);
      for (let k = 0; k < 6; k++) {
        await tick();
        model.flush();
      }
      await tick();
      expect([...el.querySelectorAll(".sora-cell video")].every((v) => v.getAttribute("src")?.startsWith("blob:"))).toBe(true);
      root.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
      expect(root.soraGrid.clock.playing).toBe(false);
      expect(root.soraGrid.kernelBytes()).toBe(6 * 100 + [0, 1, 2, 3, 4, 5].reduce((t, i) => t + 3000 + i, 0));
      cleanup();
      expect(el.children.length).toBe(0);
      expect(liveBlobs.size).toBe(0);
    } finally {
      delete globalThis.IntersectionObserver;
      FakeIntersectionObserver.all.clear();
    }
  });

  it("streams every cell by URL where the page has a Jupyter server", async () => {
    jupyterPage("/");
    const el = document.createElement("div");
    const model = mediaGridModel(4, { columns: 2 });
    model.widget_manager.context = { path: "lab.ipynb" };
    let probes = 0;
    buildGrid(model, el, { requestFrame: () => 0, cancelFrame: () => {}, probe: async () => (probes += 1) > 0 });
    await tick();
    await tick();
    const srcs = [...el.querySelectorAll(".sora-cell video")].map((v) => v.getAttribute("src"));
    expect(srcs).toEqual([0, 1, 2, 3].map((i) => `/files/sora_media/takes/t${i}/video.mp4?v=v1`));
    expect(probes).toBe(1); // one check for the whole grid
    expect(model.sent).toEqual([]);
    expect([...el.querySelectorAll(".sora-cell")].every((c) => c.dataset.mediaPath === "url")).toBe(true);
  });

  it("shows one page at a time; leaving a page lets go of its media", async () => {
    const el = document.createElement("div");
    const model = mediaGridModel(12, { columns: 2, page_labels: ["dawn", "noon", "dusk"], page_title: "time", row_labels: [{ text: "a" }, { text: "b" }] });
    buildGrid(model, el, { requestFrame: () => 0, cancelFrame: () => {} });
    const settle = async () => {
      for (let k = 0; k < 4; k++) {
        await tick();
        model.flush();
      }
      await tick();
    };
    await settle();
    const shown = () => [...el.querySelectorAll(".sora-cell")].map((c) => Number(c.dataset.cell));
    expect(shown()).toEqual([0, 1, 2, 3]);
    const root = el.querySelector(".sora-grid");
    const held = [root.soraGrid.kernelBytes()];
    const select = el.querySelector('[data-action="page"]');
    expect([...select.options].map((o) => o.textContent)).toEqual(["time = dawn", "time = noon", "time = dusk"]);
    for (const page of [1, 2, 0, 1, 2]) {
      el.querySelector('[data-action="page-next"]').click();
      if (page === 0) {
        select.value = "0";
        select.dispatchEvent(new Event("change"));
      }
      await settle();
      expect(shown()).toEqual([0, 1, 2, 3].map((i) => i + 4 * page));
      expect(model.get("page")).toBe(page);
      held.push(root.soraGrid.kernelBytes());
      expect(liveBlobs.size).toBe(8); // four videos and four posters: this page's, no more
    }
    expect(Math.max(...held) - Math.min(...held)).toBeLessThan(100); // flat while paging
    expect(el.querySelectorAll('[data-role="row-head"]').length).toBe(2);
  });
});
