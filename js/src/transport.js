// The transport row the player and the grid share: play, frame step, time, seek, speed, loop.
import { FRAME, formatTime } from "./clock.js";
import { h } from "./dom.js";

export const SPEEDS = [0.25, 0.5, 1, 1.5, 2];

// Builds the controls; `scope` words the labels ("" for one video, " all" for every cell).
export function transportControls({ playText = "Play", scope = "", rate = 1, loop = false } = {}) {
  const all = scope ? ` ${scope}` : "";
  return {
    playBtn: h("button", { text: playText, attrs: { "data-action": "play", "aria-label": `play or pause${all}` } }),
    backBtn: h("button", { text: "◀|", attrs: { "data-action": "step-back", "aria-label": "previous frame" } }),
    fwdBtn: h("button", { text: "|▶", attrs: { "data-action": "step-fwd", "aria-label": "next frame" } }),
    time: h("span", { className: "sora-time", text: formatTime(0), attrs: { "data-role": "time" } }),
    seek: h("input", {
      type: "range",
      min: "0",
      max: "1",
      step: String(FRAME),
      value: "0",
      attrs: { "data-action": "seek", "aria-label": scope ? "shared position" : "position" },
    }),
    speed: h(
      "select",
      { attrs: { "data-action": "speed", "aria-label": scope ? `speed of${all} cells` : "speed" } },
      SPEEDS.map((s) => h("option", { value: String(s), text: `${s}×`, selected: s === rate })),
    ),
    loop: h("input", { type: "checkbox", checked: loop, attrs: { "data-action": "loop" } }),
  };
}
