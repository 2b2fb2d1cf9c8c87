// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildStudio } from "../src/studio.js";
import { parseLoras, splitLoras, strengthText } from "../src/studio_loras.js";
import { XSS, studioModel } from "./studio_model.js";

const LORAS = { name: "loras", label: "LoRA adapters", kind: "loras", min: 0, max: 4, placeholder: "ghibli:0.8 (+ another:0.5)", help: "" };
const HINT = "Tick the server's adapters (its --lora-dir files) and set each one's strength.";

let cleanups = [];
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  vi.useRealTimers();
});

function studio(overrides = {}) {
  const model = studioModel({
    option_specs: [LORAS],
    knobs_offered: ["loras"],
    knob_defaults: {},
    loras_offered: ["ghibli", XSS],
    loras_hint: HINT,
    options: {},
    ...overrides,
  });
  const el = document.createElement("div");
  cleanups.push(buildStudio(model, el));
  return { model, el, field: el.querySelector("[data-role=loras]") };
}
const row = (el, name) => [...el.querySelectorAll(".sora-lora")].find((r) => r.dataset.lora === name);

describe("the studio's adapters", () => {
  it("reads a loras value as sora_nb does", () => {
    expect(parseLoras("none")).toEqual([]);
    expect(parseLoras("ghibli:0.8@transformer_2+grain")).toEqual([
      { name: "ghibli", scale: 0.8, expert: "transformer_2", text: "ghibli:0.8@transformer_2" },
      { name: "grain", scale: 1, expert: "", text: "grain" },
    ]);
    expect(splitLoras("ghibli:0.5+/w/a.safetensors:1+ghibli:2", ["ghibli"]).other).toBe("/w/a.safetensors:1+ghibli:2");
    expect(strengthText("0.6500000001")).toBe("0.65");
  });

  it("lists the server's adapters as text, with a hint, and ticks write the option", () => {
    const { model, el, field } = studio();
    const names = [...field.querySelectorAll(".sora-lora")].map((r) => r.textContent);
    expect(names[0]).toContain("ghibli");
    expect(names[1]).toContain(XSS); // the name is text: no element made of it
    expect(el.querySelector("img")).toBeNull();
    expect(field.querySelector("[data-role=loras-hint]").textContent).toBe(HINT);
    const ghibli = row(el, "ghibli");
    const slider = ghibli.querySelector("[data-field=lora-strength]");
    expect(slider.max).toBe("4");
    expect(ghibli.querySelector("[data-role=lora-strength-value]").textContent).toBe("off");
    const tick = ghibli.querySelector("[data-field=lora-pick]");
    tick.checked = true;
    tick.dispatchEvent(new Event("change"));
    expect(model.get("options")).toEqual({ loras: "ghibli:1" });
    // A strength dragged: the option follows once the slider rests.
    slider.value = "0.6";
    slider.dispatchEvent(new Event("input"));
    vi.advanceTimersByTime(200);
    expect(model.get("options")).toEqual({ loras: "ghibli:0.6" });
    // An adapter typed by path joins the ticked ones.
    const other = field.querySelector("[data-field=loras]");
    other.value = "/weights/style.safetensors:0.3";
    other.dispatchEvent(new Event("change"));
    expect(model.get("options")).toEqual({ loras: "ghibli:0.6+/weights/style.safetensors:0.3" });
    tick.checked = false;
    tick.dispatchEvent(new Event("change"));
    expect(model.get("options")).toEqual({ loras: "/weights/style.safetensors:0.3" });
  });

  it("moving a strength picks that adapter, and a value set in Python shows", () => {
    const { model, el } = studio();
    const slider = row(el, XSS).querySelector("[data-field=lora-strength]");
    slider.value = "2.5";
    slider.dispatchEvent(new Event("input"));
    slider.dispatchEvent(new Event("change"));
    expect(model.get("options")).toEqual({ loras: `${XSS}:2.5` });
    model.set("options", { loras: "ghibli:0.25@transformer_2+grain:1" });
    const ghibli = row(el, "ghibli");
    expect(ghibli.querySelector("[data-field=lora-pick]").checked).toBe(true);
    expect(ghibli.querySelector("[data-role=lora-strength-value]").textContent).toBe("0.25");
    expect(row(el, XSS).querySelector("[data-field=lora-pick]").checked).toBe(false);
    expect(el.querySelector("[data-role=loras] [data-field=loras]").value).toBe("grain:1");
    // Re-written, the expert of a ticked adapter is kept.
    const tick = row(el, XSS).querySelector("[data-field=lora-pick]");
    tick.checked = true;
    tick.dispatchEvent(new Event("change"));
    expect(model.get("options").loras).toBe(`ghibli:0.25@transformer_2+${XSS}:1+grain:1`);
  });

  it("a server that lists none keeps the text box, with its hint", () => {
    const hint = "This server lists no adapters: type one as a path or Hugging Face id on the server";
    const { model, field } = studio({ loras_offered: [], loras_hint: hint });
    expect(field.querySelectorAll(".sora-lora").length).toBe(0);
    expect(field.querySelector("[data-role=lora-rows]").hidden).toBe(true);
    expect(field.querySelector("[data-role=loras-hint]").textContent).toBe(hint);
    const other = field.querySelector("[data-field=loras]");
    expect(other.placeholder).toBe(LORAS.placeholder);
    other.value = " /w/a.safetensors:0.8 ";
    other.dispatchEvent(new Event("change"));
    expect(model.get("options")).toEqual({ loras: "/w/a.safetensors:0.8" });
    other.value = "";
    other.dispatchEvent(new Event("change"));
    expect(model.get("options")).toEqual({});
  });

  it("is hidden where the server takes no adapters", () => {
    const { field } = studio({ knobs_offered: ["seed"] });
    expect(field.hidden).toBe(true);
  });
});
