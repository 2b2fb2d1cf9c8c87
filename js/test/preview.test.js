// @vitest-environment jsdom
// Live previews in the Player: bytes from the kernel shown in an <img> through a Blob URL (never
// markup), a new URL for each new preview (the old one let go), and gone once the video is in.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildPlayer } from "../src/player.js";
import { PreviewImage } from "../src/preview.js";
import { FakeModel } from "./fakes.js";

const liveBlobs = new Map();
let cleanups = [];
beforeAll(() => {
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
});

const jpeg = (tag) => new DataView(new TextEncoder().encode(`\xff\xd8 ${tag}`).buffer);

function runningPlayer() {
  const model = new FakeModel({
    files: {},
    take_id: "t1",
    status: "in_progress",
    progress: 40,
    error: "",
    submitted_at: 0,
    completed_at: 0,
    model_name: "wan-tiny",
    size: "112x64",
    seconds: 1,
    cost: 0,
    estimated_cost: 0,
    prompt: "a kite",
    preview: null,
    loop: true,
    speed: 1,
    chain: [],
    chain_note: "",
    blocked: {},
    extend_seconds: [4],
    handled: 0,
  });
  const el = document.createElement("div");
  cleanups.push(buildPlayer(model, el));
  return { model, el };
}

describe("live previews", () => {
  it("shows each new preview from a Blob URL of its bytes and lets the old one go", async () => {
    const { model, el } = runningPlayer();
    expect(el.querySelector("img")).toBeNull(); // no preview yet: no image at all
    model.set("preview", jpeg("one"));
    const img = el.querySelector("img[data-role=preview]");
    const first = img.getAttribute("src");
    expect(first.startsWith("blob:")).toBe(true);
    expect(await liveBlobs.get(first).text()).toContain("one");
    expect(liveBlobs.get(first).type).toBe("image/jpeg");
    model.set("preview", jpeg("two"));
    const second = img.getAttribute("src");
    expect(second).not.toBe(first);
    expect(liveBlobs.has(first)).toBe(false); // revoked
    expect(img.dataset.previews).toBe("2");
    expect(img.hidden).toBe(false);
    // The status line stays over it.
    expect(img.nextElementSibling.className).toBe("sora-status");
  });

  it("keeps the last preview through completion until the video comes, then hides it", () => {
    const stage = document.createElement("div");
    const status = document.createElement("div");
    stage.append(status);
    const preview = new PreviewImage("preview", stage, status);
    preview.update(jpeg("last"), { hasVideo: false, completed: false });
    preview.update(null, { hasVideo: false, completed: true }); // the kernel let it go
    expect(preview.img.hidden).toBe(false);
    preview.update(null, { hasVideo: true, completed: true });
    expect(preview.img.hidden).toBe(true);
    expect(preview.img.hasAttribute("src")).toBe(false);
    expect(liveBlobs.size).toBe(0);
  });

  it("takes the preview away from a take that failed", () => {
    const { model, el } = runningPlayer();
    model.set("preview", jpeg("one"));
    model.set("status", "failed");
    model.set("preview", null);
    expect(el.querySelector("img[data-role=preview]").hidden).toBe(true);
  });
});
