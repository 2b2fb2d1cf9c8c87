// Bound controls for the prompt studio. Each control writes one trait (or one key of a dict
// trait) and re-reads it when the trait changes; a control the user is typing in is never
// overwritten under their cursor. Every value goes in as a property or text, never as HTML.
import { h } from "./dom.js";

/** Wait this long after the last keystroke before sending text to the kernel. */
export const TYPING_DELAY_MS = 250;

/**
 * Wraps a widget model with helpers to write whole traits or single keys of dict traits, and
 * to listen for changes (removed again by `dispose`).
 */
export class Binder {
  constructor(model) {
    this.model = model;
    this.offs = [];
    this.timers = new Set();
    this.updaters = [];
  }
  get(name) {
    return this.model.get(name);
  }
  set(name, value) {
    this.model.set(name, value);
    this.model.save_changes();
  }
  /** Set `key` of dict trait `name`; null/""/undefined removes the key. */
  setKey(name, key, value) {
    const next = { ...(this.model.get(name) ?? {}) };
    if (value === null || value === undefined || value === "") delete next[key];
    else next[key] = value;
    this.set(name, next);
  }
  getKey(name, key) {
    return (this.model.get(name) ?? {})[key];
  }
  /** Call `fn` now and whenever any of `names` changes. */
  watch(names, fn) {
    fn();
    this.updaters.push(fn);
    for (const name of names) {
      const handler = () => fn();
      this.model.on(`change:${name}`, handler);
      this.offs.push(() => this.model.off(`change:${name}`, handler));
    }
  }
  /** A function that runs `fn` once typing pauses; `flush` runs it at once. */
  debounce(fn, delay = TYPING_DELAY_MS) {
    let timer = null;
    const run = () => {
      if (timer !== null) {
        clearTimeout(timer);
        this.timers.delete(timer);
        timer = null;
      }
      fn();
    };
    const schedule = () => {
      if (timer !== null) {
        clearTimeout(timer);
        this.timers.delete(timer);
      }
      timer = setTimeout(run, delay);
      this.timers.add(timer);
    };
    schedule.flush = () => {
      if (timer !== null) run();
    };
    return schedule;
  }
  dispose() {
    for (const off of this.offs) off();
    for (const t of this.timers) clearTimeout(t);
    this.offs = [];
    this.timers.clear();
  }
}

/** True while the user has focus in `node` (so a trait echo must not replace their text). */
export function isEditing(node) {
  return node.ownerDocument && node.ownerDocument.activeElement === node;
}

/**
 * A text box (or textarea) bound to a value. `read()` gives the value to show; `write(text)`
 * stores it. Typing is sent after a pause, and at once on change (blur / Enter).
 * @param {Binder} binder
 * @param {string[]} names
 * @param {() => any} read
 * @param {(text: string) => void} write
 * @param {{ multiline?: boolean, action?: string, label?: string, placeholder?: string }} [options]
 */
export function textControl(binder, names, read, write, { multiline = false, action, label, placeholder } = {}) {
  const node = h(multiline ? "textarea" : "input", {
    type: multiline ? undefined : "text",
    rows: multiline ? 2 : undefined,
    placeholder,
    attrs: { "data-field": action, "aria-label": label },
  });
  const send = binder.debounce(() => write(node.value));
  node.addEventListener("input", send);
  node.addEventListener("change", () => {
    send();
    send.flush();
  });
  binder.watch(names, () => {
    const value = read() ?? "";
    if (!isEditing(node) && node.value !== value) node.value = value;
  });
  return node;
}

/** Lines of a textarea as a list (blank lines dropped), and back. */
export function linesOf(text) {
  return String(text ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * A select of `options` ([{value, label}]) with a "none" entry. A value set from Python that
 * the options lack is shown as its own entry, so free text is never hidden or lost.
 * @param {Binder} binder
 * @param {string[]} names
 * @param {({ value: string, label: string })[]} options
 * @param {() => any} read
 * @param {(value: string | null) => void} write
 * @param {{ action?: string, label?: string, none?: string }} [settings]
 */
export function choiceControl(binder, names, options, read, write, { action, label, none = "—" } = {}) {
  const select = h("select", { attrs: { "data-field": action, "aria-label": label } });
  const build = (current) => {
    const known = options.some((o) => o.value === current);
    const entries = [{ value: "", label: none }, ...options];
    if (current && !known) entries.push({ value: current, label: current });
    select.replaceChildren(...entries.map((o) => h("option", { value: o.value, text: o.label })));
  };
  select.addEventListener("change", () => write(select.value || null));
  binder.watch(names, () => {
    const current = read() ?? "";
    if (![...select.options].some((o) => o.value === current)) build(current);
    select.value = current;
  });
  return select;
}

/**
 * An optional number on a range: touching the slider (a click, a drag, an arrow key) sets it,
 * a readout says it in words, and a small Clear button beside it unsets it again. Unset, the
 * slider rests dimmed at `fallback`. `stops` maps slider positions to values when given.
 * @param {Binder} binder
 * @param {string[]} names
 * @param {() => any} read
 * @param {(value: number | null) => void} write
 * @param {{ action: string, label: string, min?: number, max?: number, step?: number,
 *   stops?: number[], format: (v: number) => string, fallback: number }} options
 */
export function rangeControl(binder, names, read, write, { action, label, min, max, step = 1, stops, format, fallback }) {
  const slider = /** @type {HTMLInputElement} */ (
    h("input", {
      type: "range",
      min: String(stops ? 0 : min),
      max: String(stops ? stops.length - 1 : max),
      step: String(stops ? 1 : step),
      attrs: { "data-field": action, "aria-label": label },
    })
  );
  const readout = h("span", { className: "sora-readout", attrs: { "data-role": `${action}-value` } });
  const clear = h("button", {
    text: "Clear",
    title: `Leave the ${label} to the model`,
    attrs: { type: "button", "data-action": `${action}-clear`, "aria-label": `clear the ${label}` },
  });
  const toValue = (position) => (stops ? stops[Number(position)] : Number(position));
  const toPosition = (value) => {
    if (!stops) return String(value);
    let best = 0;
    stops.forEach((s, i) => {
      if (Math.abs(s - value) < Math.abs(stops[best] - value)) best = i;
    });
    return String(best);
  };
  const isSet = () => {
    const value = read();
    return typeof value === "number" && Number.isFinite(value);
  };
  const send = binder.debounce(() => write(toValue(slider.value)), 120);
  // A press on the slider sets it even where the value does not move (a click on its knob).
  slider.addEventListener("pointerdown", () => {
    if (!isSet()) write(toValue(slider.value));
  });
  slider.addEventListener("input", () => {
    readout.textContent = format(toValue(slider.value));
    slider.dataset.unset = "false";
    send();
  });
  slider.addEventListener("change", () => {
    send();
    send.flush();
  });
  clear.addEventListener("click", () => write(null));
  binder.watch(names, () => {
    const value = read();
    const on = isSet();
    slider.dataset.unset = String(!on);
    clear.hidden = !on;
    if (on && !isEditing(slider)) slider.value = toPosition(value);
    if (!on) slider.value = toPosition(fallback);
    readout.textContent = on ? format(value) : "not set";
  });
  return h("span", { className: "sora-range" }, slider, readout, clear);
}

/** A labelled field: the label names the control for screen readers and clicks. */
export function field(text, control, { wide = false } = {}) {
  return h("label", { className: wide ? "sora-field sora-wide" : "sora-field" }, h("span", { className: "sora-label", text }), control);
}

/** A titled group of fields. */
export function section(title, ...children) {
  return h(
    "fieldset",
    { className: "sora-section", attrs: { "data-section": title.toLowerCase() } },
    h("legend", { text: title }),
    ...children,
  );
}
