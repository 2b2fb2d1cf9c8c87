// @ts-check
// Where a take's files come from. Widget state holds only where each file lies (a MediaFile:
// `rel` to the notebook, `folder` id and `path` for sora_nb's server route, `size`, `version`);
// the page then either streams it from the Jupyter server by URL (range requests, the
// browser's own buffering: JupyterLab, Notebook 7, JupyterHub, Voilà), or, where no server route
// exists (VS Code, Colab, a notebook opened elsewhere), asks the kernel for it in chunks.

/** @typedef {import("./types.js").MediaFile} MediaFile */
/** @typedef {import("./widget_model.js").WidgetModel} WidgetModel */

/** Content types of a take's files, by variant. */
export const MIME = { video: "video/mp4", thumbnail: "image/webp", spritesheet: "image/jpeg" };
/** Bytes asked of the kernel at once, and how many asks may be on the way together. */
export const KERNEL_CHUNK = 2 * 1024 * 1024;
export const KERNEL_WINDOW = 3;

/** The Jupyter server's base URL from the page's own config, or null outside a Jupyter page. */
export function serverBase(doc = globalThis.document) {
  const node = doc?.getElementById?.("jupyter-config-data");
  if (!node) return null;
  try {
    const base = JSON.parse(node.textContent || "{}").baseUrl;
    if (typeof base !== "string") return null;
    return base.endsWith("/") ? base : `${base}/`;
  } catch {
    return null;
  }
}

/** The notebook's path under the server's root, where the widget manager knows it (the
 * JupyterLab and Notebook 7 managers hold the notebook's document context); else null. */
export function notebookPath(model) {
  const context = model?.widget_manager?.context;
  const path = context?.localPath ?? context?.path;
  return typeof path === "string" && path ? path : null;
}

/** `rel` (relative to the notebook at `nbPath`) as a path under the server's root, or null when
 * it leaves the root or passes through a hidden folder (Jupyter's /files/ serves neither). */
export function underRoot(nbPath, rel) {
  if (typeof rel !== "string" || !rel || rel.startsWith("/")) return null;
  const parts = nbPath.split("/").slice(0, -1).filter(Boolean);
  for (const part of rel.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (!parts.length) return null;
      parts.pop();
    } else parts.push(part);
  }
  if (!parts.length || parts.some((p) => p.startsWith("."))) return null;
  return parts.join("/");
}

const encodePath = (path) => path.split("/").map(encodeURIComponent).join("/");

/**
 * The URLs that may serve `file`, best first: Jupyter's /files/ under the root, then sora_nb's
 * server route for a registered media folder. Empty where the page has no Jupyter server.
 * @param {MediaFile} file
 * @param {{ base: string | null, nbPath: string | null }} where
 * @returns {{ route: "files" | "extension", url: string }[]}
 */
export function fileUrls(file, { base, nbPath }) {
  if (!file || !base) return [];
  const version = `?v=${encodeURIComponent(file.version ?? "")}`;
  /** @type {{ route: "files" | "extension", url: string }[]} */
  const urls = [];
  const path = nbPath ? underRoot(nbPath, file.rel) : null;
  if (path) urls.push({ route: "files", url: `${base}files/${encodePath(path)}${version}` });
  if (file.folder && file.path) {
    urls.push({ route: "extension", url: `${base}sora-nb/media/${file.folder}/${encodePath(file.path)}${version}` });
  }
  return urls;
}

/**
 * Picks, once per widget, the route its files take: the first URL route whose probe answers,
 * else the kernel. `probe(url)` resolves true when the server serves that URL.
 */
export class RouteChooser {
  /** @param {WidgetModel} model */
  constructor(model, { probe = headOk, doc = globalThis.document } = {}) {
    this.context = { base: serverBase(doc), nbPath: notebookPath(model) };
    this.probe = probe;
    this.chosen = null; // a Promise of "files" | "extension" | "kernel"
  }

  /**
   * The route for this widget, probed with `sample` the first time.
   * @param {MediaFile} sample
   * @returns {Promise<"files" | "extension" | "kernel">}
   */
  choose(sample) {
    if (!this.chosen) {
      this.chosen = (async () => {
        for (const { route, url } of fileUrls(sample, this.context)) {
          if (await this.probe(url)) return route;
        }
        return "kernel";
      })();
    }
    return this.chosen;
  }

  /**
   * The URL of `file` on `route`, or null (kernel route, or not servable there).
   * @param {MediaFile} file
   * @param {string | null} route
   */
  url(file, route) {
    const found = fileUrls(file, this.context).find((u) => u.route === route);
    return found ? found.url : null;
  }
}

/** True when a HEAD request for `url` succeeds (same-origin, the user's Jupyter login). */
export async function headOk(url) {
  try {
    const response = await fetch(url, { method: "HEAD", credentials: "same-origin", cache: "no-store" });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Files read from the kernel in chunks (the fallback route): at most `window` chunks on the
 * way for the whole widget, files served in the order asked (so the first cell plays first),
 * each assembled into a Blob URL when whole. The kernel reads every chunk from disk as it sends
 * it and keeps nothing; the page keeps one Blob per file it shows, until `release`.
 */
export class KernelFiles {
  /** @param {WidgetModel} model */
  constructor(model, { chunk = KERNEL_CHUNK, window = KERNEL_WINDOW } = {}) {
    this.model = model;
    this.chunk = chunk;
    this.window = window;
    this.loads = new Map(); // key -> load state, in the order asked
    this.inflight = new Map(); // req -> load
    this.nextReq = 1;
    this.onMessage = (content, buffers) => this.receive(content, buffers);
    model.on("msg:custom", this.onMessage);
  }

  /**
   * A Blob URL of the kernel's file `key` (`file` says how big it is), of content `type`.
   * @param {string} key
   * @param {MediaFile} file
   * @param {string} type
   * @returns {Promise<string>}
   */
  load(key, file, type) {
    const existing = this.loads.get(key);
    if (existing && existing.version === file.version) return existing.promise;
    if (existing) this.release(key);
    const load = { key, version: file.version, size: Number(file.size) || 0, type, parts: [], received: 0, offset: 0, url: null };
    load.promise = new Promise((resolve, reject) => {
      load.resolve = resolve;
      load.reject = reject;
    });
    load.promise.catch(() => {}); // a released load rejects; its caller has moved on
    this.loads.set(key, load);
    if (load.size === 0) this.finish(load);
    else this.pump();
    return load.promise;
  }

  pump() {
    for (const load of this.loads.values()) {
      while (this.inflight.size < this.window && !load.url && load.offset < load.size) {
        const req = this.nextReq++;
        const length = Math.min(this.chunk, load.size - load.offset);
        this.inflight.set(req, load);
        this.model.send({ type: "media-read", key: load.key, offset: load.offset, length, req });
        load.offset += length;
      }
      if (this.inflight.size >= this.window) return;
    }
  }

  receive(content, buffers) {
    if (!content || content.type !== "media-chunk") return;
    const load = this.inflight.get(content.req);
    if (!load) return; // an old request
    this.inflight.delete(content.req);
    if (this.loads.get(load.key) !== load) {
      this.pump(); // released meanwhile: its slot goes to the next file
      return;
    }
    const data = buffers && buffers[0];
    const bytes = data ? data.byteLength : 0;
    if (content.error || Number(content.size) !== load.size || !bytes) {
      // Unreadable, or changed under us (a refetched take: its new version comes as new state).
      this.drop(load);
      load.reject(new Error(content.error || "the file changed while it was being sent"));
      this.pump();
      return;
    }
    load.parts.push([Number(content.offset), data]);
    load.received += bytes;
    if (load.received >= load.size) this.finish(load);
    this.pump();
  }

  finish(load) {
    load.parts.sort((a, b) => a[0] - b[0]);
    const blob = new Blob(load.parts.map(([, data]) => data), { type: load.type });
    load.parts = []; // the Blob holds the bytes now; the chunks can go
    load.bytes = blob.size;
    load.url = URL.createObjectURL(blob);
    load.resolve(load.url);
  }

  drop(load) {
    // Requests already sent keep their slot until their answer arrives (and is ignored), so
    // the window bounds what is on the way even across a release.
    this.loads.delete(load.key);
    load.parts = [];
    if (load.url) URL.revokeObjectURL(load.url);
    load.url = null;
  }

  /** Forget a file: revoke its Blob URL and stop asking for the rest of it. */
  release(key) {
    const load = this.loads.get(key);
    if (!load) return;
    this.drop(load);
    load.reject(new Error("released"));
    this.pump();
  }

  /** Bytes of whole files this page holds from the kernel (for tests and debugging). */
  bytesHeld() {
    let total = 0;
    for (const load of this.loads.values()) if (load.url) total += load.bytes ?? 0;
    return total;
  }

  dispose() {
    for (const key of [...this.loads.keys()]) this.release(key);
    this.model.off("msg:custom", this.onMessage);
  }
}

/** A one-line description of a route for a tooltip. */
export function routeTitle(route) {
  return {
    files: "Streamed by the Jupyter server (/files/)",
    extension: "Streamed by the Jupyter server (sora_nb's media route)",
    kernel: "Sent by the kernel in chunks (no server route in this front end)",
  }[route] ?? "";
}

/** "url" for a server route, "kernel" for the fallback (the data-media-path attribute). */
export function pathKind(route) {
  return route === "kernel" ? "kernel" : route ? "url" : "";
}

/** Calls `onChange(visible)` when `el` comes near the viewport or leaves it; visible at once
 * where the page cannot tell (no IntersectionObserver). Returns a function that stops. */
export function watchVisible(el, onChange, { margin = "200px" } = {}) {
  if (typeof IntersectionObserver === "undefined") {
    onChange(true);
    return () => {};
  }
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) onChange(entry.isIntersecting);
  }, { rootMargin: margin });
  observer.observe(el);
  return () => observer.disconnect();
}
