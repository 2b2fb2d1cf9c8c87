// Small DOM helpers. Every piece of text goes in through text nodes (textContent): nothing a
// user typed, and nothing the server sent, is ever parsed as HTML.

/**
 * Create an element. `props`: `className`, `text` (set as textContent), `attrs` (setAttribute),
 * `style` (object), `on` (event name -> handler), and any other key set as a DOM property.
 * Children are nodes or strings (strings become text nodes); null/false children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null) continue;
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "attrs") {
      for (const [name, v] of Object.entries(value)) {
        if (v !== undefined && v !== null && v !== false) node.setAttribute(name, String(v));
      }
    } else if (key === "style") Object.assign(node.style, value);
    else if (key === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (key === "innerHTML" || key === "outerHTML") {
      throw new Error("sora_nb widgets never set HTML from data");
    } else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replace a node's children with text (never HTML). */
export function setText(node, text) {
  node.textContent = text === null || text === undefined ? "" : String(text);
}

/** "1 word" / "12 words". */
export function wordsLabel(count) {
  return `${count} ${count === 1 ? "word" : "words"}`;
}

/**
 * Turn a bytes trait (DataView/ArrayBuffer/typed array from the widget model) into a Blob URL,
 * or null when empty. The caller revokes it with `URL.revokeObjectURL` when replaced.
 */
export function blobUrl(data, type) {
  if (!data) return null;
  const size = data.byteLength ?? 0;
  if (!size) return null;
  const view =
    data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, size);
  return URL.createObjectURL(new Blob([view], { type }));
}

/** Holds one Blob URL at a time and revokes the previous one. */
export class BlobSlot {
  constructor(type) {
    this.type = type;
    this.url = null;
  }
  set(data) {
    const next = blobUrl(data, this.type);
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = next;
    return next;
  }
  clear() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
  }
}

/** Dollars as "$0.40", or "unknown". */
export function formatCost(value) {
  return typeof value === "number" && Number.isFinite(value) ? `$${value.toFixed(2)}` : "unknown";
}

/** Seconds as "12 s" / "1 min 05 s" for the elapsed readout. */
export function formatElapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/** True when a key event comes from a place that types text (so shortcuts must not fire). */
export function isTyping(event) {
  const t = event.target;
  if (!t || !t.tagName) return false;
  const tag = t.tagName.toLowerCase();
  return tag === "textarea" || tag === "select" || (tag === "input" && t.type !== "range" && t.type !== "checkbox") || t.isContentEditable;
}

/** Human words for a take status. */
export function statusLabel(status) {
  return (
    {
      pending: "waiting to send",
      queued: "queued",
      in_progress: "rendering",
      completed: "done",
      failed: "failed",
      expired: "expired",
    }[status] ?? String(status ?? "")
  );
}
