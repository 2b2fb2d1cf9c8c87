// @ts-check
// The studio's clause controls, one section each: the shot (prose, subject, action, scene,
// style, mood), the camera, palette and light, dialogue and background sound. Each control
// writes one trait of the Prompt (or one key of a clause), and follows it when Python changes it.
import { h, setText } from "./dom.js";
import { swatchColour } from "./studio_colours.js";
import { choiceControl, field, isEditing, linesOf, rangeControl, section, textControl } from "./studio_controls.js";

/** @typedef {import("./types.js").Camera} Camera */
/** @typedef {import("./types.js").Scene} Scene */
/** @typedef {import("./types.js").Lighting} Lighting */
/** @typedef {import("./types.js").Choices} Choices */
/** @typedef {import("./types.js").DialogueRow} DialogueRow */
/**
 * The keys each clause trait may hold (the kernel refuses any other): a typo here is a type
 * error in `npm test`, not a control that silently writes nothing.
 * @typedef {{ camera: keyof Camera, scene: keyof Scene, lighting: keyof Lighting,
 *   audio: "ambience" | "effects" | "music" }} ClauseKeys
 */

/**
 * The clause sections of a studio, bound through `b` (a Binder) to `model`; `id` makes the
 * ids of its datalists unique on the page. Returns `{ shot, camera, look, talk, sound }`.
 */
/**
 * @param {import("./studio_controls.js").Binder} b
 * @param {import("./widget_model.js").WidgetModel} model
 * @param {string} id
 */
export function clauseSections(b, model, id) {
  const choices = () => /** @type {Partial<Choices>} */ (model.get("choices") ?? {});
  const opts = (name) => choices()[name] ?? [];

  // --- the shot ------------------------------------------------------------------------------
  const text = (name, label, extra = {}) =>
    textControl(b, [name], () => model.get(name), (v) => b.set(name, v), { action: name, label, ...extra });
  /** @type {<T extends keyof ClauseKeys>(trait: T, key: ClauseKeys[T], label: string, extra?: object) => HTMLElement} */
  const keyText = (trait, key, label, extra = {}) =>
    textControl(b, [trait], () => b.getKey(trait, key), (v) => b.setKey(trait, key, v.trim() ? v : null), {
      action: key,
      label,
      ...extra,
    });
  /** @type {(trait: string, key: ClauseKeys["audio"] | null, label: string, placeholder: string) => HTMLElement} */
  const lines = (trait, key, label, placeholder) =>
    textControl(
      b,
      [trait],
      () => (key ? b.getKey(trait, key) ?? [] : model.get(trait) ?? []).join("\n"),
      (v) => (key ? b.setKey(trait, key, linesOf(v).length ? linesOf(v) : null) : b.set(trait, linesOf(v))),
      { action: key ?? trait, label, multiline: true, placeholder },
    );
  /** @type {<T extends keyof ClauseKeys>(trait: T, key: ClauseKeys[T], label: string) => HTMLElement} */
  const keyChoice = (trait, key, label) =>
    choiceControl(b, [trait], opts(key), () => b.getKey(trait, key), (v) => b.setKey(trait, key, v), {
      action: key,
      label,
    });

  const moodList = h("datalist", { id: `${id}-moods` }, opts("moods").map((m) => h("option", { value: m })));
  const mood = text("mood", "mood", { placeholder: "one or two words" });
  mood.setAttribute("list", moodList.id);
  const styleList = h("datalist", { id: `${id}-styles` }, opts("styles").map((m) => h("option", { value: m })));
  const style = text("style", "style", { placeholder: "1970s film, anime…" });
  style.setAttribute("list", styleList.id);

  const shot = section(
    "Shot",
    field("Description (your own words)", text("prose", "description", { multiline: true }), { wide: true }),
    field("Subject", text("subject", "subject", { placeholder: "who or what is on screen" }), { wide: true }),
    field("Action (one beat per line)", lines("action", null, "action", "what happens"), { wide: true }),
    field("Setting", keyText("scene", "setting", "setting", { placeholder: "where" }), { wide: true }),
    field("Time of day", keyChoice("scene", "time_of_day", "time of day")),
    field("Weather", keyChoice("scene", "weather", "weather")),
    field("Style", style),
    field("Mood", mood),
    moodList,
    styleList,
  );

  /** @param {"lens_mm" | "aperture"} key */
  const cameraNumber = (key) => /** @type {Camera} */ (model.get("camera") ?? {})[key];

  // --- the camera --------------------------------------------------------------------------------
  const [lensMin, lensMax] = choices().lens_range ?? [12, 200];
  const stops = choices().aperture_stops ?? [1.4, 2, 2.8, 4, 5.6, 8, 11, 16, 22];
  const lens = rangeControl(
    b,
    ["camera"],
    () => cameraNumber("lens_mm"),
    (v) => b.setKey("camera", "lens_mm", v),
    { action: "lens_mm", label: "focal length", min: lensMin, max: lensMax, format: (v) => `${v} mm`, fallback: 35 },
  );
  const aperture = rangeControl(
    b,
    ["camera"],
    () => cameraNumber("aperture"),
    (v) => b.setKey("camera", "aperture", v),
    { action: "aperture", label: "aperture", stops, format: (v) => `f/${Number(v)}`, fallback: 2.8 },
  );
  const camera = section(
    "Camera",
    field("Framing", keyChoice("camera", "framing", "framing")),
    field("Angle", keyChoice("camera", "angle", "angle")),
    field("Move", keyChoice("camera", "movement", "camera move")),
    field("Rig", keyChoice("camera", "rig", "rig")),
    field("Film stock", keyChoice("camera", "film_stock", "film stock")),
    field("Depth of field", keyChoice("camera", "depth_of_field", "depth of field")),
    field(`Lens (${lensMin}–${lensMax} mm)`, lens, { wide: true }),
    field(`Aperture (f/${stops[0]}–f/${stops[stops.length - 1]})`, aperture, { wide: true }),
  );

  // --- palette, light and mood ------------------------------------------------------------------
  const chips = h("ul", { className: "sora-chips", attrs: { "data-role": "palette", "aria-label": "palette" } });
  const colourList = h("datalist", { id: `${id}-colours` }, opts("colours").map((c) => h("option", { value: c })));
  const colourInput = h("input", {
    type: "text",
    placeholder: "add a colour",
    attrs: { "data-field": "colour", "aria-label": "colour to add", list: colourList.id },
  });
  const addColour = h("button", { text: "Add colour", attrs: { "data-action": "add-colour" } });
  const paletteHint = h("span", { className: "sora-hint", attrs: { "data-role": "palette-hint" } });
  const max = choices().palette_max ?? 5;
  const add = () => {
    const name = colourInput.value.trim();
    const palette = model.get("palette") ?? [];
    if (!name || palette.length >= max) return;
    if (!palette.some((c) => c.toLowerCase() === name.toLowerCase())) b.set("palette", [...palette, name]);
    colourInput.value = "";
    colourInput.focus();
  };
  addColour.addEventListener("click", add);
  colourInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      add();
    }
  });
  b.watch(["palette"], () => {
    const palette = model.get("palette") ?? [];
    chips.replaceChildren(
      ...palette.map((name, i) => {
        const remove = h("button", {
          text: "×",
          attrs: { "data-action": "remove-colour", "aria-label": `remove ${name}`, title: `remove ${name}` },
        });
        remove.addEventListener("click", () => {
          b.set("palette", (model.get("palette") ?? []).filter((_, j) => j !== i));
        });
        return h(
          "li",
          { className: "sora-chip", attrs: { "data-colour": name } },
          h("span", { className: "sora-swatch", style: { background: swatchColour(name) }, attrs: { "aria-hidden": "true" } }),
          h("span", { text: name }),
          remove,
        );
      }),
    );
    const full = palette.length >= max;
    colourInput.disabled = full;
    addColour.disabled = full;
    setText(paletteHint, `${palette.length} of 3–${max} colours${full ? " (full)" : ""}`);
  });
  const look = section(
    "Palette and light",
    h("div", { className: "sora-wide" }, chips),
    h("div", { className: "sora-row sora-wide" }, colourInput, addColour, paletteHint, colourList),
    field("Light", keyText("lighting", "key", "light", { placeholder: "soft window key, warm practicals" }), { wide: true }),
  );

  // --- dialogue and sound -----------------------------------------------------------------------
  const rows = h("div", { className: "sora-wide", attrs: { "data-role": "dialogue" } });
  const addLine = h("button", { text: "Add line", attrs: { "data-action": "add-line" } });
  addLine.addEventListener("click", () => {
    b.set("dialogue", [...(model.get("dialogue") ?? []), { speaker: "", line: "" }]);
    const inputs = rows.querySelectorAll("input[data-field=speaker]");
    if (inputs.length) inputs[inputs.length - 1].focus();
  });
  /** @type {() => DialogueRow[]} */
  const dialogueRows = () => model.get("dialogue") ?? [];
  const editRow = (index, key, value) => {
    const next = dialogueRows().map((row, i) => (i === index ? { ...row, [key]: value } : row));
    b.set("dialogue", next);
  };
  const rowSenders = [];
  const renderRows = () => {
    const dialogue = dialogueRows();
    const shown = rows.querySelectorAll(".sora-dialogue-row");
    if (shown.length === dialogue.length) {
      // Same rows: refresh values in place so focus and the caret stay where they are.
      shown.forEach((row, i) => {
        for (const key of ["speaker", "line"]) {
          const input = row.querySelector(`input[data-field=${key}]`);
          const value = dialogue[i][key] ?? "";
          if (!isEditing(input) && input.value !== value) input.value = value;
        }
      });
      return;
    }
    rowSenders.length = 0;
    rows.replaceChildren(
      ...dialogue.map((entry, i) => {
        const input = (key, label, placeholder) => {
          const node = h("input", {
            type: "text",
            value: entry[key] ?? "",
            placeholder,
            attrs: { "data-field": key, "aria-label": `${label} ${i + 1}` },
          });
          const send = b.debounce(() => editRow(i, key, node.value));
          rowSenders.push(send);
          node.addEventListener("input", send);
          node.addEventListener("change", () => {
            send();
            send.flush();
          });
          return node;
        };
        const remove = h("button", { text: "Remove", attrs: { "data-action": "remove-line", "aria-label": `remove line ${i + 1}` } });
        remove.addEventListener("click", () => b.set("dialogue", (model.get("dialogue") ?? []).filter((_, j) => j !== i)));
        return h(
          "div",
          { className: "sora-row sora-dialogue-row" },
          input("speaker", "speaker", "who"),
          input("line", "line", "what they say"),
          remove,
        );
      }),
    );
  };
  b.watch(["dialogue"], renderRows);
  const talk = section("Dialogue", rows, h("div", { className: "sora-wide" }, addLine));
  const sound = section(
    "Background sound",
    field("Ambience (one per line)", lines("audio", "ambience", "ambience", "rain on a tin roof")),
    field("Effects (one per line)", lines("audio", "effects", "effects", "a door slams")),
    field("Music", keyText("audio", "music", "music", { placeholder: "none, or describe it" }), { wide: true }),
  );

  return { shot, camera, look, talk, sound };
}
