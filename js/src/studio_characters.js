// @ts-check
// The studio's characters: the media folder's cast with their posters, two of which may be
// picked for the next video; one the current server has not made yet has a Make here button
// (the kernel sends the clip the folder keeps). Posters come like a take's files: by URL from
// the Jupyter server, or from the kernel in chunks. Names go in as text, never as HTML.
import { h, setText } from "./dom.js";
import { KernelFiles, MIME, RouteChooser, watchVisible } from "./media.js";

/** @typedef {import("./widget_model.js").WidgetModel} WidgetModel */
/** @typedef {import("./types.js").CharacterOption} CharacterOption */
/** @typedef {import("./types.js").MediaFile} MediaFile */

/** The most characters a video may feature. */
export const MOST = 2;
export const FULL = "A video features two characters at most: unpick one first.";

const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();

/**
 * The Characters section of the studio.
 * @param {WidgetModel} model
 * @param {{ watch: (names: string[], fn: () => void) => void, set: (name: string, value: any) => void }} binder
 * @param {{ probe?: (url: string) => Promise<boolean> }} [options] `probe` (tests) replaces the
 *   HEAD request that checks a server route
 * @returns {{ node: HTMLElement, dispose: () => void }}
 */
export function characterSection(model, binder, { probe } = {}) {
  const chooser = new RouteChooser(model, probe ? { probe } : {});
  const kernel = new KernelFiles(model);
  /** @type {string | null} */
  let route = null;
  let visible = false;
  let waiting = false;
  /** @type {{ name: string, box: HTMLInputElement, make: HTMLButtonElement | null, img: HTMLImageElement, file?: MediaFile }[]} */
  let rows = [];

  const list = h("ul", { className: "sora-cast", attrs: { "data-role": "characters", "aria-label": "characters" } });
  const none = h("div", {
    className: "sora-hint",
    text: "No characters in this media folder yet: %sora character add NAME CLIP.mp4 makes one from a clip.",
    attrs: { "data-role": "no-characters" },
  });
  const blocked = h("div", { className: "sora-hint", attrs: { "data-role": "characters-blocked" } });
  const refresh = h("button", {
    text: "Refresh",
    attrs: { "data-action": "characters", title: "Read the media folder's characters again" },
  });
  refresh.addEventListener("click", () => {
    if (waiting) return;
    waiting = true;
    update();
    model.send({ type: "characters" });
  });
  const node = h(
    "fieldset",
    { className: "sora-section sora-cast-section", attrs: { "data-section": "characters" } },
    h("legend", { text: "Characters" }),
    h("div", { className: "sora-wide sora-hint", text: "Pick up to two; write each name in the prompt." }),
    h("div", { className: "sora-wide" }, list, none, blocked),
    h("div", { className: "sora-wide" }, refresh),
  );

  /** @param {string} key @param {MediaFile} file */
  const source = async (key, file) => {
    const chosen = await chooser.choose(file);
    route = route ?? chosen;
    if (route !== "kernel") return chooser.url(file, route);
    if (!visible) return null;
    return kernel.load(key, file, MIME.thumbnail);
  };
  const posters = () => {
    for (const row of rows) {
      if (!row.file) continue;
      const { img } = row;
      source(`character:${row.name}`, row.file).then(
        (url) => {
          if (url && img.getAttribute("src") !== url) img.src = url;
        },
        () => {}, // no poster: the name still reads
      );
    }
  };

  const build = () => {
    /** @type {CharacterOption[]} */
    const options = model.get("character_options") ?? [];
    /** @type {HTMLElement[]} */
    const items = [];
    rows = options.map((option) => {
      const box = /** @type {HTMLInputElement} */ (
        h("input", { type: "checkbox", attrs: { "data-character": option.name, "aria-label": `feature ${option.name}` } })
      );
      box.addEventListener("change", () => {
        /** @type {string[]} */
        const now = model.get("characters") ?? [];
        const rest = now.filter((name) => !same(name, option.name));
        binder.set("characters", box.checked ? [...rest, option.name] : rest);
      });
      const img = /** @type {HTMLImageElement} */ (h("img", { alt: option.name, attrs: { "data-role": "character-thumb" } }));
      /** @type {HTMLButtonElement | null} */
      let make = null;
      if (!option.made_here) {
        make = /** @type {HTMLButtonElement} */ (
          h("button", {
            text: "Make here",
            attrs: {
              "data-action": "make-character",
              "data-name": option.name,
              title: `Make ${option.name} on this server from the clip the media folder keeps`,
            },
          })
        );
        make.addEventListener("click", () => {
          if (waiting) return;
          waiting = true;
          update();
          model.send({ type: "make-character", name: option.name });
        });
      }
      const item = h(
        "li",
        { className: "sora-character", attrs: { "data-name": option.name } },
        h("label", {}, box, img, h("span", { text: option.name, attrs: { "data-role": "character-name" } })),
        option.made_here ? null : h("span", { className: "sora-hint", text: "not on this server yet", attrs: { "data-role": "not-here" } }),
        make,
      );
      items.push(item);
      return { name: option.name, box, make, img, file: option.thumbnail };
    });
    list.replaceChildren(...items);
    none.hidden = rows.length > 0;
    update();
    posters();
  };

  const update = () => {
    /** @type {string[]} */
    const picked = model.get("characters") ?? [];
    const why = model.get("characters_blocked") || "";
    setText(blocked, why);
    blocked.hidden = !why;
    refresh.disabled = waiting;
    for (const row of rows) {
      const on = picked.some((name) => same(name, row.name));
      const full = !on && picked.length >= MOST;
      row.box.checked = on;
      // A pick the server cannot feature can still be taken back.
      row.box.disabled = (Boolean(why) && !on) || full;
      const title = why || (full ? FULL : "");
      if (title) row.box.title = title;
      else row.box.removeAttribute("title");
      row.box.closest("li")?.setAttribute("data-picked", String(on));
      if (row.make) row.make.disabled = waiting || Boolean(why);
    }
  };

  binder.watch(["character_options"], build);
  binder.watch(["characters", "characters_blocked"], update);
  binder.watch(["handled"], () => {
    waiting = false;
    update();
  });
  const stopWatching = watchVisible(node, (now) => {
    visible = now;
    if (now && route === "kernel") posters();
  });
  return {
    node,
    dispose() {
      stopWatching();
      kernel.dispose();
    },
  };
}
