// @ts-check
// The Player's Remix, Edit and Extend: one box for what should change (or what happens next),
// a length for Extend, and a button for each. A button the server cannot use is disabled with
// the reason as its tooltip and, because a disabled button may show no tooltip, beside it as
// text. Between a click and the kernel's answer the buttons wait, so one click sends one take.
import { h, setText } from "./dom.js";

/** @typedef {import("./widget_model.js").WidgetModel} WidgetModel */
/** @typedef {import("./types.js").Actions} Actions */

/** What each button sends, in the order they stand. */
const ACTIONS = /** @type {const} */ (["remix", "edit", "extend"]);
const TITLES = { remix: "Remix", edit: "Edit", extend: "Extend" };

/**
 * The action row of a Player.
 * @param {WidgetModel} model
 * @param {(name: string, fn: () => void) => void} listen subscribes for the view's lifetime
 * @returns {HTMLElement}
 */
export function playerActions(model, listen) {
  const input = /** @type {HTMLInputElement} */ (
    h("input", {
      type: "text",
      placeholder: "What should change, or what happens next…",
      attrs: { "data-action": "change-prompt", "aria-label": "what to change, or what happens next" },
    })
  );
  const seconds = /** @type {HTMLSelectElement} */ (
    h("select", { attrs: { "data-field": "extend-seconds", "aria-label": "seconds to add" } })
  );
  /** @type {Record<string, HTMLButtonElement>} */
  const buttons = {};
  for (const action of ACTIONS) {
    buttons[action] = /** @type {HTMLButtonElement} */ (h("button", { text: TITLES[action], attrs: { "data-action": action } }));
  }
  const note = h("span", { className: "sora-words", attrs: { "data-role": "action-note", "aria-live": "polite" } });
  const hint = h("div", { className: "sora-words", attrs: { "data-role": "action-hint" } });
  let waiting = false;

  const render = () => {
    /** @type {Actions} */
    const blocked = model.get("blocked") ?? {};
    for (const action of ACTIONS) {
      const why = blocked[action] || "";
      buttons[action].disabled = waiting || Boolean(why);
      if (why) buttons[action].title = why;
      else buttons[action].removeAttribute("title");
    }
    seconds.disabled = Boolean(blocked.extend);
    // One line per distinct reason ("Remix, Edit: ..."), as text.
    /** @type {Map<string, string[]>} */
    const reasons = new Map();
    for (const action of ACTIONS) {
      const why = blocked[action];
      if (why) reasons.set(why, [...(reasons.get(why) ?? []), TITLES[action]]);
    }
    hint.replaceChildren(...[...reasons].map(([why, names]) => h("div", { text: `${names.join(", ")}: ${why}` })));
    hint.hidden = reasons.size === 0;
  };
  const renderSeconds = () => {
    const current = seconds.value;
    /** @type {number[]} */
    const offered = model.get("extend_seconds") ?? [];
    seconds.replaceChildren(...offered.map((s) => h("option", { value: String(s), text: `+${s} s` })));
    seconds.value = offered.map(String).includes(current) ? current : String(offered.includes(8) ? 8 : offered[0] ?? "");
  };

  /** @param {"remix" | "edit" | "extend"} action */
  const send = (action) => {
    if (waiting || buttons[action].disabled) return;
    const text = input.value.trim();
    if (!text) {
      setText(note, action === "extend" ? "Type what happens next first." : "Type what should change first.");
      return;
    }
    waiting = true;
    render();
    /** @type {{ type: string, prompt: string, seconds?: number }} */
    const message = { type: action, prompt: text };
    if (action === "extend") message.seconds = Number(seconds.value);
    model.send(message);
    setText(note, action === "extend" ? `Extension by ${seconds.value} s requested.` : `${TITLES[action]} requested.`);
    input.value = "";
  };
  for (const action of ACTIONS) buttons[action].addEventListener("click", () => send(action));
  input.addEventListener("keydown", (e) => {
    // Enter remixes, as the single remix box did; Extend and Edit are a click (or Tab, Enter).
    if (e.key === "Enter") send("remix");
  });
  listen("change:blocked", render);
  listen("change:extend_seconds", renderSeconds);
  listen("change:handled", () => {
    waiting = false;
    render();
  });
  renderSeconds();
  render();
  return h(
    "div",
    { className: "sora-remix", attrs: { "data-role": "actions" } },
    h("div", { className: "sora-remix-row" }, input, buttons.remix, buttons.edit, buttons.extend, seconds),
    note,
    hint,
  );
}
