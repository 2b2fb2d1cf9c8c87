// The prompt studio: a control for every clause of a Prompt, the request settings the catalog
// allows, the live prompt text with lint, cost and the short/medium/long ladder, and Generate /
// Compare lengths buttons whose Player or Grid appears below. All state lives in traits; the
// kernel computes the text, lint, cost and ladder, so this file only edits and shows.
import { h, setText, wordsLabel } from "./dom.js";
import { styleElement } from "./style.js";
import { swatchColour } from "./studio_colours.js";
import {
  Binder,
  choiceControl,
  field,
  isEditing,
  linesOf,
  rangeControl,
  section,
  textControl,
} from "./studio_controls.js";

const STUDIO_CSS = `
.sora-studio { max-width: 980px; display: flex; flex-direction: column; gap: 8px; padding: 4px; }
.sora-studio-columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 8px; }
.sora-section { border: 1px solid var(--sora-border); border-radius: 4px; margin: 0; padding: 6px 8px 8px;
  display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 6px 8px; min-width: 0; }
.sora-section legend { font-weight: 600; padding: 0 4px; }
.sora-field { display: flex; flex-direction: column; gap: 2px; min-width: 0; }
.sora-field.sora-wide, .sora-section > .sora-wide { grid-column: 1 / -1; }
.sora-label { color: var(--sora-fg2); font-size: 0.92em; }
.sora-studio textarea { font: inherit; color: var(--sora-fg); background: var(--sora-bg2);
  border: 1px solid var(--sora-border); border-radius: 4px; padding: 2px 6px; resize: vertical; }
.sora-studio textarea:focus-visible { outline: 2px solid var(--sora-accent); outline-offset: 1px; }
.sora-studio select:disabled, .sora-studio input:disabled { opacity: 0.6; }
.sora-range { display: flex; align-items: center; gap: 6px; }
.sora-range input[type=range] { flex: 1; min-width: 60px; padding: 0; }
.sora-readout { font-variant-numeric: tabular-nums; min-width: 6ch; color: var(--sora-fg1); }
.sora-chips { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; margin: 0; padding: 0; }
.sora-chip { display: inline-flex; align-items: center; gap: 4px; border: 1px solid var(--sora-border);
  border-radius: 12px; padding: 1px 2px 1px 6px; background: var(--sora-bg2); }
.sora-swatch { width: 12px; height: 12px; border-radius: 50%; border: 1px solid var(--sora-border); display: inline-block; }
.sora-chip button { border: none; background: transparent; padding: 0 5px; border-radius: 10px; }
.sora-row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.sora-row input[type=text] { flex: 1 1 100px; min-width: 60px; }
.sora-dialogue-row input[data-field=speaker] { flex: 0 1 110px; }
.sora-hint { color: var(--sora-fg2); font-size: 0.92em; }
.sora-reasons { margin: 0; padding-left: 18px; color: var(--sora-fg2); font-size: 0.92em; }
.sora-live { border: 1px solid var(--sora-border); border-radius: 4px; padding: 6px 8px; display: flex; flex-direction: column; gap: 6px; }
.sora-live pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-family: var(--jp-code-font-family, monospace);
  font-size: 0.95em; background: var(--sora-bg2); padding: 6px; border-radius: 4px; max-height: 16em; overflow: auto; }
.sora-lint { margin: 0; padding-left: 18px; }
.sora-lint li[data-severity=error] { color: var(--sora-error); }
.sora-ladder { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 6px; }
.sora-ladder pre { max-height: 10em; }
.sora-rung-head { font-weight: 600; }
.sora-actions { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.sora-actions button { padding: 4px 12px; }
.sora-actions button[data-action=generate]:not(:disabled) { background: var(--sora-accent-strong); color: #fff; }
.sora-studio [data-role=run-error] { color: var(--sora-error); white-space: pre-wrap; }
.sora-studio [data-role=run-error]:empty { display: none; }
`;

let uid = 0;

/** Build the studio into `el` from a widget model; returns a cleanup function. */
export function buildStudio(model, el) {
  const b = new Binder(model);
  const id = `sora-studio-${(uid += 1)}`;
  const choices = () => model.get("choices") ?? {};
  const opts = (name) => choices()[name] ?? [];

  // --- the shot ------------------------------------------------------------------------------
  const text = (name, label, extra = {}) =>
    textControl(b, [name], () => model.get(name), (v) => b.set(name, v), { action: name, label, ...extra });
  const keyText = (trait, key, label, extra = {}) =>
    textControl(b, [trait], () => b.getKey(trait, key), (v) => b.setKey(trait, key, v.trim() ? v : null), {
      action: key,
      label,
      ...extra,
    });
  const lines = (trait, key, label, placeholder) =>
    textControl(
      b,
      [trait],
      () => (key ? b.getKey(trait, key) ?? [] : model.get(trait) ?? []).join("\n"),
      (v) => (key ? b.setKey(trait, key, linesOf(v).length ? linesOf(v) : null) : b.set(trait, linesOf(v))),
      { action: key ?? trait, label, multiline: true, placeholder },
    );
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

  // --- the camera --------------------------------------------------------------------------------
  const [lensMin, lensMax] = choices().lens_range ?? [12, 200];
  const stops = choices().aperture_stops ?? [1.4, 2, 2.8, 4, 5.6, 8, 11, 16, 22];
  const lens = rangeControl(
    b,
    ["camera"],
    () => b.getKey("camera", "lens_mm"),
    (v) => b.setKey("camera", "lens_mm", v),
    { action: "lens_mm", label: "focal length", min: lensMin, max: lensMax, format: (v) => `${v} mm`, fallback: 35 },
  );
  const aperture = rangeControl(
    b,
    ["camera"],
    () => b.getKey("camera", "aperture"),
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
  const editRow = (index, key, value) => {
    const next = (model.get("dialogue") ?? []).map((row, i) => (i === index ? { ...row, [key]: value } : row));
    b.set("dialogue", next);
  };
  const rowSenders = [];
  const renderRows = () => {
    const dialogue = model.get("dialogue") ?? [];
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

  // --- the request: model, size, seconds, takes, as the catalog allows -------------------------
  const modelSelect = h("select", { attrs: { "data-field": "model", "aria-label": "model" } });
  const sizeSelect = h("select", { attrs: { "data-field": "size", "aria-label": "size" } });
  const secondsSelect = h("select", { attrs: { "data-field": "seconds", "aria-label": "seconds" } });
  const takesSelect = h("select", { attrs: { "data-field": "takes", "aria-label": "takes" } });
  const reasons = h("ul", { className: "sora-reasons sora-wide", attrs: { "data-role": "reasons" } });
  const fill = (select, values, current, kind, label) => {
    const why = model.get("disabled_reasons") ?? {};
    const list = values.some((v) => String(v) === String(current)) ? values : [...values, current];
    select.replaceChildren(
      ...list.map((v) => {
        const reason = kind ? why[`${kind}:${v}`] : undefined;
        return h("option", {
          value: String(v),
          text: reason ? `${label(v)} (not with this model)` : label(v),
          disabled: Boolean(reason) && String(v) !== String(current),
          attrs: { title: reason },
        });
      }),
    );
    select.value = String(current);
    const bad = kind ? why[`${kind}:${current}`] : undefined;
    if (bad) select.setAttribute("aria-invalid", "true");
    else select.removeAttribute("aria-invalid");
  };
  b.watch(["model", "model_options"], () => fill(modelSelect, model.get("model_options") ?? [], model.get("model"), null, String));
  b.watch(["size", "size_options", "disabled_reasons"], () =>
    fill(sizeSelect, model.get("size_options") ?? [], model.get("size"), "size", String),
  );
  b.watch(["seconds", "seconds_options", "disabled_reasons"], () =>
    fill(secondsSelect, model.get("seconds_options") ?? [], model.get("seconds"), "seconds", (s) => `${s} s`),
  );
  const maxTakes = choices().max_takes ?? 6;
  b.watch(["takes"], () =>
    fill(
      takesSelect,
      Array.from({ length: maxTakes }, (_, i) => i + 1),
      model.get("takes"),
      null,
      (n) => `${n} ${n === 1 ? "take" : "takes"}`,
    ),
  );
  modelSelect.addEventListener("change", () => b.set("model", modelSelect.value));
  sizeSelect.addEventListener("change", () => b.set("size", sizeSelect.value));
  secondsSelect.addEventListener("change", () => b.set("seconds", Number(secondsSelect.value)));
  takesSelect.addEventListener("change", () => b.set("takes", Number(takesSelect.value)));
  b.watch(["disabled_reasons", "model"], () => {
    const why = model.get("disabled_reasons") ?? {};
    reasons.replaceChildren(
      ...Object.entries(why).map(([key, reason]) =>
        h("li", { attrs: { "data-option": key } }, h("strong", { text: `${key.split(":").slice(1).join(":")}${key.startsWith("seconds:") ? " s" : ""}: ` }), reason),
      ),
    );
  });
  // --- open-model settings, shown when the server's model takes them (knobs_offered) -------------
  const numberBox = (name, label, { integer, min, max, placeholder }) => {
    const node = textControl(
      b,
      [name],
      () => (model.get(name) == null ? "" : String(model.get(name))),
      (text) => {
        const trimmed = text.trim();
        const value = Number(trimmed);
        const ok = trimmed === "" || (Number.isFinite(value) && (!integer || Number.isInteger(value)) && value >= min && value <= max);
        if (ok) node.removeAttribute("aria-invalid");
        else node.setAttribute("aria-invalid", "true");
        if (ok) b.set(name, trimmed === "" ? null : value);
      },
      { action: name, label, placeholder },
    );
    return node;
  };
  const defaults = () => model.get("knob_defaults") ?? {};
  const seedBox = numberBox("seed", "seed", { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER, placeholder: "chosen per take" });
  const stepsBox = numberBox("steps", "steps", { integer: true, min: 1, max: 200, placeholder: "" });
  const guidanceBox = numberBox("guidance", "guidance", { integer: false, min: 0, max: 20, placeholder: "" });
  const negativeBox = textControl(b, ["negative_prompt"], () => model.get("negative_prompt"), (v) => b.set("negative_prompt", v), {
    action: "negative_prompt",
    label: "negative prompt",
    placeholder: "what to keep out: blurry, text, watermark",
  });
  b.watch(["knob_defaults"], () => {
    stepsBox.placeholder = defaults().steps != null ? `model default ${defaults().steps}` : "model default";
    guidanceBox.placeholder = defaults().guidance != null ? `model default ${defaults().guidance}` : "model default";
  });
  const knobs = section(
    "Open model",
    field("Seed", seedBox),
    field("Steps", stepsBox),
    field("Guidance", guidanceBox),
    field("Negative prompt", negativeBox, { wide: true }),
  );
  // Hidden with its wrapper, so a server without knobs leaves the Request section as it was.
  const knobsRow = h("div", { className: "sora-wide", attrs: { "data-role": "knobs" } }, knobs);
  b.watch(["knobs_offered"], () => {
    knobsRow.hidden = (model.get("knobs_offered") ?? []).length === 0;
  });

  const request = section(
    "Request",
    field("Model", modelSelect),
    field("Size", sizeSelect),
    field("Seconds", secondsSelect),
    field("Takes", takesSelect),
    reasons,
    knobsRow,
  );

  // --- live: prompt text, words, cost, lint, ladder ---------------------------------------------
  const promptText = h("pre", { attrs: { "data-role": "prompt-text", "aria-label": "prompt text", tabIndex: 0 } });
  const words = h("span", { attrs: { "data-role": "word-count" } });
  const cost = h("span", { attrs: { "data-role": "cost" } });
  const lint = h("ul", { className: "sora-lint", attrs: { "data-role": "lint", "aria-live": "polite" } });
  const ladder = h("div", { className: "sora-ladder", attrs: { "data-role": "ladder" } });
  b.watch(["prompt_text", "word_count"], () => {
    setText(promptText, model.get("prompt_text") || "(empty)");
    setText(words, wordsLabel(model.get("word_count") ?? 0));
  });
  b.watch(["cost_text"], () => setText(cost, model.get("cost_text")));
  b.watch(["lint"], () => {
    const issues = model.get("lint") ?? [];
    lint.replaceChildren(
      ...issues.map((issue) => h("li", { text: `${issue.severity}: ${issue.message}`, attrs: { "data-severity": issue.severity } })),
    );
    lint.hidden = issues.length === 0;
  });
  b.watch(["ladder_preview"], () => {
    ladder.replaceChildren(
      ...(model.get("ladder_preview") ?? []).map((rung) =>
        h(
          "div",
          { attrs: { "data-level": rung.level } },
          h("div", { className: "sora-rung-head", text: `${rung.level} · ${wordsLabel(rung.words)}` }),
          h("pre", { text: rung.text }),
        ),
      ),
    );
  });
  const live = h(
    "div",
    { className: "sora-live", attrs: { "data-section": "live" } },
    h("div", { className: "sora-row" }, h("strong", { text: "Prompt" }), words, h("span", { text: "·" }), cost),
    promptText,
    lint,
    h("div", { className: "sora-hint", text: "Ladder: the lengths Compare lengths sends" }),
    ladder,
  );

  // --- actions and the result --------------------------------------------------------------------
  const generate = h("button", { text: "Generate", attrs: { "data-action": "generate" } });
  const compare = h("button", { text: "Compare lengths", attrs: { "data-action": "compare" } });
  const blocked = h("span", { className: "sora-hint", attrs: { "data-role": "blocked" } });
  const status = h("span", { attrs: { "data-role": "run-status", "aria-live": "polite" } });
  const error = h("div", { attrs: { "data-role": "run-error", role: "alert" } });
  // Between a click and the kernel's answer both buttons wait, so one click sends one run.
  let waiting = false;
  const click = (type) => {
    if (waiting) return;
    waiting = true;
    setText(status, "Sending…");
    renderButtons();
    model.send({ type });
  };
  generate.addEventListener("click", () => click("generate"));
  compare.addEventListener("click", () => click("compare"));
  const renderButtons = () => {
    const why = model.get("blocked") || "";
    const whyCompare = model.get("compare_blocked") || "";
    generate.disabled = waiting || Boolean(why);
    compare.disabled = waiting || Boolean(whyCompare);
    if (why) generate.title = why;
    else generate.removeAttribute("title");
    if (whyCompare) compare.title = whyCompare;
    else compare.removeAttribute("title");
    setText(blocked, why || whyCompare);
  };
  b.watch(["blocked", "compare_blocked"], renderButtons);
  b.watch(["status", "handled"], () => {
    waiting = false;
    setText(status, model.get("status"));
    renderButtons();
  });
  b.watch(["error"], () => setText(error, model.get("error")));
  const actions = h("div", { className: "sora-actions" }, generate, compare, status, blocked);

  const result = h("div", { attrs: { "data-role": "result" } });
  let resultView = null;
  let resultToken = 0;
  const showResult = async () => {
    const token = (resultToken += 1);
    const ref = model.get("result");
    if (resultView) {
      resultView.remove();
      resultView = null;
    }
    result.replaceChildren();
    if (!ref) return;
    const manager = model.widget_manager;
    try {
      const child = await manager.get_model(String(ref).replace(/^IPY_MODEL_/, ""));
      const view = await manager.create_view(child, {});
      if (token !== resultToken) {
        view.remove();
        return;
      }
      resultView = view;
      result.append(view.el);
      if (view.trigger) view.trigger("displayed");
    } catch (err) {
      setText(result, `The result could not be shown here (${err}); display studio.result in a cell.`);
    }
  };
  b.watch(["result"], () => {
    showResult();
  });

  const root = h(
    "div",
    { className: "sora-root sora-studio", attrs: { "data-widget": "sora-studio", "data-lm-suppress-shortcuts": "true" } },
    styleElement(),
    h("style", { text: STUDIO_CSS }),
    h("div", { className: "sora-studio-columns" }, shot, camera),
    h("div", { className: "sora-studio-columns" }, look, h("div", {}, talk, sound)),
    request,
    live,
    actions,
    error,
    result,
  );
  // JupyterLab and Notebook 7 read single keys as command-mode shortcuts ("a" adds a cell,
  // arrows move between cells) when focus is on a select, slider or button. Keys typed in the
  // studio are the studio's: only modified keys, Escape and Shift+Enter reach the notebook.
  const forNotebook = (e) =>
    e.ctrlKey || e.metaKey || e.altKey || e.key === "Escape" || (e.key === "Enter" && e.shiftKey);
  root.addEventListener("keydown", (e) => {
    if (!forNotebook(e)) e.stopPropagation();
  });
  // JupyterLab reads shortcuts as keys bubble up to the document, so the line above keeps them;
  // Notebook 7 reads them on the way down, before the studio sees the key. Its shortcut
  // matcher (Lumino's) skips a target marked data-lm-suppress-shortcuts: mark the target of a
  // studio key on the way down (the window hears it before the document), unmark it for keys
  // meant for the notebook.
  const markTarget = (e) => {
    if (!(e.target instanceof Element) || !root.contains(e.target)) return;
    if (forNotebook(e)) e.target.removeAttribute("data-lm-suppress-shortcuts");
    else e.target.setAttribute("data-lm-suppress-shortcuts", "true");
  };
  window.addEventListener("keydown", markTarget, true);
  el.append(root);

  return () => {
    window.removeEventListener("keydown", markTarget, true);
    b.dispose();
    resultToken += 1;
    if (resultView) resultView.remove();
    root.remove();
  };
}

export default {
  render({ model, el }) {
    return buildStudio(model, el);
  },
};
