// The studio's LoRA adapters: a tick and a strength slider for each adapter the server lists
// (`loras_offered`), a text box for any other (a path on the server, or an adapter with an
// expert), and the kernel's hint on how to name one here (`loras_hint`). Together they write the
// `loras` option as the %%sora line does: ghibli:0.8+grain:0.3. Names are text, never HTML.
import { h } from "./dom.js";
import { isEditing } from "./studio_controls.js";

/** A strength as the %%sora line writes it: 0.8, 1, 0.25. */
export function strengthText(value) {
  return String(Number(Number(value).toFixed(2)));
}

/**
 * The adapters of a `loras` value ("ghibli:0.8@transformer_2+grain", "none") as
 * `{ name, scale, expert, text }`, one per `+` part, read as sora_nb reads them (the scale after
 * the last colon, 1 when left out; `scale` is NaN where that is not a number).
 * @param {unknown} value
 */
export function parseLoras(value) {
  const raw = String(value ?? "").trim();
  if (!raw || raw.toLowerCase() === "none") return [];
  return raw
    .split("+")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((text) => {
      const at = text.indexOf("@");
      const rest = at >= 0 ? text.slice(0, at) : text;
      const expert = at >= 0 ? text.slice(at + 1) : "";
      const colon = rest.lastIndexOf(":");
      const scaleText = colon >= 0 ? rest.slice(colon + 1) : "";
      const scale = scaleText === "" ? 1 : scaleText.trim() === "" ? NaN : Number(scaleText);
      return { name: colon >= 0 ? rest.slice(0, colon) : rest, scale, expert, text };
    });
}

/**
 * Split a `loras` value into the listed adapters it ticks (name -> part) and the rest as text
 * (unlisted names, paths, a second part for the same name, a scale that is not a number).
 * @param {unknown} value
 * @param {string[]} offered
 */
export function splitLoras(value, offered) {
  const ticked = new Map();
  const other = [];
  for (const part of parseLoras(value)) {
    if (offered.includes(part.name) && Number.isFinite(part.scale) && !ticked.has(part.name)) {
      ticked.set(part.name, part);
    } else other.push(part.text);
  }
  return { ticked, other: other.join("+") };
}

/**
 * The adapters field: its label, a row per listed adapter, the text box and the hint.
 * `read()` gives the `loras` option's value; `write(text)` sets it ("" removes it).
 * @param {import("./studio_controls.js").Binder} binder
 * @param {{ name: string, label: string, max?: number | null, placeholder?: string }} spec
 * @param {() => unknown} read
 * @param {(text: string) => void} write
 */
export function lorasField(binder, spec, read, write) {
  const high = Number.isFinite(spec.max) ? Number(spec.max) : 4;
  const rowsBox = h("div", { attrs: { "data-role": "lora-rows" }, style: { display: "grid", gap: "4px" } });
  const other = h("input", {
    type: "text",
    attrs: { "data-field": spec.name, "aria-label": "other adapters" },
  });
  const hint = h("p", { className: "sora-hint", attrs: { "data-role": "loras-hint" }, style: { margin: "2px 0 0" } });
  /** @type {{ name: string, tick: HTMLInputElement, slider: HTMLInputElement, readout: HTMLElement, expert: string }[]} */
  let rows = [];

  const compose = () => {
    const parts = rows
      .filter((row) => row.tick.checked)
      .map((row) => `${row.name}:${strengthText(row.slider.value)}${row.expert ? `@${row.expert}` : ""}`);
    const typed = other.value.trim();
    if (typed && typed.toLowerCase() !== "none") parts.push(typed);
    write(parts.join("+"));
  };
  const sendSoon = binder.debounce(compose, 120);

  const buildRows = (offered) => {
    rows = offered.map((name) => {
      const tick = /** @type {HTMLInputElement} */ (
        h("input", { type: "checkbox", attrs: { "data-field": "lora-pick", "aria-label": `use adapter ${name}` } })
      );
      const slider = /** @type {HTMLInputElement} */ (
        h("input", {
          type: "range",
          min: "0",
          max: String(high),
          step: "0.05",
          value: "1",
          attrs: { "data-field": "lora-strength", "aria-label": `strength of adapter ${name}` },
        })
      );
      const readout = h("span", { className: "sora-readout", attrs: { "data-role": "lora-strength-value" } });
      const row = { name, tick, slider, readout, expert: "" };
      tick.addEventListener("change", compose);
      // Touching the strength picks the adapter: nobody sets a strength for one they do not want.
      slider.addEventListener("input", () => {
        tick.checked = true;
        readout.textContent = strengthText(slider.value);
        sendSoon();
      });
      slider.addEventListener("change", () => {
        sendSoon();
        sendSoon.flush();
      });
      return row;
    });
    rowsBox.replaceChildren(
      ...rows.map(({ name, tick, slider, readout }) =>
        h(
          "div",
          { className: "sora-lora", attrs: { "data-lora": name }, style: { display: "flex", alignItems: "center", gap: "8px" } },
          h("label", { style: { minWidth: "8em" } }, tick, " ", h("span", { text: name })),
          slider,
          readout,
        ),
      ),
    );
    rowsBox.hidden = rows.length === 0;
  };

  const typedSoon = binder.debounce(compose);
  other.addEventListener("input", typedSoon);
  other.addEventListener("change", () => {
    typedSoon();
    typedSoon.flush();
  });

  let shown = null;
  binder.watch(["options", "loras_offered", "loras_hint"], () => {
    const offered = binder.get("loras_offered") ?? [];
    if (shown === null || shown.join("\n") !== offered.join("\n")) {
      buildRows(offered);
      shown = [...offered];
    }
    const { ticked, other: rest } = splitLoras(read(), offered);
    for (const row of rows) {
      const part = ticked.get(row.name);
      row.tick.checked = Boolean(part);
      row.expert = part ? part.expert : "";
      if (!isEditing(row.slider)) row.slider.value = String(part ? part.scale : 1);
      row.readout.textContent = part ? strengthText(part.scale) : "off";
      row.slider.style.opacity = part ? "1" : "0.45"; // where it would start, dimmed until picked
    }
    if (!isEditing(other) && other.value !== rest) other.value = rest;
    other.placeholder = offered.length ? "others, as on the %%sora line: NAME:0.8@transformer_2" : (spec.placeholder ?? "");
    hint.textContent = binder.get("loras_hint") ?? "";
    hint.hidden = !hint.textContent;
  });

  // Not a <label>: a click anywhere in it would tick the first adapter.
  return h(
    "div",
    { className: "sora-field sora-wide", attrs: { "data-role": "loras", role: "group", "aria-label": spec.label } },
    h("span", { className: "sora-label", text: spec.label }),
    rowsBox,
    other,
    hint,
  );
}
