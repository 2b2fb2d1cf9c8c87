// @vitest-environment jsdom
// The studio's characters: the folder's cast offered with posters, two picks at most, a
// character the server lacks made on request, and the shot-by-shot toggle; names as text.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { buildStudio as buildStudioView } from "../src/studio.js";
import { FULL } from "../src/studio_characters.js";
import { studioModel } from "./studio_model.js";

const NAME = "<b>Maya</b> <img src=x onerror=alert(1)>";
const poster = (name) => ({ rel: `sora_media/characters/${name}/thumbnail.webp`, folder: "0123456789abcdef", path: `characters/${name}/thumbnail.webp`, size: 50, version: "v1" });
const CAST = [
  { name: NAME, thumbnail: poster("maya"), made_here: true },
  { name: "Theo", thumbnail: poster("theo"), made_here: true },
  { name: "Ada", made_here: false },
];

let cleanups = [];
// Built into the page: a checkbox that is not in the document does not change on click.
const buildStudio = (model, el, options) => {
  document.body.append(el);
  const cleanup = buildStudioView(model, el, options);
  cleanups.push(() => {
    cleanup();
    el.remove();
  });
  return cleanup;
};
beforeAll(() => {
  URL.createObjectURL = () => `blob:fake/${Math.random()}`;
  URL.revokeObjectURL = () => {};
});
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  vi.useRealTimers();
});
const $ = (el, selector) => el.querySelector(selector);
const box = (el, name) => [...el.querySelectorAll("[data-character]")].find((b) => b.dataset.character === name);
const flushPromises = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe("studio characters", () => {
  it("offers the folder's characters by name and poster, names as text", async () => {
    const el = document.createElement("div");
    const model = studioModel({ character_options: CAST });
    model.answerReads({ "character:Theo": new Uint8Array(50), [`character:${NAME}`]: new Uint8Array(50) });
    buildStudio(model, el);
    const names = [...el.querySelectorAll('[data-role="character-name"]')].map((n) => n.textContent);
    expect(names).toEqual([NAME, "Theo", "Ada"]);
    expect(el.querySelector("img[src=x]")).toBeNull();
    expect($(el, '[data-section="characters"] b')).toBeNull();
    expect($(el, '[data-role="no-characters"]').hidden).toBe(true);
    // Without a Jupyter server route the posters come from the kernel, in chunks.
    await flushPromises();
    const asked = model.sent.filter((m) => m.type === "media-read").map((m) => m.key);
    expect(asked.sort()).toEqual([`character:${NAME}`, "character:Theo"]);
    model.flush();
    await flushPromises();
    const thumbs = [...el.querySelectorAll('[data-role="character-thumb"]')];
    expect(thumbs.map((img) => (img.getAttribute("src") ?? "").startsWith("blob:"))).toEqual([true, true, false]);
  });

  it("picks two at most, and a third waits with the reason", () => {
    const el = document.createElement("div");
    const model = studioModel({ character_options: CAST });
    buildStudio(model, el);
    box(el, "Theo").click();
    expect(model.get("characters")).toEqual(["Theo"]);
    box(el, NAME).click();
    expect(model.get("characters")).toEqual(["Theo", NAME]);
    const third = box(el, "Ada");
    expect(third.disabled).toBe(true);
    expect(third.title).toBe(FULL);
    expect(box(el, "Theo").disabled).toBe(false); // a pick can always be taken back
    box(el, "Theo").click();
    expect(model.get("characters")).toEqual([NAME]);
    expect(third.disabled).toBe(false);
    expect($(el, '[data-name="Theo"]').dataset.picked).toBe("false");
  });

  it("makes a character the server lacks, once per click, when asked", () => {
    const el = document.createElement("div");
    const model = studioModel({ character_options: CAST });
    buildStudio(model, el);
    const makes = [...el.querySelectorAll('[data-action="make-character"]')];
    expect(makes.map((b) => b.dataset.name)).toEqual(["Ada"]);
    expect($(el, '[data-name="Ada"] [data-role="not-here"]').textContent).toBe("not on this server yet");
    makes[0].click();
    makes[0].click();
    expect(model.sent.filter((m) => m.type === "make-character")).toEqual([{ type: "make-character", name: "Ada" }]);
    expect(makes[0].disabled).toBe(true);
    model.set("handled", 1);
    model.set("character_options", CAST.map((c) => ({ ...c, made_here: true })));
    expect(el.querySelectorAll('[data-action="make-character"]')).toHaveLength(0);
  });

  it("says why a server cannot feature characters, and the lint says which name the prompt lacks", () => {
    const el = document.createElement("div");
    const why = "The vLLM-Omni cannot feature characters (it has no /videos/characters route).";
    const model = studioModel({
      character_options: CAST,
      characters_blocked: why,
      lint: [{ severity: "warning", message: `The character ${NAME} is sent with this prompt but the prompt never names it.` }],
    });
    buildStudio(model, el);
    expect($(el, '[data-role="characters-blocked"]').textContent).toBe(why);
    expect(box(el, "Theo").disabled).toBe(true);
    expect(box(el, "Theo").title).toBe(why);
    expect($(el, '[data-name="Ada"] [data-action="make-character"]').disabled).toBe(true);
    const lint = $(el, '[data-role="lint"]');
    expect(lint.textContent).toContain(`The character ${NAME} is sent`);
    expect(lint.querySelector("b")).toBeNull();
  });

  it("an empty folder says how to make a character, and Refresh reads it again", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    expect($(el, '[data-role="no-characters"]').hidden).toBe(false);
    expect($(el, '[data-role="no-characters"]').textContent).toContain("%sora character add NAME CLIP.mp4");
    const refresh = $(el, '[data-action="characters"]');
    refresh.click();
    refresh.click();
    expect(model.sent.filter((m) => m.type === "characters")).toHaveLength(1);
    expect(refresh.disabled).toBe(true);
    model.set("handled", 1);
    model.set("character_options", CAST.slice(1, 2));
    expect(refresh.disabled).toBe(false);
    expect($(el, '[data-role="no-characters"]').hidden).toBe(true);
    expect(el.querySelectorAll("[data-character]")).toHaveLength(1);
  });

  it("turns shot by shot on and off", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    const toggle = $(el, '[data-field="shot_by_shot"]');
    toggle.click();
    expect(model.get("shot_by_shot")).toBe(true);
    model.set("cost_text", "Shot by shot: 2 steps (create 4 s, extend +4 s) = 8 s; the whole chain about $0.80");
    expect($(el, '[data-role="cost"]').textContent).toContain("the whole chain about $0.80");
    model.set("shot_by_shot", false);
    expect(toggle.checked).toBe(false);
  });

  it("offers the enhanced toggle only once an enhancer is named, and says how to name one", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    const toggle = $(el, '[data-field="enhance"]');
    expect(toggle.disabled).toBe(true);
    expect(toggle.parentElement.title).toBe("No prompt enhancer is named: %sora enhancer URL --model M");
    model.set("enhancer", "tiny-writer at http://localhost:11434/v1");
    expect(toggle.disabled).toBe(false);
    expect(toggle.parentElement.title).toContain("tiny-writer at http://localhost:11434/v1's rewrite");
    toggle.click();
    expect(model.get("enhance")).toBe(true);
    model.set("enhance", false);
    expect(toggle.checked).toBe(false);
  });
});
