// @vitest-environment jsdom
// The Player's chain and its Remix, Edit and Extend: what they send, what blocks them, and
// every prompt, label and reason shown as text.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildPlayer as buildPlayerView } from "../src/player.js";
import { similarity, stepLine } from "../src/player_chain.js";
import { FakeModel } from "./fakes.js";

const XSS = "<img src=x onerror=alert(1)> a kite";

let cleanups = [];
const buildPlayer = (...args) => {
  const cleanup = buildPlayerView(...args);
  cleanups.push(cleanup);
  return cleanup;
};
const liveBlobs = new Map();
beforeAll(() => {
  window.HTMLMediaElement.prototype.play = () => Promise.resolve();
  window.HTMLMediaElement.prototype.pause = () => {};
  window.HTMLMediaElement.prototype.load = () => {};
  URL.createObjectURL = (blob) => {
    const url = `blob:fake/${Math.random()}`;
    liveBlobs.set(url, blob);
    return url;
  };
  URL.revokeObjectURL = (url) => liveBlobs.delete(url);
});
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  liveBlobs.clear();
  document.getElementById("jupyter-config-data")?.remove();
});
const tick = () => new Promise((r) => setTimeout(r, 0));
const file = (path, size = 100) => ({ rel: `sora_media/${path}`, folder: "0123456789abcdef", path, size, version: "v1" });

function step(overrides) {
  return { take_id: "t1", kind: "create", label: "create 4 s", seconds: 4, video_seconds: 4, status: "completed", prompt: "A kite.", ...overrides };
}

const CHAIN = [
  step({ take_id: "t1", thumbnail: file("t1/thumbnail.webp") }),
  step({
    take_id: "t2",
    kind: "extension",
    label: "extend +8 s",
    seconds: 8,
    video_seconds: 12,
    prompt: XSS,
    thumbnail: file("t2/thumbnail.webp"),
    join: { at_seconds: 4, colour: 0.8236, layout: 0.7933 },
  }),
  step({ take_id: "t3", kind: "edit", label: "edit", seconds: 12, video_seconds: 12, status: "in_progress", prompt: "Make it night.", current: true }),
];

function playerModel(overrides = {}) {
  return new FakeModel({
    files: {},
    take_id: "t3",
    status: "completed",
    progress: 100,
    error: "",
    submitted_at: 0,
    completed_at: 0,
    model_name: "sora-2",
    size: "1280x720",
    seconds: 12,
    cost: null,
    estimated_cost: 0.4,
    prompt: "Make it night.",
    loop: true,
    speed: 1,
    chain: [],
    chain_note: "",
    blocked: {},
    extend_seconds: [4, 8, 12, 16, 20],
    handled: 0,
    ...overrides,
  });
}
const q = (el, selector) => el.querySelector(selector);

describe("player actions", () => {
  it("sends Remix, Edit and Extend with the typed text, and asks for text when there is none", () => {
    const el = document.createElement("div");
    const model = playerModel();
    buildPlayer(model, el);
    q(el, '[data-action="extend"]').click();
    expect(model.sent).toEqual([]);
    expect(q(el, '[data-role="action-note"]').textContent).toMatch(/Type what happens next/);
    const box = q(el, '[data-action="change-prompt"]');
    box.value = "  she waves  ";
    const seconds = q(el, '[data-field="extend-seconds"]');
    expect([...seconds.options].map((o) => o.textContent)).toEqual(["+4 s", "+8 s", "+12 s", "+16 s", "+20 s"]);
    expect(seconds.value).toBe("8");
    seconds.value = "12";
    q(el, '[data-action="extend"]').click();
    expect(model.sent).toEqual([{ type: "extend", prompt: "she waves", seconds: 12 }]);
    expect(box.value).toBe("");
    // One click sends one take: the buttons wait for the kernel's answer.
    for (const name of ["remix", "edit", "extend"]) expect(q(el, `[data-action="${name}"]`).disabled).toBe(true);
    model.set("handled", 1);
    box.value = "make it night";
    q(el, '[data-action="edit"]').click();
    model.set("handled", 2);
    box.value = "in the rain";
    q(el, '[data-action="remix"]').click();
    expect(model.sent.slice(1)).toEqual([
      { type: "edit", prompt: "make it night" },
      { type: "remix", prompt: "in the rain" },
    ]);
  });

  it("disables what the server cannot do, with the reason as a tooltip and as text", () => {
    const el = document.createElement("div");
    const why = "The <b>vLLM-Omni</b> cannot extend a video (it has no /videos/extensions route).";
    const model = playerModel({ blocked: { extend: why, edit: why.replace("extend", "edit") } });
    buildPlayer(model, el);
    const extend = q(el, '[data-action="extend"]');
    expect(extend.disabled).toBe(true);
    expect(extend.title).toBe(why);
    expect(q(el, '[data-field="extend-seconds"]').disabled).toBe(true);
    expect(q(el, '[data-action="remix"]').disabled).toBe(false);
    const hint = q(el, '[data-role="action-hint"]');
    expect(hint.hidden).toBe(false);
    expect(hint.textContent).toContain(`Extend: ${why}`);
    expect(hint.querySelector("b")).toBeNull();
    q(el, '[data-action="change-prompt"]').value = "more";
    extend.click();
    expect(model.sent).toEqual([]);
    model.set("blocked", {});
    expect(extend.disabled).toBe(false);
    expect(extend.hasAttribute("title")).toBe(false);
    expect(hint.hidden).toBe(true);
  });

  it("shows a refusal from the kernel in the error line, as text", () => {
    const el = document.createElement("div");
    const model = playerModel();
    buildPlayer(model, el);
    model.set("error", "The extension was not sent: This video lasts <i>116</i> s; 8 s more makes 124 s.");
    const error = q(el, '[data-role="error"]');
    expect(error.hidden).toBe(false);
    expect(error.textContent).toContain("<i>116</i>");
    expect(error.querySelector("i")).toBeNull();
  });
});

describe("player meta", () => {
  it("says what the take cost: dollars charged, or GPU seconds on one's own GPUs", () => {
    const el = document.createElement("div");
    const model = playerModel({ cost: 0.4 });
    buildPlayer(model, el);
    const meta = () => [...q(el, '[data-role="meta"]').children].map((span) => span.textContent);
    expect(meta()).toContain("cost $0.40");
    model.set("cost", 0);
    expect(meta()).toContain("cost $0.00");
    model.set("gpu_seconds", 12.46);
    expect(meta()).toContain("12.5 GPU s");
    expect(meta().join(" ")).not.toContain("$");
  });
});

describe("a failed take", () => {
  it("shows its error as text in place of the video, with nothing to play", () => {
    const el = document.createElement("div");
    const error = "Nothing answered at <b>http://127.0.0.1:9/v1</b>: is the server running?";
    const why = (doing) => `This take failed: there is no video to ${doing}.`;
    const model = playerModel({
      status: "failed",
      error,
      blocked: { remix: why("remix"), edit: why("edit"), extend: why("extend") },
    });
    buildPlayer(model, el);
    expect(q(el, "video")).toBeNull();
    expect(q(el, ".sora-controls").hidden).toBe(true);
    expect(q(el, '[data-action="download"]').hasAttribute("href")).toBe(false);
    const shown = q(el, '[data-role="error"]');
    expect(shown.hidden).toBe(false);
    expect(shown.textContent).toBe(error);
    expect(shown.querySelector("b")).toBeNull();
    expect(q(el, '[data-role="status"]').textContent).toMatch(/^failed/);
    for (const name of ["remix", "edit", "extend"]) expect(q(el, `[data-action="${name}"]`).disabled).toBe(true);
    // Clicking where the video would be plays nothing and sends nothing.
    q(el, ".sora-stage").click();
    expect(model.sent).toEqual([]);
  });

  it("gets its video element back when it is retried", () => {
    const el = document.createElement("div");
    const model = playerModel({ status: "failed", error: "The job failed." });
    buildPlayer(model, el);
    expect(q(el, "video")).toBeNull();
    model.set("error", "");
    model.set("status", "in_progress");
    expect(q(el, "video")).not.toBeNull();
    expect(q(el, ".sora-controls").hidden).toBe(false);
  });
});

describe("player chain", () => {
  it("is hidden for a video made in one go", () => {
    const el = document.createElement("div");
    buildPlayer(playerModel({ chain: [step({ current: true })] }), el);
    expect(q(el, '[data-role="chain-box"]').hidden).toBe(true);
  });

  it("lists each step's kind, length, status, prompt and join reading as text", () => {
    const el = document.createElement("div");
    const model = playerModel({ chain: CHAIN, chain_note: "At each join: <b>1</b> = the same." });
    buildPlayer(model, el);
    const box = q(el, '[data-role="chain-box"]');
    expect(box.hidden).toBe(false);
    expect(q(el, '[data-role="chain-head"]').textContent).toBe("Chain: 3 steps, 12 s");
    const items = [...el.querySelectorAll('[data-role="chain"] > li')];
    expect(items.map((li) => li.dataset.kind)).toEqual(["create", "extension", "edit"]);
    expect(items.map((li) => q(li, '[data-role="step-line"]').textContent)).toEqual([
      "create 4 s → 4 s · done",
      "extend +8 s → 12 s · done",
      "edit → 12 s · rendering",
    ]);
    expect(q(items[1], '[data-role="step-prompt"]').textContent).toBe(XSS);
    expect(el.querySelector("img[src=x]")).toBeNull();
    expect(q(items[1], '[data-role="join"]').textContent).toBe("join at 4 s: colour 0.82 · layout 0.79");
    expect(q(items[0], '[data-role="join"]')).toBeNull();
    expect(items[2].getAttribute("aria-current")).toBe("step");
    expect(items[0].hasAttribute("aria-current")).toBe(false);
    expect(q(el, '[data-role="chain-note"]').textContent).toBe("At each join: <b>1</b> = the same.");
    expect(q(el, '[data-role="chain-note"] b')).toBeNull();
    // The meta line says how long the whole video is.
    expect(q(el, '[data-role="meta"]').textContent).toContain("12 s");
  });

  it("grows when the kernel adds a step", () => {
    const el = document.createElement("div");
    const model = playerModel({ chain: CHAIN.slice(0, 1).map((s) => ({ ...s, current: true })) });
    buildPlayer(model, el);
    expect(q(el, '[data-role="chain-box"]').hidden).toBe(true);
    model.set("chain", CHAIN.slice(0, 2));
    expect(el.querySelectorAll('[data-role="chain"] > li')).toHaveLength(2);
    expect(q(el, '[data-role="chain-box"]').hidden).toBe(false);
  });

  it("asks the kernel for the steps' posters where there is no server route", async () => {
    const el = document.createElement("div");
    const model = playerModel();
    model.answerReads({ "chain:t1": new Uint8Array(100).fill(1), "chain:t2": new Uint8Array(100).fill(2) });
    buildPlayer(model, el);
    model.set("chain", CHAIN);
    await tick();
    const reads = model.sent.filter((m) => m.type === "media-read").map((m) => m.key);
    expect(reads.sort()).toEqual(["chain:t1", "chain:t2"]);
    model.flush();
    await tick();
    const posters = [...el.querySelectorAll('[data-role="step-thumb"]')];
    expect(posters.map((img) => img.getAttribute("src")?.startsWith("blob:") ?? false)).toEqual([true, true, false]);
    expect(posters.map((img) => img.alt)).toEqual(["create 4 s", "extend +8 s", "edit"]);
  });

  it("streams the posters by URL in a Jupyter page", async () => {
    const node = document.createElement("script");
    node.id = "jupyter-config-data";
    node.type = "application/json";
    node.textContent = JSON.stringify({ baseUrl: "/" });
    document.head.append(node);
    const el = document.createElement("div");
    const model = playerModel({ chain: CHAIN });
    model.widget_manager.context = { path: "lab.ipynb" };
    buildPlayer(model, el, { probe: async () => true });
    await tick();
    await tick();
    const poster = q(el, '[data-take="t2"] img');
    expect(poster.getAttribute("src")).toBe("/files/sora_media/t2/thumbnail.webp?v=v1");
    expect(model.sent).toEqual([]);
  });

  it("words a step and a reading", () => {
    expect(stepLine(CHAIN[1])).toBe("extend +8 s → 12 s · done");
    expect(similarity(0.5)).toBe("0.50");
    expect(similarity(undefined)).toBe("?");
  });
});
