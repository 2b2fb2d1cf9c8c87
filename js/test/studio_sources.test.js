// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildStudio } from "../src/studio.js";
import { strengthLabel } from "../src/studio_sources.js";
import { XSS, studioModel } from "./studio_model.js";

const SOURCES = {
  first_image: "",
  last_image: "",
  fit: false,
  source_video: "",
  strength: null,
  strength_bounds: [0.01, 1],
  frame_thumbs: {},
  source_takes: [{ id: "take_1", label: `take_1 · ${XSS}` }],
  sources_offered: ["last_image", "video", "strength"],
  sources_hints: {},
  sources_problem: "",
};

let cleanups = [];
let live = 0;
beforeEach(() => {
  vi.useFakeTimers();
  // jsdom has no Blob URLs: count the live ones, so a dropped thumbnail is seen released.
  URL.createObjectURL = () => {
    live += 1;
    return `blob:thumb-${live}`;
  };
  URL.revokeObjectURL = () => {
    live -= 1;
  };
});
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  vi.useRealTimers();
});

function studio(overrides = {}) {
  const model = studioModel({ ...SOURCES, ...overrides });
  const el = document.createElement("div");
  cleanups.push(buildStudio(model, el));
  return { model, el, q: (sel) => el.querySelector(`[data-section="frames and source"] ${sel}`) };
}

describe("the studio's frames and source", () => {
  it("writes the paths and fit, and the strength only once a source is set", () => {
    const { model, q } = studio();
    const last = q("[data-field=last_image]");
    last.value = " last.png ";
    last.dispatchEvent(new Event("change"));
    expect(model.get("last_image")).toBe("last.png");
    const fit = q("[data-field=fit]");
    fit.checked = true;
    fit.dispatchEvent(new Event("change"));
    expect(model.get("fit")).toBe(true);
    const slider = q("[data-field=strength]");
    expect(slider.disabled).toBe(true);
    expect([slider.min, slider.max]).toEqual(["0.01", "1"]);
    expect(q("[data-role=strength-value]").textContent).toBe("model decides");
    const pick = q("[data-field=source_take]");
    expect(pick.options[1].textContent).toBe(`take_1 · ${XSS}`); // text: no element made of it
    pick.value = "take_1";
    pick.dispatchEvent(new Event("change"));
    expect(model.get("source_video")).toBe("take_1");
    expect(slider.disabled).toBe(false);
    slider.value = "0.6";
    slider.dispatchEvent(new Event("input"));
    slider.dispatchEvent(new Event("change"));
    expect(model.get("strength")).toBe(0.6);
    expect(q("[data-role=strength-value]").textContent).toBe("0.6");
    expect(strengthLabel("0.6000001")).toBe("0.6");
  });

  it("hides what the server lacks with its hint, and shows the kernel's problem as text", () => {
    const hint = "Last frame: not on the SGLang Diffusion (its /v1/videos keeps only the first image it is sent).";
    const { model, el, q } = studio({ sources_offered: ["video"], sources_hints: { last_image: hint, strength: XSS } });
    expect(q("[data-source=last_image]").hidden).toBe(true);
    expect(q("[data-source=strength]").hidden).toBe(true);
    expect(q("[data-source=video]").hidden).toBe(false);
    expect(q("[data-hint=last_image]").textContent).toBe(hint);
    expect(q("[data-hint=strength]").textContent).toBe(XSS);
    model.set("sources_problem", `The last frame ${XSS} does not exist; check the path.`);
    expect(q("[data-role=sources-problem]").textContent).toContain(XSS);
    expect(el.querySelector("img[src=x]")).toBeNull();
  });

  it("reads a frame's thumbnail from the kernel by its key", async () => {
    const { model, q } = studio();
    expect(q("img")).toBeNull();
    const png = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    model.answerReads({ "frame:first": png });
    model.set("frame_thumbs", { first: { size: png.length, version: "abc" } });
    model.flush();
    await vi.runAllTimersAsync();
    expect(model.sent.some((m) => m.type === "media-read" && m.key === "frame:first")).toBe(true);
    expect(q("[data-role=first-thumb]").getAttribute("src")).toMatch(/^blob:/);
    expect(live).toBe(1);
    model.set("frame_thumbs", {});
    expect(q("[data-role=first-thumb]")).toBeNull();
    expect(live).toBe(0);
  });
});
