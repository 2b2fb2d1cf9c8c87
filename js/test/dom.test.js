// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { h, wordCount } from "../src/dom.js";
import { buildGrid as buildGridView } from "../src/grid.js";
import { buildPlayer as buildPlayerView } from "../src/player.js";
import { FakeModel } from "./fakes.js";

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
  URL.createObjectURL = () => `blob:fake/${Math.random()}`;
  URL.revokeObjectURL = () => {};
});

function playerModel(overrides = {}) {
  return new FakeModel({
    video: new DataView(new ArrayBuffer(0)),
    thumbnail: new DataView(new ArrayBuffer(0)),
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
    loop: true,
    speed: 1,
    ...overrides,
  });
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
  it("counts words like Python's str.split", () => {
    expect(wordCount("  a  b\nc ")).toBe(3);
    expect(wordCount("")).toBe(0);
  });
});

describe("player view", () => {
  it("shows status, progress, elapsed time and metadata, and the prompt as text", () => {
    const el = document.createElement("div");
    buildPlayer(playerModel(), el);
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector('[data-role="prompt"]').textContent).toBe(XSS);
    expect(el.querySelector('[data-role="words"]').textContent).toBe("(5 words)");
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

  it("plays through a Blob URL once bytes arrive and offers a download", () => {
    const el = document.createElement("div");
    const model = playerModel();
    buildPlayer(model, el);
    model.set("video", new DataView(new Uint8Array([0, 0, 0, 24]).buffer));
    model.set("status", "completed");
    expect(el.querySelector("video").src).toMatch(/^blob:/);
    const link = el.querySelector('[data-action="download"]');
    expect(link.download).toBe("t1.mp4");
  });

  it("sends a remix request with the typed prompt, and asks for text when empty", () => {
    const el = document.createElement("div");
    const model = playerModel({ status: "completed" });
    buildPlayer(model, el);
    el.querySelector('[data-action="remix"]').click();
    expect(model.sent).toEqual([]);
    expect(el.querySelector('[data-role="remix-note"]').textContent).toMatch(/Type what should change/);
    el.querySelector('[data-action="remix-prompt"]').value = "make it night";
    el.querySelector('[data-action="remix"]').click();
    expect(model.sent).toEqual([{ type: "remix", prompt: "make it night" }]);
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

  it("loads per-cell media from child models and plays all on space", async () => {
    const el = document.createElement("div");
    const model = gridModel(2, { row_labels: [], col_labels: [] });
    const child = (bytes) =>
      new FakeModel({ video: new DataView(new Uint8Array(bytes).buffer), spritesheet: new DataView(new ArrayBuffer(0)), sprite_columns: 5, sprite_rows: 5 });
    model.children = { a: child([1, 2, 3]), b: child([]) };
    model.state.media = ["IPY_MODEL_a", "IPY_MODEL_b"];
    const cleanup = buildGrid(model, el, { requestFrame: () => 0, cancelFrame: () => {} });
    await new Promise((r) => setTimeout(r, 0));
    const videos = el.querySelectorAll(".sora-cell video");
    expect(videos[0].src).toMatch(/^blob:/);
    expect(videos[1].getAttribute("src")).toBeNull();
    const root = el.querySelector(".sora-grid");
    root.dispatchEvent(new KeyboardEvent("keydown", { key: " ", bubbles: true }));
    expect(root.soraGrid.clock.playing).toBe(true);
    root.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(root.soraGrid.clock.playing).toBe(false);
    model.children.b.set("video", new DataView(new Uint8Array([9]).buffer));
    expect(videos[1].src).toMatch(/^blob:/);
    cleanup();
    expect(el.children.length).toBe(0);
  });
});
