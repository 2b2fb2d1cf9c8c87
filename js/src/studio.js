// The prompt studio: a control for every clause of a Prompt, the request settings the catalog
// allows, the live prompt text with lint, cost and the short/medium/long ladder, and Generate /
// Compare lengths buttons whose Player or Grid appears below. All state lives in traits; the
// kernel computes the text, lint, cost and ladder, so this file only edits and shows. The clause
// controls are studio_clauses.js, the media folder's characters studio_characters.js, the
// styles studio_style.js.
import { h, setText, wordsLabel } from "./dom.js";
import { styleElement } from "./style.js";
import { characterSection } from "./studio_characters.js";
import { clauseSections } from "./studio_clauses.js";
import { Binder, field, section, textControl } from "./studio_controls.js";
import { lorasField } from "./studio_loras.js";
import { sourcesSection } from "./studio_sources.js";
import { STUDIO_CSS } from "./studio_style.js";

let uid = 0;

/** Build the studio into `el` from a widget model; returns a cleanup function. `probe(url)`
 * (tests) replaces the HEAD request that checks a server route for the characters' posters. */
export function buildStudio(model, el, { probe } = {}) {
  const b = new Binder(model);
  const id = `sora-studio-${(uid += 1)}`;
  const choices = () => model.get("choices") ?? {};
  const { shot, camera, look, talk, sound } = clauseSections(b, model, id);
  const cast = characterSection(model, b, { probe });
  const sources = sourcesSection(model, b);

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
  // Only the reasons that apply to what is chosen: the menus already mark the others.
  b.watch(["disabled_reasons", "model", "size", "seconds"], () => {
    const why = model.get("disabled_reasons") ?? {};
    const chosen = new Set([`size:${model.get("size")}`, `seconds:${model.get("seconds")}`]);
    reasons.replaceChildren(
      ...Object.entries(why).filter(([key]) => chosen.has(key)).map(([key, reason]) =>
        h("li", { attrs: { "data-option": key } }, h("strong", { text: `${key.split(":").slice(1).join(":")}${key.startsWith("seconds:") ? " s" : ""}: ` }), reason),
      ),
    );
  });
  // --- request options (the options table's), shown when the server's model takes them --------
  // One control per row of option_specs; values live in the `options` trait, by name.
  const optionValue = (name) => (model.get("options") ?? {})[name];
  const setOption = (name, value) => {
    const next = { ...(model.get("options") ?? {}) };
    if (value == null || value === "") delete next[name];
    else next[name] = value;
    b.set("options", next);
  };
  const optionBox = (spec) => {
    // Adapters: a tick and a strength per adapter the server lists, a box for others.
    if (spec.kind === "loras") return lorasField(b, spec, () => optionValue(spec.name), (v) => setOption(spec.name, v));
    if (spec.kind === "text") {
      return textControl(b, ["options"], () => optionValue(spec.name) ?? "", (v) => setOption(spec.name, v.trim()), {
        action: spec.name,
        label: spec.label.toLowerCase(),
        placeholder: spec.placeholder,
      });
    }
    const integer = spec.kind === "int";
    const node = textControl(
      b,
      ["options"],
      () => (optionValue(spec.name) == null ? "" : String(optionValue(spec.name))),
      (text) => {
        const trimmed = text.trim();
        const value = Number(trimmed);
        const ok =
          trimmed === "" ||
          (Number.isFinite(value) && (!integer || Number.isInteger(value)) && (spec.min == null || value >= spec.min) && (spec.max == null || value <= spec.max));
        if (ok) node.removeAttribute("aria-invalid");
        else node.setAttribute("aria-invalid", "true");
        if (ok) setOption(spec.name, trimmed === "" ? null : value);
      },
      { action: spec.name, label: spec.label.toLowerCase(), placeholder: spec.placeholder },
    );
    return node;
  };
  const specs = model.get("option_specs") ?? [];
  const optionFields = specs.map((spec) => {
    const box = optionBox(spec);
    const wrap = spec.kind === "loras" ? box : field(spec.label, box, { wide: spec.kind !== "int" && spec.kind !== "float" });
    return { spec, box, wrap };
  });
  const defaults = () => model.get("knob_defaults") ?? {};
  b.watch(["knob_defaults"], () => {
    for (const { spec, box } of optionFields) {
      if (spec.placeholder !== "model default") continue;
      const known = defaults()[spec.name];
      box.placeholder = known != null ? `model default ${known}` : "model default";
    }
  });
  const knobs = section("Open model", ...optionFields.map(({ wrap }) => wrap));
  // Hidden with its wrapper, so a server without options leaves the Request section as it was.
  const knobsRow = h("div", { className: "sora-wide", attrs: { "data-role": "knobs" } }, knobs);
  b.watch(["knobs_offered"], () => {
    const offered = model.get("knobs_offered") ?? [];
    knobsRow.hidden = offered.length === 0;
    for (const { spec, wrap } of optionFields) wrap.hidden = !offered.includes(spec.name);
  });

  const request = section(
    "Request",
    field("Model", modelSelect),
    field("Size", sizeSelect),
    field("Seconds", secondsSelect),
    field("Takes", takesSelect),
    reasons,
    knobsRow,
    sources.node,
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
  // A storyboard made shot by shot: the first shot created, each next one an extension.
  const shotByShot = h("input", { type: "checkbox", attrs: { "data-field": "shot_by_shot" } });
  shotByShot.addEventListener("change", () => b.set("shot_by_shot", shotByShot.checked));
  b.watch(["shot_by_shot"], () => {
    shotByShot.checked = Boolean(model.get("shot_by_shot"));
  });
  const shotByShotLabel = h(
    "label",
    { attrs: { title: "Make the storyboard's first shot, then extend it shot by shot (the whole chain is priced first)" } },
    shotByShot,
    " shot by shot",
  );
  // The enhancer's rewrite sent instead of the words on screen (both kept with the take).
  const enhance = h("input", { type: "checkbox", attrs: { "data-field": "enhance" } });
  enhance.addEventListener("change", () => b.set("enhance", enhance.checked));
  const enhanceLabel = h("label", {}, enhance, " enhanced");
  b.watch(["enhance", "enhancer"], () => {
    const named = String(model.get("enhancer") || "");
    enhance.checked = Boolean(model.get("enhance"));
    enhance.disabled = !named && !enhance.checked;
    enhanceLabel.title = named
      ? `Send ${named}'s rewrite of the prompt; the take keeps your words too`
      : "No prompt enhancer is named: %sora enhancer URL --model M";
  });
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
  const actions = h("div", { className: "sora-actions" }, generate, compare, shotByShotLabel, enhanceLabel, status, blocked);

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
    cast.node,
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
    cast.dispose();
    sources.dispose();
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
