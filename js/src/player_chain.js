// @ts-check
// The Player's chain: the video first made, then each edit and extension of it, with what each
// step added, how long the video is by then, its poster, its status, and continuity at the
// join where each extension begins. Shown once a take has a chain (two steps or more). Every
// prompt and label goes in as text.
import { h, setText, statusLabel } from "./dom.js";

/** @typedef {import("./widget_model.js").WidgetModel} WidgetModel */
/** @typedef {import("./types.js").ChainStep} ChainStep */
/** @typedef {import("./types.js").MediaFile} MediaFile */

/** A similarity (1 = the same) as two decimals. */
export const similarity = (value) => (typeof value === "number" && Number.isFinite(value) ? value.toFixed(2) : "?");

/**
 * What one step says about itself, as text: "extend +8 s → 16 s · done".
 * @param {ChainStep} step
 */
export function stepLine(step) {
  return `${step.label} → ${step.video_seconds} s · ${statusLabel(step.status)}`;
}

/**
 * The chain of a Player.
 * @param {WidgetModel} model
 * @param {(name: string, fn: () => void) => void} listen subscribes for the view's lifetime
 * @param {(key: string, file: MediaFile) => Promise<string | null>} source a poster's URL
 *   (null while it cannot be had yet: the kernel route off screen)
 * @returns {{ node: HTMLElement, renderThumbs: () => void }}
 */
export function playerChain(model, listen, source) {
  const head = h("div", { className: "sora-chain-head", attrs: { "data-role": "chain-head" } });
  const list = h("ol", { className: "sora-chain", attrs: { "data-role": "chain", "aria-label": "this take's chain" } });
  const note = h("div", { className: "sora-words", attrs: { "data-role": "chain-note" } });
  const node = h("div", { className: "sora-chain-box", attrs: { "data-role": "chain-box" } }, head, list, note);
  /** @type {{ img: HTMLImageElement, step: ChainStep }[]} */
  let thumbs = [];
  let generation = 0;

  const renderThumbs = () => {
    const mine = ++generation;
    for (const { img, step } of thumbs) {
      if (!step.thumbnail) continue;
      source(`chain:${step.take_id}`, step.thumbnail).then(
        (url) => {
          if (mine === generation && url && img.getAttribute("src") !== url) img.src = url;
        },
        () => {}, // a poster that cannot be had leaves its box empty; the step still reads
      );
    }
  };

  const render = () => {
    /** @type {ChainStep[]} */
    const steps = model.get("chain") ?? [];
    node.hidden = steps.length < 2;
    const last = steps[steps.length - 1];
    setText(head, last ? `Chain: ${steps.length} steps, ${last.video_seconds} s` : "");
    thumbs = [];
    list.replaceChildren(
      ...steps.map((step, index) => {
        const img = /** @type {HTMLImageElement} */ (
          h("img", { alt: step.label, attrs: { "data-role": "step-thumb" } })
        );
        thumbs.push({ img, step });
        const join = step.join
          ? h("div", {
              className: "sora-words",
              text: `join at ${step.join.at_seconds} s: colour ${similarity(step.join.colour)} · layout ${similarity(step.join.layout)}`,
              attrs: { "data-role": "join" },
            })
          : null;
        return h(
          "li",
          {
            className: step.current ? "sora-step sora-step-current" : "sora-step",
            attrs: {
              "data-step": index,
              "data-kind": step.kind,
              "data-status": step.status,
              "data-take": step.take_id,
              "aria-current": step.current ? "step" : null,
            },
          },
          img,
          h(
            "div",
            { className: "sora-step-text" },
            h("div", { text: stepLine(step), attrs: { "data-role": "step-line" } }),
            h("div", { className: "sora-step-prompt", text: step.prompt, attrs: { "data-role": "step-prompt" } }),
            join,
          ),
        );
      }),
    );
    setText(note, steps.length >= 2 ? model.get("chain_note") || "" : "");
    renderThumbs();
  };
  listen("change:chain", render);
  listen("change:chain_note", render);
  render();
  return { node, renderThumbs };
}
