// @ts-check
// The grid's overlay: one cell enlarged, or two compared under an A/B wipe, on the grid's own
// clock (the toolbar drives it; the overlay covers the cells, not the toolbar).
import { h } from "./dom.js";

/** @typedef {import("./grid_cell.js").Cell} Cell */

/**
 * @param {object} parts
 * @param {HTMLElement} parts.overlay the element the overlay fills
 * @param {HTMLElement} parts.root the grid's root (focus returns there on close)
 * @param {{ add: (m: HTMLMediaElement) => void, remove: (m: HTMLMediaElement) => void }} parts.group the shared clock's members
 * @param {() => void} parts.changed the set of videos on show changed (sound follows)
 * @param {() => void} [parts.closed] the overlay closed (the A/B picks are let go)
 */
export function gridOverlay({ overlay, root, group, changed, closed = () => {} }) {
  /** @type {HTMLVideoElement[]} */
  let videos = [];
  let open = false;

  /** A video of `cell` for the overlay; `silent` keeps a wipe's second video quiet. */
  const videoOf = (cell, silent) => {
    cell.want();
    const v = /** @type {HTMLVideoElement} */ (
      h("video", {
        playsInline: true,
        preload: "auto",
        src: cell.video.getAttribute("src"),
        attrs: { "data-role": "overlay-video", "data-cell": cell.index, "data-silent": silent },
      })
    );
    videos.push(v);
    return v;
  };

  const close = (focus = true) => {
    for (const v of videos) {
      group.remove(v);
      v.pause();
      v.removeAttribute("src");
      v.load?.();
    }
    videos = [];
    overlay.replaceChildren();
    overlay.hidden = true;
    const wasOpen = open;
    open = false;
    changed();
    if (wasOpen) closed();
    if (focus) root.focus();
  };

  const show = (title, stage) => {
    const closeBtn = h("button", { text: "Close", attrs: { "data-action": "close" } });
    closeBtn.addEventListener("click", () => close());
    overlay.replaceChildren(h("div", { className: "sora-controls" }, h("strong", { text: title }), closeBtn), stage);
    overlay.hidden = false;
    open = true;
    for (const v of videos) group.add(v);
    changed();
  };

  const name = (cell) => cell.data.label || `cell ${cell.index + 1}`;

  return {
    /** The overlay's videos now (for sound: an enlarged cell's own video stays muted). */
    videos: () => videos,
    isOpen: () => open,
    close,
    /** @param {Cell} cell */
    enlarge(cell) {
      close();
      const v = videoOf(cell, false);
      const stage = h("div", { className: "sora-stage" }, v);
      stage.addEventListener("click", () => close());
      show(name(cell), stage);
    },
    /** @param {Cell} a @param {Cell} b */
    wipe(a, b) {
      close();
      const vb = videoOf(b, true);
      const va = videoOf(a, false);
      const line = h("div", { className: "sora-wipe-line" });
      const stage = h("div", { className: "sora-stage" }, vb, va, line);
      // The names sit above the picture, not on it: a server may burn captions into the frame.
      const names = h(
        "div",
        { className: "sora-wipe-names", attrs: { "data-role": "wipe-names" } },
        h("span", { className: "sora-wipe-label", text: `A (left of the line): ${name(a)}` }),
        h("span", { className: "sora-wipe-label", text: `B (right of the line): ${name(b)}` }),
      );
      const split = /** @type {HTMLInputElement} */ (
        h("input", { type: "range", min: "0", max: "100", value: "50", attrs: { "data-action": "wipe-split", "aria-label": "wipe position" } })
      );
      const setSplit = () => {
        va.style.clipPath = `inset(0 ${100 - Number(split.value)}% 0 0)`;
        line.style.left = `${split.value}%`;
      };
      split.addEventListener("input", setSplit);
      setSplit();
      show("A/B wipe", stage);
      stage.before(names);
      overlay.append(split);
    },
  };
}
