// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildStudio as buildStudioView } from "../src/studio.js";
import { swatchColour } from "../src/studio_colours.js";
import { TYPING_DELAY_MS, linesOf } from "../src/studio_controls.js";
import { REASON, XSS, studioModel } from "./studio_model.js";

let cleanups = [];
const buildStudio = (model, el) => {
  const cleanup = buildStudioView(model, el);
  cleanups.push(cleanup);
  return cleanup;
};
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  vi.useRealTimers();
});

const $ = (el, selector) => el.querySelector(selector);
function type(node, value) {
  node.value = value;
  node.dispatchEvent(new Event("input"));
}
function choose(node, value) {
  node.value = String(value);
  node.dispatchEvent(new Event("change"));
}

describe("studio view", () => {
  it("builds a control for every clause, with user text as text only", () => {
    const el = document.createElement("div");
    buildStudio(studioModel(), el);
    for (const name of [
      "prose",
      "subject",
      "action",
      "setting",
      "time_of_day",
      "weather",
      "style",
      "mood",
      "framing",
      "angle",
      "movement",
      "rig",
      "film_stock",
      "lens_mm",
      "aperture",
      "ambience",
      "effects",
      "music",
      "model",
      "size",
      "seconds",
      "takes",
    ]) {
      expect($(el, `[data-field="${name}"]`), name).not.toBeNull();
    }
    expect($(el, '[data-field="subject"]').value).toBe(XSS);
    const styles = el.querySelector(`#${$(el, '[data-field="style"]').getAttribute("list")}`);
    expect([...styles.querySelectorAll("option")].map((o) => o.value)).toEqual(["1970s film", "anime"]);
    expect($(el, '[data-role="prompt-text"]').textContent).toBe(`Subject: ${XSS}`);
    expect($(el, '[data-role="ladder"] [data-level="long"] pre').textContent).toBe(XSS);
    expect($(el, '[data-role="lint"] li').textContent).toBe("warning: <b>two</b> actions in one shot");
    expect(el.querySelector("img, b")).toBeNull();
    expect($(el, '[data-role="word-count"]').textContent).toBe("7 words");
    expect($(el, '[data-role="cost"]').textContent).toBe("1 take × 4 s: about $0.40");
  });

  it("shows free text from Python as its own choice instead of losing it", () => {
    const el = document.createElement("div");
    buildStudio(studioModel(), el);
    const stock = $(el, '[data-field="film_stock"]');
    expect(stock.value).toBe("Agfa Vista <b>200</b>");
    expect([...stock.options].map((o) => o.textContent)).toEqual(["—", "Kodak Vision3 500T", "Agfa Vista <b>200</b>"]);
    expect(stock.querySelector("b")).toBeNull();
  });

  it("writes choices into the camera dict and keeps its other keys", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    choose($(el, '[data-field="framing"]'), "close-up");
    expect(model.get("camera")).toEqual({ framing: "close-up", lens_mm: 35, film_stock: "Agfa Vista <b>200</b>" });
    choose($(el, '[data-field="framing"]'), "");
    expect("framing" in model.get("camera")).toBe(false);
    choose($(el, '[data-field="time_of_day"]'), "");
    expect(model.get("scene")).toEqual({ setting: "over the dunes" });
    expect(model.saved).toBe(3);
  });

  it("sends typed text after a pause, and at once on change", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    const subject = $(el, '[data-field="subject"]');
    type(subject, "a blue kite");
    expect(model.get("subject")).toBe(XSS);
    vi.advanceTimersByTime(TYPING_DELAY_MS + 1);
    expect(model.get("subject")).toBe("a blue kite");
    const action = $(el, '[data-field="action"]');
    action.value = "lifts\n\n  turns  \n";
    action.dispatchEvent(new Event("change"));
    expect(model.get("action")).toEqual(["lifts", "turns"]);
    const setting = $(el, '[data-field="setting"]');
    setting.value = "  ";
    setting.dispatchEvent(new Event("change"));
    expect(model.get("scene")).toEqual({ time_of_day: "dusk" });
  });

  it("follows changes from Python, but not in the box the user is typing in", () => {
    const el = document.createElement("div");
    document.body.append(el);
    const model = studioModel();
    buildStudio(model, el);
    const subject = $(el, '[data-field="subject"]');
    model.set("subject", "a heron");
    expect(subject.value).toBe("a heron");
    subject.focus();
    model.set("subject", "a crane");
    expect(subject.value).toBe("a heron");
    model.set("camera", { framing: "close-up", lens_mm: 85, aperture: 2.8 });
    expect($(el, '[data-field="framing"]').value).toBe("close-up");
    expect($(el, '[data-role="lens_mm-value"]').textContent).toBe("85 mm");
    expect($(el, '[data-role="aperture-value"]').textContent).toBe("f/2.8");
    expect($(el, '[data-field="aperture"]').value).toBe("2");
    model.set("camera", {});
    expect($(el, '[data-field="lens_mm"]').dataset.unset).toBe("true");
    expect($(el, '[data-action="lens_mm-clear"]').hidden).toBe(true);
    expect($(el, '[data-role="lens_mm-value"]').textContent).toBe("not set");
    el.remove();
  });

  it("sets the focal length from 12 to 200 mm and the aperture from f/1.4 to f/22", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    const lens = $(el, '[data-field="lens_mm"]');
    expect([lens.min, lens.max]).toEqual(["12", "200"]);
    lens.value = "85";
    lens.dispatchEvent(new Event("change"));
    expect(model.get("camera").lens_mm).toBe(85);
    // No checkbox to tick first: pressing the unset slider sets it where it rests.
    expect(el.querySelector('[data-field="aperture-on"]')).toBeNull();
    const aperture = $(el, '[data-field="aperture"]');
    expect(aperture.disabled).toBe(false);
    aperture.dispatchEvent(new Event("pointerdown"));
    expect(model.get("camera").aperture).toBe(2.8);
    aperture.value = "8";
    aperture.dispatchEvent(new Event("change"));
    expect(model.get("camera").aperture).toBe(22);
    aperture.value = "0";
    aperture.dispatchEvent(new Event("change"));
    expect(model.get("camera").aperture).toBe(1.4);
    const clear = $(el, '[data-action="lens_mm-clear"]');
    expect(clear.hidden).toBe(false);
    clear.click();
    expect("lens_mm" in model.get("camera")).toBe(false);
    expect(clear.hidden).toBe(true);
  });

  it("keeps the palette to 3 to 5 chips: adds, refuses duplicates, removes, fills up", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    const chips = () => [...el.querySelectorAll('[data-role="palette"] li')].map((li) => li.dataset.colour);
    expect(chips()).toEqual(["amber", "teal", "cream"]);
    expect($(el, '[data-colour="amber"] .sora-swatch').style.background).toBe("rgb(255, 191, 0)");
    const input = $(el, '[data-field="colour"]');
    input.value = "rust";
    $(el, '[data-action="add-colour"]').click();
    input.value = "Rust";
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(model.get("palette")).toEqual(["amber", "teal", "cream", "rust"]);
    input.value = XSS;
    $(el, '[data-action="add-colour"]').click();
    expect(chips()).toHaveLength(5);
    expect(el.querySelector("img")).toBeNull();
    expect(input.disabled).toBe(true);
    expect($(el, '[data-role="palette-hint"]').textContent).toBe("5 of 3–5 colours (full)");
    $(el, '[data-colour="teal"] [data-action="remove-colour"]').click();
    expect(model.get("palette")).toEqual(["amber", "cream", "rust", XSS]);
    expect(input.disabled).toBe(false);
  });

  it("edits dialogue lines: add, type, remove", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    $(el, '[data-action="add-line"]').click();
    expect(model.get("dialogue")).toEqual([
      { speaker: "Girl", line: "Higher!" },
      { speaker: "", line: "" },
    ]);
    const rows = el.querySelectorAll(".sora-dialogue-row");
    expect(rows).toHaveLength(2);
    const speaker = rows[1].querySelector('[data-field="speaker"]');
    type(speaker, "Father");
    vi.advanceTimersByTime(TYPING_DELAY_MS + 1);
    const line = rows[1].querySelector('[data-field="line"]');
    line.value = "Let the line out.";
    line.dispatchEvent(new Event("change"));
    expect(model.get("dialogue")[1]).toEqual({ speaker: "Father", line: "Let the line out." });
    rows[0].querySelector('[data-action="remove-line"]').click();
    expect(model.get("dialogue")).toEqual([{ speaker: "Father", line: "Let the line out." }]);
    expect(el.querySelectorAll(".sora-dialogue-row")[0].querySelector('[data-field="speaker"]').value).toBe("Father");
  });

  it("disables what the model cannot do and says why", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    const size = $(el, '[data-field="size"]');
    const big = [...size.options].find((o) => o.value === "1792x1024");
    expect(big.disabled).toBe(true);
    expect(big.title).toBe(REASON);
    // The reason shows on the option; the list below says it only once it applies.
    expect($(el, '[data-role="reasons"]').children).toHaveLength(0);
    model.set("size", "1792x1024");
    expect($(el, '[data-role="reasons"]').textContent).toBe(`1792x1024: ${REASON}`);
    choose($(el, '[data-field="model"]'), "sora-2-pro");
    expect(model.get("model")).toBe("sora-2-pro");
    model.set("disabled_reasons", {});
    expect([...size.options].every((o) => !o.disabled)).toBe(true);
    expect($(el, '[data-role="reasons"]').children).toHaveLength(0);
    choose($(el, '[data-field="seconds"]'), "8");
    choose($(el, '[data-field="takes"]'), "3");
    expect([model.get("seconds"), model.get("takes")]).toEqual([8, 3]);
  });

  it("shows seed, steps, guidance and a negative prompt only where the server takes them", () => {
    const el = document.createElement("div");
    const model = studioModel({ knobs_offered: [], knob_defaults: {} });
    buildStudio(model, el);
    const knobs = $(el, '[data-role="knobs"]');
    expect(knobs.hidden).toBe(true);
    model.set("knobs_offered", ["seed", "steps", "guidance", "negative_prompt"]);
    model.set("knob_defaults", { steps: 40, guidance: 4 });
    expect(knobs.hidden).toBe(false);
    // A control per row of the options table the kernel sent, each shown where offered.
    model.set("knobs_offered", ["seed"]);
    expect($(el, '[data-field="steps"]').closest("label").hidden).toBe(true);
    model.set("knobs_offered", ["seed", "steps", "guidance", "negative_prompt"]);
    expect($(el, '[data-field="steps"]').closest("label").hidden).toBe(false);
    const steps = $(el, '[data-field="steps"]');
    expect(steps.placeholder).toBe("model default 40");
    const seed = $(el, '[data-field="seed"]');
    seed.value = "7";
    seed.dispatchEvent(new Event("change"));
    steps.value = "30";
    steps.dispatchEvent(new Event("change"));
    expect([model.get("options").seed, model.get("options").steps]).toEqual([7, 30]);
    steps.value = "500";
    steps.dispatchEvent(new Event("change"));
    expect(model.get("options").steps).toBe(30);
    expect(steps.getAttribute("aria-invalid")).toBe("true");
    const guidance = $(el, '[data-field="guidance"]');
    guidance.value = "4.5";
    guidance.dispatchEvent(new Event("change"));
    const negative = $(el, '[data-field="negative_prompt"]');
    negative.value = XSS;
    negative.dispatchEvent(new Event("change"));
    expect([model.get("options").guidance, model.get("options").negative_prompt]).toEqual([4.5, XSS.trim()]);
    expect(el.querySelector("img")).toBeNull();
    seed.value = "";
    seed.dispatchEvent(new Event("change"));
    expect("seed" in model.get("options")).toBe(false);
  });

  it("sends Generate and Compare, and disables them with the reason when blocked", () => {
    const el = document.createElement("div");
    const model = studioModel();
    buildStudio(model, el);
    $(el, '[data-action="generate"]').click();
    expect($(el, '[data-role="run-status"]').textContent).toBe("Sending…");
    // One click, one run: both buttons wait for the kernel's answer.
    expect($(el, '[data-action="compare"]').disabled).toBe(true);
    $(el, '[data-action="generate"]').click();
    expect(model.sent).toEqual([{ type: "generate" }]);
    model.set("status", "Sent 1 take: sora-2 1280x720 4 s.");
    model.set("handled", 1);
    $(el, '[data-action="compare"]').click();
    expect(model.sent).toEqual([{ type: "generate" }, { type: "compare" }]);
    // The same answer twice still clears "Sending…": the counter moves even when the text does not.
    model.set("handled", 2);
    expect($(el, '[data-role="run-status"]').textContent).toBe("Sent 1 take: sora-2 1280x720 4 s.");
    model.set("compare_blocked", "Too few clauses to cut into 3 lengths");
    expect($(el, '[data-action="compare"]').disabled).toBe(true);
    expect($(el, '[data-action="generate"]').disabled).toBe(false);
    model.set("blocked", "Describe the shot first: the prompt is empty.");
    expect($(el, '[data-action="generate"]').disabled).toBe(true);
    expect($(el, '[data-role="blocked"]').textContent).toBe("Describe the shot first: the prompt is empty.");
    model.set("error", "<b>budget</b> exceeded");
    expect($(el, '[data-role="run-error"]').textContent).toBe("<b>budget</b> exceeded");
  });

  it("shows the result widget's view below, replacing the previous one", async () => {
    const el = document.createElement("div");
    const model = studioModel();
    const views = [];
    model.widget_manager = {
      get_model: async (id) => ({ id }),
      create_view: async (child) => {
        const view = { el: document.createElement("section"), removed: false, remove() { this.removed = true; } };
        view.el.dataset.child = child.id;
        views.push(view);
        return view;
      },
    };
    buildStudio(model, el);
    model.set("result", "IPY_MODEL_abc");
    await vi.runAllTimersAsync();
    expect($(el, '[data-role="result"] section').dataset.child).toBe("abc");
    model.set("result", "IPY_MODEL_def");
    await vi.runAllTimersAsync();
    expect([...el.querySelectorAll('[data-role="result"] section')].map((s) => s.dataset.child)).toEqual(["def"]);
    expect(views[0].removed).toBe(true);
  });

  it("keeps plain keys from the notebook's command-mode shortcuts, but not Shift+Enter", () => {
    const el = document.createElement("div");
    const seen = [];
    el.addEventListener("keydown", (e) => seen.push(e.key));
    buildStudio(studioModel(), el);
    const framing = $(el, '[data-field="framing"]');
    for (const init of [{ key: "ArrowDown" }, { key: "a" }, { key: " " }, { key: "Enter", shiftKey: true }, { key: "s", ctrlKey: true }]) {
      framing.dispatchEvent(new KeyboardEvent("keydown", { ...init, bubbles: true }));
    }
    expect(seen).toEqual(["Enter", "s"]);
  });

  it("marks a studio key's target before a capturing shortcut handler (Notebook 7) reads it", () => {
    const el = document.createElement("div");
    document.body.append(el);
    const marked = [];
    const capture = (e) => marked.push([e.key, e.target.hasAttribute("data-lm-suppress-shortcuts")]);
    document.addEventListener("keydown", capture, true);
    try {
      const cleanup = buildStudio(studioModel(), el);
      const framing = $(el, '[data-field="framing"]');
      for (const init of [{ key: "ArrowDown" }, { key: "a" }, { key: "Enter", shiftKey: true }, { key: "Escape" }]) {
        framing.dispatchEvent(new KeyboardEvent("keydown", { ...init, bubbles: true }));
      }
      expect(marked).toEqual([["ArrowDown", true], ["a", true], ["Enter", false], ["Escape", false]]);
      const removed = vi.spyOn(window, "removeEventListener");
      cleanup();
      expect(removed).toHaveBeenCalledWith("keydown", expect.any(Function), true); // none left behind
      removed.mockRestore();
    } finally {
      document.removeEventListener("keydown", capture, true);
      el.remove();
    }
  });

  it("cleans up: removed from the page, no listeners left, no pending sends", () => {
    const el = document.createElement("div");
    const model = studioModel();
    const cleanup = buildStudio(model, el);
    type($(el, '[data-field="subject"]'), "half typed");
    cleanup();
    vi.advanceTimersByTime(TYPING_DELAY_MS * 4);
    expect(model.get("subject")).toBe(XSS);
    expect(el.children.length).toBe(0);
    expect(Object.values(model.handlers).every((list) => list.length === 0)).toBe(true);
  });
});

describe("studio helpers", () => {
  it("reads one entry per non-blank line", () => {
    expect(linesOf(" a \n\n b\n")).toEqual(["a", "b"]);
    expect(linesOf("")).toEqual([]);
  });
  it("gives colourists' words a swatch and other text a neutral one", () => {
    expect(swatchColour("Deep Navy")).toBe("#0b1a3d");
    expect(swatchColour("url(javascript:alert(1))")).toBe("#8a8a8a");
  });
});
