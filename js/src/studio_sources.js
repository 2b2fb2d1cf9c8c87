// The studio's frames and source: a first and a last frame (paths on the kernel's machine, each
// with a small thumbnail the kernel sends in chunks), `fit`, and a source video (a path, or a
// pick of the session's finished takes) with a strength slider, live only while a source is set.
// What the server lacks is hidden, with the kernel's one-line hint of which servers take it
// (`sources_hints`); the kernel's check of the whole (`sources_problem`) shows under the section.
// Paths, take labels and messages go in as text, never as HTML.
import { h, setText } from "./dom.js";
import { KernelFiles } from "./media.js";
import { field, isEditing, section, textControl } from "./studio_controls.js";

/** A strength as the %%sora line writes it: 0.6, 1, 0.05. */
export function strengthLabel(value) {
  return value == null ? "model decides" : String(Number(Number(value).toFixed(2)));
}

/**
 * The "Frames and source" section: `{ node, dispose }`.
 * @param {import("./widget_model.js").WidgetModel} model
 * @param {import("./studio_controls.js").Binder} binder
 */
export function sourcesSection(model, binder) {
  const kernel = new KernelFiles(model);
  const path = (name, label) =>
    textControl(binder, [name], () => model.get(name) ?? "", (v) => binder.set(name, v.trim()), {
      action: name,
      label,
      placeholder: "a path, relative to the notebook's folder",
    });
  // A thumbnail's <img> is made once the kernel names one, so a studio without frames has none.
  const boxes = { first: h("span", { attrs: { "data-role": "first-thumb-box" } }), last: h("span", { attrs: { "data-role": "last-thumb-box" } }) };
  const thumb = (which) => {
    const box = boxes[which];
    if (!box.firstChild) {
      box.append(h("img", { alt: `${which} frame`, attrs: { "data-role": `${which}-thumb` }, style: { maxWidth: "160px", maxHeight: "90px" } }));
    }
    return /** @type {HTMLImageElement} */ (box.firstChild);
  };
  const frameRow = (label, name, img) =>
    h("div", { className: "sora-field", attrs: { "data-source": name } }, field(label, path(name, label.toLowerCase())), img);
  const first = frameRow("First frame", "first_image", boxes.first);
  const last = frameRow("Last frame", "last_image", boxes.last);

  const fit = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", attrs: { "data-field": "fit" } }));
  fit.addEventListener("change", () => binder.set("fit", fit.checked));
  const fitLabel = h("label", { title: "Crop and resize the frames to the video's size" }, fit, " fit the frames to the size");

  const video = path("source_video", "source video");
  const takes = /** @type {HTMLSelectElement} */ (h("select", { attrs: { "data-field": "source_take", "aria-label": "source take" } }));
  takes.addEventListener("change", () => {
    if (takes.value) binder.set("source_video", takes.value);
  });
  const source = h(
    "div",
    { className: "sora-field sora-wide", attrs: { "data-source": "video" } },
    field("Source video", video, { wide: true }),
    takes,
  );
  const slider = /** @type {HTMLInputElement} */ (
    h("input", { type: "range", step: "0.01", attrs: { "data-field": "strength", "aria-label": "strength" } })
  );
  const readout = h("span", { className: "sora-readout", attrs: { "data-role": "strength-value" } });
  const sendStrength = binder.debounce(() => binder.set("strength", Number(slider.value)), 120);
  slider.addEventListener("input", () => {
    setText(readout, strengthLabel(slider.value));
    sendStrength();
  });
  slider.addEventListener("change", () => {
    sendStrength();
    sendStrength.flush();
  });
  const strength = h("div", { className: "sora-field", attrs: { "data-source": "strength" } }, field("Strength", slider), readout);

  const hints = h("ul", { className: "sora-hint sora-wide", attrs: { "data-role": "sources-hints" } });
  const problem = h("div", { className: "sora-wide", attrs: { "data-role": "sources-problem", role: "status" } });
  const node = h(
    "div",
    { className: "sora-wide", attrs: { "data-role": "sources" } },
    section("Frames and source", first, last, fitLabel, source, strength, hints, problem),
  );

  binder.watch(["fit"], () => {
    fit.checked = Boolean(model.get("fit"));
  });
  binder.watch(["source_takes", "source_video"], () => {
    const offered = model.get("source_takes") ?? [];
    const current = model.get("source_video") ?? "";
    takes.replaceChildren(
      h("option", { value: "", text: offered.length ? "or pick a finished take…" : "no finished takes yet" }),
      ...offered.map((take) => h("option", { value: String(take.id), text: String(take.label) })),
    );
    takes.value = offered.some((take) => take.id === current) ? current : "";
    takes.disabled = offered.length === 0;
  });
  binder.watch(["strength", "strength_bounds", "source_video"], () => {
    const [low, high] = model.get("strength_bounds") ?? [0.01, 1];
    slider.min = String(low);
    slider.max = String(high);
    const value = model.get("strength");
    if (!isEditing(slider)) slider.value = String(value ?? high);
    setText(readout, strengthLabel(value));
    const set = Boolean(String(model.get("source_video") ?? "").trim());
    slider.disabled = !set;
    slider.title = set ? "How far the take may stray from its source" : "Set a source video first";
  });
  binder.watch(["sources_offered", "sources_hints"], () => {
    const offered = model.get("sources_offered") ?? [];
    last.hidden = !offered.includes("last_image");
    source.hidden = !offered.includes("video");
    strength.hidden = !offered.includes("strength");
    const why = Object.entries(model.get("sources_hints") ?? {});
    hints.replaceChildren(...why.map(([name, line]) => h("li", { text: String(line), attrs: { "data-hint": name } })));
    hints.hidden = why.length === 0;
  });
  binder.watch(["sources_problem"], () => {
    const why = model.get("sources_problem") || "";
    setText(problem, why);
    problem.hidden = !why;
  });
  binder.watch(["frame_thumbs"], () => {
    const files = model.get("frame_thumbs") ?? {};
    for (const which of ["first", "last"]) {
      const file = files[which];
      if (!file) {
        kernel.release(`frame:${which}`);
        boxes[which].replaceChildren();
        continue;
      }
      kernel.load(`frame:${which}`, file, "image/png").then(
        (url) => {
          if ((model.get("frame_thumbs") ?? {})[which]?.version === file.version) thumb(which).src = url;
        },
        () => {}, // released meanwhile, or not readable: the path and the problem line still read
      );
    }
  });
  return { node, dispose: () => kernel.dispose() };
}
